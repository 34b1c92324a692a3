"""`customer-gateway serve` with no configuration: the sandbox, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import httpx


def test_sandbox_serves_graphiql_and_every_emulated_source(server: str) -> None:
    page = httpx.get(f"{server}/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    payload = httpx.post(
        f"{server}/graphql",
        json={"query": "{ customers { total items { uuid source { name kind } } } }"},
    ).json()
    assert "errors" not in payload
    names = {s["name"] for s in payload["extensions"]["sources"]}
    assert {"evershop-main", "evershop-outlet"} <= names
    assert payload["data"]["customers"]["total"] > 0


def test_sandbox_accepts_a_mutation(server: str) -> None:
    payload = httpx.post(
        f"{server}/graphql",
        json={
            "query": 'mutation { createCustomer(source: "evershop-main", input: '
            '{email: "e2e@example.com", fullName: "End To End", password: "secret-1"}) '
            "{ uuid email } }"
        },
    ).json()
    assert payload["data"]["createCustomer"]["email"] == "e2e@example.com"
    uuid = payload["data"]["createCustomer"]["uuid"]
    again = httpx.post(
        f"{server}/graphql",
        json={
            "query": "query($id: String) { customer(id: $id) { email } }",
            "variables": {"id": uuid},
        },
    ).json()
    assert again["data"]["customer"]["email"] == "e2e@example.com"
