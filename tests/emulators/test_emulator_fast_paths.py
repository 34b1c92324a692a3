"""The emulators' cheaper paths answer exactly as the paths they stand in for (EverShop's own:
test_evershop_fast_paths.py).

The benchmarks run the emulators on the core they measure (bench/README.md, emulator cost):
JSON is written by orjson where its bytes are the standard library's (`plain_json`), the Ecwid
wrapper calls its store through `AsgiLink` with its URLs kept, and Ecwid renders only the
fields a `responseFields` projection keeps. Each is compared with the long path here.
"""

from __future__ import annotations

import enum
import json
import math
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.types import Receive, Scope, Send

from customer_gateway.emulators.asgi_link import AsgiLink
from customer_gateway.emulators.ecwid import EcwidWrapperEmulator
from customer_gateway.emulators.ecwid import wrapper as wrapper_module
from customer_gateway.emulators.ecwid.formats import (
    FieldSpec,
    format_datetime,
    parse_response_fields,
    project,
)
from customer_gateway.emulators.ecwid.http import Call
from customer_gateway.emulators.ecwid.records import render_customer, render_fields
from customer_gateway.emulators.ecwid.wrapper import envelope
from customer_gateway.emulators.http import compact_json
from customer_gateway.emulators.plain_json import plain_json

from .test_ecwid_customers import BASE, FakeClock, ecwid_client, make_emulator

pytestmark = pytest.mark.anyio


def _stdlib(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


# -- plain_json -----------------------------------------------------------------------------------

_FLOATS = st.floats() | st.sampled_from(
    [0.0, -0.0, 1e-4, 9.999e-5, 1e16, 9999999999999998.0, 1e15, 0.1, 1e-5, -1e16, 2.5e-7]
)
_INTS = st.integers(min_value=-(2**65), max_value=2**65) | st.sampled_from(
    [2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1]
)
_TEXT = st.text() | st.text(alphabet=st.sampled_from('a"\\\n\t\x00\x1f\x7f\u2028é😀'))
_VALUES = st.recursive(
    st.none() | st.booleans() | _INTS | _FLOATS | _TEXT,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(_TEXT, inner, max_size=4)
        | st.dictionaries(st.integers() | st.booleans() | st.none(), inner, max_size=2)
    ),
    max_leaves=25,
)


@settings(max_examples=500, deadline=None)
@given(_VALUES, st.booleans())
def test_plain_json_writes_the_standard_librarys_bytes(value: Any, floats: bool) -> None:
    fast = plain_json(value, floats=floats)
    if fast is not None:
        assert fast == _stdlib(value)


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_compact_json_is_canonical(value: Any) -> None:
    # The Ecwid wrapper passes Ecwid's bytes on for the value they parse to (wrapper.wrapped).
    try:
        written = compact_json(value)
    except (ValueError, UnicodeEncodeError, TypeError):
        return  # not JSON: nothing is written
    assert compact_json(json.loads(written)) == written


class _Colour(enum.Enum):
    RED = 1


class _Name(enum.StrEnum):
    ADA = "ada"


class _Text(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        math.nan,
        math.inf,
        -math.inf,
        1e16,
        1e-5,
        2**64,
        {1: "a"},
        {"a": (1, 2)} | {"b": _Colour.RED},
        [_Name.ADA],
        [_Text("x")],
        uuid.UUID(int=1),
        datetime(2024, 1, 1, tzinfo=UTC),
        ["\ud800"],
        [b"bytes"],
    ],
)
def test_plain_json_leaves_what_could_differ_to_the_standard_library(value: Any) -> None:
    assert plain_json(value) is None


def test_plain_json_takes_plain_values() -> None:
    value = {"a": [1, 2.5, -0.0, None, True, "é\n"], "b": (2**64 - 1, -(2**63)), "c": {}}
    assert plain_json(value) == _stdlib(value)
    assert plain_json({"f": 2.5}, floats=False) is None
    deep: Any = []
    for _ in range(300):  # deeper than orjson writes
        deep = [deep]
    assert plain_json(deep) is None


# -- AsgiLink ------------------------------------------------------------------------------------


def _echo() -> tuple[Callable[[Scope, Receive, Send], Any], list[Any]]:
    """An app that records its scope and the body messages it receives, and answers them."""
    seen: list[Any] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        messages = []
        while True:
            message = await receive()
            messages.append(message)
            if not message.get("more_body"):
                break
        seen.append(({k: v for k, v in scope.items()}, messages))
        body = json.dumps([m.get("body", b"").decode() for m in messages]).encode()
        headers = [(b"content-type", b"application/json"), (b"retry-after", b"3")]
        await send({"type": "http.response.start", "status": 207, "headers": headers})
        await send({"type": "http.response.body", "body": body[:5], "more_body": True})
        await send({"type": "http.response.body", "body": body[5:]})

    return app, seen


@pytest.mark.parametrize(
    ("method", "url", "content"),
    [
        ("GET", "/api/v3/1003/customers?keyword=a%20b&limit=5&x=é", None),
        ("GET", "/api/v3/1003/customers/a%2Fb?responseFields=items(id,email)", None),
        ("POST", "/api/v3/1003/customers", b'{"email": "a@b.c"}'),
        ("PUT", "/api/v3/1003/customers/7", b""),
        ("DELETE", "/api/v3/1003/customers/7", None),
        ("HEAD", "/api/v3/1003/customers", None),
    ],
)
async def test_asgi_link_calls_an_app_as_httpx_does(
    method: str, url: str, content: bytes | None
) -> None:
    app, seen = _echo()
    headers = {"Authorization": "Bearer t", "Content-Type": "application/json"}
    answers = []
    for transport in (httpx.ASGITransport(app=app), AsgiLink(app)):
        async with httpx.AsyncClient(transport=transport, base_url="https://app.ecwid.com") as c:
            request = c.build_request(method, url, headers=headers, content=content)
            answer = await transport.handle_async_request(request)
            await answer.aread()
            answers.append((answer.status_code, list(answer.headers.raw), answer.content))
    assert seen[0] == seen[1]
    assert answers[0] == answers[1]


