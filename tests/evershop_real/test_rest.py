"""Customer REST (create, update, delete), body parsing and routing on both targets.

Creates go through `POST /api/customers` (each test has its own client address, so its own
8-per-15-minutes budget); rows that only need to exist are seeded in the tables directly.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from tests import evershop_cases as cases
from tests.evershop_real.expect import (
    BCRYPT,
    ISO_MS,
    UUID,
    assert_error,
    assert_json,
    data,
)
from tests.evershop_real.shops import Person, Shop

pytestmark = pytest.mark.anyio

ROW_KEYS = [
    "customer_id",
    "uuid",
    "status",
    "group_id",
    "email",
    "password",
    "full_name",
    "created_at",
    "updated_at",
    "meta_data",
]
NOBODY = "00000000-0000-4000-8000-000000000000"


def links(uuid: str) -> list[dict[str, Any]]:
    return [
        {"rel": "customerGrid", "href": "/admin/customers", "action": "GET", "types": ["text/xml"]},
        {
            "rel": "edit",
            "href": f"/admin/customers/edit/{uuid}",
            "action": "GET",
            "types": ["text/xml"],
        },
    ]


def iso_ms(value: str) -> float:
    assert ISO_MS.match(value), value
    return datetime.fromisoformat(value).timestamp()


# -- POST /api/customers ------------------------------------------------------------------------


async def test_create_returns_the_inserted_row(shop: Shop) -> None:
    before = time.time()
    response = await shop.http.post(
        "/api/customers",
        json={"email": "eva.mala@example.cz", "password": "secret1", "full_name": "Eva Malá"},
    )
    assert response.headers["ratelimit-policy"] == "8;w=900"
    assert response.headers["ratelimit-remaining"] == "7"
    row = data(response)
    assert list(row) == [*ROW_KEYS, "insertId", "links"]
    assert (row["customer_id"], row["insertId"], row["status"], row["group_id"]) == (1, 1, 1, 1)
    assert (row["email"], row["full_name"], row["meta_data"]) == (
        "eva.mala@example.cz",
        "Eva Malá",
        {},
    )
    assert UUID.match(row["uuid"])
    assert BCRYPT.match(row["password"])
    assert before - 2 <= iso_ms(row["created_at"]) <= time.time() + 2
    assert row["updated_at"] == row["created_at"]
    assert row["links"] == links(row["uuid"])
    stored = shop.customer_rows()
    assert [(item["customer_id"], item["uuid"]) for item in stored] == [(1, row["uuid"])]


async def test_create_takes_client_uuid_status_group_and_other_columns(shop: Shop) -> None:
    response = await shop.http.post(
        "/api/customers",
        json={
            "email": "ola@example.no",
            "password": "secret1",
            "full_name": "Ola Nordmann",
            "uuid": "{0A1B2C3D-4E5F-4a6b-8c7d-9e0f1a2b3c4d}",
            "status": "0",
            "group_id": 2,
            "meta_data": {"vip": True},
            "nickname": "not a column: ignored",
        },
    )
    row = data(response)
    assert row["uuid"] == "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    assert (row["status"], row["group_id"], row["meta_data"]) == (0, 2, {"vip": True})
    assert "nickname" not in row


@pytest.mark.parametrize(
    ("body", "message"),
    cases.CREATE_VALIDATION_ERRORS,
)  # fmt: skip
async def test_create_validation_errors_are_500s(
    shop: Shop, body: dict[str, Any], message: str
) -> None:
    response = await shop.http.post("/api/customers", json=body)
    assert_error(response, 500, message)
    assert shop.customer_rows() == []


async def test_failed_inserts_spend_identity_values(shop: Shop) -> None:
    body = {"email": "a@example.com", "password": "secret1", "full_name": "A"}
    failed = await shop.http.post("/api/customers", json={**body, "group_id": 99})
    assert failed.status_code == 500
    created = data(await shop.http.post("/api/customers", json=body))
    assert created["customer_id"] == 2


async def test_duplicate_email_is_a_500_and_the_check_is_case_sensitive(shop: Shop) -> None:
    body = {"email": "dup@example.com", "password": "secret1", "full_name": "Dup"}
    assert (await shop.http.post("/api/customers", json=body)).status_code == 200
    again = await shop.http.post("/api/customers", json=body)
    assert_error(again, 500, "Email is already used")
    other_case = data(
        await shop.http.post("/api/customers", json={**body, "email": "DUP@example.com"})
    )
    # the service's own check ran before the insert: no identity value was spent
    assert other_case["customer_id"] == 2


async def test_create_runs_before_the_html_escaping(shop: Shop) -> None:
    """`[bodyParser]createCustomer.js` does not wait for the global escapeHtml middleware."""
    row = data(
        await shop.http.post(
            "/api/customers",
            json={"email": "tag@example.com", "password": "secret1", "full_name": "<b>Bold</b>"},
        )
    )
    assert row["full_name"] == "<b>Bold</b>"


# -- PATCH /api/customers/:id -------------------------------------------------------------------


async def test_patch_updates_columns_and_forces_the_default_group(shop: Shop) -> None:
    created = datetime(2024, 5, 1, 10, 0, 0, 123000, tzinfo=UTC)
    target = shop.add_customer(
        Person("move@example.com", "Mover", status=1, group_id=3, created_at=created)
    )
    response = await shop.http.patch(
        f"/api/customers/{target.uuid}",
        json={"full_name": "Renamed Person", "status": 0, "unknown_key": 1},
        headers=await shop.admin_headers(),
    )
    row = data(response)
    assert list(row) == [*ROW_KEYS, "links"]
    assert (row["customer_id"], row["uuid"], row["full_name"], row["status"], row["group_id"]) == (
        1,
        target.uuid,
        "Renamed Person",
        0,
        1,
    )
    assert BCRYPT.match(row["password"])
    assert row["created_at"] == row["updated_at"] == "2024-05-01T10:00:00.123Z"
    assert row["links"] == links(target.uuid)
    [stored] = shop.customer_rows()
    assert (stored["group_id"], stored["status"]) == (1, 0)
    assert stored["updated_at"] == created  # nothing bumps updated_at


async def test_patch_values_are_html_escaped_before_the_handler(shop: Shop) -> None:
    target = shop.add_customer(Person("tag@example.com", "Tag"))
    row = data(
        await shop.http.patch(
            f"/api/customers/{target.uuid}",
            json={
                "full_name": "<b>Bold</b> & a < b",
                "meta_data": {"note": "<i class='x'>hi</i>", "list": ["<b>kept</b>"]},
            },
            headers=await shop.admin_headers(),
        )
    )
    assert row["full_name"] == "&lt;b&gt;Bold&lt;/b&gt; & a < b"
    # escapePayload recurses into objects; strings directly inside arrays stay as sent
    assert row["meta_data"] == {"note": "&lt;i class='x'&gt;hi&lt;/i&gt;", "list": ["<b>kept</b>"]}


async def test_patch_rehashes_a_new_password(shop: Shop) -> None:
    target = shop.add_customer(Person("pw@example.com", "Pw"))
    headers = await shop.admin_headers()
    first = data(await shop.http.patch(f"/api/customers/{target.uuid}", json={}, headers=headers))
    second = data(
        await shop.http.patch(
            f"/api/customers/{target.uuid}", json={"password": "n3w-pass"}, headers=headers
        )
    )
    assert BCRYPT.match(second["password"])
    assert first["password"] != second["password"]


@pytest.mark.parametrize(
    ("uuid", "body", "status", "message"),
    [
        (NOBODY, {}, 400, "Invalid customer id"),
        ("not-a-uuid", {}, 400, "Invalid customer id"),
        (None, {"email": "bad"}, 400, 'must match format "email"'),
        (None, {"full_name": 5}, 400, "must be string"),
        (None, [1], 400, "must be object"),
        (None, {"status": "abc"}, 500, 'invalid input syntax for type smallint: "abc"'),
        (None, {"status": None}, 500,
         'null value in column "status" of relation "customer" violates not-null constraint'),
    ],
)  # fmt: skip
async def test_patch_errors(
    shop: Shop, uuid: str | None, body: Any, status: int, message: str
) -> None:
    target = shop.add_customer(Person("patch@example.com", "Patch"))
    response = await shop.http.patch(
        f"/api/customers/{uuid or target.uuid}", json=body, headers=await shop.admin_headers()
    )
    assert_error(response, status, message)


async def test_patch_to_a_taken_email_is_a_unique_violation(shop: Shop) -> None:
    first, second = shop.add_customers(
        [Person("one@example.com", "One"), Person("two@x.com", "Two")]
    )
    response = await shop.http.patch(
        f"/api/customers/{second.uuid}",
        json={"email": first.email},
        headers=await shop.admin_headers(),
    )
    assert_error(response, 500, 'duplicate key value violates unique constraint "EMAIL_UNIQUE"')


# -- DELETE /api/customers/:id ------------------------------------------------------------------


async def test_delete_returns_the_row_without_password_and_cascades(shop: Shop) -> None:
    address = {"full_name": "Del", "country": "CZ", "city": "Brno", "is_default": True}
    keep, target = shop.add_customers(
        [Person("keep@example.com", "Keep", addresses=[address]),
         Person("del@example.com", "Del", group_id=2, addresses=[address, address])]
    )  # fmt: skip
    response = await shop.http.delete(
        f"/api/customers/{target.uuid}", headers=await shop.admin_headers()
    )
    row = data(response)
    assert list(row) == [key for key in ROW_KEYS if key != "password"]
    assert (row["customer_id"], row["uuid"], row["email"], row["group_id"]) == (
        2,
        target.uuid,
        "del@example.com",
        2,
    )
    assert [item["uuid"] for item in shop.customer_rows()] == [keep.uuid]
    assert [item["customer_id"] for item in shop.address_rows()] == [keep.customer_id]


@pytest.mark.parametrize(
    ("uuid", "message"),
    [
        (NOBODY, "Invalid customer id"),
        ("abc", 'invalid input syntax for type uuid: "abc"'),  # selected inside a transaction
    ],
)
async def test_delete_errors_are_500s(shop: Shop, uuid: str, message: str) -> None:
    response = await shop.http.delete(f"/api/customers/{uuid}", headers=await shop.admin_headers())
    assert_error(response, 500, message)


# -- body-parser json() + apiErrorHandler, routing -----------------------------------------------


@pytest.mark.parametrize(
    ("content", "headers", "message"),
    [
        # V8's wording on Node 20 (the harness's Node); Node 22 adds "(line L column C)"
        (b"{x", {}, "Expected property name or '}' in JSON at position 1"),
        (b'{"a":1,}', {}, "Expected double-quoted property name in JSON at position 7"),
        (b'{"a":1}\n x', {}, "Unexpected non-whitespace character after JSON at position 9"),
        (b'{"a":"b"}"', {}, "Unexpected non-whitespace character after JSON at position 9"),
        (b'{"a": x, "bbbbbbbbbbbbbbbbbbbb": 1}', {},
         "Unexpected token 'x', \"{\"a\": x, \"bbbbbb\"... is not valid JSON"),
        (b'{"a":"\t"}', {},
         "Bad control character in string literal in JSON at position 6"),
        (b'[1, 2, 3, 4, 5, x, 7, 8, 9, 10, 11]', {},
         "Unexpected token 'x', ...\" 3, 4, 5, x, 7, 8, 9\"... is not valid JSON"),
        (b'"hello"', {}, "Unexpected token '\"', \"\"hello\"\" is not valid JSON"),
        (b"  ", {}, "Unexpected end of JSON input"),
        (b"{}", {"content-type": "application/json; charset=latin1"},
         'unsupported charset "LATIN1"'),
        (b"{}", {"content-encoding": "gzip"}, "content encoding unsupported"),
        (b'{"a":"' + b"x" * 102_400 + b'"}', {}, "request entity too large"),
    ],
)  # fmt: skip
async def test_body_parser_errors_are_500s(
    shop: Shop, content: bytes, headers: dict[str, str], message: str
) -> None:
    response = await shop.http.post(
        "/api/customers", content=content, headers={"content-type": "application/json", **headers}
    )
    assert_error(response, 500, message)


async def test_bodies_that_are_not_json_are_ignored(shop: Shop) -> None:
    response = await shop.http.post(
        "/api/customers",
        content=b'{"email":"a@example.com"}',
        headers={"content-type": "text/plain"},
    )
    assert_error(response, 500, "must have required property 'email'")


async def test_the_body_is_parsed_before_authentication(shop: Shop) -> None:
    response = await shop.http.patch(
        "/api/customers/whatever", content=b"{", headers={"content-type": "application/json"}
    )
    assert_error(response, 500, "Expected property name or '}' in JSON at position 1")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/customers"), ("GET", "/api/nope"), ("PUT", "/api/customers/x")],
)
async def test_unknown_routes_get_the_404_page(shop: Shop, method: str, path: str) -> None:
    response = await shop.http.request(method, path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Not found" in response.text


async def test_routes_match_case_insensitively_with_a_trailing_slash(shop: Shop) -> None:
    response = await shop.http.post(
        "/API/Customers/",
        json={"email": "slash@example.com", "password": "secret1", "full_name": "S"},
    )
    assert data(response)["email"] == "slash@example.com"
    # the limiter classifies the raw path case-sensitively: "/API/…" is not even an API path
    assert response.headers["ratelimit-policy"] == "300;w=60"


async def test_a_deleted_customer_is_gone_for_update_and_delete(shop: Shop) -> None:
    target = shop.add_customer(Person("gone@example.com", "Gone"))
    headers = await shop.admin_headers()
    assert (
        await shop.http.delete(f"/api/customers/{target.uuid}", headers=headers)
    ).status_code == 200
    patch = await shop.http.patch(f"/api/customers/{target.uuid}", json={}, headers=headers)
    assert_error(patch, 400, "Invalid customer id")
    delete = await shop.http.delete(f"/api/customers/{target.uuid}", headers=headers)
    assert_json(delete, 500, {"error": {"status": 500, "message": "Invalid customer id"}})
