"""The executor: graphql-core's, with a short path for plain leaf fields, planned once per
selection set.

graphql-core runs every field through the same machinery: a resolve info object, argument
coercion, Strawberry's resolver wrapper and the completion dispatch. Most fields of a customer
page are plain attribute reads into a scalar (`email`, `fullName`, `uuid`, `groupName`): a page
of 100 customers is ~500 of them. For those, this executor reads the attribute through
Strawberry's own basic resolver and coerces the value as the scalar says, and nothing else.

The short path is taken only where it cannot differ from the long one: a field Strawberry itself
resolves as a basic field (no resolver, no extensions, no permissions), with no arguments, no
middleware, a scalar or enum type, and a value that is not null and coerces. Anything else,
including every error, goes the long way (reading an attribute twice has no effect).

Which fields of a selection set are plain is decided once per selection set and execution (a
plan: graphql-core collects each selection set once per execution and reuses it for every item
of a list), not once per field and item: a page of 100 customers then reads its ~300 plain
leaves in one loop without a response path, a field lookup or a resolver check each.

The plan also covers object fields without arguments (`Customer.group`): their definition, nodes
and resolver are planned, an object that is there is completed as its object type without
`complete_value`'s dispatch, and a sync Strawberry resolver with no arguments, no field
extensions and no exception handler is called as Strawberry's wrapper would call it, without the
wrapper's per-call argument conversion. Errors, nulls and awaitables take graphql-core's own
steps (`complete_value`, `complete_awaitable_value`, `handle_field_error`), in the same order.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from types import CoroutineType, GeneratorType
from typing import Any, TypeGuard
from weakref import WeakKeyDictionary

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import collect_iterator_awaitables
from graphql.pyutils import AwaitableOrValue, Path, gather_with_cancel
from graphql.pyutils.undefined import UndefinedType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

# The name Strawberry gives the resolver of a basic field (strawberry/schema/schema_converter.py);
# tests/unit/test_executor.py fails if a Strawberry upgrade stops the short path being taken.
BASIC_RESOLVER = "_get_basic_result"
# The name of Strawberry's wrapper around a sync resolver, and the extension key of a field's
# Strawberry definition (the same module).
STRAWBERRY_RESOLVER = "_resolver"
STRAWBERRY_DEFINITION = "strawberry-definition"


# A field of an object type without arguments, planned: its definition, its nodes (graphql-core
# builds the list for every item), its type, the object type under it and its resolver.
_ObjectField = tuple[GraphQLField, list[FieldNode], GraphQLOutputType, GraphQLObjectType, Any]

# One field of a planned selection set: its response name, its field details, for a plain leaf
# Strawberry's basic resolver and the leaf type, and for an object field without arguments its
# plan (None each: the field goes the long way). A plain leaf whose Strawberry field reads its
# attribute with `getattr` (no resolver, Strawberry's own `get_result`, the default resolver)
# also has that attribute's name (else None), and `text` when the leaf type is graphql-core's
# String or ID, whose coercion gives a `str` back as it is.
_Step = tuple[
    str,
    FieldDetailsList,
    Any,
    GraphQLScalarType | GraphQLEnumType | None,
    _ObjectField | None,
    str | None,
    bool,
]
# What `_plan` decides for a field without arguments (`PlainFieldExecutor._decision`): its
# definition, basic resolver, leaf type, plain attribute, object type and direct resolver.
_Decision = tuple[
    GraphQLField | None,
    Any,
    GraphQLScalarType | GraphQLEnumType | None,
    str | None,
    GraphQLObjectType | None,
    Any,
]
# Per schema (graphql-core's, weakly: a schema that goes takes its entries), by parent type
# and field name; the parent type is kept to check that the name still means it.
_DECISIONS: WeakKeyDictionary[
    GraphQLSchema, dict[tuple[str, str], tuple[GraphQLObjectType, _Decision]]
] = WeakKeyDictionary()
# Built-in scalars whose output coercion returns a `str` unchanged (graphql-core's
# `serialize_string` and `serialize_id`: `isinstance(value, str)` first).
_TEXT_SCALARS = (GraphQLString, GraphQLID)
_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
# Strawberry's own `get_result`, as imported (tests/unit/test_executor.py patches both).
_GET_RESULT = StrawberryField.get_result


def _plain_attribute(field_def: GraphQLField) -> str | None:
    """The attribute Strawberry's basic resolver reads for this field, where it is exactly
    `getattr(source, name)` (`StrawberryField.get_result` without a resolver, and the default
    resolver `getattr`); None where anything else could run."""
    field = field_def.extensions.get(STRAWBERRY_DEFINITION)
    if not isinstance(field, StrawberryField):
        return None
    if (
        type(field).get_result is not _GET_RESULT
        or field.base_resolver is not None
        or field.default_resolver is not getattr
    ):
        return None
    name = field.python_name
    return name if isinstance(name, str) else None


async def _await_completed(
    executor: PlainFieldExecutor,
    completed: Awaitable[Any],
    return_type: GraphQLOutputType,
    field_details_list: FieldDetailsList,
    path: Path,
) -> Any:
    """graphql-core's `execute_field`'s: a field error raised while completing located here."""
    try:
        return await completed
    except Exception as raw_error:
        executor.handle_field_error(raw_error, return_type, field_details_list, path)
        return None


def _never_awaitable(cls: type) -> bool:
    """Whether graphql-core's `is_awaitable` (Strawberry's too) is False for every instance of
    `cls` without an `__await__` of its own: not a coroutine or generator, no `__await__`,
    `__getattr__` or `__class__` in its classes, attribute lookup as `object`'s. Its last check,
    `hasattr(value, "__await__")`, raises and catches an AttributeError for every such value
    (an object of a page's items); for these classes the answer is known without it."""
    if issubclass(cls, CoroutineType | GeneratorType):
        return False
    if cls.__getattribute__ is not object.__getattribute__:
        return False
    return not any(
        "__await__" in vars(klass)
        or "__getattr__" in vars(klass)
        or (klass is not object and "__class__" in vars(klass))
        for klass in cls.__mro__
    )


class PlainFieldExecutor(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        general = self.is_awaitable
        never: dict[type, bool] = {}

        def is_awaitable(value: Any) -> TypeGuard[Awaitable[Any]]:
            cls = type(value)
            known = never.get(cls)
            if known is None:
                known = never[cls] = _never_awaitable(cls)
            if known and (cls.__dictoffset__ == 0 or "__await__" not in value.__dict__):
                return False
            return general(value)

        self.is_awaitable = is_awaitable

    def _plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> list[_Step]:
        plans: dict[int, tuple[GroupedFieldSet, list[_Step]]] = self.__dict__.setdefault(
            "_gateway_plans", {}
        )
        # Keyed by identity, like graphql-core's own memo of collected fields; the selection
        # set is kept alive with its plan so that its id cannot be reused meanwhile.
        cached = plans.get(id(fields))
        if cached is not None and cached[0] is fields:
            return cached[1]
        middleware = self.middleware_manager
        plain_allowed = middleware is None or not middleware.middlewares
        steps: list[_Step] = []
        for response_name, field_details_list in fields.items():
            node = field_details_list[0].node
            resolve: Any = None
            leaf: GraphQLScalarType | GraphQLEnumType | None = None
            object_field: _ObjectField | None = None
            attribute: str | None = None
            if plain_allowed and not node.arguments:
                field_def, resolve, leaf, attribute, inner, direct = self._decision(
                    parent_type, node.name.value
                )
                if inner is not None:
                    assert field_def is not None
                    object_field = (
                        field_def,
                        [details.node for details in field_details_list],
                        field_def.type,
                        inner,
                        direct or field_def.resolve or self.field_resolver,
                    )
            steps.append(
                (
                    response_name,
                    field_details_list,
                    resolve,
                    leaf,
                    object_field,
                    attribute,
                    leaf in _TEXT_SCALARS,
                )
            )
        plans[id(fields)] = (fields, steps)
        return steps

    def _decision(self, parent_type: GraphQLObjectType, name: str) -> _Decision:
        """What `_plan` makes of a field without arguments: its definition; for a plain leaf
        Strawberry's basic resolver, the leaf type and the plain attribute; for an object field
        without arguments the object type and the direct resolver. It depends on the schema
        alone, so it is remembered per schema across executions (`_DECISIONS`)."""
        decisions = _DECISIONS.get(self.schema)
        if decisions is None:
            decisions = _DECISIONS[self.schema] = {}
        key = (parent_type.name, name)
        decision = decisions.get(key)
        if decision is not None and decision[0] is parent_type:
            return decision[1]
        field_def = self.schema.get_field(parent_type, name)
        resolve: Any = None
        leaf: GraphQLScalarType | GraphQLEnumType | None = None
        attribute: str | None = None
        inner_object: GraphQLObjectType | None = None
        direct: Any = None
        candidate = field_def.resolve if field_def is not None else None
        if candidate is not None and getattr(candidate, "__name__", None) == BASIC_RESOLVER:
            field_type = field_def.type  # type: ignore[union-attr]
            if isinstance(field_type, GraphQLNonNull):
                field_type = field_type.of_type
            if isinstance(field_type, GraphQLScalarType | GraphQLEnumType):
                resolve, leaf = candidate, field_type
                attribute = _plain_attribute(field_def)  # type: ignore[arg-type]
        if leaf is None and field_def is not None and not field_def.args:
            inner = field_def.type
            if isinstance(inner, GraphQLNonNull):
                inner = inner.of_type
            if isinstance(inner, GraphQLObjectType):
                inner_object = inner
                direct = self._direct_resolver(field_def)
        answer: _Decision = (field_def, resolve, leaf, attribute, inner_object, direct)
        decisions[key] = (parent_type, answer)
        return answer

    def _direct_resolver(self, field_def: GraphQLField) -> Any:
        """A Strawberry resolver called as Strawberry's own wrapper (`_resolver`,
        strawberry/schema/schema_converter.py: `from_resolver`) calls it, without the wrapper's
        per-call argument conversion and extension chain, where those do nothing: a sync
        resolver of a plain `StrawberryField` with no GraphQL arguments, no field extensions
        and no exception handler that applies to it. None: the field keeps Strawberry's
        wrapper."""
        strawberry_schema = getattr(self.schema, "_strawberry_schema", None)
        field = field_def.extensions.get(STRAWBERRY_DEFINITION)
        wrapper = field_def.resolve
        if (
            strawberry_schema is None
            or type(field) is not StrawberryField
            or getattr(wrapper, "__name__", None) != STRAWBERRY_RESOLVER
        ):
            return None
        base = field.base_resolver
        converter = strawberry_schema.schema_converter
        if (
            base is None
            or field.extensions
            or field.arguments
            or field.is_async
            or converter._get_field_exception_handlers(field)
        ):
            return None
        info_class = converter.config.info_class
        with_self = base.self_parameter is not None
        # The parameters Strawberry fills in (`get_arguments`): the source, as `self` first
        # and by name as `parent` or `root`; the info by name.
        source_names = tuple(
            parameter.name
            for parameter in (base.parent_parameter, base.root_parameter)
            if parameter is not None
        )
        info_name = base.info_parameter.name if base.info_parameter is not None else None
        func = base.wrapped_func
        parameters = list(base.signature.parameters.values())
        if (
            with_self
            and not source_names
            and info_name is not None
            and inspect.isfunction(func)
            and [parameter.name for parameter in parameters]
            == [base.self_parameter.name, info_name]  # type: ignore[union-attr]
            and parameters[1].kind in _POSITIONAL
        ):
            # `def field(self, info)`, a plain function: what `base(source, info=…)` comes to,
            # without the resolver's `__call__` and a keyword dict per call.

            def self_and_info(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
                return func(source, info_class(_raw_info=info, _field=field))

            return self_and_info

        def direct(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
            kwargs: dict[str, Any] = dict.fromkeys(source_names, source)
            if info_name is not None:
                kwargs[info_name] = info_class(_raw_info=info, _field=field)
            if with_self:
                return base(source, **kwargs)
            return base(**kwargs)

        return direct

    def _subplan(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> list[_Step] | None:
        """The plan of an object's selection set where graphql-core would go from
        `complete_object_value` straight to `execute_fields` (no `is_type_of`, no new `@defer`
        in it); None where it would not. Remembered per object type and field details, like
        graphql-core's own `collect_subfields`, whose answer it plans."""
        subplans: dict[tuple[GraphQLObjectType, int], tuple[FieldDetailsList, Any]] = (
            self.__dict__.setdefault("_gateway_subplans", {})
        )
        key = (object_type, id(field_details_list))
        cached = subplans.get(key)
        if cached is not None and cached[0] is field_details_list:
            return cached[1]  # type: ignore[no-any-return]
        steps: list[_Step] | None = None
        if object_type.is_type_of is None:
            grouped_field_set, new_defer_usages, _ = self.collect_subfields(
                object_type, field_details_list
            )
            if not new_defer_usages:
                steps = self._plan(object_type, grouped_field_set)
        subplans[key] = (field_details_list, steps)
        return steps

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """graphql-core's `execute_fields` over the selection set's plan (`_execute_steps`)."""
        return self._execute_steps(
            parent_type,
            source_value,
            path,
            self._plan(parent_type, grouped_field_set),
            position_context,
        )

    def _execute_steps(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        steps: list[_Step],
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """graphql-core's `execute_fields` over a plan: plain leaves are read here; every other
        field, and a plain leaf that is null or does not coerce, is executed by
        `execute_field` exactly as graphql-core would (same order, same errors)."""
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        long_way = super().execute_field
        try:
            for (
                response_name,
                field_details_list,
                resolve,
                leaf,
                object_field,
                attribute,
                text,
            ) in steps:
                if leaf is not None:
                    try:
                        value = (
                            resolve(source_value, None)
                            if attribute is None
                            else getattr(source_value, attribute)
                        )
                        if value is not None:
                            if text and type(value) is str:
                                results[response_name] = value
                                continue
                            coerced = leaf.coerce_output_value(value)
                            if coerced is not None and coerced is not Undefined:
                                results[response_name] = coerced
                                continue
                    except Exception:  # noqa: S110 - the long path reports it, located
                        pass
                if object_field is not None:
                    result = self._execute_object_field(
                        parent_type,
                        source_value,
                        field_details_list,
                        Path(path, response_name, parent_type.name),
                        position_context,
                        object_field,
                    )
                else:
                    result = long_way(
                        parent_type,
                        source_value,
                        field_details_list,
                        Path(path, response_name, parent_type.name),
                        position_context,
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

    def _execute_object_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
        object_field: _ObjectField,
    ) -> AwaitableOrValue[Any]:
        """graphql-core's `execute_field` for a planned object field without arguments: the
        field, its nodes and its resolver come from the plan, and a value that is there (not
        null, not an error, not awaitable) is completed as its object type directly (what
        `complete_value` comes to for it); all else as in graphql-core."""
        field_def, field_nodes, return_type, object_type, resolve_fn = object_field
        info = self.build_resolve_info(field_def, field_nodes, parent_type, path)
        try:
            result = resolve_fn(source, info)
            if self.is_awaitable(result):
                return self.complete_awaitable_value(
                    return_type, field_details_list, info, path, result, position_context
                )
            if result is None or result is Undefined or isinstance(result, Exception):
                completed = self.complete_value(
                    return_type, field_details_list, info, path, result, position_context
                )
            else:
                steps = self._subplan(object_type, field_details_list)
                if steps is not None and position_context is None:
                    completed = self._execute_steps(object_type, result, path, steps, None)
                else:
                    completed = self.complete_object_value(
                        object_type, field_details_list, info, path, result, position_context
                    )
            if self.is_awaitable(completed):
                return _await_completed(self, completed, return_type, field_details_list, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        return completed

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[Any]:
        """An object that is there (a list's item, mostly) completed as its object type
        directly, without `complete_value`'s dispatch (twice for a non-null type), and a list of
        objects completed item by item in one loop (`_complete_object_list`); every other value
        as graphql-core completes it."""
        if result is not None and result is not Undefined and not isinstance(result, Exception):
            inner = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
            if isinstance(inner, GraphQLObjectType):
                if position_context is None:
                    steps = self._subplan(inner, field_details_list)
                    if steps is not None:
                        return self._execute_steps(inner, result, path, steps, None)
                return self.complete_object_value(
                    inner, field_details_list, info, path, result, position_context
                )
            if isinstance(inner, GraphQLList) and type(result) is list and position_context is None:
                item_type = inner.of_type
                object_type = (
                    item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
                )
                if (
                    isinstance(object_type, GraphQLObjectType)
                    and self.get_stream_usage(field_details_list, path) is None
                ):
                    steps = self._subplan(object_type, field_details_list)
                    if steps is not None:
                        return self._complete_object_list(
                            item_type, object_type, steps, field_details_list, info, path, result
                        )
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _complete_object_list(
        self,
        item_type: GraphQLOutputType,
        object_type: GraphQLObjectType,
        steps: list[_Step],
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: list[Any],
    ) -> AwaitableOrValue[list[Any]]:
        """graphql-core's `complete_iterable_value` for a list of objects without `@stream`:
        an item that is there is completed over the object's plan (what `complete_list_item_value`
        comes to for it); a null, an error or an awaitable item takes graphql-core's own steps,
        and so do the errors (located at the item, the rest settled in the background)."""
        is_awaitable = self.is_awaitable
        completed_results: list[Any] = []
        append_completed = completed_results.append
        awaitable_indices: list[int] = []
        iterator = iter(items)
        index = 0
        try:
            for item in iterator:
                item_path = path.add_key(index, None)
                if is_awaitable(item):
                    append_completed(
                        self.complete_awaitable_list_item_value(
                            item, item_type, field_details_list, info, item_path, None
                        )
                    )
                    awaitable_indices.append(index)
                elif item is None or item is Undefined or isinstance(item, Exception):
                    if self.complete_list_item_value(
                        item,
                        completed_results,
                        item_type,
                        field_details_list,
                        info,
                        item_path,
                        None,
                    ):
                        awaitable_indices.append(index)
                else:
                    try:
                        completed = self._execute_steps(object_type, item, item_path, steps, None)
                        if is_awaitable(completed):
                            append_completed(
                                _await_completed(
                                    self, completed, item_type, field_details_list, item_path
                                )
                            )
                            awaitable_indices.append(index)
                        else:
                            append_completed(completed)
                    except Exception as raw_error:
                        self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                        append_completed(None)
                index += 1
        except Exception:
            maybe_awaitables = [completed_results[i] for i in awaitable_indices]
            maybe_awaitables.extend(collect_iterator_awaitables(iterator, is_awaitable))
            if maybe_awaitables:
                self.settle_in_background(maybe_awaitables)
            raise
        if not awaitable_indices:
            return completed_results

        async def get_completed_results() -> list[Any]:
            if len(awaitable_indices) == 1:
                only = awaitable_indices[0]
                completed_results[only] = await completed_results[only]
            else:
                awaited = await gather_with_cancel(
                    *(completed_results[i] for i in awaitable_indices)
                )
                for i, value in zip(awaitable_indices, awaited, strict=True):
                    completed_results[i] = value
            return completed_results

        return get_completed_results()

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> AwaitableOrValue[Any] | UndefinedType:
        node = field_details_list[0].node
        middleware = self.middleware_manager
        # Strawberry always passes a manager; it wraps resolvers only when it holds middleware.
        if not node.arguments and (middleware is None or not middleware.middlewares):
            field_def = self.schema.get_field(parent_type, node.name.value)
            resolve = field_def.resolve if field_def is not None else None
            if resolve is not None and getattr(resolve, "__name__", None) == BASIC_RESOLVER:
                leaf = field_def.type  # type: ignore[union-attr]
                if isinstance(leaf, GraphQLNonNull):
                    leaf = leaf.of_type
                if isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
                    try:
                        value = resolve(source, None)
                        if value is not None:
                            coerced = leaf.coerce_output_value(value)
                            if coerced is not None and coerced is not Undefined:
                                return coerced
                    except Exception:  # noqa: S110 - the long path reports it, located
                        pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
