"""Persisted documents over HTTP: Apollo's APQ handshake, GraphQL over HTTP's documentId, a
trusted-documents manifest and trusted-only mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.server.persisted import PersistedDocuments, document_hash, load_manifest
from customer_gateway.server.settings import ConfigError
from tests.api.conftest import Gateway, running_gateway

pytestmark = pytest.mark.anyio

QUERY = "{ customers { total } }"
OTHER = "{ sources { name } }"


def apq(query: str | None, digest: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "extensions": {
            "persistedQuery": {"version": 1, "sha256Hash": digest or document_hash(QUERY)}
        }
    }
    if query is not None:
        body["query"] = query
    return body


@pytest.fixture
async def gateway() -> Any:
    async with running_gateway({"evershop-main": EverShopEmulator(seed=1, customers=4)}) as running:
        yield running


async def _post(gateway: Gateway, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = await gateway.client.post("/graphql", json=body)
    payload: dict[str, Any] = response.json()
    return response.status_code, payload


async def test_the_apq_handshake(gateway: Gateway) -> None:
    status, unknown = await _post(gateway, apq(None))
    assert status == 200
    assert unknown["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert unknown["errors"][0]["message"] == "PersistedQueryNotFound"
    assert gateway.upstream_requests() == 0
    status, registered = await _post(gateway, apq(QUERY))
    assert registered["data"]["customers"]["total"] == 4
    status, by_hash = await _post(gateway, apq(None))
    assert by_hash["data"] == registered["data"]
    # Over GET too, as Apollo's link sends hashed queries.
    response = await gateway.client.get(
        "/graphql", params={"extensions": json.dumps(apq(None)["extensions"])}
    )
    assert response.json()["data"] == registered["data"]


async def test_a_hash_that_is_not_the_querys_is_refused(gateway: Gateway) -> None:
    status, payload = await _post(gateway, apq(OTHER))
    assert status == 400
    assert payload["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    status, payload = await _post(gateway, apq(None, digest="NOT-HEX"))
    assert status == 400
    body = {"query": QUERY, "extensions": {"persistedQuery": {"version": 2, "sha256Hash": "x"}}}
    status, payload = await _post(gateway, body)
    assert payload["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"


def _manifest(tmp_path: Path, *documents: str) -> str:
    path = tmp_path / "documents.json"
    path.write_text(json.dumps({document_hash(d): d for d in documents}))
    return str(path)


async def test_trusted_only_runs_the_manifest_and_nothing_else(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path, QUERY)
    emulators = {"evershop-main": EverShopEmulator(seed=1, customers=4)}
    async with running_gateway(
        emulators, persisted_documents=manifest, trusted_documents_only=True
    ) as gateway:
        by_id = await gateway.client.post(
            "/graphql", json={"documentId": f"sha256:{document_hash(QUERY)}"}
        )
        assert by_id.json()["data"]["customers"]["total"] == 4
        assert (await _post(gateway, apq(None)))[1]["data"]["customers"]["total"] == 4
        assert (await _post(gateway, {"query": QUERY}))[1]["data"]["customers"]["total"] == 4
        for body in ({"query": OTHER}, apq(OTHER, document_hash(OTHER))):
            status, refused = await _post(gateway, body)
            assert status == 403
            assert "data" not in refused
            assert refused["errors"][0]["extensions"]["code"] == "DOCUMENT_NOT_TRUSTED"
        status, unknown = await _post(gateway, apq(None, document_hash(OTHER)))
        assert unknown["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        requests = gateway.upstream_requests()
    assert requests == 3 + 1  # a login, then one read per run document


def test_a_manifest_entry_must_be_its_documents_hash(tmp_path: Path) -> None:
    path = tmp_path / "documents.json"
    path.write_text(json.dumps({document_hash(QUERY): OTHER}))
    with pytest.raises(ConfigError, match="not its document's SHA-256"):
        load_manifest(str(path))
    path.write_text("[]")
    with pytest.raises(ConfigError, match="must map hashes"):
        load_manifest(str(path))


def test_the_apq_store_is_bounded() -> None:
    documents = PersistedDocuments(capacity=3)
    queries = [f"{{ q{index}: __typename }}" for index in range(5)]
    for query in queries:
        documents.resolve(query, apq(query, document_hash(query))["extensions"])
    assert len(documents._registered) == 3
    assert (
        documents.resolve(None, apq(None, document_hash(queries[-1]))["extensions"]) == queries[-1]
    )
