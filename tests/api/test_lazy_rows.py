"""A merged list maps only the rows it shows (issue 19's fan-out row, bench/README.md Q3).

Four sources (EverShop, Flow Retail, Ecwid v3, the Ecwid wrapper) read 50 rows each (51: the row
after the window settles ties) for a merged page of 50. The merge orders them by their keys (native
id and creation time, read without mapping the row) and maps the 50 it shows, not 204 (a later
page maps those of the pages before it too: a row that cannot be mapped fails its source on
every page from the first that reaches it). A row that
fails to map when shown fails its source as a failed list does: one typed error naming it, the
source marked in `extensions.sources`, and the page merged again from the others. Over HTTP
against the emulators; the oracle is the emulators' own creation times.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from customer_gateway.connectors.ecwid import mapping as ecwid_mapping
from customer_gateway.connectors.evershop import mapping as evershop_mapping
from customer_gateway.connectors.flow_retail import mapping as flow_mapping
from customer_gateway.resolvers.merging import natural_id
from tests.api.kinds_fixtures import Shops, all_kinds

pytestmark = pytest.mark.anyio

SOURCES = ("evershop-main", "flow-oslo", "ecwid-us", "ecwid-crm")  # configuration order
WITHOUT_ECWID = ("evershop-main", "flow-oslo", "ecwid-crm")
SIZE = 60  # customers in each shop
Q3 = """query($f: [FilterInput]) { customers(filters: $f) {
  total items { uuid fullName email group { groupName } } } }"""


def _filters(limit: int, page: int = 1, sources: tuple[str, ...] = SOURCES) -> list[Any]:
    return [
        {"key": "source", "operation": "in", "value": ",".join(sources)},
        {"key": "limit", "operation": "eq", "value": str(limit)},
        {"key": "page", "operation": "eq", "value": str(page)},
    ]


def oracle(shops: Shops, sources: tuple[str, ...] = SOURCES) -> list[str]:
    """Every customer of `sources` newest first (unknown times first), ties by source in
    configuration order, then by native id: the merged order."""
    rows = []
    for index, source in enumerate(sources):
        for uuid, moment in shops.times(source, "created_at").items():
            primary = (0, 0.0) if moment is None else (1, -moment.timestamp())
            rows.append((primary, index, natural_id(uuid.split(":", 1)[1]), uuid))
    rows.sort()
    return [uuid for *_, uuid in rows]


@contextmanager
def counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """Every customer row each source maps (the connectors call their `mapping.customer`)."""
    mapped: Counter[str] = Counter()
    for module in (evershop_mapping, flow_mapping, ecwid_mapping):
        original = module.customer

        def count(*args: Any, _original: Callable[..., Any] = original, **kwargs: Any) -> Any:
            mapped[args[1]] += 1  # (read, source, ...)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, "customer", count)
    yield mapped


class Rewrite(httpx.AsyncBaseTransport):
    """The emulator's list answers with one customer changed (`change` on the item whose id is
    `target`)."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, target: str, change: dict[str, Any]
    ) -> None:
        self.inner = inner
        self.target = target
        self.change = change
        self.rewritten = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method != "GET" or not request.url.path.endswith("/customers"):
            return response
        body = json.loads(await response.aread())
        for item in body.get("items", []):
            if str(item.get("id")) == self.target:
                item.update(self.change)
                self.rewritten += 1
        return httpx.Response(response.status_code, json=body)


def _items(payload: dict[str, Any]) -> list[str]:
    return [item["uuid"] for item in payload["data"]["customers"]["items"]]


def _statuses(payload: dict[str, Any]) -> dict[str, str]:
    return {s["name"]: s["status"] for s in payload["extensions"]["sources"]}


@pytest.mark.parametrize("page", [1, 2])
async def test_a_merged_page_maps_only_the_rows_it_shows(
    monkeypatch: pytest.MonkeyPatch, page: int
) -> None:
    async with all_kinds(customers=SIZE) as shops:
        with counting(monkeypatch) as mapped:
            payload = await shops.run(Q3, {"f": _filters(50, page)})
        expected = oracle(shops)[(page - 1) * 50 : page * 50]
        reached = oracle(shops)[: page * 50]

    assert "errors" not in payload, payload["errors"]
    assert payload["data"]["customers"]["total"] == 4 * SIZE
    assert _items(payload) == expected
    # Each source mapped exactly its rows up to the page's end, those of the pages before
    # included (each read 51 or, on page 2, all 60): none after it.
    assert Counter(uuid.split(":", 1)[0] for uuid in reached) == mapped
    assert sum(mapped.values()) == page * 50


