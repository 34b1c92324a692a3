"""Response bodies through orjson: the same JSON as Strawberry's `json.dumps` encoder."""

from __future__ import annotations

import json

import pytest

from customer_gateway.server.answers import encode_body

STRAWBERRY = {"separators": (",", ":")}  # strawberry/http/base.py: encode_json


@pytest.mark.parametrize(
    "value",
    [
        {"data": {"customer": {"uuid": "ecwid:1", "email": "a@b.cz", "group": None}}},
        {"data": None, "errors": [{"message": 'a "quoted"\\ \n\t\x01 text', "path": ["a", 0]}]},
        {"data": {"total": 2147483647, "ratio": 0.1, "big": 1e16, "flags": [True, False]}},
        {"extensions": {"sources": [{"name": "ecwid", "status": "ok", "ms": 12.5}]}},
    ],
)
def test_ascii_bodies_are_the_same_bytes(value: object) -> None:
    assert encode_body(value) == json.dumps(value, **STRAWBERRY).encode()  # type: ignore[arg-type]


def test_other_characters_are_utf8_for_the_same_value() -> None:
    value = {"data": {"fullName": "Žluťoučký kůň 😀", "line": "\u2028"}}
    body = encode_body(value)
    assert "Žluťoučký kůň 😀".encode() in body
    assert json.loads(body) == value


def test_exponents_lose_their_leading_zero() -> None:
    assert encode_body({"lag": 1e-7}) == b'{"lag":1e-7}'  # json.dumps: 1e-07, the same number


@pytest.mark.parametrize("value", [{"n": 2**70}, {"s": "\ud800"}])
def test_what_orjson_refuses_goes_through_the_standard_library(value: object) -> None:
    assert encode_body(value) == json.dumps(value, **STRAWBERRY).encode()  # type: ignore[arg-type]
