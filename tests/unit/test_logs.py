"""The log scrubber masks credentials in messages and structured fields, and keeps fields valid."""

from __future__ import annotations

import logging

from customer_gateway.observability.logs import MASK, SecretScrubber


def _record(message: str, fields: dict[str, object] | None = None) -> logging.LogRecord:
    record = logging.LogRecord("gateway", logging.INFO, __file__, 1, message, None, None)
    if fields is not None:
        record.fields = fields
    return record


def test_a_secret_in_the_message_is_masked() -> None:
    record = _record("login with s3cret-token failed")
    assert SecretScrubber(["s3cret-token"]).filter(record)
    assert record.getMessage() == f"login with {MASK} failed"


def test_a_numeric_secret_never_breaks_the_structured_fields() -> None:
    # An Ecwid store id is a credential and a plain number: it may appear inside any number.
    fields: dict[str, object] = {
        "durationMs": 1003.5,
        "sources": ["ecwid-us"],
        "path": "/api/v3/1003/customers",
        "status": 200,
        "ok": True,
        "error": None,
    }
    record = _record("request", fields)
    assert SecretScrubber(["1003"]).filter(record)
    assert record.__dict__["fields"] == {
        "durationMs": f"{MASK}.5",
        "sources": ["ecwid-us"],
        "path": f"/api/v3/{MASK}/customers",
        "status": 200,
        "ok": True,
        "error": None,
    }


def test_short_values_are_not_treated_as_secrets() -> None:
    record = _record("id 12 of 123", {"n": 123})
    SecretScrubber(["12", "123"]).filter(record)
    assert record.getMessage() == "id 12 of 123"
    assert record.__dict__["fields"] == {"n": 123}
