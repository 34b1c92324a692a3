"""GraphiQL is served by the gateway itself: the page names no other host, every file it loads
is here with the hash the page checks, and each package's licence ships with it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from tests.api.conftest import Gateway, running_gateway
from tools.graphiql_assets import check

pytestmark = pytest.mark.anyio


@pytest.fixture
async def gateway() -> Any:
    async with running_gateway({"evershop-main": EverShopEmulator(seed=1, customers=3)}) as running:
        yield running


async def test_the_page_and_every_file_it_loads_come_from_the_gateway(gateway: Gateway) -> None:
    page = await gateway.client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    html = page.text
    assert "customers(filters:" in html  # opens with the tour's grid query
    assert not re.search(r"https?://", html), "the page names another host"
    links = re.findall(r'(?:src|href)="([^"]+)" integrity="([^"]+)"', html)
    assert len(links) == 6
    for path, integrity in links:
        assert path.startswith("/graphiql/")
        assert integrity.startswith("sha384-")
        served = await gateway.client.get(path)
        assert served.status_code == 200, path
        assert len(served.content) > 500


def test_the_vendored_files_match_their_manifest_and_carry_licences() -> None:
    from tools.graphiql_assets import TARGET

    assert check() == []
    licences = {path.name for path in (TARGET / "licenses").iterdir()}
    assert {
        "graphiql-3.8.3.LICENSE",
        "react-18.2.0.LICENSE",
        "react-dom-18.2.0.LICENSE",
    } <= licences


async def test_no_ide_and_no_files_in_production_mode() -> None:
    async with running_gateway(
        {"evershop-main": EverShopEmulator(seed=1, customers=3)}, graphiql=False
    ) as gateway:
        assert (await gateway.client.get("/graphiql/graphiql.min.js")).status_code == 404
