"""Fixtures of the parity suite: `shop` runs each test once per target (real EverShop, emulator).

Plain `make test` does not collect this folder (pytest's addopts --ignore it); the harness
(`make test-evershop`) names it explicitly. Without EVERSHOP_URL every test fails, and a test
that skips fails too: a parity run that cannot set up what it needs must not pass.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator

import pytest

pytest.register_assert_rewrite("tests.evershop_real.expect")

from tests.evershop_real.shops import (  # noqa: E402
    CONFIG,
    NO_SHOP,
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
    if CONFIG is None:
        pytest.fail(NO_SHOP, pytrace=False)
    return CONFIG


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A skip here is a failure: every test must run against both targets and collations."""
    report = yield
    if report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped, which the parity suite does not allow: {report.longrepr}"
    return report


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
