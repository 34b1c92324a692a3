"""Fixtures of the parity suite: `shop` runs each test once per target (real EverShop, emulator).

Without EVERSHOP_URL (plain `make test` / `pytest`) every module here skips itself at import,
so nothing slow is collected.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

pytest.register_assert_rewrite("tests.evershop_real.expect")

from tests.evershop_real.shops import (  # noqa: E402
    CONFIG,
    Config,
    EmulatedShop,
    RealShop,
    Shop,
    database_collation,
    next_client_address,
)

TARGETS = ("evershop", "emulator")


@pytest.fixture(scope="session")
def config() -> Config:
    if CONFIG is None:  # pragma: no cover - the modules skip themselves first
        pytest.skip("EVERSHOP_URL is not set")
    return CONFIG


@pytest.fixture(scope="session")
def real_collation(config: Config) -> str:
    """The real database's collation; the emulator target is configured to match it."""
    return database_collation(config.db_url)


@pytest.fixture(params=TARGETS)
async def shop(
    request: pytest.FixtureRequest, config: Config, real_collation: str
) -> AsyncIterator[Shop]:
    target: Shop
    if request.param == "evershop":
        target = RealShop(config, next_client_address())
    else:
        target = EmulatedShop(config, next_client_address(), collation=real_collation)
    target.reset()
    try:
        yield target
    finally:
        await target.aclose()
