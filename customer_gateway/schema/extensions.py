"""Schema extensions: partial-failure errors, the per-source report in `extensions.sources` and
the filters a list ignored in `extensions.ignoredFilters`; the request's `extensions.strictFilters`.

The state they report lives in the request context; an extension instance only reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from customer_gateway.core.context import GatewayContext


class SourceReport(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        """A span per GraphQL operation: its type and name, never the document or variables."""
        context = self.execution_context.context
        telemetry = context.telemetry if isinstance(context, GatewayContext) else None
        if telemetry is None or not telemetry.tracing:
            # Tracing off: no span to make (a no-op tracer's would only switch contexts).
            yield
            return
        with telemetry.tracer.start_as_current_span("graphql operation") as span:
            yield
            operation = self.execution_context.operation_type
            name = self.execution_context.operation_name or "anonymous"
            span.update_name(f"graphql.{operation.value if operation else 'unknown'} {name}")
            span.set_attribute("graphql.operation.name", name)
            if operation is not None:
                span.set_attribute("graphql.operation.type", operation.value)
            result = self.execution_context.result
            codes = {
                str((e.extensions or {}).get("code"))
                for e in (getattr(result, "errors", None) or [])
            }
            if codes:
                span.set_attribute("gateway.error_codes", sorted(codes))

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, GatewayContext):
            operation = self.execution_context.operation_type
            begin_execution(
                context,
                operation.value if operation else None,
                self.execution_context.operation_name,
                self.execution_context.operation_extensions,
            )
        yield
        context = self.execution_context.context
        result = self.execution_context.result
        if isinstance(context, GatewayContext) and result is not None:
            add_partial_errors(context, result)

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        if not isinstance(context, GatewayContext):
            return {}
        return source_results(context)


# The report's steps as functions: SourceReport runs them as Strawberry's hooks, the plain path
# (schema/plain.py) calls them directly, so both answer alike.


def begin_execution(
    context: GatewayContext,
    operation_type: str | None,
    operation_name: str | None,
    operation_extensions: dict[str, Any] | None,
) -> None:
    """What the request context learns as execution starts (on_execute, before)."""
    context.operation_type = operation_type
    context.operation_name = operation_name
    requested = operation_extensions or {}
    context.strict_filters_requested = requested.get("strictFilters") is True


def add_partial_errors(context: GatewayContext, result: Any) -> None:
    """The sources' partial failures, after the executor's errors (on_execute, after)."""
    if not context.partial_errors:
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


def source_results(context: GatewayContext) -> dict[str, Any]:
    """`extensions.sources` and `extensions.ignoredFilters` (get_results)."""
    results: dict[str, Any] = {"sources": context.sources_extension()}
    if context.ignored_filters:
        results["ignoredFilters"] = context.ignored_filters
    return results
