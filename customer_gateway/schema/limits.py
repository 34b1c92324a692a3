"""What a caller may ask: size and shape limits, an upstream-cost budget, scopes.

Order matters: the document's length is checked before parsing; its shape (root fields,
selections per set, directives) in one linear walk after parsing and before validation (where
graphql-core's cost lives); the cost estimate after validation, with the variables; scopes
just before execution. Every refusal is QUERY_TOO_COMPLEX or FORBIDDEN, with no upstream call.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
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

from customer_gateway.core.context import GatewayContext
from customer_gateway.core.errors import Forbidden, QueryTooComplex
from customer_gateway.server.settings import Limits
from customer_gateway.text.digits import is_ascii_digits


def _context(extension: SchemaExtension) -> GatewayContext | None:
    context = extension.execution_context.context
    return context if isinstance(context, GatewayContext) else None


class QueryShape(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        context = _context(self)
        limits = context.settings.limits if context else Limits()
        check_length(self.execution_context.query or "", limits)
        yield
        document = self.execution_context.graphql_document
        if document is not None:
            check_shape(document, limits)


def check_length(query: str, limits: Limits) -> None:
    """Refuse a document longer than the limit, before parsing it."""
    if len(query) > limits.max_query_chars:
        raise QueryTooComplex(f"The query is longer than {limits.max_query_chars} characters.")


def check_shape(document: DocumentNode, limits: Limits) -> Shape:
    """Refuse a document whose expanded shape is over a limit, in time linear in its size."""
    try:
        shape = measure(document, cap=_cap(limits))
    except RecursionError:
        raise QueryTooComplex("The document nests too deeply to be checked.") from None
    for name, value, limit, what in (
        ("depth", shape.depth, limits.max_depth, "levels deep"),
        ("aliases", shape.aliases, limits.max_aliases, "aliases"),
        ("selections", shape.widest, limits.max_selections, "selections in one selection set"),
    ):
        if value > limit:
            amount = "more than " + str(limit) if value >= _cap(limits) else str(value)
            raise QueryTooComplex(
                f"The operation has {amount} {what} (fragments expanded); the {name} limit is "
                f"{limit}."
            )
    for roots, mutation in shape.operations:
        cap = limits.max_mutations if mutation else limits.max_root_fields
        if roots > cap:
            raise QueryTooComplex(f"The operation has {roots} root fields; the limit is {cap}.")
    if shape.directives > limits.max_directives:
        raise QueryTooComplex(
            f"The document uses {shape.directives} directives; the limit is "
            f"{limits.max_directives}."
        )
    return shape


def _cap(limits: Limits) -> int:
    # Counts saturate here: past every limit the exact figure no longer matters, and numbers
    # stay small whatever the fragments multiply to.
    return 1 + max(limits.max_depth, limits.max_aliases, limits.max_selections)


@dataclass(slots=True)
class Shape:
    """A document's shape with fragments expanded as execution would expand them.

    `depth`: nested field levels (leaves and introspection fields `__*` count 0; an inline
    fragment counts as a level of its own, a named fragment's spread does not); `aliases`:
    aliased fields, every use of a fragment counted; `widest`: the most selections one selection
    set holds after its fragments are inlined (duplicates counted); `operations`: each
    operation's root fields and whether it is a mutation; `visited`: AST nodes the walk looked
    at, which tests hold linear in the document.
    """

    depth: int = 0
    aliases: int = 0
    widest: int = 0
    operations: list[tuple[int, bool]] = dataclasses.field(default_factory=list)
    directives: int = 0
    visited: int = 0


@dataclass(frozen=True, slots=True)
class _Summary:
    """What one selection set adds, fragments expanded: memoised per named fragment."""

    depth: int  # nested levels below (and including) this set's fields
    aliases: int  # aliased fields anywhere below
    width: int  # selections at this set's own level (inline fragments and spreads inlined)


class _Walk:
    """Each named fragment is summarised once and reused at every spread: linear in the
    document, however often fragments spread each other (a diamond of 30 fragments each
    spreading the next twice describes 2^30 fields; this walk visits 60 spreads)."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], cap: int) -> None:
        self.fragments = fragments
        self.cap = cap
        self.done: dict[str, _Summary] = {}
        self.active: set[str] = set()  # fragments being summarised: a cycle (invalid) adds 0
        self.visited = 0
        self.widest = 0

    def fragment(self, name: str) -> _Summary:
        summary = self.done.get(name)
        if summary is not None:
            return summary
        definition = self.fragments.get(name)
        if definition is None or name in self.active:
            return _EMPTY  # unknown or cyclic: validation refuses the document later
        self.active.add(name)
        summary = self.selection_set(definition.selection_set)
        self.active.discard(name)
        self.done[name] = summary
        return summary

    def selection_set(self, selection_set: SelectionSetNode) -> _Summary:
        depth = aliases = width = 0
        for selection in selection_set.selections:
            self.visited += 1
            if isinstance(selection, FieldNode):
                width += 1
                aliases += 1 if selection.alias is not None else 0
                if selection.selection_set is not None and not selection.name.value.startswith(
                    "__"
                ):
                    below = self.selection_set(selection.selection_set)
                    depth = max(depth, 1 + below.depth)
                    aliases += below.aliases
            else:
                inner = (
                    self.fragment(selection.name.value)
                    if isinstance(selection, FragmentSpreadNode)
                    else self._inline(selection)
                )
                depth = max(depth, inner.depth)
                aliases += inner.aliases
                width += inner.width
            aliases = min(aliases, self.cap)
            width = min(width, self.cap)
        self.widest = max(self.widest, width)
        return _Summary(min(depth, self.cap), aliases, width)

    def _inline(self, selection: Any) -> _Summary:
        assert isinstance(selection, InlineFragmentNode)
        inner = self.selection_set(selection.selection_set)
        return _Summary(min(inner.depth + 1, self.cap), inner.aliases, inner.width)


_EMPTY = _Summary(0, 0, 0)


def measure(document: DocumentNode, cap: int) -> Shape:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walk = _Walk(fragments, cap)
    shape = Shape()
    for definition in document.definitions:
        if isinstance(definition, (OperationDefinitionNode, FragmentDefinitionNode)):
            for selection_set in _selection_sets(definition.selection_set):
                for selection in selection_set.selections:
                    shape.directives += len(selection.directives or ())
        if isinstance(definition, OperationDefinitionNode):
            summary = walk.selection_set(definition.selection_set)
            shape.depth = max(shape.depth, summary.depth)
            shape.aliases = min(cap, shape.aliases + summary.aliases)
            mutation = definition.operation is OperationType.MUTATION
            shape.operations.append((summary.width, mutation))
    shape.widest = walk.widest
    shape.visited = walk.visited
    return shape


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
        check_cost(
            document,
            self.execution_context.operation_name,
            self.execution_context.variables,
            context,
        )


def check_cost(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    context: GatewayContext,
    memo: dict[Any, Any] | None = None,
) -> None:
    """QueryTooComplex when the operation's estimate is over the budget (CostLimit's check,
    also the plain path's: schema/plain.py)."""
    budget = context.settings.limits.max_cost
    estimate = estimate_cost(
        document,
        operation_name,
        variables or {},
        sources=len(context.sources),
        default_limit=min(20, context.settings.max_page_size),
        max_limit=context.settings.max_page_size,
        memo=memo,
    )
    if estimate > budget:
        raise QueryTooComplex(
            f"The operation could cause about {estimate} upstream calls; the budget is "
            f"{budget}. Ask for fewer items or fewer fields that need a call per item."
        )


# Fields of a Customer that may need the source's detail (a list summary lacks them).
_DETAIL_FIELDS = frozenset({"email", "status", "phone", "group", "groups", "addresses", "fullName"})
_PER_ITEM_CALLS = {"storeView": 1, "orders": 1}


def estimate_cost(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    *,
    sources: int,
    default_limit: int,
    max_limit: int | None = None,
    memo: dict[Any, Any] | None = None,
) -> int:
    """What the operation may cost upstream. A `limit` over `max_limit` counts as `max_limit`:
    the resolver refuses it as BAD_USER_INPUT, the same answer for 101 as for 1000.

    `memo`: what depends on the document alone (its root fields, what each item costs),
    remembered across calls for the same document (the plain path keeps one per document:
    schema/plain.py); only the arguments are read again, as they come from the variables."""
    memo = {} if memo is None else memo
    plan = memo.get(("roots", operation_name))
    if plan is None:
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        chosen = [
            o
            for o in operations
            if operation_name is None or (o.name is not None and o.name.value == operation_name)
        ]
        roots = [
            (field, operation.operation is OperationType.MUTATION)
            for operation in chosen[:1]
            for field in _fields(operation.selection_set, fragments, set())
        ]
        plan = memo[("roots", operation_name)] = (fragments, roots)
    fragments, roots = plan
    total = 0
    for field, mutation in roots:
        args = {arg.name.value: _value(arg.value, variables) for arg in field.arguments or ()}
        total += _root_cost(
            field, args, fragments, mutation, sources, default_limit, max_limit, memo
        )
    return total


def _root_cost(
    field: FieldNode,
    args: Mapping[str, Any],
    fragments: Mapping[str, FragmentDefinitionNode],
    mutation: bool,
    sources: int,
    default_limit: int,
    max_limit: int | None = None,
    memo: dict[Any, Any] | None = None,
) -> int:
    memo = {} if memo is None else memo

    def remembered(what: str, compute: Callable[[], int]) -> int:
        key = (what, id(field))
        value = memo.get(key)
        if value is None:
            value = memo[key] = compute()
        return int(value)

    name = field.name.value
    if mutation:
        if name == "batchCustomers":
            lists = ("create", "update", "delete", "upsert")
            return sum(len(_items(args.get(key))) for key in lists)
        if name == "erasePerson":
            return sources
        return 10 if name == "startCustomerExport" else 2
    if name == "customers":
        limit = _filter_limit(args.get("filters"), default_limit)
        if max_limit is not None:
            limit = min(limit, max_limit)
        fanout = 1 if _filters_one_source(args.get("filters")) else sources
        return fanout + limit * remembered("items", lambda: _item_cost(field, fragments, "items"))
    if name == "customersConnection":
        size = _count(args.get("first") if args.get("first") is not None else args.get("last"), 20)
        fanout = 1 if _filters_one_source(args.get("filters")) else sources

        def node_cost() -> int:
            edges = [
                f for f in _fields(field.selection_set, fragments, set()) if f.name.value == "edges"
            ]
            return max((_item_cost(edge, fragments, "node") for edge in edges), default=0)

        return fanout + size * remembered("node", node_cost)
    if name == "customerChanges":
        limit = _count(args.get("limit"), 20)
        uses_customer = remembered(
            "customer",
            lambda: int(
                any(f.name.value == "customer" for f in _nested(field, fragments, "items"))
            ),
        )
        return sources + (limit if uses_customer else 0)
    if name == "personDataExport":  # each source's export of the person's customers
        return sources
    if name in ("customerGroups", "regions"):
        return sources
    if name == "_entities":  # references batch per source, as a page of that many does
        count = len(_items(args.get("representations")))
        return sources + count * remembered("item", lambda: _item_cost(field, fragments, None))
    if name in ("customer", "customerGroup", "externalCustomerSearch", "customerDataExport"):
        return 1 + remembered("item", lambda: _item_cost(field, fragments, None))
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
    for item in _items(filters):
        if isinstance(item, Mapping) and item.get("key") == "limit":
            return max(1, _count(item.get("value"), default))
    return default


def _count(value: Any, default: int) -> int:
    """A count from an argument not yet coerced (variables are checked after this estimate):
    anything that is not plainly a number is left to coercion to refuse."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and is_ascii_digits(value) and len(value) < 10:
        return int(value)
    return default


def _items(value: Any) -> list[Any]:
    """A list argument as coercion will see it: GraphQL takes a single item for a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _filters_one_source(filters: Any) -> bool:
    return any(
        isinstance(item, Mapping) and item.get("key") == "source" and item.get("operation") == "eq"
        for item in _items(filters)
    )


class Authorization(SchemaExtension):
    """Queries need the `read` scope, mutations `write`."""

    def on_execute(self) -> Iterator[None]:
        context = _context(self)
        if context is not None:
            operation = self.execution_context.operation_type
            authorize(context, operation is StrawberryOperationType.MUTATION)
        yield


def authorize(context: GatewayContext, mutation: bool) -> None:
    """Forbidden unless the caller holds the operation's scope and some source (Authorization's
    check, also the plain path's: schema/plain.py)."""
    scope = "write" if mutation else "read"
    if not context.principal.may(scope):
        raise Forbidden(f"This caller's credentials lack the {scope!r} scope.")
    if context.principal.sources == frozenset():
        raise Forbidden("This caller's credentials grant no source.")
