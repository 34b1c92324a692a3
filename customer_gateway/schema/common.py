"""Small types shared by the read model: provenance, EverShop's Date and Filter, places."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from customer_gateway.schema.countries import COUNTRY_NAMES

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@strawberry.type(description="Where a record lives: a configured source and the kind of back-end.")
class Source:
    name: str
    kind: str


@strawberry.type(
    description="EverShop's Date: `value` is milliseconds since the epoch (as a string), "
    "`text` is the day as 'MMM D, YYYY' (UTC). Both are null when the source does not know it."
)
class Date:
    value: str | None
    text: str | None

    @classmethod
    def of(cls, moment: datetime | None) -> Date:
        if moment is None:
            return cls(value=None, text=None)
        utc = moment.astimezone(UTC)
        return cls(
            value=str(int(moment.timestamp() * 1000)),
            text=f"{_MONTHS[utc.month - 1]} {utc.day}, {utc.year}",
        )


@strawberry.type(description="A filter as the gateway applied it (each filter once).")
class Filter:
    key: str
    operation: str
    value: str


@strawberry.type
class Country:
    code: str
    name: str | None

    @classmethod
    def of(cls, code: str | None) -> Country | None:
        if not code:
            return None
        return cls(code=code, name=COUNTRY_NAMES.get(code.upper()))


@strawberry.type
class Province:
    code: str | None
    name: str | None
    country_code: str | None
