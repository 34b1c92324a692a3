"""PostgreSQL 15 behaviour the customer tables depend on: input parsing, ILIKE, NULLs, collation.

Values reach Postgres the way node-postgres sends them: as text (`param_text`), parsed by the
column's input function, whose error messages EverShop forwards to API clients.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any, Final, Literal

from customer_gateway.text.collation import en_us_key

from .node.js import UNDEFINED, stringify, to_js_string

Collation = Literal["C", "en_US"]

INT8_MAX: Final = 2**63 - 1
_INT_RANGES: Final = {"smallint": 2**15, "integer": 2**31, "bigint": 2**63}
_PG_SPACE: Final = " \t\n\r\v\f"


class PgError(Exception):
    """A Postgres error; `code` is the SQLSTATE the query builder inspects."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def param_text(value: Any) -> str | None:
    """node-postgres `prepareValue` after the query builder's `toString` (objects -> JSON),
    as the server receives it (`bind`)."""
    if value is None or value is UNDEFINED:
        return None
    if isinstance(value, dict | list):
        return bind(stringify(value))
    return bind(to_js_string(value))


def bind(text: str) -> str:
    """A text parameter as the server accepts it, before any type's input function: the UTF-8
    check of the Bind message refuses a NUL byte, whatever the column and however many rows."""
    if "\x00" in text:
        raise PgError("22021", 'invalid byte sequence for encoding "UTF8": 0x00')
    return text


def parse_int(text: str, type_name: str = "integer") -> int:
    """int2in / int4in / int8in (PG 15: optional sign, decimal digits, surrounding spaces)."""
    stripped = text.strip(_PG_SPACE)
    body = stripped[1:] if stripped[:1] in ("+", "-") else stripped
    if not body or not body.isascii() or not body.isdigit():
        raise PgError("22P02", f'invalid input syntax for type {type_name}: "{text}"')
    value = int(stripped)
    bound = _INT_RANGES[type_name]
    if not -bound <= value < bound:
        raise PgError("22003", f'value "{text}" is out of range for type {type_name}')
    return value


_HEX: Final = frozenset("0123456789abcdefABCDEF")


def parse_uuid(text: str) -> str:
    """uuid_in: optional braces, a hyphen allowed after any group of four hex digits."""
    source, digits = text, []
    if source.startswith("{"):
        source = source[1:]
        braces = True
    else:
        braces = False
    index = 0
    for byte in range(16):
        pair = source[index : index + 2]
        if len(pair) < 2 or pair[0] not in _HEX or pair[1] not in _HEX:
            raise PgError("22P02", f'invalid input syntax for type uuid: "{text}"')
        digits.append(pair.lower())
        index += 2
        if source[index : index + 1] == "-" and byte % 2 == 1 and byte < 15:
            index += 1
    if braces:
        if source[index : index + 1] != "}":
            raise PgError("22P02", f'invalid input syntax for type uuid: "{text}"')
        index += 1
    if index != len(source):
        raise PgError("22P02", f'invalid input syntax for type uuid: "{text}"')
    hexed = "".join(digits)
    return f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}"


