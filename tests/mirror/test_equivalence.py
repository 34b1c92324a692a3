"""The mirror's answer is the pass-through answer, on the same data: for a matrix of filters,
sorts and page sizes over one source of every kind, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mirror.harness import emulators, gateway

pytestmark = pytest.mark.anyio

QUERY = """query($f: [FilterInput]) { customers(filters: $f) {
  total currentPage currentFilters { key operation value }
  items { uuid customerId nativeId fullName email phone status createdAt { text }
          group { groupName } groups { uuid groupName }
          addresses { kind city postcode country { code } } } } }"""

FILTERS: list[list[tuple[str, str, str]]] = [
    [],
    [("keyword", "eq", "an")],
    [("keyword", "eq", "NOV")],
    [("status", "eq", "0")],
    [("email", "like", "%.com")],
    [("full_name", "nlike", "e")],
    [("group", "in", "1,2")],
    [("source", "in", "shoptet-b,ecwid-d")],
    [("status", "eq", "1"), ("keyword", "eq", "a")],
]
SORTS: list[list[tuple[str, str, str]]] = [
    [],
    [("od", "eq", "asc")],
    [("ob", "eq", "name")],
    [("ob", "eq", "name"), ("od", "eq", "desc")],
    [("ob", "eq", "email")],
    [("ob", "eq", "status"), ("od", "eq", "desc")],
]
PAGES = [(1, 7), (3, 7), (2, 25)]


def _variables(filters: list[tuple[str, str, str]], page: int, limit: int) -> dict[str, Any]:
    return {
        "f": [
            *({"key": k, "operation": o, "value": v} for k, o, v in filters),
            {"key": "page", "operation": "eq", "value": str(page)},
            {"key": "limit", "operation": "eq", "value": str(limit)},
        ]
    }


async def test_the_mirror_answers_as_the_sources_do(mirror_target: dict[str, Any]) -> None:
    shops = emulators()
    async with (
        gateway(shops, mirror=False) as oracle,
        gateway(shops, mirror=True, **mirror_target) as mirrored,
    ):
        compared = 0
        differences = []
        for filters in FILTERS:
            for sort in SORTS:
                for page, limit in PAGES:
                    variables = _variables(filters + sort, page, limit)
                    expected = await oracle.query(QUERY, variables)
                    answer = await mirrored.query(QUERY, variables)
                    assert "errors" not in expected, (variables, expected["errors"])
                    if answer.get("data") != expected["data"] or "errors" in answer:
                        differences.append((variables, answer.get("errors")))
                    compared += 1
        assert compared == len(FILTERS) * len(SORTS) * len(PAGES)
        assert differences == []
        # The mirror answered: every source served from the store, fresh.
        reports = answer["extensions"]["sources"]
        assert {report["mirror"]["state"] for report in reports} == {"fresh"}
        assert all(report["requests"] == 0 for report in reports)


async def test_one_customer_and_the_groups(mirror_target: dict[str, Any]) -> None:
    shops = emulators()
    async with (
        gateway(shops, mirror=False) as oracle,
        gateway(shops, mirror=True, **mirror_target) as mirrored,
    ):
        listing = await oracle.query(
            '{ customers(filters: [{key: "limit", operation: eq, value: "100"}]) '
            "{ items { uuid } } }"
        )
        one = """query($id: String) { customer(id: $id) { uuid fullName email status
            groups { groupName } addresses { city } } }"""
        for item in listing["data"]["customers"]["items"][::7]:
            variables = {"id": item["uuid"]}
            expected = await oracle.query(one, variables)
            assert expected["data"]["customer"] is not None
            assert (await mirrored.query(one, variables))["data"] == expected["data"]
        groups = (
            '{ customerGroups(filters: [{key: "ob", operation: eq, value: "name"}]) '
            "{ total items { uuid groupName } } }"
        )
        assert (await mirrored.query(groups))["data"] == (await oracle.query(groups))["data"]


CONNECTION = """query($f: [FilterInput], $after: String) {
  customersConnection(filters: $f, first: 9, after: $after) {
    totalCount edges { node { uuid } } pageInfo { hasNextPage endCursor } } }"""


async def test_the_cursor_connection_walks_the_mirror_as_the_sources(
    mirror_target: dict[str, Any],
) -> None:
    """customersConnection over mirrored sources (one store, one query per window) walks the
    same merged order as over the sources themselves."""
    shops = emulators()
    async with (
        gateway(shops, mirror=False) as oracle,
        gateway(shops, mirror=True, **mirror_target) as mirrored,
    ):
        for sort in ([], [("ob", "eq", "name")], [("ob", "eq", "email"), ("od", "eq", "desc")]):
            filters = [{"key": k, "operation": o, "value": v} for k, o, v in sort]
            walks = []
            for target in (oracle, mirrored):
                seen: list[str] = []
                after = None
                while True:
                    payload = await target.query(CONNECTION, {"f": filters, "after": after})
                    page = payload["data"]["customersConnection"]
                    seen.extend(edge["node"]["uuid"] for edge in page["edges"])
                    if not page["pageInfo"]["hasNextPage"]:
                        break
                    after = page["pageInfo"]["endCursor"]
                walks.append(seen)
            assert walks[0] == walks[1], sort
            assert len(walks[0]) == len(set(walks[0]))


async def test_evershop_only_mirrors_answer_evershops_default_order(
    mirror_target: dict[str, Any],
) -> None:
    """Only EverShop sources: the default order is EverShop's customer_id DESC, which the store
    does not sort by; the gateway sorts the store's rows (it crashed the grid: KeyError)."""
    from customer_gateway.server.sandbox import emulator_class

    shops = {
        name: emulator_class("evershop").create(seed=seed, customers=25, rate_limits=False)
        for name, seed in (("evershop-a", 1), ("evershop-b", 2))
    }
    query = "{ customers { total items { uuid customerId } } }"
    async with (
        gateway(shops, mirror=False) as oracle,
        gateway(shops, mirror=True, **mirror_target) as mirrored,
    ):
        expected = await oracle.query(query)
        answered = await mirrored.query(query)
    assert "errors" not in answered, answered
    assert answered["data"] == expected["data"]
