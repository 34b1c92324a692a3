"""Credentials never reach a log line, an error or a response."""

from __future__ import annotations

import logging

import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.observability.logs import SecretScrubber
from customer_gateway.server.settings import Secret
from tests.api.conftest import evershop_source, running_gateway

pytestmark = pytest.mark.anyio

CANARY_PASSWORD = "canary-pw-7f3a9c"
CANARY_EMAIL = "canary-admin-51d2@example.com"
QUERIES = [
    '{ customers(filters: [{key: "limit", operation: eq, value: "5"}]) { items { uuid email } } }',
    "{ customerGroups { items { uuid } } }",
    '{ customer(id: "evershop-main:00000000-0000-4000-8000-000000000000") { uuid } }',
    'mutation { createCustomer(source: "evershop-main", input: {email: "x@example.com", '
    'fullName: "X", password: "customer-pw-canary"}) { uuid } }',
]


async def test_no_canary_in_logs_or_responses(caplog: pytest.LogCaptureFixture) -> None:
    good = EverShopEmulator(
        seed=1, customers=5, admin_email=CANARY_EMAIL, admin_password=CANARY_PASSWORD
    )
    # The second source is configured with a wrong password: login fails, errors are reported.
    wrong = EverShopEmulator(seed=2, customers=5)
    sources = (
        evershop_source("evershop-main", good),
        evershop_source(
            "evershop-outlet",
            wrong,
            credentials={"email": Secret(CANARY_EMAIL), "password": Secret(CANARY_PASSWORD + "-x")},
        ),
    )
    caplog.set_level(logging.DEBUG)
    bodies = []
    async with running_gateway(
        {"evershop-main": good, "evershop-outlet": wrong}, sources=sources
    ) as gateway:
        for query in QUERIES:
            response = await gateway.post(query)
            bodies.append(response.text)
        bodies.append((await gateway.client.get("/readyz")).text)
    outlet_errors = [b for b in bodies if "UPSTREAM_AUTH_FAILED" in b]
    assert outlet_errors, "the wrong password must surface as UPSTREAM_AUTH_FAILED"
    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        for record in caplog.records
    )
    for canary in (CANARY_PASSWORD, CANARY_EMAIL, "customer-pw-canary"):
        assert canary not in logged
        assert all(canary not in body for body in bodies)


def test_scrubber_masks_exact_secret_values() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "token %s leaked", ("s3cr3t-value",), None
    )
    SecretScrubber(["s3cr3t-value"]).filter(record)
    assert record.getMessage() == "token ********** leaked"
