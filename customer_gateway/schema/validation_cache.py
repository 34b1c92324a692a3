"""Validation remembered per parsed document, by the document's identity.

Strawberry's `ValidationCache` is an `lru_cache` over `validate_document(schema, document,
rules)`: every lookup hashes the document, and graphql-core hashes an AST node by hashing all
of its fields, recursively, on every call. For a one-customer query that walk was ~1 M
instructions a request, a fifth of the request (bench/README.md, instructions per request).

`ParserCache` hands out the same `DocumentNode` for the same query text, so the document's
identity is a key as good as its value: a document parsed again (evicted from the parser
cache) is validated again, never given another document's answer. Each entry keeps its
document and schema alive, so their ids cannot be reused while it stands; the answer (a list
of errors) is the one `validate_document` gave, as Strawberry's cache hands it out.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

# Strawberry's ValidationCache's default size.
MAX_DOCUMENTS = 128

_Key = tuple[int, int, tuple[Any, ...]]


class DocumentValidations:
    """One schema's remembered validations: the last `maxsize` documents used."""

    def __init__(self, maxsize: int = MAX_DOCUMENTS) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[_Key, tuple[GraphQLSchema, DocumentNode, list[GraphQLError]]] = (
            OrderedDict()
        )

    def validate(
        self, schema: GraphQLSchema, document: DocumentNode, rules: tuple[Any, ...]
    ) -> list[GraphQLError]:
        key = (id(schema), id(document), rules)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is schema and entry[1] is document:
            self._entries.move_to_end(key)
            return entry[2]
        errors = validate_document(schema, document, rules)
        self._entries[key] = (schema, document, errors)
        if len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)
        return errors


class ValidationByDocument(SchemaExtension):
    """Strawberry's `ValidationCache`, keyed by the document's identity (see the module)."""

    def __init__(self, validations: DocumentValidations) -> None:
        super().__init__()
        self.validations = validations

    def on_validate(self) -> Iterator[None]:
        execution_context = self.execution_context
        document = execution_context.graphql_document
        assert document is not None
        execution_context.pre_execution_errors = self.validations.validate(
            execution_context.schema._schema,
            document,
            tuple(execution_context.validation_rules),
        )
        yield
