"""The GraphQL schema: EverShop's customer read model over every source, plus writes."""

from __future__ import annotations

from typing import Any, Final

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
)
from strawberry.federation.schema import FederationAny
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionContext
from strawberry.types import Info as StrawberryInfo

from customer_gateway.core.errors import ErrorCode
from customer_gateway.schema.errors import log_errors
from customer_gateway.schema.executor import PlainFieldExecutor
from customer_gateway.schema.extensions import SourceReport
from customer_gateway.schema.federation import NoServiceSdl, check_representations
from customer_gateway.schema.leaf_checks import install as install_leaf_checks
from customer_gateway.schema.limits import Authorization, CostLimit, QueryShape
from customer_gateway.schema.mutation import Mutation
from customer_gateway.schema.plain import PlainOperations
from customer_gateway.schema.query import Query
from customer_gateway.schema.subscription import Subscription
from customer_gateway.schema.validation_cache import DocumentValidations, ValidationByDocument
from customer_gateway.server.settings import Settings

ErrorCodeType = strawberry.enum(
    ErrorCode,
    name="ErrorCode",
    description="Every error carries one of these in `extensions.code`.",
)


FEDERATION_VERSION: Final = "2.9"

# Strawberry's argument conversion remembers which types are leaves (schema/leaf_checks.py).
install_leaf_checks()


class GatewaySchema(strawberry.federation.Schema):
    """Also an Apollo Federation v2 subgraph: `Customer` and `CustomerGroup` are entities keyed
    by `uuid` (`_service { sdl }`, `_entities`), so a company supergraph can extend them."""

    # The plain path through this schema's extensions (schema/plain.py); None: none.
    plain: PlainOperations | None = None

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(errors, execution_context)

    def entities_resolver(
        self, info: StrawberryInfo, representations: list[FederationAny]
    ) -> list[FederationAny]:
        """Strawberry's, behind the checks of schema/federation.py."""
        limit = info.context.settings.max_page_size if info.context is not None else 100
        valid, errors = check_representations(list(representations), limit)
        resolved = super().entities_resolver(info, [entry for _, entry in valid])  # type: ignore[misc]
        results: list[Any] = [None] * len(representations)
        for (index, _), result in zip(valid, resolved, strict=True):
            results[index] = result
        for index, error in errors.items():
            results[index] = error
        return results


def build_schema(
    settings: Settings | None = None,
    *,
    executor: type[StrawberryGraphQLCoreExecutionContext] | None = PlainFieldExecutor,
) -> GatewaySchema:
    """The schema, hardened as `settings` say (the SDL does not depend on them). `executor`:
    None runs graphql-core's own execution (the differential tests' reference)."""
    settings = settings or Settings()
    limits = settings.limits
    validations = DocumentValidations()
    extensions: list[Any] = [
        # Extensions are factories: a fresh instance per request, no state shared across.
        # QueryShape checks depth, aliases, selections, root fields and directives in one walk
        # linear in the document (Strawberry's depth and alias limiters walk every path through
        # the fragments: exponential in nested spreads).
        QueryShape,
        lambda: MaxTokensLimiter(limits.max_tokens),
        # Measured: validation is ~78 % of a small request; the caches make it ~7x faster.
        # Validations are remembered by the parsed document's identity (ParserCache hands out
        # one document per query text): Strawberry's ValidationCache hashes the whole AST.
        ParserCache,
        lambda: ValidationByDocument(validations),
        CostLimit,
        Authorization,
        SourceReport,
    ]
    added_rules: tuple[Any, ...] = ()
    if not settings.introspection:
        extensions.append(DisableIntrospection)
        extensions.append(lambda: AddValidationRules([NoServiceSdl]))
        added_rules = (NoSchemaIntrospectionCustomRule, NoServiceSdl)
    # The same checks and report as direct calls, for a document that passes them all
    # (schema/plain.py): built here beside the list it mirrors.
    plain = PlainOperations(limits.max_tokens, validations, added_rules)
    schema = GatewaySchema(
        # The newest version Hive's composition and Apollo's router both take (v2.11 is refused
        # by Hive's compose-cli: tests/clients/test_federation.py).
        federation_version=FEDERATION_VERSION,
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[ErrorCodeType],
        config=StrawberryConfig(disable_field_suggestions=settings.environment != "development"),
        extensions=extensions,
        execution_context_class=executor,
    )
    plain.bind(schema)
    schema.plain = plain
    return schema
