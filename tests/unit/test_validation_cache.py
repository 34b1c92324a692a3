"""Validations remembered by the parsed document's identity (schema/validation_cache.py): the
same errors as Strawberry's `validate_document`, computed once per document, never handed to
another document, and the schema's requests do not hash the document."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import DocumentNode, parse
from graphql.validation import specified_rules

from customer_gateway.schema import build_schema, validation_cache
from customer_gateway.schema.validation_cache import DocumentValidations

GOOD = "query Q($id: String) { customer(id: $id) { uuid email } }"
BAD = "{ customer { nope } }"


def _messages(errors: list[Any]) -> list[str]:
    return [error.message for error in errors]


def test_same_errors_once_per_document(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = build_schema()._schema
    rules = tuple(specified_rules)
    calls: list[DocumentNode] = []
    original = validation_cache.validate_document  # type: ignore[attr-defined]

    def counting(schema: Any, document: DocumentNode, rules: Any) -> Any:
        calls.append(document)
        return original(schema, document, rules)

    monkeypatch.setattr(validation_cache, "validate_document", counting)
    validations = DocumentValidations(maxsize=2)
    good, bad = parse(GOOD), parse(BAD)
    assert validations.validate(schema, good, rules) == []
    expected = _messages(original(schema, bad, rules))
    assert expected
    assert _messages(validations.validate(schema, bad, rules)) == expected
    assert _messages(validations.validate(schema, bad, rules)) == expected
    assert validations.validate(schema, good, rules) == []
    assert calls == [good, bad]
    # An equal document parsed again is another document: validated on its own.
    again = parse(BAD)
    assert _messages(validations.validate(schema, again, rules)) == expected
    assert calls == [good, bad, again]
    # Bounded (two): `bad`, used least recently, went when `again` came; `good` stayed.
    assert validations.validate(schema, good, rules) == []
    assert _messages(validations.validate(schema, bad, rules)) == expected
    assert calls == [good, bad, again, bad]


def test_requests_validate_without_hashing_the_document(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = build_schema()
    hashed: list[str] = []

    def refuse(self: Any) -> int:
        hashed.append(type(self).__name__)
        raise AssertionError("the document was hashed")

    monkeypatch.setattr(DocumentNode, "__hash__", refuse)
    result = schema.execute_sync(BAD)
    assert result.errors
    assert "nope" in result.errors[0].message
    assert hashed == []
