"""docs/errors.md is a contract: its table has one entry per error code the gateway emits.

The documented set is parsed from the page, the code's set is `ErrorCode` (and the schema's
`enum ErrorCode`, which clients introspect), and each code must be raised somewhere in the
package: a code nobody emits is as wrong in the docs as a code the docs do not explain.
"""

from __future__ import annotations

import re
from pathlib import Path

from customer_gateway.core.errors import ErrorCode

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "errors.md"
PACKAGE = ROOT / "customer_gateway"


def _documented() -> dict[str, str]:
    """code -> its `retryable` cell, from the table under "## Error codes"."""
    section = PAGE.read_text(encoding="utf-8").split("## Error codes", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        match = re.match(r"\| `([A-Z_]+)` \|.*\| (yes|no) \|$", line)
        if match:
            assert match.group(1) not in rows, f"{match.group(1)} is documented twice"
            rows[match.group(1)] = match.group(2)
    return rows


def _schema_codes() -> set[str]:
    schema = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    block = re.search(r"enum ErrorCode \{(.*?)\}", schema, re.S)
    assert block
    return set(block.group(1).split())


def test_the_table_is_found() -> None:
    documented = _documented()
    assert "BAD_USER_INPUT" in documented
    assert documented["UPSTREAM_TIMEOUT"] == "yes"
    assert len(documented) > 20


def test_the_documented_codes_are_the_codes() -> None:
    code = {member.value for member in ErrorCode}
    documented = set(_documented())
    assert documented - code == set(), "documented, but not an ErrorCode"
    assert code - documented == set(), "an ErrorCode docs/errors.md does not explain"
    assert _schema_codes() == code


def test_every_code_is_emitted() -> None:
    sources = "\n".join(
        path.read_text(encoding="utf-8")
        for path in PACKAGE.rglob("*.py")
        if path != PACKAGE / "core" / "errors.py"
    )
    for member in ErrorCode:
        used = f"ErrorCode.{member.name}" in sources or f'"{member.value}"' in sources
        assert used, f"{member.value} is documented and in the enum, but nothing raises it"
