"""The executor: graphql-core's, with a short path for plain leaf fields.

graphql-core runs every field through the same machinery: a resolve info object, argument
coercion, Strawberry's resolver wrapper and the completion dispatch. Most fields of a customer
page are plain attribute reads into a scalar (`email`, `fullName`, `uuid`, `groupName`): a page
of 100 customers is ~500 of them. For those, this executor reads the attribute through
Strawberry's own basic resolver and coerces the value as the scalar says, and nothing else.

The short path is taken only where it cannot differ from the long one: a field Strawberry itself
resolves as a basic field (no resolver, no extensions, no permissions), with no arguments, no
middleware, a scalar or enum type, and a value that is not null and coerces. Anything else,
including every error, goes the long way (reading an attribute twice has no effect).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path
from graphql.pyutils.undefined import UndefinedType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# The name Strawberry gives the resolver of a basic field (strawberry/schema/schema_converter.py);
# tests/unit/test_executor.py fails if a Strawberry upgrade stops the short path being taken.
BASIC_RESOLVER = "_get_basic_result"


class PlainFieldExecutor(StrawberryGraphQLCoreExecutionContext):
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
