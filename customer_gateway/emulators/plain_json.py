"""Compact JSON through orjson where its bytes are exactly the standard library's.

The emulators write `json.dumps(body, ensure_ascii=False, separators=(",", ":"))` (Express's
`res.json` and the other upstreams alike). The standard library spends about 8 µs per Flow
Retail customer object on it, orjson a tenth of that; for the values below both write the
same bytes, so orjson writes them and the standard library writes everything else:

- `dict` (exact type) with `str` keys, `list` and `tuple`, `str`, `bool` and None;
- `int` in orjson's range (64 bits);
- `float` (only where the caller allows floats) that Python writes without an exponent:
  0.0 or 1e-4 <= |x| < 1e16 (the same shortest digits; NaN and infinities excluded: orjson
  writes them as null, Python as NaN and Infinity).

Subclasses, enums, UUIDs, dates and every other type (which orjson would write and json.dumps
refuses) take the standard library's path, and so does a string orjson refuses (a lone
surrogate) and nesting deeper than orjson goes. tests/emulators/test_plain_json.py compares
both on generated values.
"""

from __future__ import annotations

from typing import Any, Final

import orjson

_INT_MIN: Final = -(2**63)
_INT_MAX: Final = 2**64 - 1
_LEAVES: Final = frozenset({str, bool, type(None)})


def plain_json(value: Any, *, floats: bool = True) -> bytes | None:
    """`json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()` by orjson, or
    None where orjson's bytes could differ (the caller then writes them its own way)."""
    try:
        if not _plain(value, floats):
            return None
        return orjson.dumps(value)
    except (TypeError, RecursionError):  # orjson.JSONEncodeError is a TypeError
        return None


def _plain(value: Any, floats: bool) -> bool:
    kind = type(value)
    if kind is dict or kind is list or kind is tuple:
        if kind is dict:
            if any(type(key) is not str for key in value):
                return False
            value = value.values()
        for item in value:
            if type(item) in _LEAVES:
                continue
            if type(item) is int:
                if not _INT_MIN <= item <= _INT_MAX:
                    return False
                continue
            if not _plain(item, floats):
                return False
        return True
    if kind in _LEAVES:
        return True
    if kind is int:
        return bool(_INT_MIN <= value <= _INT_MAX)
    if kind is float:
        # NaN fails every comparison and infinities the upper bound.
        return floats and bool(value == 0.0 or 1e-4 <= abs(value) < 1e16)
    return False
