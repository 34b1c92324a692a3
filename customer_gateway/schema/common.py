"""Small types shared by the read model: provenance, EverShop's Date and Filter, places."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import strawberry

from customer_gateway.schema.countries import COUNTRY_NAMES

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@strawberry.type(description="Where a record lives: a configured source and the kind of back-end.")
class Source:
    name: str
    kind: str

    @classmethod
    def of(cls, name: str, kind: str) -> Source:
        """The source's value, one instance per name and kind: a page of customers and their
        groups shares it (nothing changes a Source after it is made)."""
        return _source(name, kind)


@functools.lru_cache(maxsize=256)
def _source(name: str, kind: str) -> Source:
    return Source(name=name, kind=kind)


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
        utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
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
