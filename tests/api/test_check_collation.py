"""`customer-gateway check` tells whether a source's `collation` is the one it sorts in."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.evershop.pg import Collation
from customer_gateway.features.checks import COLLATION_MISMATCH, check_sources, judge_collation
from customer_gateway.server.settings import Settings
from tests.api.conftest import evershop_source

pytestmark = pytest.mark.anyio


async def _check(database: Collation, configured: str) -> tuple[str, str]:
    emulator = EverShopEmulator(seed=3, customers=40, collation=database)
    source = replace(evershop_source("shop", emulator), collation=configured)
    [result] = await check_sources(
        Settings(sources=(source,)), {"shop": httpx.ASGITransport(app=emulator.app)}
    )
    return result.status, result.collation


@pytest.mark.parametrize(("database", "configured"), [("en_US", "en_US"), ("C", "C")])
async def test_a_matching_collation_passes(database: Collation, configured: str) -> None:
    status, note = await _check(database, configured)
    assert status == "ok"
    assert note == f"{configured} (its order fits {configured} only)"


@pytest.mark.parametrize(("database", "configured"), [("C", "en_US"), ("en_US", "C")])
async def test_a_mismatch_names_the_setting_that_fits(database: Collation, configured: str) -> None:
    status, note = await _check(database, configured)
    assert status == COLLATION_MISMATCH
    assert note == f'mismatch: it sorts as {database}; set collation = "{database}"'


def test_names_that_sort_alike_prove_nothing() -> None:
    assert judge_collation("C", [["Adam", "Bob"], ["a@x.cz", "b@x.cz"]]) == (
        True,
        "C (undetermined: its names sort alike in en_US, C)",
    )
    assert judge_collation("en_US", [["Zoë", "ann"]]) == (
        False,
        'mismatch: it sorts as C; set collation = "C"',
    )
    assert judge_collation("en_US", [["b", "a"]])[0] is False
    assert judge_collation("C", None) == (True, "C (the gateway sorts this source's text itself)")
