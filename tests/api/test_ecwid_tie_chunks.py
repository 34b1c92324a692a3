"""Ecwid's ties across its page cap: a tie group that straddles position 100 or 200 of Ecwid's
order (customers registered in one second) is settled within each page of 100 Ecwid answers,
so every page of every size shows one order, each customer exactly once, and no window reads
past the end of its last page of 100 (docs/queries.md, "How a list is answered").

The emulator orders ties by id in the sort's direction; the gateway settles them by id
ascending, so a page that did not settle them, or settled a straddling group differently in
different windows, would differ from the oracle here.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from customer_gateway.emulators.ecwid import EcwidEmulator, EcwidWrapperEmulator
from tests.api.test_ecwid_gateway import LIST, Shops, ecwid_gateway, eq, registered, walk

pytestmark = pytest.mark.anyio

CAP = 100  # Ecwid's page cap
SIZE = 250
# Places in the newest-first order registered in one second: across 100 and across 200.
TIES = (range(95, 105), range(190, 215))
BASE = datetime(2024, 1, 1, tzinfo=UTC).timestamp()


def tied(store: EcwidEmulator, seed: int) -> None:
    """SIZE customers a second apart, newest first, but TIES' places each in one second; ids
    at random, so that id order is not registration order."""
    ids = random.Random(seed).sample(range(200_000_000, 300_000_000), SIZE)
    for place, native in enumerate(ids):
        second = next((group.start for group in TIES if place in group), place)
        store.add_customer(id=native, email=f"c{place}@example.org", registered=BASE - second)


def shops_with_ties() -> tuple[EcwidEmulator, EcwidWrapperEmulator]:
    ecwid = EcwidEmulator(seed=5, customers=0)
    crm = EcwidWrapperEmulator(seed=6, customers=0)
    tied(ecwid, 11)
    tied(crm.ecwid, 12)
    return ecwid, crm


def ecwid_order(objects: Iterable[Mapping[str, Any]], field: str, descending: bool) -> list[Any]:
    """The emulator's own order: REGISTERED_DATE_* (also for status), ties by id in the
    sort's direction."""
    newest_first = field == "created_at" and descending
    return sorted(objects, key=lambda o: (registered(o), o["id"]), reverse=newest_first)


def key(obj: Mapping[str, Any], field: str, descending: bool) -> float:
    """The gateway's sort key, ascending (every Ecwid customer's status is 1)."""
    if field == "status":
        return 0.0
    return -registered(obj) if descending else registered(obj)


def settled(
    objects: Iterable[Mapping[str, Any]], field: str, descending: bool, chunk: int
) -> list[Any]:
    """Ecwid's order with each tie group by id ascending within each `chunk` of it (0: each
    group whole)."""
    order = ecwid_order(objects, field, descending)
    parts = [order[i : i + chunk] for i in range(0, len(order), chunk)] if chunk else [order]
    result: list[Any] = []
    for part in parts:
        part.sort(key=lambda o: o["id"])
        part.sort(key=lambda o: key(o, field, descending))  # stable: ties stay by id
        result.extend(part)
    return result


def oracle(
    shops: Shops, names: tuple[str, ...], field: str, descending: bool, chunk: int = CAP
) -> list[str]:
    """The merged order: each source settled, ties between sources to the one configured
    first (ecwid, then ecwid-crm)."""
    stores = {"ecwid": shops.ecwid, "ecwid-crm": shops.crm.ecwid}
    rows = [
        (key(o, field, descending), position, f"{name}:{o['id']}")
        for position, name in enumerate(names)
        for o in settled(stores[name].customer_objects(), field, descending, chunk)
    ]
    rows.sort(key=lambda row: (row[0], row[1]))  # stable: each source's settled order kept
    return [uuid for _, _, uuid in rows]


SORTS = {
    "newest": ([], "created_at", True),
    "oldest": ([eq("od", "asc")], "created_at", False),
    "status": ([eq("ob", "status"), eq("od", "desc")], "status", True),
}


@pytest.mark.parametrize("limit", [100, 30, 7])
@pytest.mark.parametrize("sort", ["newest", "status"])
async def test_pages_across_a_straddling_tie_group_show_every_customer_once(
    limit: int, sort: str
) -> None:
    filters, field, descending = SORTS[sort]
    ecwid, crm = shops_with_ties()
    async with ecwid_gateway(ecwid=ecwid, crm=crm) as shops:
        expected = oracle(shops, ("ecwid",), field, descending)
        # The groups do straddle: chunked, the order is not each group whole by id.
        assert expected != oracle(shops, ("ecwid",), field, descending, chunk=0)
        seen = await walk_checked(shops, [eq("source", "ecwid"), *filters], limit)
    assert seen == expected
    assert len(set(seen)) == SIZE


