"""EverShop's `filters: [FilterInput]` parsed and validated into a list request.

EverShop's admin turns every URL parameter into a filter (`buildFilterFromUrl`: `key=value` is
`eq`, a repeated key `in`), so a tracking parameter or a bookmark reaches the API as a filter
key. EverShop ignores a key it does not know, an operation a key does not take, an `ob` it cannot
sort by, an `od` other than ASC/DESC/asc/desc and every repeat of `ob`, `od`, `page` and `limit`
after the first; so does the gateway, and it names each in `extensions.ignoredFilters`. A caller
that wants such a filter refused (BAD_USER_INPUT) opts in with `strict` (`strict_filters`).
A malformed value of a key the gateway applies is an error either way, as is a value no source
can take (`sendable`): a NUL, a lone surrogate, more than 255 characters (4,096 for an `in`/`nin`
list), or an `email` pattern that PostgreSQL would reject.

Each applied filter is echoed once in `currentFilters`, in the order given (EverShop 2.2.1 lists
them in its own registration order and repeats `limit` and `page`), with `page` and `limit`
always present as applied.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from customer_gateway.connectors.models import Condition, FilterField, Op, Sort, SortField
from customer_gateway.core.errors import BadUserInput
from customer_gateway.text.digits import is_ascii_digits
from customer_gateway.text.sendable import (
    MAX_FILTER_VALUE,
    MAX_TEXT,
    check_text,
    like_pattern_problem,
)

DEFAULT_LIMIT = 20  # EverShop's ADMIN_COLLECTION_SIZE

_RANGE = frozenset({Op.GT, Op.GTEQ, Op.LT, Op.LTEQ})
_MOMENTS = ("created_at", "updated_at")
_STORE_UID = re.compile(r"[A-Za-z0-9_-]{1,100}")
_CUSTOMER_KEYS: dict[str, frozenset[Op]] = {
    "keyword": frozenset({Op.EQ}),
    "email": frozenset({Op.EQ, Op.NEQ, Op.LIKE, Op.NLIKE, Op.IN, Op.NIN}),
    "full_name": frozenset({Op.EQ, Op.NEQ, Op.LIKE, Op.NLIKE}),
    "phone": frozenset({Op.EQ, Op.NEQ, Op.IN, Op.NIN}),
    "vat_number": frozenset({Op.EQ, Op.NEQ, Op.IN, Op.NIN}),
    "status": frozenset({Op.EQ, Op.NEQ, Op.IN, Op.NIN}),
    "group": frozenset({Op.EQ, Op.NEQ, Op.IN, Op.NIN}),
    "company_name": frozenset({Op.EQ, Op.NEQ, Op.LIKE, Op.NLIKE}),
    "created_at": _RANGE,
    "updated_at": _RANGE,
    "external_id": frozenset({Op.EQ, Op.NEQ, Op.IN, Op.NIN}),
    "store": frozenset({Op.EQ}),
}
_GROUP_KEYS: dict[str, frozenset[Op]] = {
    "name": frozenset({Op.EQ, Op.LIKE, Op.NLIKE}),
}
_SOURCE_OPS = frozenset({Op.EQ, Op.NEQ, Op.IN, Op.NIN})
# `ob` values: EverShop's sort keys, and the grid's own "Full Name" header (`full_name`), which
# EverShop 2.2.1 ignores (its sort map says `name`); the gateway sorts by the name as meant.
_CUSTOMER_SORTS = {
    "created_at": SortField.CREATED_AT,
    "email": SortField.EMAIL,
    "name": SortField.NAME,
    "full_name": SortField.NAME,
    "status": SortField.STATUS,
}
_DIRECTIONS = {"ASC": False, "asc": False, "DESC": True, "desc": True}  # EverShop's four
_PAGING_KEYS = ("ob", "od", "page", "limit")
# One each: a repeat is ignored (the first applies, as in EverShop) and reported, or refused
# with `strict_filters`.
_SINGLE_KEYS = frozenset({*_PAGING_KEYS, "source", "store"})
_NOT_CONDITIONS = frozenset({*_PAGING_KEYS, "source"})  # they shape the request instead


class FilterLike(Protocol):
    """What the schema's FilterInput carries (kept abstract: resolvers do not import schema)."""

    @property
    def key(self) -> str: ...

    @property
    def operation(self) -> Op: ...

    @property
    def value(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class SourceSelector:
    op: Op
    names: tuple[str, ...]

    def includes(self, name: str) -> bool:
        member = name in self.names
        return member if self.op in (Op.EQ, Op.IN) else not member


@dataclass(frozen=True, slots=True)
class IgnoredFilter:
    """A filter EverShop would ignore, and so the gateway did (`extensions.ignoredFilters`)."""

    key: str
    operation: str
    value: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class ListRequest:
    conditions: tuple[Condition, ...]
    sources: SourceSelector | None
    sort_key: str | None  # `ob` as applied (customers: a `_CUSTOMER_SORTS` key; groups: "name")
    descending: bool | None  # `od` as applied
    page: int
    limit: int
    echo: tuple[tuple[str, str, str], ...]  # (key, operation, value) for currentFilters
    ignored: tuple[IgnoredFilter, ...] = ()

    def includes_source(self, name: str) -> bool:
        return self.sources is None or self.sources.includes(name)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit

    def customer_sort(self, default: SortField = SortField.CREATED_AT) -> Sort:
        """`default` descending unless `od` says ASC; `ob` alone sorts ascending (as EverShop).

        EverShop's own default is `customer_id DESC`; the resolver passes CUSTOMER_ID when only
        EverShop sources take part and CREATED_AT (newest first) across kinds.
        """
        if self.sort_key is None:
            return Sort(default, self.descending is not False)
        return Sort(_CUSTOMER_SORTS[self.sort_key], bool(self.descending))


def parse_customer_filters(
    filters: Sequence[FilterLike],
    *,
    max_limit: int,
    sources: Collection[str],
    strict: bool = False,
) -> ListRequest:
    return _parse(filters, _CUSTOMER_KEYS, tuple(_CUSTOMER_SORTS), max_limit, sources, strict)


def parse_group_filters(
    filters: Sequence[FilterLike],
    *,
    max_limit: int,
    sources: Collection[str],
    strict: bool = False,
) -> ListRequest:
    return _parse(filters, _GROUP_KEYS, ("name",), max_limit, sources, strict)


def _parse(
    filters: Sequence[FilterLike],
    keys: dict[str, frozenset[Op]],
    sort_keys: tuple[str, ...],
    max_limit: int,
    sources: Collection[str],
    strict: bool,
) -> ListRequest:
    conditions: list[Condition] = []
    selector: SourceSelector | None = None
    singles: dict[str, str] = {}
    echo: list[tuple[str, str, str]] = []
    ignored: list[IgnoredFilter] = []

    def ignore(item: FilterLike, reason: str, strict_message: str) -> None:
        if strict:
            raise _bad(strict_message)
        ignored.append(IgnoredFilter(item.key, item.operation.value, item.value, reason))

    for item in filters:
        key, op, raw = item.key, item.operation, item.value
        allowed = _SOURCE_OPS if key == "source" else keys.get(key)
        if key in _PAGING_KEYS:
            allowed = frozenset({Op.EQ})
        if allowed is None:
            known = ", ".join([*keys, "source", *_PAGING_KEYS])
            ignore(item, "unknown key", f"Unknown filter key {key!r}. Known keys: {known}.")
            continue
        if op not in allowed:
            ops = ", ".join(sorted(o.value for o in allowed))
            ignore(
                item,
                "unsupported operation",
                f"Filter {key!r} does not support operation {op.value!r} (use {ops}).",
            )
            continue
        if key in _SINGLE_KEYS and key in singles:
            ignore(item, "repeated key (the first applies)", f"Filter {key!r} is given twice.")
            continue
        if key == "keyword" and not raw:
            # The grid's search box cleared: EverShop matches everyone (`ILIKE '%%'`).
            echo.append((key, op.value, ""))
            continue
        if raw is None or raw == "":
            raise _bad(f"Filter {key!r} needs a value.")
        listed = op in (Op.IN, Op.NIN)
        check_text(
            raw,
            f"Filter {key!r} value",
            field="filters",
            max_length=MAX_FILTER_VALUE if listed else MAX_TEXT,
        )
        if key == "ob" and raw not in sort_keys:
            ignore(
                item, "unknown sort key", f"Filter 'ob' sorts by one of: {', '.join(sort_keys)}."
            )
            continue
        if key == "od" and raw not in _DIRECTIONS:
            ignore(item, "not ASC, DESC, asc or desc", "Filter 'od' is ASC, DESC, asc or desc.")
            continue
        if key in _SINGLE_KEYS:
            singles[key] = raw
        values = tuple(part.strip() for part in raw.split(",")) if listed else (raw,)
        if listed and any(len(value) > MAX_TEXT for value in values):
            raise _bad(f"Each value of filter {key!r} is at most {MAX_TEXT} characters.")
        if key == "email" and op in (Op.LIKE, Op.NLIKE):
            # The pattern is PostgreSQL's, as given (EverShop sends it so): refuse what
            # PostgreSQL refuses rather than let EverShop answer 500.
            problem = like_pattern_problem(raw)
            if problem is not None:
                raise _bad(f"Filter 'email' {op.value} pattern {problem}.")
        if key == "source":
            unknown = [name for name in values if name not in sources]
            if unknown:
                raise _bad(
                    f"Unknown source {unknown[0]!r}. Configured sources: {', '.join(sources)}."
                )
            selector = SourceSelector(op, values)
        elif key == "status" and any(value not in ("0", "1") for value in values):
            raise _bad("Filter 'status' takes 1 (enabled) or 0 (disabled).")
        elif key in _MOMENTS:
            values = (_moment(key, raw),)
        elif key == "store" and not _STORE_UID.fullmatch(raw):
            # Flow Retail's storeUid pattern (upstream contract 2.4): no store has another.
            raise _bad("Filter 'store' takes a store uid: letters, digits, '-' and '_'.")
        if key not in _NOT_CONDITIONS:
            conditions.append(Condition(_field(key), op, values))
        echo.append((key, op.value, raw))

    direction = singles.get("od")
    page = _positive(singles.get("page", "1"), "page")
    limit = _positive(singles.get("limit", str(min(DEFAULT_LIMIT, max_limit))), "limit")
    if limit > max_limit:
        raise _bad(f"Filter 'limit' is at most {max_limit}.")
    if "page" not in singles:
        echo.append(("page", "eq", str(page)))
    if "limit" not in singles:
        echo.append(("limit", "eq", str(limit)))
    return ListRequest(
        conditions=tuple(conditions),
        sources=selector,
        sort_key=singles.get("ob"),
        descending=None if direction is None else _DIRECTIONS[direction],
        page=page,
        limit=limit,
        echo=tuple(echo),
        ignored=tuple(ignored),
    )


def _moment(key: str, value: str) -> str:
    """A time bound as ISO 8601 in UTC: an ISO date or date-time (UTC when it has no offset)
    or epoch milliseconds, the form of `createdAt.value`."""
    try:
        if is_ascii_digits(value) and len(value) <= 15:
            moment = datetime.fromtimestamp(int(value) / 1000, UTC)
        elif len(value) <= 40:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
        else:
            raise ValueError(value)
    except (ValueError, OverflowError, OSError):
        raise _bad(
            f"Filter {key!r} takes an ISO 8601 date or date-time (2024-03-11, "
            "2024-03-11T10:15:02+01:00; UTC without an offset) or epoch milliseconds."
        ) from None
    return moment.astimezone(UTC).isoformat()


def _field(key: str) -> FilterField:
    if key == "name":  # a group's name: evaluated by the group resolver, never pushed down
        return FilterField.FULL_NAME
    return FilterField(key)


def _positive(value: str, key: str) -> int:
    if not is_ascii_digits(value) or int(value) < 1:
        raise _bad(f"Filter {key!r} must be a positive integer.")
    return int(value)


def _bad(message: str) -> BadUserInput:
    return BadUserInput(message, field="filters")
