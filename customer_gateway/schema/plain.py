"""The plain path through the schema: a query or mutation whose document passes every check,
run without Strawberry's extension runner.

`Schema.execute` runs each request through its extensions' hooks: a fresh instance of each of
the seven extensions, four context managers, each looking up every extension's hook, and an
awaitable wrapper per step (about a tenth of a `customer(id)` request, bench/README.md). For a
document that passes every check, the hooks come to a fixed sequence of calls; this module makes
them directly, in Strawberry's order, with the same functions the extensions call (limits.py,
extensions.py, validation_cache.py, the same parser cache):

1. the query's length (QueryShape), the cached parse with the token limit (ParserCache,
   MaxTokensLimiter), the document's shape (QueryShape);
2. the operation's type (queries and mutations; a subscription goes Strawberry's way);
3. validation remembered by the document's identity, with the rules the introspection switch
   adds (ValidationByDocument, DisableIntrospection, AddValidationRules);
4. the cost estimate (CostLimit) and the caller's scopes (Authorization);
5. execution over the schema's executor, the errors classified and masked (`process_errors`),
   the sources' partial errors and `extensions.sources` (SourceReport).

`prepare` does 1–4, none of which has an effect: a document that fails any of them gets None,
and the caller answers the request Strawberry's way, which refuses it with Strawberry's own
error (the same bytes, nothing doubled). `execute` does 5 and answers as `Schema.execute`
answers once execution has begun, an unexpected exception included. The path exists only for
the extensions `build_schema` lists (it builds both) and without tracing (SourceReport's span).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from inspect import isawaitable
from typing import TYPE_CHECKING, Any

from graphql import DocumentNode, GraphQLError, specified_rules
from graphql.execution.middleware import MiddlewareManager
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import ParserCache
from strawberry.schema._graphql_core import execution_context_class_kwargs
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.utils.operation import get_first_operation, get_operation_type

from customer_gateway.core.context import GatewayContext
from customer_gateway.schema.extensions import add_partial_errors, begin_execution, source_results
from customer_gateway.schema.limits import authorize, check_cost, check_length, check_shape
from customer_gateway.schema.validation_cache import MAX_DOCUMENTS, DocumentValidations
from customer_gateway.server.settings import Limits

if TYPE_CHECKING:
    from graphql import ASTValidationRule
    from strawberry.schema import Schema

# The operations a POST may run that this path runs (Strawberry streams subscriptions).
_PLAIN = frozenset({OperationType.QUERY, OperationType.MUTATION})
_ALLOWED_OVER_POST = frozenset(
    {OperationType.QUERY, OperationType.MUTATION, OperationType.SUBSCRIPTION}
)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document that passed every check, for one request."""

    query: str
    document: DocumentNode
    operation_type: OperationType
    # Strawberry's `ExecutionContext.operation_name`: the one asked for, else the first
    # operation's name (what the extensions, the executor and the log see).
    operation_name: str | None
    provided_operation_name: str | None


@dataclass(slots=True)
class _DocumentMemo:
    """What holds for a document whatever the request: the limits its shape passed (None:
    not checked yet), that it validated (only a document that did is remembered as such), the
    parts of its cost estimate that the variables do not change (limits.estimate_cost)."""

    document: DocumentNode
    shape_passed: Limits | None = None
    valid: bool = False
    cost: dict[Any, Any] = field(default_factory=dict)


