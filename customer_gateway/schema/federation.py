"""The gateway as an Apollo Federation v2 subgraph: what it accepts in `_entities`, and
`_service` kept behind the introspection switch.

`_entities(representations:)` is a caller's input like any other: each representation must be
`{__typename: "Customer" | "CustomerGroup", uuid: String}` (else a BAD_USER_INPUT error at
that position, the others still resolved), and at most `max_page_size` of them come in one
request (the cost estimate counts them as a page of that size).

`_service { sdl }` prints the whole schema: where introspection is off (production), it is
refused as introspection is, and the supergraph is composed from the committed SDL
(schema.graphql) instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import FieldNode, GraphQLError, ValidationRule

from customer_gateway.core.errors import BadUserInput, QueryTooComplex

ENTITY_TYPES = frozenset({"Customer", "CustomerGroup"})


def check_representations(
    representations: list[Any], limit: int
) -> tuple[list[tuple[int, dict[str, Any]]], dict[int, Exception]]:
    """(the valid references with their positions, an error for each other position)."""
    if len(representations) > limit:
        raise QueryTooComplex(
            f"_entities takes at most {limit} representations in one request "
            f"({len(representations)} were sent)."
        )
    valid: list[tuple[int, dict[str, Any]]] = []
    errors: dict[int, Exception] = {}
    for index, representation in enumerate(representations):
        if (
            isinstance(representation, Mapping)
            and set(representation) == {"__typename", "uuid"}
            and representation["__typename"] in ENTITY_TYPES
            and isinstance(representation["uuid"], str)
        ):
            valid.append((index, dict(representation)))
        else:
            errors[index] = BadUserInput(
                f"representations[{index}] is not a reference this subgraph resolves: "
                '{__typename: "Customer" or "CustomerGroup", uuid: String}',
                field="representations",
            )
    return valid, errors


class NoServiceSdl(ValidationRule):
    """`_service` refused where introspection is off (it prints the schema)."""

    def enter_field(self, node: FieldNode, *args: Any) -> None:
        if node.name.value == "_service":
            self.report_error(
                GraphQLError(
                    "GraphQL introspection is not allowed here, and `_service` is introspection: "
                    "compose the supergraph from the published schema.",
                    node,
                )
            )
