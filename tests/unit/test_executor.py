"""The executor's short paths (plain leaf fields; object fields without arguments) answer exactly
what graphql-core's long path answers, values and errors alike, and are taken where they should
be."""

from __future__ import annotations

import enum
from typing import Any

import pytest
import strawberry
from strawberry.schema import schema_converter
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField
from strawberry.types.fields.resolver import StrawberryResolver

from customer_gateway.schema import executor as executor_module
from customer_gateway.schema.executor import PlainFieldExecutor


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Item:
    name: str
    nickname: str | None
    count: int
    colour: Colour
    tags: list[str]

    @strawberry.field
    def shout(self, suffix: str = "!") -> str:
        return self.name.upper() + suffix


GOOD = Item(name="a", nickname=None, count=3, colour=Colour.BLUE, tags=["x"])
NULL_IN_NON_NULL = Item(name=None, nickname="n", count=1, colour=Colour.RED, tags=[])  # type: ignore[arg-type]
NOT_AN_INT = Item(name="b", nickname=None, count="many", colour=Colour.RED, tags=[])  # type: ignore[arg-type]
NOT_A_COLOUR = Item(name="c", nickname=None, count=2, colour="green", tags=[])  # type: ignore[arg-type]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return [GOOD, NULL_IN_NON_NULL, NOT_AN_INT, NOT_A_COLOUR]


QUERY = "{ items { name nickname count colour tags shout alias: name } }"


def _run(executor: type[Any] | None, root: type = Query, query: str = QUERY) -> dict[str, Any]:
    """The answer and its errors (sorted) on `executor`, or on graphql-core's with None."""
    schema = strawberry.Schema(query=root, execution_context_class=executor)
    result = schema.execute_sync(query)
    return {
        "data": result.data,
        "errors": sorted(
            (e.message, tuple(e.path or ()), str(e.locations)) for e in result.errors or []
        ),
    }


def test_values_and_errors_are_those_of_the_long_path() -> None:
    short, long = _run(PlainFieldExecutor), _run(None)
    assert short == long
    assert short["data"]["items"][0] == {
        "name": "a",
        "nickname": None,
        "count": 3,
        "colour": "BLUE",
        "tags": ["x"],
        "shout": "A!",
        "alias": "a",
    }
    # A non-null field's error nulls its item (and stops that item's other fields).
    assert short["data"]["items"][1:] == [None, None, None]
    assert sorted(path for _, path, _ in short["errors"]) == [
        ("items", 1, "name"),
        ("items", 2, "count"),
        ("items", 3, "colour"),
    ]


