"""The checks every caller string passes before a source sees it."""

from __future__ import annotations

import pytest

from customer_gateway.core.errors import BadUserInput
from customer_gateway.text.sendable import (
    check_text,
    first_unsendable,
    like_pattern_problem,
    why_unsendable,
)


@pytest.mark.parametrize(
    ("pattern", "refused"),
    [
        ("abc\\", True),  # the issue's pattern: PostgreSQL's "must not end with escape character"
        ("\\", True),
        ("a\\\\\\", True),  # an escaped backslash, then a lone escape
        ("\\%\\", True),
        ("abc\\\\", False),  # a literal backslash
        ("a\\%b", False),  # a literal %
        ("%@example.com", False),
        ("", False),
    ],
)
def test_a_like_pattern_is_refused_exactly_when_postgres_refuses_it(
    pattern: str, refused: bool
) -> None:
    assert (like_pattern_problem(pattern) is not None) is refused


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("plain", None),
        ("Žluťoučký kůň 😀", None),  # a surrogate pair in UTF-16 is one code point here
        ("a\x00b", "NUL"),
        ("\ud800", "lone surrogate"),
        ("x\udfff", "lone surrogate"),
    ],
)
def test_why_unsendable(value: str, reason: str | None) -> None:
    found = why_unsendable(value)
    assert (found is None) if reason is None else (found is not None and reason in found)


def test_check_text_names_the_field_never_the_value() -> None:
    with pytest.raises(BadUserInput) as refused:
        check_text("secret\x00", "password", field="password")
    assert refused.value.field == "password"
    assert "secret" not in refused.value.message
    with pytest.raises(BadUserInput, match="longer than 255"):
        check_text("x" * 256, "fullName", field="fullName")
    assert check_text("x" * 255, "fullName", field="fullName") == "x" * 255


def test_first_unsendable_looks_at_every_string_of_a_body() -> None:
    assert first_unsendable({"query": "{}", "variables": {"f": [{"value": "ok"}]}, "n": 1}) is None
    assert first_unsendable({"variables": {"f": [{"value": "a\x00"}]}}) is not None
    assert first_unsendable({"key\ud800": 1}) is not None
    assert first_unsendable(("/path", None, ["x", 3])) is None
