"""schema.graphql is the committed contract: this fails when the live schema drifts from it.

After an intended change: `make schema`, review the diff, commit it.
"""

from __future__ import annotations

from pathlib import Path

from customer_gateway.schema import build_schema

SNAPSHOT = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_schema_matches_the_committed_sdl() -> None:
    live = build_schema().as_str() + "\n"
    assert SNAPSHOT.read_text(encoding="utf-8") == live, (
        "The GraphQL schema changed. Run `make schema`, review the diff, and commit schema.graphql."
    )
