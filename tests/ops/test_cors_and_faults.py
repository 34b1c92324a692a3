"""Small promises the docs make: browsers may send every header the gateway reads, and every
emulator fault docs/resilience.md lists can be given on the command line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.emulators.faults import FaultKind, FaultPlan, parse_fault
from customer_gateway.server.app import REQUEST_HEADERS
from tests.api.conftest import Gateway, running_gateway

RESILIENCE = Path(__file__).resolve().parents[2] / "docs" / "resilience.md"
ORIGIN = "https://admin.example.com"


@pytest.fixture
async def gateway() -> Any:
    emulators = {"evershop-main": EverShopEmulator(seed=1, customers=3)}
    async with running_gateway(emulators, cors_origins=(ORIGIN,)) as running:
        yield running


@pytest.mark.anyio
@pytest.mark.parametrize("header", REQUEST_HEADERS)
async def test_a_preflight_allows_every_header_the_gateway_reads(
    gateway: Gateway, header: str
) -> None:
    response = await gateway.client.options(
        "/graphql",
        headers={
            "origin": ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": header,
        },
    )
    assert response.status_code == 200, response.text
    allowed = response.headers["access-control-allow-headers"].lower()
    assert header in allowed


@pytest.mark.anyio
async def test_a_browser_reads_the_request_id(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"origin": ORIGIN}
    )
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


def _documented_faults() -> list[str]:
    section = RESILIENCE.read_text(encoding="utf-8").split("Each `--fault` is", 1)[1]
    table = section.split("\n\n")[1]  # the table after the sentence
    return re.findall(r"^\s*\| `([a-z_]+)` \|", table, re.M)


SAMPLES = {
    "latency": "0.01",
    "jitter": "0.01",
    "error_rate": "0.5",
    "status": "503",
    "rate_limit": "30:date",
    "commit_then_fail": "0",
    "slow_body": "0.01",
}


def test_every_fault_kind_is_documented_and_parses() -> None:
    documented = _documented_faults()
    assert set(get_args(FaultKind)) <= set(documented)
    for name in documented:
        value = SAMPLES.get(name)
        kind, options = parse_fault(f"{name}={value}@/api" if value else f"{name}@/api")
        assert options["path"] == "/api"
        # The options build a fault the plan accepts.
        FaultPlan(clock=lambda: 0.0).add(kind, **options)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nope=1", "unknown fault 'nope'"),
        ("latency=soon", "not a number"),
        ("reset=1", "takes no value"),
        ("rate_limit=30:later", "HTTP-date"),
    ],
)
def test_a_bad_fault_says_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_fault(text)


def test_the_http_date_form_of_rate_limit() -> None:
    assert parse_fault("rate_limit=30:date")[1]["http_date"] is True
    assert parse_fault("commit_then_fail")[1]["status"] == 502


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://localhost:5173", True),
        ("http://127.0.0.1:3000", True),
        ("http://[::1]:8080", True),
        ("http://localhost", True),
        ("https://evil.example.com", False),
        ("http://localhost.evil.example.com", False),
        ("http://localhost:5173.evil.example.com", False),
    ],
)
async def test_the_sandbox_lets_local_front_ends_in(origin: str, allowed: bool) -> None:
    import httpx

    from customer_gateway.server.app import create_app
    from customer_gateway.server.settings import Settings

    app = create_app(Settings())  # no sources: the sandbox
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://sandbox.test"
        ) as client,
    ):
        response = await client.options(
            "/graphql",
            headers={
                "origin": origin,
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type",
            },
        )
    assert (response.headers.get("access-control-allow-origin") == origin) is allowed


@pytest.mark.anyio
async def test_a_configured_gateway_allows_only_its_origins(gateway: Gateway) -> None:
    response = await gateway.client.options(
        "/graphql",
        headers={"origin": "http://localhost:5173", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in response.headers