async def test_a_row_that_fails_to_map_when_shown_fails_only_its_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with all_kinds(customers=SIZE) as shops:
        healthy = oracle(shops)
        others = oracle(shops, WITHOUT_ECWID)
    first_ecwid = next(uuid for uuid in healthy[:50] if uuid.startswith("ecwid-us:"))
    # Its e-mail a number: the mapping refuses it; its id and creation time (the key) are fine.
    rewrites: list[Rewrite] = []

    def wrap(name: str, transport: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        if name != "ecwid-us":
            return transport
        rewrites.append(Rewrite(transport, first_ecwid.split(":", 1)[1], {"email": 42}))
        return rewrites[0]

    async with all_kinds(customers=SIZE, wrap=wrap) as shops:
        with counting(monkeypatch) as mapped:
            payload = await shops.run(Q3, {"f": _filters(50)})

    assert rewrites[0].rewritten == 1
    collection = payload["data"]["customers"]
    # The page the other three sources make, as if Ecwid had failed its list.
    assert _items(payload) == others[:50]
    assert collection["total"] == 3 * SIZE
    assert [
        (e["path"], e["extensions"]["code"], e["extensions"]["source"]) for e in payload["errors"]
    ] == [(["customers"], "UPSTREAM_BAD_RESPONSE", "ecwid-us")]
    assert _statuses(payload)["ecwid-us"] == "error"
    assert {_statuses(payload)[name] for name in WITHOUT_ECWID} == {"ok"}
    # Ecwid's rows before the bad one were mapped (none: it is Ecwid's first on the page), the
    # bad one failed; the others mapped their rows of the page, once each.
    assert mapped["ecwid-us"] == 1
    assert sum(mapped.values()) == 51


async def test_a_row_read_but_not_shown_is_never_mapped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ecwid's row after its window (read to settle ties) is keyed, never shown: a field its key
    does not read may be anything."""
    async with all_kinds(customers=SIZE) as shops:
        healthy = oracle(shops)
        ecwid_order = oracle(shops, ("ecwid-us",))
    after = ecwid_order[50]  # the 51st: read, never on page 1
    assert after not in healthy[:50]

    def wrap(name: str, transport: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        return Rewrite(transport, after.split(":", 1)[1], {"email": 42})

    async with all_kinds(customers=SIZE, wrap=wrap) as shops:
        with counting(monkeypatch) as mapped:
            payload = await shops.run(Q3, {"f": _filters(50)})

    assert "errors" not in payload, payload["errors"]
    assert _items(payload) == healthy[:50]
    assert sum(mapped.values()) == 50


async def test_a_mapping_bug_on_a_shown_row_is_internal_for_its_source_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with all_kinds(customers=SIZE) as shops:
        healthy = oracle(shops)
        others = oracle(shops, ("evershop-main", "ecwid-us", "ecwid-crm"))
        first_flow = next(uuid for uuid in healthy[:50] if uuid.startswith("flow-oslo:"))
        original = flow_mapping.customer

        def broken(*args: Any, **kwargs: Any) -> Any:
            if args[2].get("customerUid") == first_flow.split(":", 1)[1]:
                raise RuntimeError("a bug in the mapping")
            return original(*args, **kwargs)

        monkeypatch.setattr(flow_mapping, "customer", broken)
        payload = await shops.run(Q3, {"f": _filters(50)})

    assert _items(payload) == others[:50]
    assert payload["data"]["customers"]["total"] == 3 * SIZE
    assert [
        (e["path"], e["extensions"]["code"], e["extensions"]["source"], e["message"])
        for e in payload["errors"]
    ] == [(["customers"], "INTERNAL", "flow-oslo", "Unexpected error.")]
    assert _statuses(payload)["flow-oslo"] == "error"


CONNECTION = """query($f: [FilterInput], $after: String) {
  customersConnection(first: 50, after: $after, filters: $f) {
    totalCount edges { node { uuid } } pageInfo { endCursor } } }"""


async def test_a_row_that_fails_on_page_1_fails_its_source_on_page_2_too() -> None:
    """Page 2 maps the rows of page 1 as well: the source that failed there fails here (the
    same total, none of its rows), as `customersConnection`'s next page answers."""
    async with all_kinds(customers=SIZE) as shops:
        healthy = oracle(shops)
        others = oracle(shops, WITHOUT_ECWID)
    first_ecwid = next(uuid for uuid in healthy[:50] if uuid.startswith("ecwid-us:"))

    def wrap(name: str, transport: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        if name != "ecwid-us":
            return transport
        return Rewrite(transport, first_ecwid.split(":", 1)[1], {"email": 42})

    async with all_kinds(customers=SIZE, wrap=wrap) as shops:
        pages = [await shops.run(Q3, {"f": _filters(50, page)}) for page in (1, 2)]
        first = await shops.run(CONNECTION, {"f": _filters(50)[:1]})
        cursor = first["data"]["customersConnection"]["pageInfo"]["endCursor"]
        second = await shops.run(CONNECTION, {"f": _filters(50)[:1], "after": cursor})

    for page, payload in enumerate(pages):
        assert _items(payload) == others[page * 50 : (page + 1) * 50]
        assert payload["data"]["customers"]["total"] == 3 * SIZE
        assert [
            (e["extensions"]["code"], e["extensions"]["source"]) for e in payload["errors"]
        ] == [("UPSTREAM_BAD_RESPONSE", "ecwid-us")]
    connection = second["data"]["customersConnection"]
    assert [edge["node"]["uuid"] for edge in connection["edges"]] == _items(pages[1])
    assert connection["totalCount"] == 3 * SIZE
