"""The metrics the docs name are the ones the gateway registers, both ways: each documented
`gateway_*` metric (docs/operations.md's table, the mirror's in docs/mirror.md, the others'
mentions) is a metric of `observability/telemetry.py`, and each metric registered there is
documented."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TELEMETRY = ROOT / "customer_gateway" / "observability" / "telemetry.py"
# Names that start like a metric and are not one (a table of the replicas' PostgreSQL schema).
NOT_METRICS = {"gateway_idempotency_keys"}
# The samples Prometheus derives from a metric's name (a counter's `_total`, a histogram's).
_SUFFIXES = ("_total", "_bucket", "_count", "_sum")


def _base(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def documented() -> set[str]:
    names: set[str] = set()
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for name in re.findall(r"`(gateway_[a-z_]+)[`{]", page.read_text()):
            if name not in NOT_METRICS:
                names.add(_base(name))
    return names


def registered() -> set[str]:
    source = TELEMETRY.read_text()
    return set(re.findall(r'^\s*"(gateway_[a-z_]+)",?\s*$', source, re.M)) | set(
        re.findall(r'MetricFamily\(\s*"(gateway_[a-z_]+)"', source)
    )


def test_the_docs_and_the_registry_name_the_same_metrics() -> None:
    docs, code = documented(), registered()
    # Both readers find names where they should (a regex that found nothing would pass).
    assert {"gateway_requests", "gateway_mirror_lag_seconds"} <= docs
    assert {"gateway_requests", "gateway_subscriptions"} <= code
    assert docs - code == set(), "documented but not registered"
    assert code - docs == set(), "registered but not documented"