def parse_timestamptz(text: str, now: datetime) -> datetime:
    """timestamptz_in for ISO 8601 input and the special words; a bare date/time is UTC.

    Assumption: the server's TimeZone is UTC (the official postgres image's default). Postgres
    accepts many more spellings (e.g. "Jan 8 2026"); those are reported as invalid here.
    """
    cleaned = text.strip(_PG_SPACE)
    lowered = cleaned.lower()
    midnight = datetime.combine(now.astimezone(UTC).date(), time(), UTC)
    specials = {
        "now": now,
        "today": midnight,
        "yesterday": midnight - timedelta(days=1),
        "tomorrow": midnight + timedelta(days=1),
        "epoch": datetime(1970, 1, 1, tzinfo=UTC),
    }
    if lowered in specials:
        return specials[lowered]
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise PgError(
            "22007", f'invalid input syntax for type timestamp with time zone: "{text}"'
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def parse_jsonb(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise PgError("22P02", "invalid input syntax for type json") from None


# -- LIKE / ILIKE -------------------------------------------------------------------------------


_ANY_RUN = object()  # `%`
_ANY_ONE = object()  # `_`


class LikePattern:
    """A compiled LIKE pattern with the default escape character (backslash).

    ILIKE lowercases both sides first (PG does so for multi-byte encodings); Python's `lower()`
    stands in for the libc en_US.UTF-8 `towlower`. Matching walks the value once per `%`,
    backing up only to the last `%` (as PostgreSQL's like_match.c does): at most
    len(value) x len(pattern) steps, never a backtracking regex's exponential time.
    """

    def __init__(self, pattern: str, *, case_insensitive: bool) -> None:
        self.case_insensitive = case_insensitive
        if case_insensitive:
            pattern = pattern.lower()
        tokens: list[object] = []
        chars = iter(pattern)
        for char in chars:
            if char == "\\":
                escaped = next(chars, None)
                if escaped is None:
                    raise PgError("22025", "LIKE pattern must not end with escape character")
                tokens.append(escaped)
            elif char == "%":
                tokens.append(_ANY_RUN)
            elif char == "_":
                tokens.append(_ANY_ONE)
            else:
                tokens.append(char)
        self.tokens = tokens

    def matches(self, value: str) -> bool:
        text = value.lower() if self.case_insensitive else value
        tokens = self.tokens
        t = p = 0
        resume = -1  # the token after the last `%`, or -1
        mark = 0  # where that `%`'s run currently ends
        while t < len(text):
            if p < len(tokens):
                token = tokens[p]
                if token is _ANY_RUN:
                    p += 1
                    resume, mark = p, t
                    continue
                if token is _ANY_ONE or token == text[t]:
                    t += 1
                    p += 1
                    continue
            if resume < 0:
                return False
            mark += 1
            t, p = mark, resume
        while p < len(tokens) and tokens[p] is _ANY_RUN:
            p += 1
        return p == len(tokens)


def like(value: str | None, pattern: str | None, *, case_insensitive: bool = True) -> bool | None:
    """`value (I)LIKE pattern` with SQL NULL semantics (None = NULL)."""
    if value is None or pattern is None:
        return None
    return LikePattern(pattern, case_insensitive=case_insensitive).matches(value)


# -- ordering -----------------------------------------------------------------------------------


def text_sort_key(collation: Collation) -> Callable[[str], Any]:
    if collation == "C":
        return lambda text: text.encode("utf-8")
    return en_us_key


# -- ORDER BY ... LIMIT: the executor's tuplesort -------------------------------------------------

Compare = Callable[[Any, Any], int]


def tuplesort(items: list[Any], compare: Compare, bound: int | None = None) -> list[Any]:
    """The order PostgreSQL 15's tuplesort puts `items` (scan order) in; ties included.

    A Sort under a LIMIT gets `bound` = offset + count: once more than twice that many rows came
    in, it keeps the best `bound` rows in a heap ("top-N heapsort"), otherwise it quicksorts all
    of them. Neither is stable, so rows that compare equal come out in an order that depends on
    the algorithm; this reproduces both (lib/sort_template.h, utils/sort/tuplesort.c), so ties
    come out as they do from the database (verified by tests/evershop_real).
    """
    if bound is not None and bound >= 0 and len(items) > 2 * bound:
        return _top_n_heapsort(items, compare, bound)
    ordered = list(items)
    _quicksort(ordered, 0, len(ordered), compare)
    return ordered


def tuplesort_ranked(items: list[Any], ranks: list[int], bound: int | None = None) -> list[Any]:
    """`tuplesort(items, compare, bound)` where `compare(a, b)` is the sign of the difference of
    their ranks (ints, equal for items that compare equal): the same algorithm and comparisons,
    so the same order, ties included; the heap's comparisons are inlined over the ranks, the
    quicksort's made on them (tests/emulators/test_evershop_fast_paths.py compares both)."""
    if bound is not None and bound >= 0 and len(items) > 2 * bound:
        return [items[index] for index in _top_n_heapsort_ranked(ranks, bound)]

    def compare(left: int, right: int) -> int:
        return (ranks[left] > ranks[right]) - (ranks[left] < ranks[right])

    indices = list(range(len(items)))
    _quicksort(indices, 0, len(indices), compare)
    return [items[index] for index in indices]


def _top_n_heapsort_ranked(rank: list[int], bound: int) -> list[int]:
    """`_top_n_heapsort` over indices into `rank` (the worst, the highest rank, on top)."""
    heap: list[int] = []
    for index, current in enumerate(rank):
        if len(heap) < bound:  # _heap_insert
            heap.append(index)
            hole = len(heap) - 1
            while hole > 0:
                parent = (hole - 1) >> 1
                if rank[heap[parent]] >= current:
                    break
                heap[hole] = heap[parent]
                hole = parent
            heap[hole] = index
        elif rank[heap[0]] > current:
            _heap_replace_top_ranked(heap, len(heap), index, rank)
    size = len(heap)
    while size > 1:
        top = heap[0]
        size -= 1
        _heap_replace_top_ranked(heap, size, heap[size], rank)
        heap[size] = top
    return heap


def _heap_replace_top_ranked(heap: list[int], size: int, index: int, rank: list[int]) -> None:
    current = rank[index]
    hole = 0
    while True:
        child = 2 * hole + 1
        if child >= size:
            break
        if child + 1 < size and rank[heap[child + 1]] > rank[heap[child]]:
            child += 1
        if rank[heap[child]] <= current:
            break
        heap[hole] = heap[child]
        hole = child
    heap[hole] = index


def _median_of_three(items: list[Any], a: int, b: int, c: int, compare: Compare) -> int:
    if compare(items[a], items[b]) < 0:
        if compare(items[b], items[c]) < 0:
            return b
        return c if compare(items[a], items[c]) < 0 else a
    if compare(items[b], items[c]) > 0:
        return b
    return a if compare(items[a], items[c]) < 0 else c


def _quicksort(items: list[Any], start: int, count: int, compare: Compare) -> None:
    """Bentley & McIlroy's three-way quicksort as PostgreSQL runs it: insertion sort below 7
    elements, an early exit for presorted input, median-of-three (ninther above 40) pivots."""

    def swap(i: int, j: int) -> None:
        items[i], items[j] = items[j], items[i]

    while True:
        end = start + count
        if count < 7:
            for moving in range(start + 1, end):
                at = moving
                while at > start and compare(items[at - 1], items[at]) > 0:
                    swap(at, at - 1)
                    at -= 1
            return
        if all(compare(items[at - 1], items[at]) <= 0 for at in range(start + 1, end)):
            return
        middle = start + count // 2
        if count > 7:
            low, high = start, end - 1
            if count > 40:
                step = count // 8
                low = _median_of_three(items, low, low + step, low + 2 * step, compare)
                middle = _median_of_three(items, middle - step, middle, middle + step, compare)
                high = _median_of_three(items, high - 2 * step, high - step, high, compare)
            middle = _median_of_three(items, low, middle, high, compare)
        swap(start, middle)
        # [start] is the pivot; equal keys are parked at both ends, then moved to the middle.
        left_equal = scan_up = start + 1
        scan_down = right_equal = end - 1
        while True:
            while scan_up <= scan_down:
                order = compare(items[scan_up], items[start])
                if order > 0:
                    break
                if order == 0:
                    swap(left_equal, scan_up)
                    left_equal += 1
                scan_up += 1
            while scan_up <= scan_down:
                order = compare(items[scan_down], items[start])
                if order < 0:
                    break
                if order == 0:
                    swap(scan_down, right_equal)
                    right_equal -= 1
                scan_down -= 1
            if scan_up > scan_down:
                break
            swap(scan_up, scan_down)
            scan_up += 1
            scan_down -= 1
        span = min(left_equal - start, scan_up - left_equal)
        for offset in range(span):
            swap(start + offset, scan_up - span + offset)
        span = min(right_equal - scan_down, end - right_equal - 1)
        for offset in range(span):
            swap(scan_up + offset, end - span + offset)
        smaller, larger = scan_up - left_equal, right_equal - scan_down
        if smaller <= larger:
            if smaller > 1:
                _quicksort(items, start, smaller, compare)
            if larger <= 1:
                return
            start, count = end - larger, larger
        else:
            if larger > 1:
                _quicksort(items, end - larger, larger, compare)
            if smaller <= 1:
                return
            count = smaller


def _top_n_heapsort(items: list[Any], compare: Compare, bound: int) -> list[Any]:
    """A heap of the best `bound` rows with the worst on top (the comparison is reversed), then
    taken apart from the top into a sorted array."""

    def reverse(left: Any, right: Any) -> int:
        return -compare(left, right)

    heap: list[Any] = []
    for item in items:
        if len(heap) < bound:
            _heap_insert(heap, item, reverse)
        elif reverse(item, heap[0]) > 0:
            _heap_replace_top(heap, len(heap), item, reverse)
    size = len(heap)
    while size > 1:
        top = heap[0]
        size -= 1
        _heap_replace_top(heap, size, heap[size], reverse)
        heap[size] = top
    return heap


def _heap_insert(heap: list[Any], item: Any, compare: Compare) -> None:
    heap.append(item)
    hole = len(heap) - 1
    while hole > 0:
        parent = (hole - 1) >> 1
        if compare(item, heap[parent]) >= 0:
            break
        heap[hole] = heap[parent]
        hole = parent
    heap[hole] = item


def _heap_replace_top(heap: list[Any], size: int, item: Any, compare: Compare) -> None:
    """Put `item` at the root of heap[:size] and sift it down."""
    hole = 0
    while True:
        child = 2 * hole + 1
        if child >= size:
            break
        if child + 1 < size and compare(heap[child], heap[child + 1]) > 0:
            child += 1
        if compare(item, heap[child]) <= 0:
            break
        heap[hole] = heap[child]
        hole = child
    heap[hole] = item
