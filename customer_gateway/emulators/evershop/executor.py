"""graphql-core's executor with a short path for plain leaf fields, for the admin GraphQL API.

A page of 100 customers is ~700 leaf fields (`uuid`, `email`, `groupName`, ...) that the
default resolver reads from a row and a built-in scalar coerces. graphql-core runs each through
a resolve info object, the resolver call and the completion dispatch. For a leaf field whose
value cannot differ, this executor reads the row's key and coerces the value itself:

- the field has no resolver of its own (graphql-core's `default_field_resolver` would run), no
  arguments in the schema or the query, and the execution has no middleware;
- its type is a scalar or an enum, or one of them made non-null;
- the source is a plain `dict` and the value a `str`, `int`, `float` or `bool` (so not null,
  not callable, not awaitable) that the type coerces to something other than null.

Everything else, every error included, takes graphql-core's own path, which reads the value
again (a dict lookup: nothing to observe) and reports it as before.

`is_awaitable` answers False for the plain builtin values the resolvers return without
graphql-core's `hasattr(value, "__await__")`, which is a failed attribute lookup for each.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Any, Final, TypeGuard
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.executor import Executor, default_field_resolver
from graphql.pyutils import AwaitableOrValue, Path, Undefined
from graphql.pyutils import is_awaitable as default_is_awaitable
from graphql.pyutils.undefined import UndefinedType

Leaf = GraphQLScalarType | GraphQLEnumType

_PLAIN_VALUES: Final = frozenset({str, int, float, bool})
_NEVER_AWAITABLE: Final = frozenset(
    {dict, list, tuple, str, int, float, bool, type(None), datetime}
)

# Per schema (weakly), per (parent type, field name): the leaf type of a plain leaf field, or
# None. Resolvers are set on the schema once, when it is built (graphql_api: `_build`).
_LEAVES: WeakKeyDictionary[GraphQLSchema, dict[tuple[GraphQLObjectType, str], Leaf | None]] = (
    WeakKeyDictionary()
)


def is_awaitable(value: Any) -> TypeGuard[Awaitable[Any]]:
    """graphql-core's `is_awaitable`, answered at once for builtin values (none has `__await__`)."""
    return type(value) not in _NEVER_AWAITABLE and default_is_awaitable(value)


def _plain_leaf(schema: GraphQLSchema, parent_type: GraphQLObjectType, name: str) -> Leaf | None:
    field_def = schema.get_field(parent_type, name)
    if field_def is None or field_def.resolve is not None or field_def.args:
        return None
    field_type = field_def.type
    if isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    return field_type if isinstance(field_type, GraphQLScalarType | GraphQLEnumType) else None


class LeafShortcutExecutor(Executor[Any]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._leaves = _LEAVES.setdefault(self.schema, {})

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> AwaitableOrValue[Any] | UndefinedType:
        node = field_details_list[0].node
        if (
            type(source) is dict
            and not node.arguments
            and self.middleware_manager is None
            and self.field_resolver is default_field_resolver
        ):
            key = (parent_type, node.name.value)
            leaves = self._leaves
            if key in leaves:
                leaf = leaves[key]
            else:
                leaf = leaves[key] = _plain_leaf(self.schema, parent_type, node.name.value)
            if leaf is not None:
                value = source.get(node.name.value)
                if type(value) in _PLAIN_VALUES:
                    try:
                        coerced = leaf.coerce_output_value(value)
                    except Exception:  # the long path reports it, located
                        coerced = None
                    if coerced is not None and coerced is not Undefined:
                        return coerced
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
