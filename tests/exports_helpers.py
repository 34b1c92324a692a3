"""Starting, polling and downloading exports over HTTP, as a caller with given headers."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

START = """mutation($sources: [String!]) { startCustomerExport(sources: $sources) {
  id status downloadUrl } }"""
STATUS = """query($id: ID!) { customerExport(id: $id) {
  id status customers downloadUrl sources { source { name } done errorCode errorMessage } } }"""


async def graphql(
    client: httpx.AsyncClient,
    query: str,
    variables: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": dict(variables)}, headers=headers
    )
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    return payload


async def start_export(
    client: httpx.AsyncClient,
    headers: Mapping[str, str] | None = None,
    sources: list[str] | None = None,
) -> str:
    started = await graphql(client, START, {"sources": sources}, headers)
    assert "errors" not in started, started
    export_id: str = started["data"]["startCustomerExport"]["id"]
    return export_id


async def export_status(
    client: httpx.AsyncClient, export_id: str, headers: Mapping[str, str] | None = None
) -> dict[str, Any] | None:
    payload = await graphql(client, STATUS, {"id": export_id}, headers)
    assert "errors" not in payload, payload
    export: dict[str, Any] | None = payload["data"]["customerExport"]
    return export


async def finished_export(
    client: httpx.AsyncClient, export_id: str, headers: Mapping[str, str] | None = None
) -> dict[str, Any]:
    async with asyncio.timeout(20):
        while True:
            export = await export_status(client, export_id, headers)
            assert export is not None
            if export["status"] != "RUNNING":
                return export
            await asyncio.sleep(0.05)
