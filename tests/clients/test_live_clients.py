"""Live updates with the real JavaScript clients (tests/clients/node/live.mjs): graphql-ws over a
WebSocket and graphql-sse over server-sent events, against a gateway process on 127.0.0.1; each
sees the customer created over plain HTTP while it listens."""

from __future__ import annotations

from typing import Any

import pytest

from tests.clients.servers import Gateways, run_node

SUBSCRIPTION = """subscription { customerChanged(sources: ["evershop-main"]) {
  uuid changeType source { name } customer { email } } }"""
CREATE = """mutation($s: String!, $email: String!) { createCustomer(source: $s,
  input: {email: $email, fullName: "Live Client", password: "secret-99"}) { uuid } }"""


@pytest.fixture(scope="module")
def live(gateways: Gateways, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    payload = {
        "http": gateways.healthy_graphql,
        "ws": gateways.healthy_graphql.replace("http://", "ws://", 1),
        "apiKey": None,
        "subscription": SUBSCRIPTION,
        "create": CREATE,
        "source": "evershop-main",
    }
    return run_node("live.mjs", payload, tmp_path_factory.mktemp("live"))


@pytest.mark.parametrize(
    ("client", "email"), [("ws", "graphql-ws@example.com"), ("sse", "graphql-sse@example.com")]
)
def test_each_client_sees_the_write(live: dict[str, Any], client: str, email: str) -> None:
    outcome = live[client]
    assert "error" not in outcome, outcome
    change = outcome["event"]["data"]["customerChanged"]
    assert change["uuid"] == outcome["created"]
    assert change["changeType"] == "EDIT"
    assert change["source"] == {"name": "evershop-main"}
    assert change["customer"] == {"email": email}
