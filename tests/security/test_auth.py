"""Caller authentication and authorisation: API keys, JWTs (HS256, JWKS), scopes, sources."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from customer_gateway.emulators.evershop import EverShopEmulator
from customer_gateway.server.settings import ApiKey, AuthSettings, JwtSettings, Secret
from tests.api.conftest import Gateway, running_gateway

pytestmark = pytest.mark.anyio

READER = "reader-key-0123456789abcdef"
WRITER = "writer-key-0123456789abcdef"
OUTLET_ONLY = "outlet-key-0123456789abcdef"
JWT_SECRET = "jwt-shared-secret-0123456789abcdefghij"
LIST = "{ customers { total items { uuid } } }"
CREATE = """mutation($s: String!) { createCustomer(source: $s, input: {email: "n@example.com",
  fullName: "N", password: "secret-99"}) { uuid } }"""


def _auth(**overrides: Any) -> AuthSettings:
    keys = (
        ApiKey("reader", Secret(READER), frozenset({"read"})),
        ApiKey("writer", Secret(WRITER), frozenset({"read", "write"})),
        ApiKey(
            "outlet",
            Secret(OUTLET_ONLY),
            frozenset({"read", "write"}),
            frozenset({"evershop-outlet"}),
        ),
    )
    fields: dict[str, Any] = {
        "required": True,
        "api_keys": keys,
        "jwt": JwtSettings(secret=Secret(JWT_SECRET)),
    }
    return AuthSettings(**(fields | overrides))


@pytest.fixture
async def gateway() -> Any:
    emulators = {
        "evershop-main": EverShopEmulator(seed=1, customers=4),
        "evershop-outlet": EverShopEmulator(seed=2, customers=3),
    }
    async with running_gateway(emulators, auth=_auth()) as running:
        yield running


async def _ask(gateway: Gateway, query: str, headers: dict[str, str], **variables: Any) -> Any:
    return await gateway.client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-api-key": "not-a-key-0123456789abcdef"},
        {"authorization": "Bearer not.a.jwt"},
        {"authorization": "Basic dXNlcjpwYXNz"},
    ],
)
async def test_no_or_wrong_credentials_are_401(gateway: Gateway, headers: dict[str, str]) -> None:
    response = await _ask(gateway, LIST, headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "www-authenticate" in response.headers
    assert gateway.upstream_requests() == 0


async def test_a_read_key_reads_but_cannot_write(gateway: Gateway) -> None:
    ok = (await _ask(gateway, LIST, {"x-api-key": READER})).json()
    assert ok["data"]["customers"]["total"] == 7
    refused = (await _ask(gateway, CREATE, {"x-api-key": READER}, s="evershop-main")).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert not gateway.emulators["evershop-main"].requests("POST", "/api/customers")


async def test_a_write_key_writes(gateway: Gateway) -> None:
    payload = (await _ask(gateway, CREATE, {"x-api-key": WRITER}, s="evershop-main")).json()
    assert payload["data"]["createCustomer"]["uuid"].startswith("evershop-main:")


async def test_a_source_restricted_key_sees_and_writes_only_its_sources(gateway: Gateway) -> None:
    headers = {"x-api-key": OUTLET_ONLY}
    listing = (await _ask(gateway, LIST, headers)).json()
    assert listing["data"]["customers"]["total"] == 3
    assert {s["name"] for s in listing["extensions"]["sources"]} == {"evershop-outlet"}
    write = (await _ask(gateway, CREATE, headers, s="evershop-main")).json()
    assert write["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    main_id = "evershop-main:" + gateway.emulators["evershop-main"].customer_rows()[0]["uuid"]
    read = (
        await _ask(
            gateway, "query($id: String) { customer(id: $id) { uuid } }", headers, id=main_id
        )
    ).json()
    assert read["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert not gateway.emulators["evershop-main"].requests("POST", "/api/admin/graphql")


def _token(
    claims: dict[str, Any], key: Any = JWT_SECRET, algorithm: str = "HS256", **header: Any
) -> str:
    return jwt.encode(
        {"exp": int(time.time()) + 300, **claims}, key, algorithm=algorithm, headers=header or None
    )


async def test_jwt_scopes_and_sources(gateway: Gateway) -> None:
    reader = {
        "authorization": f"Bearer {_token({'sub': 'ui', 'scope': 'read', 'sources': ['evershop-main']})}"
    }
    listing = (await _ask(gateway, LIST, reader)).json()
    assert listing["data"]["customers"]["total"] == 4
    refused = (await _ask(gateway, CREATE, reader, s="evershop-main")).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    writer = {"authorization": f"Bearer {_token({'sub': 'svc', 'scope': 'read write'})}"}
    created = (await _ask(gateway, CREATE, writer, s="evershop-outlet")).json()
    assert created["data"]["createCustomer"]["uuid"].startswith("evershop-outlet:")


@pytest.mark.parametrize("claim", [[], None, 7, ""])
async def test_a_jwt_whose_sources_claim_is_empty_reaches_no_source(
    gateway: Gateway, claim: Any
) -> None:
    """An empty (or unreadable) `sources` claim means none, never all; no claim means all."""
    headers = {"authorization": f"Bearer {_token({'scope': 'read write', 'sources': claim})}"}
    for query, variables in ((LIST, {}), (CREATE, {"s": "evershop-main"})):
        payload = (await _ask(gateway, query, headers, **variables)).json()
        assert "data" not in payload
        assert payload["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert "grant no source" in payload["errors"][0]["message"]
    assert gateway.upstream_requests() == 0
    everything = {"authorization": f"Bearer {_token({'scope': 'read'})}"}
    assert (await _ask(gateway, LIST, everything)).json()["data"]["customers"]["total"] == 7


def test_an_api_key_with_an_empty_sources_list_is_a_configuration_error() -> None:
    from customer_gateway.server.settings import ConfigError, load_settings

    with pytest.raises(ConfigError, match="'sources' is empty"):
        load_settings(
            {
                "CUSTOMER_GATEWAY_API_KEYS__UI__KEY": READER,
                "CUSTOMER_GATEWAY_API_KEYS__UI__SOURCES": "",
            }
        )


@pytest.mark.parametrize(
    "token",
    [
        _token({"scope": "read"}, key="another-secret-0123456789abcdefghijkl"),
        jwt.encode(
            {"exp": int(time.time()) - 3600, "scope": "read"}, JWT_SECRET, algorithm="HS256"
        ),
        jwt.encode({"scope": "read"}, JWT_SECRET, algorithm="HS256"),  # no expiry
        "eyJhbGciOiJub25lIn0.eyJzY29wZSI6InJlYWQifQ.",  # alg "none", unsigned
    ],
)
async def test_bad_jwts_are_refused(gateway: Gateway, token: str) -> None:
    response = await _ask(gateway, LIST, {"authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_jwks_file_rs256(tmp_path: Path) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    public_jwk.update({"kid": "key-1", "use": "sig", "alg": "RS256"})
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [public_jwk]}))
    auth = AuthSettings(
        required=True, jwt=JwtSettings(jwks_file=str(jwks), issuer="https://idp.example")
    )
    emulators = {"evershop-main": EverShopEmulator(seed=1, customers=2)}
    async with running_gateway(emulators, auth=auth) as gateway:
        good = _token(
            {"scope": "read", "iss": "https://idp.example"}, private, "RS256", kid="key-1"
        )
        ok = await _ask(gateway, LIST, {"authorization": f"Bearer {good}"})
        assert ok.json()["data"]["customers"]["total"] == 2
        wrong_issuer = _token(
            {"scope": "read", "iss": "https://evil"}, private, "RS256", kid="key-1"
        )
        assert (
            await _ask(gateway, LIST, {"authorization": f"Bearer {wrong_issuer}"})
        ).status_code == 401
        unknown_kid = _token(
            {"scope": "read", "iss": "https://idp.example"}, private, "RS256", kid="key-2"
        )
        assert (
            await _ask(gateway, LIST, {"authorization": f"Bearer {unknown_kid}"})
        ).status_code == 401


async def test_development_serves_anonymous_callers_but_never_downgrades_bad_keys() -> None:
    emulators = {"evershop-main": EverShopEmulator(seed=1, customers=2)}
    async with running_gateway(emulators, auth=_auth(required=False)) as gateway:
        assert (await _ask(gateway, LIST, {})).json()["data"]["customers"]["total"] == 2
        wrong = await _ask(gateway, LIST, {"x-api-key": "wrong-key-0123456789abcdef"})
        assert wrong.status_code == 401
