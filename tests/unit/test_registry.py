"""The registries: a kind is a connector (production) and an emulator (the sandbox's, lazily)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from customer_gateway.connectors.registry import CONNECTORS
from customer_gateway.server.sandbox import EMULATORS, SHOPS, emulator_class


def test_every_kind_has_a_connector_and_an_emulator() -> None:
    assert set(CONNECTORS) == set(EMULATORS)
    assert {shop.kind for shop in SHOPS} == set(CONNECTORS)


@pytest.mark.parametrize("kind", sorted(EMULATORS))
def test_every_emulator_has_the_one_constructor(kind: str) -> None:
    cls = emulator_class(kind)
    assert cls.kind == kind
    for rate_limits in (True, False):
        emulator = cls.create(seed=3, customers=5, rate_limits=rate_limits)
        assert emulator.connector_credentials()


def test_production_imports_no_emulator() -> None:
    """Importing the app (what a configured gateway runs) loads none of the emulators."""
    code = (
        "import sys, customer_gateway.server.app, customer_gateway.server.cli; "
        "print(sorted(m for m in sys.modules if m.startswith('customer_gateway.emulators')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"
