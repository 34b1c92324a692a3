"""Vendor the customer part of Shoptet's OpenAPI file for the emulator's contract tests.

CI has no copy of the 2 MB upstream spec, so this keeps the paths the Shoptet emulator serves
plus every component they reference (transitively) in a small JSON file the tests read.

    .venv/bin/python tools/trim_shoptet_openapi.py [SPEC_YAML] [OUTPUT_JSON]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Final

import yaml

ROOT: Final = Path(__file__).resolve().parents[1]
DEFAULT_SPEC: Final = Path("/work/shared/upstreams/specs/shoptet-openapi.yaml")
DEFAULT_OUTPUT: Final = ROOT / "tests/contracts/shoptet-customers.openapi.json"
SOURCE: Final = "shoptet/developers openapi/openapi.yaml commit 5498de99"

PATHS: Final = (
    "/api/customers",
    "/api/customers/snapshot",
    "/api/customers/changes",
    "/api/customers/regions",
    "/api/customers/groups",
    "/api/customers/groups/{id}",
    "/api/customers/{guid}",
    "/api/customers/{guid}/accounts",
    "/api/customers/{guid}/accounts/{accountGuid}",
    "/api/webhooks",
    "/api/webhooks/{id}",
    "/api/webhooks/renew-signature-key",
    "/api/system/jobs",
    "/api/system/jobs/{jobId}",
)
# Named only in the snapshot operation's `x-shoptet-response-ref` (as `#/definitions/...`).
EXTRA_SCHEMAS: Final = ("customerSnapshot",)


def _stringify_keys(node: Any) -> Any:
    """YAML reads response codes as ints; JSON (and the OpenAPI model) wants strings."""
    if isinstance(node, dict):
        return {str(key): _stringify_keys(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_stringify_keys(item) for item in node]
    return node


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            found.add(ref)
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for item in node:
            found |= _refs(item)
    return found


def trim(spec: dict[str, Any]) -> dict[str, Any]:
    paths = {path: spec["paths"][path] for path in PATHS}
    components: dict[str, dict[str, Any]] = {
        "securitySchemes": spec["components"]["securitySchemes"]
    }
    pending = _refs(paths) | {f"#/components/schemas/{name}" for name in EXTRA_SCHEMAS}
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        _, _, section, name = ref.split("/", 3)
        target = spec["components"][section][name]
        components.setdefault(section, {})[name] = target
        pending |= _refs(target) - seen
    for section in components:
        components[section] = dict(sorted(components[section].items()))
    trimmed: dict[str, Any] = _stringify_keys(
        {
            "x-trimmed-from": SOURCE,
            "openapi": spec["openapi"],
            "info": {"title": spec["info"]["title"], "version": spec["info"]["version"]},
            "servers": spec.get("servers", []),
            "security": spec.get("security", []),
            "paths": paths,
            "components": components,
        }
    )
    return trimmed


def main(argv: list[str]) -> int:
    spec_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_SPEC
    output = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUTPUT
    with spec_path.open(encoding="utf-8") as handle:
        spec = yaml.load(handle, Loader=yaml.CSafeLoader)  # the pure-Python loader takes ~5 s
    trimmed = trim(spec)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(trimmed, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    sys.stderr.write(f"wrote {output} ({output.stat().st_size} bytes)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