def test_the_short_path_is_taken_for_plain_leaves_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails if a Strawberry upgrade renames its basic resolver: the gateway would then be
    correct but slower (bench/README.md)."""
    long_path: list[str] = []
    original = StrawberryGraphQLCoreExecutionContext.execute_field

    def counting(self: Any, parent_type: Any, source: Any, details: Any, *rest: Any) -> Any:
        long_path.append(details[0].node.name.value)
        return original(self, parent_type, source, details, *rest)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_field", counting)
    schema = strawberry.Schema(query=Query, execution_context_class=PlainFieldExecutor)
    result = schema.execute_sync("{ items { name count colour tags shout } }")
    assert result.data is not None
    # The good item's leaves take the short path; its list and resolver fields do not, nor does
    # any failing field (each then ends its item: the fields after it are not executed).
    assert long_path == ["items", "tags", "shout", "name", "count", "colour"]


@strawberry.type
class Inner:
    label: str


@strawberry.type
class Outer:
    key: int

    @strawberry.field
    def inner(self) -> Inner | None:
        return Inner(label=f"i{self.key}") if self.key != 2 else None

    @strawberry.field
    def required(self, info: strawberry.Info) -> Inner:
        if self.key == 3:
            raise ValueError("no inner for 3")
        label = f"r{self.key}:{info.path.key}"
        return Inner(label=label) if self.key != 4 else None  # type: ignore[return-value]


@strawberry.type
class ObjectQuery:
    @strawberry.field
    def outers(self) -> list[Outer | None]:
        return [Outer(key=k) for k in range(1, 6)]


OBJECT_QUERY = "{ outers { key inner { label } required { label } again: inner { label } } }"


def _run_objects(executor: type[Any] | None, query: str = OBJECT_QUERY) -> dict[str, Any]:
    return _run(executor, ObjectQuery, query)


def test_object_fields_complete_as_on_the_long_path() -> None:
    planned, long = _run_objects(PlainFieldExecutor), _run_objects(None)
    assert planned == long
    assert planned["data"]["outers"][0] == {
        "key": 1,
        "inner": {"label": "i1"},
        "required": {"label": "r1:required"},
        "again": {"label": "i1"},
    }
    # A null nullable object stays null; a non-null one's error (raised, or null) nulls its item.
    assert planned["data"]["outers"][1]["inner"] is None
    assert planned["data"]["outers"][2:4] == [None, None]
    assert sorted(path for _, path, _ in planned["errors"]) == [
        ("outers", 2, "required"),
        ("outers", 3, "required"),
    ]


def test_object_fields_skip_graphql_cores_execute_field(monkeypatch: pytest.MonkeyPatch) -> None:
    long_path: list[str] = []
    original = StrawberryGraphQLCoreExecutionContext.execute_field

    def counting(self: Any, parent_type: Any, source: Any, details: Any, *rest: Any) -> Any:
        long_path.append(details[0].node.name.value)
        return original(self, parent_type, source, details, *rest)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_field", counting)
    result = _run_objects(PlainFieldExecutor, "{ outers { key inner { label } } }")
    assert result["errors"] == []
    # Only the root list takes graphql-core's execute_field: each item's `inner` is planned.
    assert long_path == ["outers"]


def test_sync_resolvers_are_called_past_strawberrys_wrapper(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Strawberry's wrapper converts arguments (`get_arguments`) for every call; a planned
    object field without arguments or extensions calls its resolver directly."""
    converted: list[str] = []
    original = schema_converter.get_arguments

    def counting(**kwargs: Any) -> Any:
        converted.append(kwargs["field"].python_name)
        return original(**kwargs)

    monkeypatch.setattr(schema_converter, "get_arguments", counting)
    result = _run_objects(PlainFieldExecutor, "{ outers { inner { label } required { label } } }")
    assert result["data"]["outers"][0] == {
        "inner": {"label": "i1"},
        "required": {"label": "r1:required"},
    }
    assert converted == ["outers"]
    converted.clear()
    assert _run_objects(None, "{ outers { inner { label } } }")["errors"] == []
    assert converted == ["outers"] + ["inner"] * 5


def test_lists_of_objects_and_text_leaves_skip_graphql_cores_steps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An object item that is there completes over its plan (no `complete_list_item_value`, no
    `complete_object_value`), a null item takes graphql-core's step, and a plain leaf is read
    without Strawberry's `get_result`. Fails if an upgrade stops these paths being taken."""
    steps: list[str] = []
    for name in ("complete_list_item_value", "complete_object_value"):
        original = getattr(StrawberryGraphQLCoreExecutionContext, name)

        def counting(self: Any, *args: Any, _name: str = name, _original: Any = original) -> Any:
            steps.append(_name)
            return _original(self, *args)

        monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, name, counting)
    read: list[Any] = []
    original_get_result = StrawberryField.get_result

    def get_result(self: Any, *args: Any, **kwargs: Any) -> Any:
        read.append(self.python_name)
        return original_get_result(self, *args, **kwargs)

    schema = strawberry.Schema(query=NullableItems, execution_context_class=PlainFieldExecutor)
    # Patched after the plan's check would see it: only the resolver field `outers` calls it.
    monkeypatch.setattr(StrawberryField, "get_result", get_result)
    monkeypatch.setattr(executor_module, "_GET_RESULT", get_result)
    result = schema.execute_sync("{ outers { key inner { label } } }")
    assert result.errors is None
    assert result.data == {
        "outers": [{"key": 1, "inner": {"label": "i1"}}, None, {"key": 3, "inner": {"label": "i3"}}]
    }
    assert steps == ["complete_list_item_value"]  # the null item only
    assert read == ["outers"]


@strawberry.type
class NullableItems:
    @strawberry.field
    def outers(self) -> list[Outer | None]:
        return [Outer(key=1), None, Outer(key=3)]


def test_self_and_info_resolvers_are_called_positionally(monkeypatch: pytest.MonkeyPatch) -> None:
    """`def required(self, info)` is called with both positionally, without the resolver's
    `__call__`; `def inner(self)` still goes through it. Same answers as the long path."""
    called: list[str] = []
    original = StrawberryResolver.__call__

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        called.append(self.name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(StrawberryResolver, "__call__", counting)
    query = "{ outers { inner { label } required { label } } }"
    planned = _run_objects(PlainFieldExecutor, query)
    assert "required" not in called
    assert called.count("inner") == 5
    monkeypatch.undo()
    assert planned == _run_objects(None, query)
