"""FilterInput's own `from_input` (schema/inputs.py) builds what Strawberry's generic conversion
of an input builds: the same class, the same fields, for every operation, with the value given,
null, left out, or UNSET."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strawberry.types.arguments import convert_argument, convert_arguments
from strawberry.types.base import StrawberryList, StrawberryOptional, get_object_definition
from strawberry.types.unset import UNSET

from customer_gateway.schema import build_schema, inputs
from customer_gateway.schema.inputs import FilterInput, FilterOperation
from customer_gateway.schema.query import Query

SCHEMA = build_schema()
REGISTRY = SCHEMA.schema_converter.scalar_registry
CONFIG = SCHEMA.config


def _generic(value: Any, monkeypatch: pytest.MonkeyPatch, type_: Any = FilterInput) -> Any:
    """Strawberry's own conversion: the definition without FilterInput's hook."""
    with monkeypatch.context() as patched:
        patched.setattr(get_object_definition(FilterInput, strict=True), "from_input", None)
        return convert_argument(value, type_, REGISTRY, CONFIG)


def _fields(item: Any) -> tuple[type, dict[str, Any]]:
    return type(item), {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}


def test_the_hook_is_filter_inputs_and_its_fields_are_the_three_leaves() -> None:
    definition = get_object_definition(FilterInput, strict=True)
    assert definition.from_input is inputs._filter_from_input
    names = [CONFIG.name_converter.from_field(field) for field in definition.fields]
    assert names == [name for name, _ in inputs._FILTER_FIELDS]
    unset = [field.default is dataclasses.MISSING for field in definition.fields]
    assert unset == [needed for _, needed in inputs._FILTER_FIELDS]


@pytest.mark.parametrize("operation", list(FilterOperation))
@pytest.mark.parametrize("given_value", ["x", "", None, UNSET, "absent"])
def test_each_filter_is_built_as_strawberry_builds_it(
    operation: FilterOperation, given_value: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    value: dict[str, Any] = {"key": "email", "operation": operation}
    if given_value != "absent":
        value["value"] = given_value
    mine = convert_argument(value, FilterInput, REGISTRY, CONFIG)
    theirs = _generic(value, monkeypatch)
    assert _fields(mine) == _fields(theirs)
    assert mine == theirs


def test_missing_required_fields_are_none_as_strawberry_leaves_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """graphql-core never leaves them out; if it did, both give None."""
    assert _fields(convert_argument({}, FilterInput, REGISTRY, CONFIG)) == _fields(
        _generic({}, monkeypatch)
    )


@given(
    st.lists(
        st.none()
        | st.fixed_dictionaries(
            {"key": st.text(max_size=10), "operation": st.sampled_from(list(FilterOperation))},
            optional={"value": st.none() | st.text(max_size=10)},
        ),
        max_size=4,
    )
)
def test_the_customers_argument_converts_as_before(filters: list[dict[str, Any] | None]) -> None:
    """The whole `filters` argument of `customers`, through Strawberry's `convert_arguments`."""
    field = Query.__strawberry_definition__.get_field("customers")  # type: ignore[attr-defined]
    assert field is not None
    mine = convert_arguments({"filters": filters}, field.arguments, REGISTRY, CONFIG)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(get_object_definition(FilterInput, strict=True), "from_input", None)
        theirs = convert_arguments({"filters": filters}, field.arguments, REGISTRY, CONFIG)
    assert mine == theirs
    assert [None if i is None else _fields(i) for i in mine["filters"]] == [
        None if i is None else _fields(i) for i in theirs["filters"]
    ]
    assert isinstance(field.arguments[0].type, StrawberryOptional)
    assert isinstance(field.arguments[0].type.of_type, StrawberryList)