class PlainOperations:
    """The checks and the execution of `build_schema`'s extensions, as direct calls."""

    def __init__(
        self,
        max_tokens: int,
        validations: DocumentValidations,
        added_rules: tuple[type[ASTValidationRule], ...],
    ) -> None:
        self.max_tokens = max_tokens
        self.validations = validations
        # ExecutionContext's default rules, then what the extensions add, in their order.
        self.rules: tuple[type[ASTValidationRule], ...] = (*specified_rules, *added_rules)
        # ParserCache's own cache (shared by every instance of the same size): a query text
        # parsed on either path is the same document, so its validation is remembered once.
        self.parse = ParserCache().cached_parse_document
        self.schema: Schema | None = None
        self._memos: OrderedDict[int, _DocumentMemo] = OrderedDict()

    def bind(self, schema: Schema) -> None:
        """The schema this path runs; without directives of its own (Strawberry then adds an
        extension this path does not run), else the path stays off."""
        if not schema.directives:
            self.schema = schema

    def prepare(
        self,
        query: str,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        context: GatewayContext,
    ) -> Prepared | None:
        """The checked document, or None where Strawberry's way must answer."""
        schema = self.schema
        if schema is None:
            return None
        limits = context.settings.limits
        try:
            check_length(query, limits)
            document: DocumentNode = self.parse(query, max_tokens=self.max_tokens)
            memo = self._memo(document)
            if memo.shape_passed is not limits:
                check_shape(document, limits)
                memo.shape_passed = limits
            if operation_name is not None:
                name: str | None = operation_name
            else:
                first = get_first_operation(document)
                name = first.name.value if first is not None and first.name else None
            operation_type = get_operation_type(document, name)
            if operation_type not in _PLAIN:
                return None
            if not memo.valid:
                if self.validations.validate(schema._schema, document, self.rules):
                    return None
                memo.valid = True
            check_cost(document, name, variables, context, memo.cost)
            authorize(context, operation_type is OperationType.MUTATION)
        except Exception:  # refused: Strawberry's way gives its own answer
            return None
        return Prepared(query, document, operation_type, name, operation_name)

    def _memo(self, document: DocumentNode) -> _DocumentMemo:
        """What this path learned of a document (the parser cache hands out one document per
        query text, so its identity is its key; the entry keeps it alive)."""
        memo = self._memos.get(id(document))
        if memo is not None and memo.document is document:
            self._memos.move_to_end(id(document))
            return memo
        memo = self._memos[id(document)] = _DocumentMemo(document)
        if len(self._memos) > MAX_DOCUMENTS:
            self._memos.popitem(last=False)
        return memo

    async def execute(
        self,
        prepared: Prepared,
        variables: dict[str, Any] | None,
        operation_extensions: dict[str, Any] | None,
        context: GatewayContext,
    ) -> ExecutionResult:
        """`Schema.execute`'s answer for a prepared document (execution has begun: its
        failures are answered here, as Strawberry answers them)."""
        schema = self.schema
        assert schema is not None
        try:
            begin_execution(
                context,
                prepared.operation_type.value,
                prepared.operation_name,
                operation_extensions,
            )
            result: Any = schema._get_execute_function()(
                schema._schema,
                prepared.document,
                root_value=None,
                middleware=MiddlewareManager(),
                variable_values=variables,
                operation_name=prepared.operation_name,
                context_value=context,
                is_awaitable=optimized_is_awaitable,
                **execution_context_class_kwargs(schema.execution_context_class),
                operation_extensions=operation_extensions,
            )
            if isawaitable(result):
                result = await result
            if result.errors:
                schema._process_errors(
                    result.errors,
                    self._execution_context(prepared, variables, operation_extensions, context),
                )
            add_partial_errors(context, result)
        except Exception as error:
            coerced = (
                error
                if isinstance(error, GraphQLError)
                else GraphQLError(str(error), original_error=error)
            )
            schema._process_errors(
                [coerced],
                self._execution_context(prepared, variables, operation_extensions, context),
            )
            return ExecutionResult(data=None, errors=[coerced], extensions=source_results(context))
        return ExecutionResult(
            data=result.data, errors=result.errors, extensions=source_results(context)
        )

    def _execution_context(
        self,
        prepared: Prepared,
        variables: dict[str, Any] | None,
        operation_extensions: dict[str, Any] | None,
        context: GatewayContext,
    ) -> ExecutionContext:
        """Strawberry's execution context, made only when errors are processed (their log
        names the operation)."""
        assert self.schema is not None
        execution_context = ExecutionContext(
            query=prepared.query,
            schema=self.schema,
            allowed_operations=_ALLOWED_OVER_POST,
            context=context,
            variables=variables,
            provided_operation_name=prepared.provided_operation_name,
            operation_extensions=operation_extensions,
        )
        execution_context.graphql_document = prepared.document
        return execution_context
