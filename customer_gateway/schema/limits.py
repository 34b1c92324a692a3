"""What a caller may ask: size and shape limits, an upstream-cost budget, scopes.

Order matters: the document's length is checked before parsing; its shape (root fields,
selections per set, directives) in one linear walk after parsing and before validation (where
graphql-core's cost lives); the cost estimate after validation, with the variables; scopes
just before execution. Every refusal is QUERY_TOO_COMPLEX or FORBIDDEN, with no upstream call.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType as StrawberryOperationType

from customer_gateway.context import GatewayContext
from customer_gateway.errors import Forbidden, QueryTooComplex
from customer_gateway.settings import Limits


def _context(extension: SchemaExtension) -> GatewayContext | None:
    context = extension.execution_context.context
    return context if isinstance(context, GatewayContext) else None


class QueryShape(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        context = _context(self)
        limits = context.settings.limits if context else Limits()
        query = self.execution_context.query or ""
        if len(query) > limits.max_query_chars:
            raise QueryTooComplex(f"The query is longer than {limits.max_query_chars} characters.")
        yield
        document = self.execution_context.graphql_document
        if document is not None:
            check_shape(document, limits)


def check_shape(document: DocumentNode, limits: Limits) -> None:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    directives = 0
    for definition in document.definitions:
        if isinstance(definition, (OperationDefinitionNode, FragmentDefinitionNode)):
            for selection_set in _selection_sets(definition.selection_set):
                count = len(selection_set.selections)
                if count > limits.max_selections:
                    raise QueryTooComplex(
                        f"A selection set holds {count} selections; the limit is "
                        f"{limits.max_selections}."
                    )
                for selection in selection_set.selections:
                    directives += len(selection.directives or ())
        if isinstance(definition, OperationDefinitionNode):
            roots = sum(1 for _ in _fields(definition.selection_set, fragments, set()))
            cap = (
                limits.max_mutations
                if definition.operation is OperationType.MUTATION
                else limits.max_root_fields
            )
            if roots > cap:
                raise QueryTooComplex(f"The operation has {roots} root fields; the limit is {cap}.")
    if directives > limits.max_directives:
        raise QueryTooComplex(
            f"The document uses {directives} directives; the limit is {limits.max_directives}."
        )


def _selection_sets(selection_set: SelectionSetNode | None) -> Iterator[SelectionSetNode]:
    if selection_set is None:
        return
    yield selection_set
    for selection in selection_set.selections:
        if isinstance(selection, (FieldNode, InlineFragmentNode)):
            yield from _selection_sets(selection.selection_set)


def _fields(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: set[str],
) -> Iterator[FieldNode]:
    """The fields of a selection set, fragments expanded (each fragment once: no cycles)."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in seen or name not in fragments:
                continue
            seen.add(name)
            yield from _fields(fragments[name].selection_set, fragments, seen)


class CostLimit(SchemaExtension):
    """The upstream calls an operation could cause, estimated from the document and variables."""

    def on_validate(self) -> Iterator[None]:
        yield
        context = _context(self)
        document = self.execution_context.graphql_document
        if context is None or document is None or self.execution_context.pre_execution_errors:
            return
        budget = context.settings.limits.max_cost
        estimate = estimate_cost(
            document,
            self.execution_context.operation_name,
            self.execution_context.variables or {},
            sources=len(context.sources),
            default_limit=min(20, context.settings.max_page_size),
        )
        if estimate > budget:
            raise QueryTooComplex(
                f"The operation could cause about {estimate} upstream calls; the budget is "
                f"{budget}. Ask for fewer items or fewer fields that need a call per item."
            )


# Fields of a Customer that may need the source's detail (a list summary lacks them).
_DETAIL_FIELDS = frozenset({"email", "status", "phone", "group", "groups", "addresses", "fullName"})
_PER_ITEM_CALLS = {"storeView": 1}


def estimate_cost(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    *,
    sources: int,
    default_limit: int,
) -> int:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name is not None and o.name.value == operation_name)
    ]
    total = 0
    for operation in chosen[:1]:
        mutation = operation.operation is OperationType.MUTATION
        for field in _fields(operation.selection_set, fragments, set()):
            args = {arg.name.value: _value(arg.value, variables) for arg in field.arguments or ()}
            total += _root_cost(field, args, fragments, mutation, sources, default_limit)
    return total


def _root_cost(
    field: FieldNode,
    args: Mapping[str, Any],
    fragments: Mapping[str, FragmentDefinitionNode],
    mutation: bool,
    sources: int,
    default_limit: int,
) -> int:
    name = field.name.value
    if mutation:
        if name == "batchCustomers":
            return sum(len(args.get(key) or []) for key in ("create", "update", "delete", "upsert"))
        return 10 if name == "startCustomerExport" else 2
    if name == "customers":
        limit = _filter_limit(args.get("filters"), default_limit)
        fanout = 1 if _filters_one_source(args.get("filters")) else sources
        return fanout + limit * _item_cost(field, fragments, "items")
    if name == "customerChanges":
        limit = int(args.get("limit") or 20)
        uses_customer = any(f.name.value == "customer" for f in _nested(field, fragments, "items"))
        return sources + (limit if uses_customer else 0)
    if name in ("customerGroups", "regions"):
        return sources
    if name in ("customer", "customerGroup", "externalCustomerSearch", "customerDataExport"):
        return 1 + _item_cost(field, fragments, None)
    return 0


def _item_cost(
    field: FieldNode, fragments: Mapping[str, FragmentDefinitionNode], path: str | None
) -> int:
    fields = (
        list(_nested(field, fragments, path))
        if path
        else list(_fields(field.selection_set, fragments, set()))
    )
    names = {f.name.value for f in fields}
    cost = sum(_PER_ITEM_CALLS.get(name, 0) for name in names)
    return cost + (1 if names & _DETAIL_FIELDS else 0)


def _nested(
    field: FieldNode, fragments: Mapping[str, FragmentDefinitionNode], name: str | None
) -> Iterator[FieldNode]:
    for child in _fields(field.selection_set, fragments, set()):
        if child.name.value == name:
            yield from _fields(child.selection_set, fragments, set())


def _value(node: ValueNode, variables: Mapping[str, Any]) -> Any:
    try:
        return value_from_ast_untyped(node, dict(variables))
    except (TypeError, ValueError):
        return None


def _filter_limit(filters: Any, default: int) -> int:
    for item in filters or []:
        if isinstance(item, Mapping) and item.get("key") == "limit":
            value = item.get("value")
            return (
                max(1, int(value))
                if isinstance(value, (int, str)) and str(value).isdigit()
                else default
            )
    return default


def _filters_one_source(filters: Any) -> bool:
    return any(
        isinstance(item, Mapping) and item.get("key") == "source" and item.get("operation") == "eq"
        for item in filters or []
    )


class Authorization(SchemaExtension):
    """Queries need the `read` scope, mutations `write`."""

    def on_execute(self) -> Iterator[None]:
        context = _context(self)
        if context is not None:
            operation = self.execution_context.operation_type
            scope = "write" if operation is StrawberryOperationType.MUTATION else "read"
            if not context.principal.may(scope):
                raise Forbidden(f"This caller's credentials lack the {scope!r} scope.")
        yield
