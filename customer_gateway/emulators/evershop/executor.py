"""graphql-core's executor with short paths for the fields of a page of rows (the admin API).

It is the executor `execute` runs (`IncrementalExecutor`: @defer and @stream answer as before).

A page of 100 customers is ~1,000 fields, and graphql-core runs each through the same steps: a
response path, a resolve info object, the resolver call and the completion dispatch (non-null?
list? leaf? abstract? object?). This executor plans each selection set once per execution
(graphql-core collects it once for every item of a list) and, where the answer cannot differ,
takes a shorter way:

- a leaf field (a scalar or an enum, or one made non-null) without a resolver of its own and
  without arguments, on a row (`dict`), whose value is a `str`, `int`, `float` or `bool`:
  the row's key is read and the type coerces it, as `default_field_resolver` and
  `complete_leaf_value` would (no path, no resolve info);
- a leaf field with a resolver and without arguments: the resolver runs with its resolve
  info (without one if it is marked `source_only`), and a value of those types is coerced
  directly;
- an object field without arguments whose type has no `is_type_of`: the resolver runs with
  its resolve info (without a resolver, a row's key is read as the default resolver would,
  without the info it would not use), and an object that is there is completed as its type
  without the dispatch.

Everything else takes graphql-core's own steps: a null, an exception value, an awaitable, a
value that does not coerce, every error (a row's leaf is then read again: a dict lookup,
nothing to observe; a resolver's value is completed by `complete_value`) and any execution
with middleware or another default resolver. Errors are reported as graphql-core reports them
(`handle_field_error`). An object that is there (a list's item) is completed as its type
without the dispatch too (`complete_value`).

`is_awaitable` answers False for the plain builtin values the resolvers return without
graphql-core's `hasattr(value, "__await__")`, which is a failed attribute lookup for each.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Final, TypeGuard, TypeVar
from weakref import WeakKeyDictionary

from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import Executor, default_field_resolver, to_nodes
from graphql.execution.incremental.incremental_executor import IncrementalExecutor
from graphql.pyutils import AwaitableOrValue, Path, Undefined, gather_with_cancel
from graphql.pyutils import is_awaitable as default_is_awaitable

Leaf = GraphQLScalarType | GraphQLEnumType
R = TypeVar("R", bound=Callable[..., Any])

_PLAIN_VALUES: Final = frozenset({str, int, float, bool})
_NEVER_AWAITABLE: Final = frozenset(
    {dict, list, tuple, str, int, float, bool, type(None), datetime}
)

# How a field is executed (a plan step's kind).
_LONG: Final = 0  # graphql-core's execute_field
_ROW_LEAF: Final = 1  # a plain leaf read from a row
_RESOLVED_LEAF: Final = 2  # a leaf with a resolver of its own
_OBJECT: Final = 3  # an object field
_SOURCE_LEAF: Final = 4  # a leaf whose resolver reads its source alone (`source_only`)

SOURCE_ONLY: Final = "source_only"


def source_only(resolver: R) -> R:
    """Marks a resolver that reads its source alone (never its resolve info) and changes
    nothing: a leaf it resolves is called without the info (`resolver(source, None)`), and
    where its value does not coerce or it raises, called again with it (graphql-core's way)."""
    setattr(resolver, SOURCE_ONLY, True)
    return resolver


# What a field is, per schema (weakly) and (parent type, field name): its kind, definition, leaf
# or object type. Resolvers are set on the schema once, when it is built (graphql_api: `_build`).
_Kind = tuple[int, GraphQLField | None, Leaf | None, GraphQLObjectType | None]
_KINDS: WeakKeyDictionary[GraphQLSchema, dict[tuple[GraphQLObjectType, str], _Kind]] = (
    WeakKeyDictionary()
)
# A planned field: its response name, field details, name, and its kind.
_Step = tuple[str, FieldDetailsList, str, _Kind]


def is_awaitable(value: Any) -> TypeGuard[Awaitable[Any]]:
    """graphql-core's `is_awaitable`, answered at once for builtin values (none has `__await__`)."""
    return type(value) not in _NEVER_AWAITABLE and default_is_awaitable(value)


def _kind(schema: GraphQLSchema, parent_type: GraphQLObjectType, name: str) -> _Kind:
    field_def = schema.get_field(parent_type, name)
    if field_def is None or field_def.args:
        return (_LONG, None, None, None)
    inner = field_def.type
    if isinstance(inner, GraphQLNonNull):
        inner = inner.of_type
    if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
        kind = _ROW_LEAF if field_def.resolve is None else _RESOLVED_LEAF
        if getattr(field_def.resolve, SOURCE_ONLY, False):
            kind = _SOURCE_LEAF
        return (kind, field_def, inner, None)
    if isinstance(inner, GraphQLObjectType) and inner.is_type_of is None:
        return (_OBJECT, field_def, None, inner)
    return (_LONG, None, None, None)


async def _await_completed(
    executor: Executor[Any],
    completed: Awaitable[Any],
    return_type: GraphQLOutputType,
    field_details_list: FieldDetailsList,
    path: Path,
) -> Any:
    """graphql-core's `execute_field`'s: an error raised while completing, located here."""
    try:
        return await completed
    except Exception as raw_error:
        executor.handle_field_error(raw_error, return_type, field_details_list, path)
        return None


class LeafShortcutExecutor(IncrementalExecutor):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kinds = _KINDS.setdefault(self.schema, {})
        # Per selection set (graphql-core collects one per field of a list once and reuses it
        # for every item), kept with the set itself so that its id is not reused.
        self._plans: dict[int, tuple[GroupedFieldSet, list[_Step]]] = {}
        self._short = self.middleware_manager is None and (
            self.field_resolver is default_field_resolver
        )

    def _plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> list[_Step]:
        known = self._plans.get(id(fields))
        if known is not None and known[0] is fields:
            return known[1]
        steps: list[_Step] = []
        for response_name, field_details_list in fields.items():
            node = field_details_list[0].node
            name = node.name.value
            kind: _Kind = (_LONG, None, None, None)
            if not node.arguments:
                key = (parent_type, name)
                if key not in self._kinds:
                    self._kinds[key] = _kind(self.schema, parent_type, name)
                kind = self._kinds[key]
            steps.append((response_name, field_details_list, name, kind))
        self._plans[id(fields)] = (fields, steps)
        return steps

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """graphql-core's `execute_fields` over the selection set's plan (same order, same
        handling of awaitable fields)."""
        if not self._short:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        row = type(source_value) is dict
        try:
            for response_name, field_details_list, name, kind in self._plan(
                parent_type, grouped_field_set
            ):
                way, field_def, leaf, object_type = kind
                if way == _ROW_LEAF and row:
                    value = source_value.get(name)
                    if type(value) in _PLAIN_VALUES:
                        coerced = _coerced(leaf, value)
                        if coerced is not None:
                            results[response_name] = coerced
                            continue
                elif way == _SOURCE_LEAF:
                    assert field_def is not None
                    try:
                        value = field_def.resolve(source_value, None)  # type: ignore[misc]
                    except Exception:  # the long path runs it again and reports it, located
                        value = None
                    if type(value) in _PLAIN_VALUES:
                        coerced = _coerced(leaf, value)
                        if coerced is not None:
                            results[response_name] = coerced
                            continue
                field_path = Path(path, response_name, parent_type.name)
                if way in (_RESOLVED_LEAF, _OBJECT, _SOURCE_LEAF):
                    assert field_def is not None
                    result = self._execute_planned(
                        parent_type,
                        source_value,
                        field_details_list,
                        field_path,
                        position_context,
                        field_def,
                        leaf,
                        object_type,
                    )
                else:
                    result = super().execute_field(
                        parent_type, source_value, field_details_list, field_path, position_context
                    )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[Any]:
        """An object that is there (a list's item) completed as its type without the dispatch
        (what graphql-core's `complete_value` and `complete_object_value` come to for it)."""
        if (
            self._short
            and result is not None
            and result is not Undefined
            and not isinstance(result, Exception)
        ):
            inner = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
            if isinstance(inner, GraphQLObjectType) and inner.is_type_of is None:
                return self.collect_and_execute_subfields(
                    inner, field_details_list, path, result, position_context
                )
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _execute_planned(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
        field_def: GraphQLField,
        leaf: Leaf | None,
        object_type: GraphQLObjectType | None,
    ) -> Any:
        """graphql-core's `execute_field` for a field without arguments, with a leaf's value
        that coerces, or an object that is there, completed without `complete_value`."""
        return_type = field_def.type
        if field_def.resolve is None and object_type is not None and type(source) is dict:
            # The default resolver's read of a row, without the resolve info it would not use.
            value = source.get(field_details_list[0].node.name.value)
            if (
                value is not None
                and value is not Undefined
                and not isinstance(value, Exception)
                and not callable(value)
                and not self.is_awaitable(value)
            ):
                try:
                    completed = self.collect_and_execute_subfields(
                        object_type, field_details_list, path, value, position_context
                    )
                    if self.is_awaitable(completed):
                        return _await_completed(
                            self, completed, return_type, field_details_list, path
                        )
                except Exception as raw_error:
                    self.handle_field_error(raw_error, return_type, field_details_list, path)
                    return None
                return completed
        resolve_fn = field_def.resolve or self.field_resolver
        info = self.build_resolve_info(field_def, to_nodes(field_details_list), parent_type, path)
        try:
            result = resolve_fn(source, info)
            if self.is_awaitable(result):
                return self.complete_awaitable_value(
                    return_type, field_details_list, info, path, result, position_context
                )
            if leaf is not None and type(result) in _PLAIN_VALUES:
                coerced = _coerced(leaf, result)
                if coerced is not None:
                    return coerced
            if (
                object_type is not None
                and result is not None
                and result is not Undefined
                and not isinstance(result, Exception)
            ):
                completed = self.collect_and_execute_subfields(
                    object_type, field_details_list, path, result, position_context
                )
            else:
                completed = self.complete_value(
                    return_type, field_details_list, info, path, result, position_context
                )
            if self.is_awaitable(completed):
                return _await_completed(self, completed, return_type, field_details_list, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        return completed


def _coerced(leaf: Leaf | None, value: Any) -> Any:
    """The leaf type's output coercion of `value`, or None where graphql-core's own
    completion must run (a failed coercion is its error to report)."""
    assert leaf is not None
    # What graphql-core's String and ID give back unchanged (`serialize_string`, `serialize_id`:
    # a str as it is) and Int too (`coerce_int_from_number`: `int(value)` of an int in range).
    kind = type(value)
    if kind is str and (leaf is GraphQLString or leaf is GraphQLID):
        return value
    if kind is int and leaf is GraphQLInt and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT:
        return value
    try:
        coerced = leaf.coerce_output_value(value)
    except Exception:  # the long path reports it, located
        return None
    return None if coerced is Undefined else coerced
