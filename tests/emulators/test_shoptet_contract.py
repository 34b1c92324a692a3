"""Contract tests: the Shoptet emulator against the vendored slice of Shoptet's OpenAPI file.

`contract_client()` (used by every Shoptet test module) validates each response the emulator
sends for a spec path against the spec's schema for that path, method and status (JSON Schema
2020-12, which OpenAPI 3.1 schemas are). Statuses the spec does not list for an operation are
checked against the generic error envelope built from the spec's `Errors` and `Metadata`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from customer_gateway.emulators.shoptet import ShoptetEmulator
from customer_gateway.emulators.shoptet.http import Endpoint
from customer_gateway.emulators.shoptet.schemas import REQUEST_SCHEMAS
from customer_gateway.emulators.shoptet.seed import REFERENCE_TIME

SPEC_FILE: Final = Path(__file__).resolve().parents[1] / "contracts/shoptet-customers.openapi.json"
SPEC: Final[dict[str, Any]] = json.loads(SPEC_FILE.read_text(encoding="utf-8"))
BASE_URI: Final = "urn:shoptet-openapi"
REGISTRY: Final = Registry().with_resource(
    BASE_URI, Resource.from_contents(SPEC, default_specification=DRAFT202012)
)
API_URL: Final = "https://api.myshoptet.com"
TOKEN: Final = "test-token-123"
GENERIC_ERROR: Final = {
    "type": "object",
    "required": ["data", "errors", "metadata"],
    "additionalProperties": False,
    "properties": {
        "data": {"type": "null"},
        "errors": {
            "allOf": [
                {"$ref": f"{BASE_URI}#/components/schemas/Errors"},
                {"type": "array", "minItems": 1},
            ]
        },
        "metadata": {"$ref": f"{BASE_URI}#/components/schemas/Metadata"},
    },
}


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{\w+\}", "[^/]+", template) + "$")


# Literal templates win over parameterised ones (/api/customers/groups vs /{guid}).
_TEMPLATES: Final = sorted(SPEC["paths"], key=lambda t: (t.count("{"), -len(t)))


def template_for(path: str) -> str | None:
    return next((t for t in _TEMPLATES if _pattern(t).match(path)), None)


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def validator_for(template: str, method: str, status: int) -> Draft202012Validator:
    responses = SPEC["paths"][template][method]["responses"]
    if str(status) in responses:
        pointer = _pointer(
            "paths",
            template,
            method,
            "responses",
            str(status),
            "content",
            "application/json",
            "schema",
        )
        schema: dict[str, Any] = {"$ref": f"{BASE_URI}#/{pointer}"}
    else:
        assert status >= 400, f"{method.upper()} {template} answered undocumented {status}"
        schema = GENERIC_ERROR
    return Draft202012Validator(schema, registry=REGISTRY)


def snapshot_validator() -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": f"{BASE_URI}#/components/schemas/customerSnapshot"}, registry=REGISTRY
    )


def assert_valid(validator: Draft202012Validator, body: Any, what: str) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, f"{what}: {errors[:5]}"


@dataclass
class ContractLog:
    """(template, method, status) of every response validated by a contract client."""

    seen: list[tuple[str, str, int]] = field(default_factory=list)


def contract_client(
    emulator: ShoptetEmulator, log: ContractLog | None = None, *, token: str | None = TOKEN
) -> httpx.AsyncClient:
    async def check(response: httpx.Response) -> None:
        template = template_for(response.request.url.path)
        method = response.request.method.lower()
        if template is None or method not in SPEC["paths"][template]:
            return
        await response.aread()
        if response.status_code == 429 and response.headers["content-type"].startswith("text/"):
            assert "nginx" in response.text  # nginx's own limit_conn page, not the application
            return
        assert response.headers["content-type"] == "application/json; charset=utf-8"
        assert re.fullmatch(r"\d+/\d+", response.headers["x-ratelimit-bucket-filling"])
        body = response.json()
        what = f"{method.upper()} {response.request.url.path} -> {response.status_code}"
        assert_valid(validator_for(template, method, response.status_code), body, what)
        if response.status_code >= 400:
            assert_valid(Draft202012Validator(GENERIC_ERROR, registry=REGISTRY), body, what)
        if "metadata" in body:
            assert response.headers["x-request-id"] == body["metadata"]["requestId"]
        if log is not None:
            log.seen.append((template, method, response.status_code))

    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Shoptet-Private-API-Token"] = token
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator.app),
        base_url=API_URL,
        headers=headers,
        event_hooks={"response": [check]},
    )


class FakeClock:
    def __init__(self, start: float = REFERENCE_TIME + 90 * 86400) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_emulator(**options: Any) -> ShoptetEmulator:
    options.setdefault("customers", 200)
    options.setdefault("token", TOKEN)
    options.setdefault("clock", FakeClock())
    return ShoptetEmulator(**options)


# -- the vendored file and the emulator's request schemas -----------------------------------
_ANNOTATIONS: Final = frozenset(
    {"description", "examples", "example", "default", "title", "format"}
)


def _resolve(pointer: str) -> Any:
    node: Any = SPEC
    for part in pointer.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def normalized(schema: Any) -> Any:
    """`$ref`s inlined (siblings merged), annotation keywords dropped; property names kept."""
    if not isinstance(schema, dict):
        return schema
    merged = dict(schema)
    if "$ref" in merged:
        merged = {**_resolve(merged.pop("$ref")), **merged}
    result: dict[str, Any] = {}
    for key, value in merged.items():
        if key in _ANNOTATIONS:
            continue
        if key == "properties":
            result[key] = {name: normalized(sub) for name, sub in value.items()}
        elif key in ("items", "not"):
            result[key] = normalized(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            result[key] = [normalized(sub) for sub in value]
        else:
            result[key] = value
    return result


def test_the_vendored_file_names_its_source_and_keeps_referenced_components() -> None:
    assert SPEC["x-trimmed-from"] == "shoptet/developers openapi/openapi.yaml commit 5498de99"
    assert SPEC["openapi"] == "3.1.0"

    def refs(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for item in node:
                yield from refs(item)

    for ref in refs(SPEC):
        assert _resolve(ref) is not None, ref


@pytest.mark.parametrize(("template", "method"), sorted(REQUEST_SCHEMAS))
def test_request_schemas_equal_the_spec(template: str, method: str) -> None:
    spec_schema = SPEC["paths"][template][method]["requestBody"]["content"]["application/json"]
    assert REQUEST_SCHEMAS[(template, method)] == normalized(spec_schema["schema"])


def test_every_emulated_operation_is_in_the_spec() -> None:
    emulator = make_emulator()
    endpoints: list[Endpoint] = emulator.pipeline.endpoints
    for endpoint in endpoints:
        assert endpoint.method.lower() in SPEC["paths"][endpoint.template], endpoint.template


def test_error_examples_in_the_spec_fit_the_generic_error_envelope() -> None:
    """The spec's own error examples agree with the envelope this suite checks errors against
    (those of the group endpoints lack `metadata`, which the emulator always sends)."""
    checked = 0
    for template, operations in SPEC["paths"].items():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                example = response.get("content", {}).get("application/json", {}).get("example")
                if int(status) < 400 or example is None:
                    continue
                example.setdefault(
                    "metadata", {"requestId": "019c8c34-64f3-7328-af43-bf1e34fa39d7"}
                )
                assert_valid(
                    Draft202012Validator(GENERIC_ERROR, registry=REGISTRY), example, template
                )
                checked += 1
    assert checked >= 10


@pytest.mark.anyio
async def test_every_operation_and_status_the_emulator_sends_fits_the_spec() -> None:
    clock = FakeClock()
    emulator = make_emulator(clock=clock, job_seconds=2.0)
    log = ContractLog()
    async with contract_client(emulator, log) as api:
        listed = await api.get("/api/customers", params={"itemsPerPage": 5})
        guid = listed.json()["data"]["customers"][0]["guid"]
        await api.get("/api/customers", params={"email": "nikdo@example.cz"})
        await api.get(f"/api/customers/{guid}")
        await api.get("/api/customers/00000000-0000-1000-8000-000000000000")
        created = await api.post(
            "/api/customers",
            json={
                "data": {
                    "account": {"email": "nova@example.cz", "fullName": "Nová Zákaznice"},
                    "billingAddress": {
                        "fullName": "Nová Zákaznice",
                        "countryCode": "CZ",
                        "regionName": "Zlínský kraj",
                    },
                }
            },
        )
        assert created.status_code == 201
        new_guid = created.json()["data"]["customer"]["guid"]
        await api.post("/api/customers", json={"data": {"account": {}}})
        await api.patch(f"/api/customers/{guid}", json={"data": {"remark": "Stálý zákazník"}})
        await api.patch(f"/api/customers/{guid}", json={"data": {"unknown": 1}})
        accounts = await api.get(f"/api/customers/{guid}/accounts")
        account_guid = accounts.json()["data"]["accounts"][0]["guid"]
        await api.get(f"/api/customers/{guid}/accounts/{account_guid}")
        await api.patch(
            f"/api/customers/{guid}/accounts/{account_guid}",
            json={"data": {"phone": "+420777000111"}},
        )
        await api.delete(f"/api/customers/{new_guid}")
        await api.get("/api/customers/changes", params={"from": "2020-01-01T00:00:00+0100"})
        await api.get("/api/customers/changes")
        await api.get("/api/customers/regions")
        await api.get("/api/customers/groups")
        groups = await api.post("/api/customers/groups", json={"data": {"name": "Partneři"}})
        group_id = groups.json()["data"]["customerGroups"][-1]["id"]
        await api.post("/api/customers/groups", json={"data": {"name": "VIP"}})
        await api.post("/api/customers/groups", json={"data": {"name": "Sklad", "wholesale": True}})
        await api.patch(f"/api/customers/groups/{group_id}", json={"data": {"description": "B2B"}})
        await api.patch("/api/customers/groups/999", json={"data": {"description": "B2B"}})
        await api.patch(f"/api/customers/groups/{group_id}", json={"data": {"tableLayout": True}})
        await api.patch(f"/api/customers/groups/{group_id}", json={"data": {"authRequired": True}})
        await api.delete("/api/customers/groups/1")
        await api.delete(f"/api/customers/groups/{group_id}")
        await api.delete("/api/customers/groups/999")
        await api.get("/api/customers/snapshot")
        hooks = await api.post(
            "/api/webhooks",
            json={"data": [{"event": "job:finished", "url": "https://hooks.example.com/shoptet"}]},
        )
        hook_id = hooks.json()["data"]["webhooks"][0]["id"]
        await api.post(
            "/api/webhooks", json={"data": [{"event": "job:finished", "url": "https://x.cz"}]}
        )
        await api.get("/api/webhooks")
        await api.get(f"/api/webhooks/{hook_id}")
        await api.patch(
            f"/api/webhooks/{hook_id}", json={"data": {"url": "https://hooks.example.com/v2"}}
        )
        await api.get("/api/webhooks/999")
        await api.patch("/api/webhooks/999", json={"data": {"sendPayload": None}})
        await api.post("/api/webhooks/renew-signature-key")
        job_id = (await api.get("/api/customers/snapshot")).json()["data"]["jobId"]
        await api.get("/api/system/jobs")
        await api.get("/api/system/jobs/zzzzzzz")
        for _ in range(11):
            await api.get(f"/api/system/jobs/{job_id}")
        clock.advance(2.5)
        await api.get(f"/api/system/jobs/{job_id}")
        await api.delete(f"/api/webhooks/{hook_id}")
        await api.delete(f"/api/webhooks/{hook_id}")
    async with contract_client(emulator, log, token=None) as anonymous:
        await anonymous.get("/api/customers")

    expected = {
        ("/api/customers", "get", 200),
        ("/api/customers", "get", 401),
        ("/api/customers", "post", 201),
        ("/api/customers", "post", 422),
        ("/api/customers/{guid}", "get", 200),
        ("/api/customers/{guid}", "get", 404),
        ("/api/customers/{guid}", "patch", 200),
        ("/api/customers/{guid}", "patch", 422),
        ("/api/customers/{guid}", "delete", 200),
        ("/api/customers/{guid}/accounts", "get", 200),
        ("/api/customers/{guid}/accounts/{accountGuid}", "get", 200),
        ("/api/customers/{guid}/accounts/{accountGuid}", "patch", 200),
        ("/api/customers/changes", "get", 200),
        ("/api/customers/changes", "get", 422),
        ("/api/customers/regions", "get", 200),
        ("/api/customers/groups", "get", 200),
        ("/api/customers/groups", "post", 201),
        ("/api/customers/groups", "post", 403),
        ("/api/customers/groups", "post", 422),
        ("/api/customers/groups/{id}", "patch", 200),
        ("/api/customers/groups/{id}", "patch", 403),
        ("/api/customers/groups/{id}", "patch", 404),
        ("/api/customers/groups/{id}", "patch", 422),
        ("/api/customers/groups/{id}", "delete", 200),
        ("/api/customers/groups/{id}", "delete", 404),
        ("/api/customers/groups/{id}", "delete", 422),
        ("/api/customers/snapshot", "get", 202),
        ("/api/customers/snapshot", "get", 403),
        ("/api/webhooks", "get", 200),
        ("/api/webhooks", "post", 201),
        ("/api/webhooks", "post", 422),
        ("/api/webhooks/{id}", "get", 200),
        ("/api/webhooks/{id}", "get", 404),
        ("/api/webhooks/{id}", "patch", 200),
        ("/api/webhooks/{id}", "patch", 404),
        ("/api/webhooks/{id}", "delete", 200),
        ("/api/webhooks/{id}", "delete", 404),
        ("/api/webhooks/renew-signature-key", "post", 200),
        ("/api/system/jobs", "get", 200),
        ("/api/system/jobs/{jobId}", "get", 200),
        ("/api/system/jobs/{jobId}", "get", 403),
        ("/api/system/jobs/{jobId}", "get", 404),
    }
    assert expected - set(log.seen) == set()
