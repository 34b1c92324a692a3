"""Pages over several sources are the pages one database holding every source would return.

The oracle is the sorted union of the emulators' own rows: EverShop's ordering (a sort key, nulls
last ascending, text in the sources' collation; customer_id DESC by default, since only EverShop
sources take part), sources in configuration order, and ties (which a database orders as it
likes) by native id, as the gateway settles them.
Real EverShop leaves ties in the order of Postgres's unstable sorts (different for every LIMIT), so
the emulators here are told to keep ties in table order (`stable_ties`): a deterministic total
order per source is what the merge needs to be tested against.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.evershop.pg import Collation
from customer_gateway.resolvers.filters.evaluation import ilike
from customer_gateway.text.collation import sort_key
from tests.api.conftest import Gateway, evershop_source, running_gateway

pytestmark = pytest.mark.anyio

NAMES = ("shop-a", "shop-b", "shop-c")
QUERY = """query($f: [FilterInput]) { customers(filters: $f) {
  total currentPage items { uuid } } }"""

Row = tuple[int, dict[str, Any]]  # (source index, row)


def _key(field: str, collation: str = "en_US") -> Callable[[dict[str, Any]], Any]:
    if field in ("created_at", "status", "customer_id"):
        return lambda row: row[field]
    column = "email" if field == "email" else "full_name"
    text_key = sort_key(collation)
    return lambda row: text_key(row[column])


class _Reversed:
    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Reversed) -> bool:
        return bool(other.value < self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and bool(self.value == other.value)

    __hash__ = None  # type: ignore[assignment]


def oracle(
    emulators: dict[str, EverShopEmulator],
    field: str,
    descending: bool,
    keep: Callable[[dict[str, Any]], bool] = lambda row: True,
    collation: str = "en_US",
) -> list[str]:
    key = _key(field, collation)
    rows: list[tuple[Any, int, str, str]] = []
    for index, name in enumerate(NAMES):
        for row in emulators[name].customer_rows():
            if keep(row):
                primary = _Reversed(key(row)) if descending else key(row)
                rows.append((primary, index, row["uuid"], f"{name}:{row['uuid']}"))
    rows.sort(key=lambda item: item[:3])
    return [item[3] for item in rows]


@pytest.fixture
async def three_shops() -> Any:
    emulators = {
        name: EverShopEmulator(seed=seed, customers=size, rate_limits=False, stable_ties=True)
        for name, seed, size in zip(NAMES, (11, 12, 13), (23, 17, 31), strict=True)
    }
    async with running_gateway(emulators) as gateway:
        yield gateway, emulators


async def _walk(
    gateway: Gateway, filters: list[dict[str, str]], limit: int, total: int
) -> list[str]:
    seen: list[str] = []
    for page in range(1, math.ceil(total / limit) + 2):  # one page past the end, too
        variables = {
            "f": [
                *filters,
                {"key": "page", "operation": "eq", "value": str(page)},
                {"key": "limit", "operation": "eq", "value": str(limit)},
            ]
        }
        payload = await gateway.query(QUERY, variables)
        assert "errors" not in payload, payload
        collection = payload["data"]["customers"]
        assert collection["total"] == total
        assert collection["currentPage"] == page
        seen.extend(item["uuid"] for item in collection["items"])
    return seen


SORTS = [
    ([], "customer_id", True),  # EverShop's default, since only EverShop sources take part
    ([("od", "asc")], "customer_id", False),
    ([("ob", "created_at"), ("od", "desc")], "created_at", True),
    ([("ob", "created_at")], "created_at", False),
    ([("ob", "name")], "name", False),
    ([("ob", "name"), ("od", "desc")], "name", True),
    ([("ob", "email")], "email", False),
    ([("ob", "status"), ("od", "DESC")], "status", True),
]


@pytest.mark.parametrize("limit", [3, 7, 20, 50])
@pytest.mark.parametrize(("sort", "field", "descending"), SORTS)
async def test_every_page_matches_the_oracle(
    three_shops: Any, limit: int, sort: list[tuple[str, str]], field: str, descending: bool
) -> None:
    gateway, emulators = three_shops
    expected = oracle(emulators, field, descending)
    filters = [{"key": k, "operation": "eq", "value": v} for k, v in sort]
    assert await _walk(gateway, filters, limit, len(expected)) == expected


async def test_page_size_one_walks_the_whole_order(three_shops: Any) -> None:
    gateway, emulators = three_shops
    expected = oracle(emulators, "customer_id", True)
    assert await _walk(gateway, [], 1, len(expected)) == expected


async def test_filtered_pages_match_the_oracle(three_shops: Any) -> None:
    gateway, emulators = three_shops

    def keep(row: dict[str, Any]) -> bool:
        return row["status"] == 1 and bool(ilike(row["full_name"], "%an%"))

    expected = oracle(emulators, "name", False, keep)
    assert 0 < len(expected) < 71
    # status + full_name are pushed to EverShop; the gateway merges.
    filters = [
        {"key": "status", "operation": "eq", "value": "1"},
        {"key": "full_name", "operation": "like", "value": "an"},
        {"key": "ob", "operation": "eq", "value": "name"},
    ]
    assert await _walk(gateway, filters, 6, len(expected)) == expected


async def test_keyword_with_other_filters_is_exact_despite_evershop(three_shops: Any) -> None:
    """EverShop ORs a keyword name match past the other filters; the gateway does not."""
    gateway, emulators = three_shops

    def keep(row: dict[str, Any]) -> bool:
        by_text = bool(ilike(row["full_name"], "%a%")) or bool(ilike(row["email"], "%a%"))
        return row["status"] == 0 and by_text

    expected = oracle(emulators, "customer_id", True, keep)
    filters = [
        {"key": "keyword", "operation": "eq", "value": "a"},
        {"key": "status", "operation": "eq", "value": "0"},
    ]
    assert await _walk(gateway, filters, 4, len(expected)) == expected


def _collated_shops(collations: tuple[Collation, ...]) -> dict[str, EverShopEmulator]:
    return {
        name: EverShopEmulator(
            seed=seed, customers=size, rate_limits=False, stable_ties=True, collation=collation
        )
        for name, seed, size, collation in zip(
            NAMES, (11, 12, 13), (23, 17, 31), collations, strict=True
        )
    }


@pytest.mark.parametrize(("sort", "field", "descending"), SORTS[4:7])
async def test_sources_in_c_collation_merge_in_c(
    sort: list[tuple[str, str]], field: str, descending: bool
) -> None:
    """Databases created with C.UTF-8 (the EverShop quick start's): upper case before lower,
    accents after ASCII; the merged pages are the pages of one such database."""
    emulators = _collated_shops(("C", "C", "C"))
    sources = tuple(
        replace(evershop_source(name, emulator), collation="C")
        for name, emulator in emulators.items()
    )
    async with running_gateway(emulators, sources=sources) as gateway:
        expected = oracle(emulators, field, descending, collation="C")
        assert expected != oracle(emulators, field, descending)  # the orders do differ
        filters = [{"key": k, "operation": "eq", "value": v} for k, v in sort]
        assert await _walk(gateway, filters, 7, len(expected)) == expected


async def test_a_source_in_another_collation_is_sorted_by_the_gateway() -> None:
    """One shop in C among en_US shops: its own order cannot be merged, so the gateway reads it
    whole and sorts it in en_US; the pages are still one en_US database's."""
    emulators = _collated_shops(("C", "en_US", "en_US"))
    sources = tuple(
        replace(evershop_source(name, emulator), collation=emulator_collation)
        for (name, emulator), emulator_collation in zip(
            emulators.items(), ("C", "en_US", "en_US"), strict=True
        )
    )
    async with running_gateway(emulators, sources=sources) as gateway:
        expected = oracle(emulators, "name", False)
        filters = [{"key": "ob", "operation": "eq", "value": "name"}]
        assert await _walk(gateway, filters, 9, len(expected)) == expected
        payload = await gateway.query(QUERY, {"f": filters})
        report = {item["name"]: item for item in payload["extensions"]["sources"]}
        assert "sort name asc" in report["shop-a"]["appliedByGateway"]
        assert "sort name asc" in report["shop-b"]["pushedDown"]
