"""An export belongs to the caller that started it and to the sources it reads.

To anyone else it does not exist: `customerExport` is null and `/exports/{id}` is 404, exactly as
for an unknown id. Downloads need credentials, and the id (the download's address) is never in an
INFO log line.
"""

from __future__ import annotations

import gzip
import json
import logging
import time
from collections.abc import AsyncIterator

import jwt
import pytest

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.observability.logs import JsonFormatter
from customer_gateway.server.settings import ApiKey, AuthSettings, JwtSettings, Secret
from tests.api.conftest import Gateway, running_gateway
from tests.exports_helpers import export_status, finished_export, start_export

pytestmark = pytest.mark.anyio

JWT_SECRET = "jwt-secret-for-export-tests-0123456789"
BOTH = frozenset({"evershop-main", "evershop-outlet"})


def key(name: str, sources: frozenset[str] = frozenset()) -> ApiKey:
    return ApiKey(
        name, Secret(f"{name}-key-0123456789abcdef"), frozenset({"read", "write"}), sources
    )


def headers(name: str) -> dict[str, str]:
    return {"x-api-key": f"{name}-key-0123456789abcdef"}


def bearer(subject: str, sources: list[str]) -> dict[str, str]:
    claims = {"sub": subject, "scope": "read write", "sources": sources, "exp": time.time() + 600}
    return {"authorization": f"Bearer {jwt.encode(claims, JWT_SECRET, algorithm='HS256')}"}


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    emulators = {
        "evershop-main": EverShopEmulator(seed=1, customers=4),
        "evershop-outlet": EverShopEmulator(seed=2, customers=3),
    }
    auth = AuthSettings(
        required=True,
        api_keys=(key("alpha"), key("beta"), key("outlet-only", frozenset({"evershop-outlet"}))),
        jwt=JwtSettings(secret=Secret(JWT_SECRET)),
    )
    async with running_gateway(
        emulators,
        environment="production",
        graphiql=False,
        introspection=False,
        allow_get=False,
        auth=auth,
    ) as running:
        yield running


async def test_another_key_neither_sees_nor_downloads_an_export(gateway: Gateway) -> None:
    client = gateway.client
    export_id = await start_export(client, headers("alpha"))
    export = await finished_export(client, export_id, headers("alpha"))
    assert export["status"] == "COMPLETED"
    mine = await client.get(export["downloadUrl"], headers=headers("alpha"))
    assert mine.status_code == 200
    assert len(gzip.decompress(mine.content).splitlines()) == 7

    assert await export_status(client, export_id, headers("beta")) is None
    theirs = await client.get(export["downloadUrl"], headers=headers("beta"))
    unknown = await client.get("/exports/AAAAAAAAAAAAAAAAAAAAAA", headers=headers("beta"))
    # Not FORBIDDEN: the answer must not tell that the export exists.
    assert (theirs.status_code, theirs.json()) == (unknown.status_code, unknown.json())
    assert theirs.status_code == 404
    assert theirs.json()["error"] == "NOT_FOUND"


async def test_a_caller_barred_from_one_of_its_sources_cannot_read_it(gateway: Gateway) -> None:
    client = gateway.client
    # The same token subject, first allowed both sources, then only one of them.
    wide, narrow = bearer("carol", sorted(BOTH)), bearer("carol", ["evershop-outlet"])
    export_id = await start_export(client, wide)
    export = await finished_export(client, export_id, wide)
    assert export["status"] == "COMPLETED"
    assert (await client.get(export["downloadUrl"], headers=wide)).status_code == 200

    assert await export_status(client, export_id, narrow) is None
    assert (await client.get(export["downloadUrl"], headers=narrow)).status_code == 404
    # A key restricted to one source can neither read nor start an export of the other.
    outlet = headers("outlet-only")
    assert await export_status(client, export_id, outlet) is None
    assert (await client.get(export["downloadUrl"], headers=outlet)).status_code == 404
    own = await start_export(client, outlet)
    done = await finished_export(client, own, outlet)
    assert [s["source"]["name"] for s in done["sources"]] == ["evershop-outlet"]
    # A key and a token subject of the same name are different callers.
    named_alpha = bearer("alpha", sorted(BOTH))
    alphas = await start_export(client, headers("alpha"))
    assert await export_status(client, alphas, named_alpha) is None


async def test_downloads_need_credentials(gateway: Gateway) -> None:
    client = gateway.client
    export_id = await start_export(client, headers("alpha"))
    export = await finished_export(client, export_id, headers("alpha"))
    anonymous = await client.get(export["downloadUrl"])
    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "UNAUTHENTICATED"
    assert "www-authenticate" in anonymous.headers
    wrong = await client.get(export["downloadUrl"], headers={"x-api-key": "x" * 24})
    assert wrong.status_code == 401


async def test_the_export_id_is_not_logged_at_info(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="customer_gateway")
    client = gateway.client
    export_id = await start_export(client, headers("alpha"))
    export = await finished_export(client, export_id, headers("alpha"))
    assert (await client.get(export["downloadUrl"], headers=headers("alpha"))).status_code == 200
    await client.get(export["downloadUrl"], headers=headers("beta"))
    lines = [JsonFormatter().format(r) for r in caplog.records if r.levelno >= logging.INFO]
    downloads = [line for line in lines if json.loads(line).get("path", "").startswith("/exports/")]
    assert [json.loads(line)["path"] for line in downloads] == ["/exports/{id}"] * 2
    assert not [line for line in lines if export_id in line]
