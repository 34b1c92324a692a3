"""Strawberry's leaf checks remembered per type (schema/leaf_checks.py): the same answers as
Strawberry's own for every argument and input field type of the schema, installed in the
module Strawberry's conversion reads them from."""

from __future__ import annotations

from typing import Any

import strawberry.types.arguments as strawberry_arguments
from strawberry.relay.types import GlobalID
from strawberry.types.base import StrawberryContainer, get_object_definition, has_object_definition

from customer_gateway.schema import build_schema, leaf_checks
from customer_gateway.schema.inputs import FilterInput, FilterOperation
from customer_gateway.schema.mutation import Mutation
from customer_gateway.schema.query import Query

SCHEMA = build_schema()
REGISTRY = SCHEMA.schema_converter.scalar_registry
CHECKS = ("_is_leaf_type", "_is_optional_leaf_type")


def _types() -> list[Any]:
    """Every argument type of Query and Mutation, every input field type under them, and the
    types inside their lists and optionals."""
    found: list[Any] = []
    pending: list[Any] = []
    for root in (Query, Mutation):
        for field in get_object_definition(root, strict=True).fields:
            pending.extend(argument.type for argument in field.arguments)
    seen: set[int] = set()
    while pending:
        type_ = pending.pop()
        if id(type_) in seen:
            continue
        seen.add(id(type_))
        found.append(type_)
        if isinstance(type_, StrawberryContainer):
            pending.append(type_.of_type)
        elif has_object_definition(type_):
            definition = get_object_definition(type_, strict=True)
            pending.extend(
                field.resolve_type(type_definition=definition) for field in definition.fields
            )
    return found


def test_both_checks_are_installed_once() -> None:
    installed = {name: getattr(strawberry_arguments, name) for name in CHECKS}
    for check in installed.values():
        original = check.original
        assert original.__module__ == "strawberry.types.arguments"  # Strawberry's own
        assert getattr(original, "original", None) is None  # not wrapped twice
    leaf_checks.install()
    assert {name: getattr(strawberry_arguments, name) for name in CHECKS} == installed


def test_every_schema_type_is_answered_as_strawberry_answers() -> None:
    types = _types()
    assert FilterInput in types
    assert len(types) > 10
    answers = set()
    for name in CHECKS:
        check = getattr(strawberry_arguments, name)
        for type_ in types:
            for skip in ((), (GlobalID,)):
                expected = check.original(type_, REGISTRY, skip)
                assert check(type_, REGISTRY, skip) is expected, (name, type_)
                assert check(type_, REGISTRY, skip) is expected, (name, type_)  # remembered
                answers.add(expected)
    assert answers == {True, False}


def test_a_skipped_class_is_answered_apart() -> None:
    """Strawberry skips GlobalID in a list's items: the same type, another answer."""
    check = strawberry_arguments._is_leaf_type
    for _ in range(2):
        assert check(GlobalID, REGISTRY) is True
        assert check(GlobalID, REGISTRY, (GlobalID,)) is False


def test_a_registry_that_gains_a_scalar_is_asked_again() -> None:
    check = leaf_checks.remembered(strawberry_arguments._is_leaf_type.original)  # type: ignore[attr-defined]

    class Money:
        pass

    registry: dict[object, Any] = dict(REGISTRY)
    assert check(Money, registry) is False
    registry[Money] = REGISTRY[str]
    assert check(Money, registry) is True
    assert check(Money, dict(registry)) is True  # another registry: its own answer


def test_an_unhashable_type_is_asked_each_time() -> None:
    enum_definition = FilterOperation.__strawberry_definition__  # type: ignore[attr-defined]
    check = strawberry_arguments._is_leaf_type
    assert check(enum_definition, REGISTRY, (GlobalID,)) is True
