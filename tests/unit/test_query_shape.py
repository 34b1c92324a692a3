"""The document limits are checked in time linear in the document: fragments that spread each
other (diamonds) describe exponentially many fields, and the check must not walk them."""

from __future__ import annotations

import pytest
from graphql import DocumentNode, parse, visit
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, Visitor

from customer_gateway.core.errors import QueryTooComplex
from customer_gateway.schema.limits import check_shape, measure
from customer_gateway.server.settings import Limits

DEPTHS = (10, 20, 30, 40, 50, 60)


def fragment_diamond(levels: int) -> str:
    """F1 spreads F2 twice, F2 spreads F3 twice, …: 2^levels fields in 2·levels spreads."""
    chain = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(1, levels)]
    chain.append(f"fragment F{levels} on Query {{ __typename }}")
    return "{ ...F1 } " + " ".join(chain)


def alias_diamond(levels: int) -> str:
    """The same on Customer, each level adding two aliases."""
    chain = [
        f"fragment A{i} on Customer {{ a{i}: email b{i}: email ...A{i + 1} ...A{i + 1} }}"
        for i in range(1, levels)
    ]
    chain.append(f"fragment A{levels} on Customer {{ uuid }}")
    return "{ customers { items { ...A1 } } } " + " ".join(chain)


def inline_nest(levels: int) -> str:
    return "{ " + "... on Query { " * levels + "__typename" + " }" * levels + " }"


SHAPES = {"fragment diamond": fragment_diamond, "alias diamond": alias_diamond}
SHAPES["inline-fragment nest"] = inline_nest


class _Count(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.selections = 0

    def enter(self, node: object, *args: object) -> None:
        if isinstance(node, (FieldNode, FragmentSpreadNode, InlineFragmentNode)):
            self.selections += 1


def selections(document: DocumentNode) -> int:
    counter = _Count()
    visit(document, counter)
    return counter.selections


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("levels", DEPTHS)
def test_each_hostile_shape_is_refused(shape: str, levels: int) -> None:
    with pytest.raises(QueryTooComplex):
        check_shape(parse(SHAPES[shape](levels)), Limits())


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_work_grows_linearly_with_the_document(shape: str) -> None:
    for levels in DEPTHS:
        document = parse(SHAPES[shape](levels))
        # Each selection of the document is visited once: the walk summarises a fragment once
        # and reuses the summary at every spread.
        assert measure(document, cap=101).visited == selections(document)


def test_the_expanded_counts_are_exact_below_the_cap() -> None:
    shape = measure(parse(alias_diamond(3)), cap=10_000)
    # A1: 2 + 2·A2; A2: 2 + 2·A3; A3: 0 -> A2 = 2, A1 = 6.
    assert shape.aliases == 6
    assert shape.depth == 2  # customers { items { … } }: fragments add no level
    assert shape.widest == 2 + 2 * (2 + 2 * 1)  # A1's set with its spreads inlined
    assert measure(parse(inline_nest(5)), cap=100).depth == 5


def test_ordinary_documents_pass() -> None:
    document = parse(
        """
        query Grid($filters: [FilterInput]) {
          customers(filters: $filters) { total currentPage items { ...Row } }
        }
        fragment Row on Customer { uuid fullName email group { groupName } addresses { city } }
        """
    )
    shape = check_shape(document, Limits())
    assert (shape.depth, shape.aliases, shape.operations) == (3, 0, [(1, False)])


def test_introspection_does_not_count_towards_depth() -> None:
    document = parse("{ __schema { types { fields { type { ofType { ofType { name } } } } } } }")
    assert check_shape(document, Limits(max_depth=2)).depth == 0


def test_each_operation_has_its_own_root_field_cap() -> None:
    five = " ".join(f'd{i}: deleteCustomer(id: "x") {{ uuid }}' for i in range(5))
    document = parse("query Q { sources { name } } mutation M { " + five + " }")
    with pytest.raises(QueryTooComplex, match="5 root fields; the limit is 4"):
        check_shape(document, Limits())


def test_cyclic_fragments_end_the_walk() -> None:
    document = parse("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }")
    assert measure(document, cap=101).visited == 3  # validation refuses the cycle later
