"""`GET /customers` query parameters (README 3.3): filters, `sortBy`, `offset`/`limit`.

Assumptions (the docs name the parameters, not their matching rules):
* `keyword` and `name` match a case-insensitive substring; `email` matches the whole address
  case-insensitively; `fiscalCode`/`electronicInvoice*` match exactly (PEC e-mail ignoring case).
* `customerGroup` (older docs: `groupId`) and `customerGroupIds` together must both hold.
* `purchasedProductIds` matches customers who bought any of the listed products.
* `acceptMarketing=true` also matches `null` (README 3.2: `true`/`null` = may e-mail).
* Date bounds are inclusive; an empty parameter value counts as absent.
* Sorting breaks ties by id in the same direction; a missing name sorts as "".
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Final

from .formats import parse_date_filter
from .payloads import EcwidError
from .records import CustomerRecord

SortKey = Callable[[CustomerRecord], tuple[object, int]]
SORTS: Final[dict[str, tuple[SortKey, bool]]] = {
    "NAME_ASC": (lambda c: ((c.name or "").casefold(), c.id), False),
    "NAME_DESC": (lambda c: ((c.name or "").casefold(), c.id), True),
    "EMAIL_ASC": (lambda c: (c.email.casefold(), c.id), False),
    "EMAIL_DESC": (lambda c: (c.email.casefold(), c.id), True),
    "ORDER_COUNT_ASC": (lambda c: (c.order_count, c.id), False),
    "ORDER_COUNT_DESC": (lambda c: (c.order_count, c.id), True),
    "REGISTERED_DATE_ASC": (lambda c: (c.registered, c.id), False),
    "REGISTERED_DATE_DESC": (lambda c: (c.registered, c.id), True),
    "UPDATED_DATE_ASC": (lambda c: (c.updated, c.id), False),
    "UPDATED_DATE_DESC": (lambda c: (c.updated, c.id), True),
}
DEFAULT_SORT: Final = "NAME_ASC"
_INTEGER: Final = re.compile(r"^-?\d{1,18}$")


def _invalid(name: str, value: str, expected: str) -> EcwidError:
    return EcwidError.bad_request(
        f"Parameter '{name}' has invalid value '{value}': expected {expected}"
    )


class Params:
    """Typed access to query parameters; a bad value is a 400 naming the parameter."""

    def __init__(self, query: Mapping[str, str]) -> None:
        self.query = query

    def text(self, name: str) -> str | None:
        value = self.query.get(name)
        return value if value else None

    def integer(self, name: str) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        if not _INTEGER.match(value.strip()):
            raise _invalid(name, value, "a number")
        return int(value)

    def number(self, name: str) -> float | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            raise _invalid(name, value, "a number") from None
        if not math.isfinite(number):
            raise _invalid(name, value, "a number")
        return number

    def boolean(self, name: str) -> bool | None:
        value = self.text(name)
        if value is None:
            return None
        if value.lower() not in ("true", "false"):
            raise _invalid(name, value, "true or false")
        return value.lower() == "true"

    def id_list(self, name: str) -> frozenset[int] | None:
        value = self.text(name)
        if value is None:
            return None
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not all(_INTEGER.match(part) for part in parts):
            raise _invalid(name, value, "a comma-separated list of numbers")
        return frozenset(int(part) for part in parts)

    def date(self, name: str) -> float | None:
        value = self.text(name)
        return None if value is None else parse_date_filter(name, value)

    def paging(self, *, default_limit: int, max_limit: int, reject_over_max: bool) -> Page:
        """`offset` (default 0) and `limit` (default `default_limit`, at most `max_limit`).

        Assumption: a limit above the maximum is capped silently unless `reject_over_max`;
        `limit=0` is allowed and returns only `total`.
        """
        offset = self.integer("offset")
        limit = self.integer("limit")
        if offset is not None and offset < 0:
            raise _invalid("offset", str(offset), "a non-negative number")
        if limit is not None and limit < 0:
            raise _invalid("limit", str(limit), "a non-negative number")
        if limit is not None and limit > max_limit:
            if reject_over_max:
                raise _invalid("limit", str(limit), f"at most {max_limit}")
            limit = max_limit
        return Page(offset or 0, default_limit if limit is None else limit)


@dataclass(frozen=True, slots=True)
class Page:
    offset: int
    limit: int


def _ids(params: Params, single: str, legacy: str, many: str) -> frozenset[int] | None:
    one = params.integer(single)
    if one is None:
        one = params.integer(legacy)
    listed = params.id_list(many)
    if one is None:
        return listed
    return frozenset({one}) if listed is None else listed & {one}


@dataclass(frozen=True, slots=True)
class CustomerQuery:
    keyword: str | None
    name: str | None
    email: str | None
    group_ids: frozenset[int] | None
    min_orders: int | None
    max_orders: int | None
    min_sales: float | None
    max_sales: float | None
    product_ids: frozenset[int] | None
    accept_marketing: bool | None
    b2b_b2c: str | None
    fiscal_code: str | None
    pec_email: str | None
    sdi_code: str | None
    created_from: float | None
    created_to: float | None
    updated_from: float | None
    updated_to: float | None
    sort_by: str

    @classmethod
    def parse(cls, params: Params) -> CustomerQuery:
        sort_by = params.text("sortBy") or DEFAULT_SORT
        if sort_by not in SORTS:
            raise _invalid("sortBy", sort_by, "one of " + ", ".join(SORTS))
        keyword, name, email = params.text("keyword"), params.text("name"), params.text("email")
        return cls(
            keyword=keyword.strip().casefold() if keyword else None,
            name=name.strip().casefold() if name else None,
            email=email.strip().casefold() if email else None,
            group_ids=_ids(params, "customerGroup", "groupId", "customerGroupIds"),
            min_orders=params.integer("minOrderCount"),
            max_orders=params.integer("maxOrderCount"),
            min_sales=params.number("minSalesValue"),
            max_sales=params.number("maxSalesValue"),
            product_ids=params.id_list("purchasedProductIds"),
            accept_marketing=params.boolean("acceptMarketing"),
            b2b_b2c=params.text("b2b_b2c"),
            fiscal_code=params.text("fiscalCode"),
            pec_email=params.text("electronicInvoicePecEmail"),
            sdi_code=params.text("electronicInvoiceSdiCode"),
            created_from=params.date("createdFrom"),
            created_to=params.date("createdTo"),
            updated_from=params.date("updatedFrom"),
            updated_to=params.date("updatedTo"),
            sort_by=sort_by,
        )

    @property
    def unfiltered(self) -> bool:
        return all(
            getattr(self, field.name) is None for field in fields(self) if field.name != "sort_by"
        )

    def matches(self, c: CustomerRecord) -> bool:
        name = (c.name or "").casefold()
        email = c.email.casefold()
        checks = (
            self.keyword is None or self.keyword in name or self.keyword in email,
            self.name is None or self.name in name,
            self.email is None or self.email == email,
            self.group_ids is None or c.group_id in self.group_ids,
            self.min_orders is None or c.order_count >= self.min_orders,
            self.max_orders is None or c.order_count <= self.max_orders,
            self.min_sales is None or c.sales_value >= self.min_sales,
            self.max_sales is None or c.sales_value <= self.max_sales,
            self.product_ids is None or bool(self.product_ids & c.purchased_product_ids),
            self.accept_marketing is None
            or (c.accept_marketing is not False) == self.accept_marketing,
            self.b2b_b2c is None or c.b2b_b2c == self.b2b_b2c,
            self.fiscal_code is None or c.fiscal_code == self.fiscal_code,
            self.pec_email is None or (c.pec_email or "").casefold() == self.pec_email.casefold(),
            self.sdi_code is None or c.sdi_code == self.sdi_code,
            self.created_from is None or c.registered >= self.created_from,
            self.created_to is None or c.registered <= self.created_to,
            self.updated_from is None or c.updated >= self.updated_from,
            self.updated_to is None or c.updated <= self.updated_to,
        )
        return all(checks)

    def run(self, customers: list[CustomerRecord]) -> list[CustomerRecord]:
        key, descending = SORTS[self.sort_by]
        return sorted((c for c in customers if self.matches(c)), key=key, reverse=descending)
