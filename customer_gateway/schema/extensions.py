"""Schema extensions: partial-failure errors and the per-source report in `extensions.sources`.

The state they report lives in the request context; an extension instance only reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from customer_gateway.context import GatewayContext


class SourceReport(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        result = self.execution_context.result
        if not isinstance(context, GatewayContext) or result is None or not context.partial_errors:
            return
        result.errors = [
            *(result.errors or []),
            *(
                GraphQLError(
                    partial.error.message,
                    path=partial.path,
                    original_error=partial.error,
                    extensions=partial.error.extensions,
                )
                for partial in context.partial_errors
            ),
        ]

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        if not isinstance(context, GatewayContext):
            return {}
        return {"sources": context.sources_extension()}