async def walk_checked(shops: Shops, filters: list[dict[str, str]], limit: int) -> list[str]:
    """Every page in turn, each page's Ecwid requests within the aligned pages of 100 its
    window (page × limit) lies in."""
    seen: list[str] = []
    for page in range(1, math.ceil(SIZE / limit) + 2):  # one page past the end too
        shops.reset_journals()
        variables = {"f": [*filters, eq("page", str(page)), eq("limit", str(limit))]}
        payload = await shops.query(LIST, variables)
        assert "errors" not in payload, payload["errors"]
        assert payload["data"]["customers"]["total"] == SIZE
        seen.extend(item["uuid"] for item in payload["data"]["customers"]["items"])
        window = page * limit
        ends = [int(q["offset"]) + int(q["limit"]) for q in _sent(shops.ecwid)]
        assert ends, page
        assert max(ends) <= math.ceil(window / CAP) * CAP, (page, _sent(shops.ecwid))
        if window % CAP == 0:  # one request per 100 Ecwid holds: nothing after the window
            assert len(ends) == math.ceil(min(window, SIZE) / CAP), (page, _sent(shops.ecwid))
    return seen


def _sent(emulator: EcwidEmulator) -> list[dict[str, str]]:
    return [dict(httpx.QueryParams(e.query)) for e in emulator.journal]


# One walk per gateway: a walk by 7 sends some 250 requests to each source, and the gateway
# paces Ecwid's published 600 a minute.
@pytest.mark.parametrize(
    ("sort", "limit"),
    [("newest", 100), ("newest", 30), ("newest", 7), ("oldest", 30), ("status", 30)],
)
async def test_both_ecwid_kinds_merged_across_their_straddling_groups(
    sort: str, limit: int
) -> None:
    filters, field, descending = SORTS[sort]
    ecwid, crm = shops_with_ties()
    names = ("ecwid", "ecwid-crm")
    async with ecwid_gateway(ecwid=ecwid, crm=crm) as shops:
        expected = oracle(shops, names, field, descending)
        assert len(expected) == 2 * SIZE
        chosen = [eq("source", "evershop-main", "nin"), *filters]
        assert await walk(shops, chosen, limit, 2 * SIZE) == expected


async def test_a_page_ending_inside_a_straddling_group_reads_to_its_pages_end_only() -> None:
    ecwid, crm = shops_with_ties()
    async with ecwid_gateway(ecwid=ecwid, crm=crm) as shops:
        expected = oracle(shops, ("ecwid",), "created_at", True)
        only = eq("source", "ecwid")
        for page, limit, requests in [
            # Window 97: the record after it ties with the 97th: the window grows to 100.
            (1, 97, [(0, 98), (0, 100)]),
            # Window 196: the group of places 190-214 goes on past it: read to 200, not 215.
            (2, 98, [(0, 100), (0, 100), (100, 97), (100, 100)]),
            # Window 200: the group goes on past it; nothing after 200 is read.
            (2, 100, [(0, 100), (100, 100)]),
        ]:
            shops.reset_journals()
            variables = {"f": [only, eq("page", str(page)), eq("limit", str(limit))]}
            payload = await shops.query(LIST, variables)
            items = [item["uuid"] for item in payload["data"]["customers"]["items"]]
            assert items == expected[(page - 1) * limit : page * limit]
            sent = sorted((int(q["offset"]), int(q["limit"])) for q in _sent(shops.ecwid))
            assert sent == requests, (page, limit)


CONNECTION = """query($f: [FilterInput], $n: Int, $after: String) {
  customersConnection(filters: $f, first: $n, after: $after) {
    edges { node { uuid } } pageInfo { hasNextPage endCursor } } }"""


@pytest.mark.parametrize("size", [30, 7])
async def test_cursor_pages_settle_each_tie_group_whole(size: int) -> None:
    # A cursor seals (created_at, source, native id): its pages follow exactly that order, so
    # a group straddling 100 is read whole and ordered by id (not within Ecwid's pages).
    ecwid, crm = shops_with_ties()
    async with ecwid_gateway(ecwid=ecwid, crm=crm) as shops:
        expected = oracle(shops, ("ecwid",), "created_at", True, chunk=0)
        seen: list[str] = []
        after: str | None = None
        while True:
            variables = {"f": [eq("source", "ecwid")], "n": size, "after": after}
            payload = await shops.query(CONNECTION, variables)
            assert "errors" not in payload, payload["errors"]
            connection = payload["data"]["customersConnection"]
            seen.extend(edge["node"]["uuid"] for edge in connection["edges"])
            if not connection["pageInfo"]["hasNextPage"]:
                break
            after = connection["pageInfo"]["endCursor"]
    assert seen == expected
