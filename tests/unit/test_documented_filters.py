"""The Filters table (docs/queries.md) is a contract: every key and operation it lists is one the parser
takes, and every key the parser takes is listed (read both ways)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from customer_gateway.connectors.models import Op
from customer_gateway.resolvers.filters import parsing as filters
from customer_gateway.resolvers.filters.parsing import parse_customer_filters

QUERIES = Path(__file__).resolve().parents[2] / "docs" / "queries.md"
SAMPLES = {
    "status": "1",
    "created_at": "2024-03-11T10:15:02+01:00",
    "updated_at": "1710148502000",
    "source": "evershop-main",
    "ob": "created_at",
    "od": "DESC",
    "page": "1",
    "limit": "1",
}


@dataclass
class F:
    key: str
    operation: Op
    value: str | None


def _table() -> dict[str, set[str]]:
    text = QUERIES.read_text(encoding="utf-8")
    section = text[text.index("## Filters") :]
    section = section[: section.index("\n\n", section.index("| key |"))]
    rows: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        operations = {op.strip() for op in cells[1].split(",")}
        for key in re.findall(r"`([a-z_]+)`", cells[0]):
            rows[key] = operations
    return rows


def test_every_documented_key_and_operation_is_taken() -> None:
    table = _table()
    assert "created_at" in table
    for key, operations in table.items():
        for operation in operations:
            request = parse_customer_filters(
                [F(key, Op(operation), SAMPLES.get(key, "x"))],
                max_limit=100,
                sources=("evershop-main",),
            )
            assert (key, operation) in {(k, o) for k, o, _ in request.echo}


def test_every_key_the_parser_takes_is_documented() -> None:
    documented = set(_table())
    taken = set(filters._CUSTOMER_KEYS) | {"source", *filters._PAGING_KEYS}
    assert taken == documented
