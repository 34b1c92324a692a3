"""GraphiQL in a real headless Chromium (Debian's package), driven by tests/clients/node/graphiql.mjs.

Every request that leaves the gateway's origin is refused, as on a machine without internet: the
page the gateway serves at /graphql loads (its files come from the gateway), opens with the
tour's grid query, a cross-source query is typed into its editor and run with the execute
button, and the result panel shows customers of both shops, the same data the gateway answers
over plain HTTP. The screenshot of that page is docs/graphiql.png (README).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.clients.servers import REPO, Gateways, run_node, tour_gateways

SCREENSHOT = REPO / "docs" / "graphiql.png"
VIEWPORT = (1400, 860)  # graphiql.mjs

QUERY = """{
  customers(filters: [
    {key: "keyword", operation: eq, value: "an"}
    {key: "ob", operation: eq, value: "created_at"}
    {key: "od", operation: eq, value: "DESC"}
    {key: "limit", operation: eq, value: "4"}
  ]) {
    total
    items { fullName email source { name } }
  }
}"""


@pytest.fixture(scope="module")
def gateways(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateways]:
    with tour_gateways(tmp_path_factory.mktemp("browser-servers")) as running:
        yield running


@pytest.fixture(scope="module")
def page(gateways: Gateways, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    SCREENSHOT.parent.mkdir(exist_ok=True)
    payload = {"url": gateways.healthy_graphql, "query": QUERY, "screenshot": str(SCREENSHOT)}
    return run_node("graphiql.mjs", payload, tmp_path_factory.mktemp("graphiql"))


def test_the_page_loads_offline_with_no_error(page: dict[str, Any]) -> None:
    assert page["status"] == 200
    assert page["title"] == "customer-gateway GraphiQL"
    assert page["refused"] == []  # nothing tried to leave the gateway's origin
    assert page["consoleErrors"] == []
    assert "customers(filters:" in page["openedWith"]  # the tour's grid query


def test_the_typed_query_runs_and_the_result_is_the_gateways_answer(
    page: dict[str, Any], gateways: Gateways
) -> None:
    assert page["editorQuery"] == QUERY
    shown = json.loads(page["resultText"])
    assert "errors" not in shown
    direct = httpx.post(gateways.healthy_graphql, json={"query": QUERY}, timeout=30).json()
    assert shown["data"] == direct["data"]
    customers = shown["data"]["customers"]
    assert customers["total"] == 20
    names = [item["fullName"] for item in customers["items"]]
    assert names == ["Magnus Andersen", "Daniel Hall", "Jan Pospíšil", "Zuzana Černá"]
    sources = [item["source"]["name"] for item in customers["items"]]
    assert sources == ["evershop-outlet", "evershop-main", "evershop-main", "evershop-outlet"]
    statuses = {s["name"]: s["status"] for s in shown["extensions"]["sources"]}
    assert statuses == {"evershop-main": "ok", "evershop-outlet": "ok"}


def test_the_result_panel_shows_customers_of_both_shops(page: dict[str, Any]) -> None:
    visible = page["visibleText"].replace("\u00a0", " ")
    for name in ("Magnus Andersen", "Daniel Hall", "Jan Pospíšil", "Zuzana Černá"):
        assert f'"fullName": "{name}"' in visible
    assert '"name": "evershop-main"' in visible
    assert '"name": "evershop-outlet"' in visible


def test_the_screenshot_is_written(page: dict[str, Any]) -> None:
    png = SCREENSHOT.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # IHDR
    assert (width, height) == VIEWPORT
    assert len(png) > 20_000  # a rendered page, not a blank one