# -- Ecwid: responseFields while rendering ---------------------------------------------------------

_NAMES = [
    "id", "name", "email", "registered", "updated", "totalOrderCount", "customerGroupId",
    "customerGroupName", "billingPerson", "shippingAddresses", "contacts", "taxId", "taxIdValid",
    "taxExempt", "b2b_b2c", "fiscalCode", "acceptMarketing", "lang", "stats",
    "privateAdminNotes", "favorites", "nope", "street", "countryCode", "numberOfOrders",
]  # fmt: skip
_SPECS: st.SearchStrategy[FieldSpec] = st.recursive(
    st.dictionaries(st.sampled_from(_NAMES), st.none(), min_size=1, max_size=6),
    lambda inner: st.dictionaries(st.sampled_from(_NAMES), st.none() | inner, min_size=1),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def shop_records() -> list[Any]:
    emulator = make_emulator(clock=FakeClock())
    emulator.add_customer(email="guest@example.com", guest=True)
    return [(record, emulator.store.groups.get(record.group_id, "")) for record in
            emulator.store.customers.values()]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(spec=_SPECS)
def test_rendering_a_projection_is_projecting_the_rendering(
    shop_records: list[Any], spec: FieldSpec
) -> None:
    for record, group in shop_records[::7]:
        # Compared as JSON text: the order of the fields counts too.
        projected = project(render_customer(record, group), spec)
        assert _stdlib(render_fields(record, group, spec)) == _stdlib(projected)


@pytest.mark.parametrize(
    "fields",
    [
        "total,items(id,email,name,registered,customerGroupId,customerGroupName,"
        "billingPerson(name,firstName,lastName))",
        "items",
        "items(id),count,limit,offset,total,nope",
        "total(id),items(stats(salesValue),contacts(contact))",
        "nope",
        "items(",  # the 400 of a projection that does not parse
    ],
)
@pytest.mark.parametrize("query", ["", "&keyword=an&sortBy=NAME_ASC", "&limit=abc"])
async def test_a_projected_search_answers_as_the_projected_answer(
    fields: str, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator = make_emulator()
    url = f"{BASE}/customers?responseFields={fields}{query}&limit=30"
    async with ecwid_client(emulator) as api:
        projected = await api.get(url)
        # The search without its own projection: the pipeline projects its whole answer.
        monkeypatch.setattr(Call, "response_fields", lambda _call: None)
        whole = await api.get(url)
    assert (projected.status_code, projected.content) == (whole.status_code, whole.content)


def test_format_datetime_keeps_what_it_formats() -> None:
    for stamp in (0.0, 1_700_000_000.9, 1_600_000_000):
        assert format_datetime(stamp) == format_datetime.__wrapped__(stamp)
    assert parse_response_fields("items(id)") == {"items": {"id": None}}


# -- the wrapper -------------------------------------------------------------------------------


_WRAPPER_CALLS: list[tuple[str, str, Any]] = [
    ("GET", "/customers?sortBy=REGISTERED_DATE_DESC&responseFields=total,items(id,email)", None),
    ("GET", "/customers?keyword=a%20b&offset=3", None),
    ("GET", "/customers?keyword=%C3%A9&limit=2", None),
    ("GET", "/customers?offset=4&limit=2", None),
    ("GET", "/customers?limit=-1", None),
    ("GET", "/customer/abc%20d", None),
    ("POST", "/add_customer", {"email": "new@example.com"}),  # a 409 the second time
    ("POST", "/update_customer/1", {"email": "x"}),
    ("POST", "/delete_customer/99", None),
]  # fmt: skip


async def test_the_wrapper_forwards_as_through_a_client_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = []
    journals = []
    for reference in (False, True):
        wrapper = EcwidWrapperEmulator(clock=FakeClock())
        if reference:  # as the wrapper forwarded before: httpx's ASGI transport, no URL kept,
            # Ecwid's answer parsed and written again
            wrapper._transport = httpx.ASGITransport(app=wrapper.ecwid.app)  # type: ignore[assignment]
            wrapper._url = lambda url: url  # type: ignore[assignment,method-assign,return-value]
            monkeypatch.setattr(
                wrapper_module, "wrapped", lambda rid, upstream: envelope(rid, upstream.body)
            )
        transport = httpx.ASGITransport(app=wrapper.app)
        headers = {"Authorization": "Bearer ecwid-wrapper-sandbox-key"}
        sent = []
        async with httpx.AsyncClient(transport=transport, base_url="https://crm.test") as api:
            for _ in range(2):  # the second time through the URLs kept
                for method, path, body in _WRAPPER_CALLS:
                    answer = await api.request(
                        method, f"/api/json/v1/ecwid{path}", json=body, headers=headers
                    )
                    sent.append((answer.status_code, list(answer.headers.raw), answer.content))
        answers.append(sent)
        journals.append(wrapper.ecwid.journal)
    assert answers[0] == answers[1]
    assert journals[0] == journals[1]
