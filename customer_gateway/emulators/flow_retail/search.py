"""Paging, sorting (README 2.2) and the customer search semantics (README 2.4)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar

from .formats import UID, SortKey, parse_timestamp
from .payloads import CustomerObject, ExternalHit, FlowError, ListResponse
from .validation import require_object

T = TypeVar("T", bound=Mapping[str, Any])
UnknownSort = Literal["reject", "ignore"]

# `query` is matched against these (README: firstName, lastName, city, postalCode, companyName,
# mobile, email, vatNumber); the last three drop out when given as their own criterion.
QUERY_FIELDS: Final = (
    "firstname",
    "lastname",
    "city",
    "postalCode",
    "companyName",
    "mobile",
    "email",
    "vatNumber",
)
EXPLICIT_FIELDS: Final = ("mobile", "email", "vatNumber")
_INTEGER: Final = re.compile(r"^\d+$")


@dataclass(frozen=True, slots=True)
class PagingRules:
    default_size: int = 20  # assumption: no default published
    max_size: int = 1000  # assumption: larger sizes are capped silently, the cap is echoed
    unknown_sort: UnknownSort = "reject"  # assumption: unknown `sortBy` -> 400


@dataclass(frozen=True, slots=True)
class ListQuery:
    page_number: int
    page_size: int
    sort_by: str | None
    descending: bool


def _positive(params: Mapping[str, str], name: str, default: int) -> int:
    text = params.get(name)
    if text is None or text == "":
        return default
    if not _INTEGER.match(text) or int(text) < 1:
        raise FlowError.bad_request(f"{name} must be a positive integer")
    return int(text)


def list_query(
    params: Mapping[str, str], rules: PagingRules, sort_fields: Collection[str]
) -> ListQuery:
    number = _positive(params, "pageNumber", 1)
    size = min(_positive(params, "pageSize", rules.default_size), rules.max_size)
    sort_by = params.get("sortBy") or None
    if sort_by is not None and sort_by not in sort_fields:
        if rules.unknown_sort == "reject":
            raise FlowError.bad_request(f"sortBy '{sort_by}' is not a sortable field")
        sort_by = None
    direction = (params.get("sortDirection") or "ASC").upper()
    if direction not in ("ASC", "DESC"):
        raise FlowError.bad_request("sortDirection must be ASC or DESC")
    return ListQuery(number, size, sort_by, direction == "DESC")


def page(items: Sequence[T], query: ListQuery, sort_key: SortKey) -> ListResponse:
    """Sort (stable; nulls last in both directions: assumption), slice, wrap in the envelope."""
    return ordered_page(order(items, query, sort_key), query)


def order(items: Sequence[T], query: ListQuery, sort_key: SortKey) -> list[T]:
    ordered = list(items)
    field = query.sort_by
    if field is not None:
        present = [item for item in ordered if item.get(field) is not None]
        missing = [item for item in ordered if item.get(field) is None]

        def key(item: T) -> Any:
            value = item[field]
            return sort_key(value) if isinstance(value, str) else value

        ordered = sorted(present, key=key, reverse=query.descending) + missing
    return ordered


def ordered_page(ordered: Sequence[T], query: ListQuery) -> ListResponse:
    """The query's page of items already in its order."""
    start = (query.page_number - 1) * query.page_size
    return {
        "items": list(ordered[start : start + query.page_size]),
        "paging": {
            "pageNumber": query.page_number,
            "pageSize": query.page_size,
            "totalCount": len(ordered),
        },
    }


# -- customer search ----------------------------------------------------------------------------
def _string(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FlowError.bad_request(f"{key} must be a string")
    return value


def _normal(value: str) -> str:
    return value.replace(" ", "").casefold()


@dataclass(frozen=True, slots=True)
class CustomerSearch:
    exact_match: bool = False
    query: str | None = None
    mobile: str | None = None
    email: str | None = None
    vat_number: str | None = None
    store_uid: str | None = None
    created_at: float | None = None

    @classmethod
    def parse(cls, body: Any) -> CustomerSearch:
        data = require_object({} if body is None else body)
        exact = data.get("exactMatch", False)
        if exact is None:
            exact = False
        if not isinstance(exact, bool):
            raise FlowError.bad_request("exactMatch must be a boolean")
        store_uid = _string(data, "storeUid")
        if store_uid is not None and not UID.match(store_uid):
            raise FlowError.bad_request("storeUid must match ^[A-Za-z0-9-_]+")
        created_text = _string(data, "createdAt")
        created_at = None
        if created_text is not None:
            try:
                created_at = parse_timestamp(created_text)
            except ValueError:
                raise FlowError.bad_request("createdAt must be an ISO-8601 date-time") from None
        return cls(
            exact_match=exact,
            query=_string(data, "query"),
            mobile=_string(data, "mobile"),
            email=_string(data, "email"),
            vat_number=_string(data, "vatNumber"),
            store_uid=store_uid,
            created_at=created_at,
        )

    def _hit(self, value: Any, needle: str) -> bool:
        # Spaces are ignored on both sides so "912 34 567" finds "+4791234567" (assumption).
        if not isinstance(value, str):
            return False
        return (
            _normal(value) == _normal(needle)
            if self.exact_match
            else _normal(needle) in _normal(value)
        )

    def matcher(
        self, in_store: Callable[[CustomerObject, str], bool]
    ) -> Callable[[CustomerObject], bool]:
        explicit = {"mobile": self.mobile, "email": self.email, "vatNumber": self.vat_number}
        query_fields = [f for f in QUERY_FIELDS if explicit.get(f) is None]

        def matches(customer: CustomerObject) -> bool:
            for field, needle in explicit.items():
                if needle is not None and not self._hit(customer.get(field), needle):
                    return False
            if self.query is not None and not any(
                self._hit(customer.get(field), self.query) for field in query_fields
            ):
                return False
            if self.created_at is not None and (
                parse_timestamp(customer["createdAt"]) < self.created_at
            ):
                return False
            return self.store_uid is None or in_store(customer, self.store_uid)

        return matches


def external_matches(hits: Sequence[ExternalHit], body: Any) -> list[ExternalHit]:
    """Register hits whose name or organisation number contains `query` (required: assumed)."""
    data = require_object({} if body is None else body)
    query = _string(data, "query")
    if query is None:
        raise FlowError.bad_request("query is required")
    needle = _normal(query)
    return [
        hit
        for hit in hits
        if needle in _normal(hit["name"]) or needle in _normal(hit["organizationNumber"])
    ]
