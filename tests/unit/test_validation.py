from __future__ import annotations

import pytest

from customer_gateway.core.errors import BadUserInput
from customer_gateway.core.ids import global_id, parse_global_id
from customer_gateway.resolvers import validation


@pytest.mark.parametrize(
    "value",
    ["user@example.com", "first.last+tag@sub.example.co.uk", "O'Brien@example.ie", "a@b.c"],
)
def test_emails_ajv_formats_accepts(value: str) -> None:
    assert validation.email(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "plain",
        "@example.com",
        "user@",
        "user@-example.com",
        "user..dots@example.com",
        "user@example.com\n",
        "jörg@example.com",  # ajv-formats is ASCII-only
        "ſ@example.com",  # folds to 's' in Python's Unicode /i, not in JavaScript's
    ],
)
def test_emails_ajv_formats_rejects(value: str) -> None:
    with pytest.raises(BadUserInput) as raised:
        validation.email(value)
    assert raised.value.field == "email"
    # The message is fixed text: it never echoes the rejected value.
    assert raised.value.message == "email must be a valid email address (e.g., user@example.com)"


def test_full_name_status_password_rules() -> None:
    with pytest.raises(BadUserInput, match="fullName"):
        validation.full_name("   ")
    with pytest.raises(BadUserInput, match="status"):
        validation.status(2)
    with pytest.raises(BadUserInput, match="at least 6"):
        validation.password("12345")
    assert validation.password("123456") == "123456"


def test_group_id_accepts_the_gateway_id_of_the_same_source_only() -> None:
    assert validation.group_id("evershop-main:3", "evershop-main") == "3"
    assert validation.group_id("3", "evershop-main") == "3"
    with pytest.raises(BadUserInput, match="names a group of source 'other'"):
        validation.group_id("other:3", "evershop-main")


def test_global_ids_round_trip() -> None:
    uuid = "433ba97f-8be7-4be9-be3f-a9f341f2b89f"
    assert parse_global_id(global_id("evershop-main", uuid)) == ("evershop-main", uuid)
    assert parse_global_id(global_id("ecwid", "277137633:x")) == ("ecwid", "277137633:x")
    assert parse_global_id(uuid) is None
    assert parse_global_id("Bad Source:1") is None
    assert parse_global_id("source:") is None
