"""An upstream's JSON answer decoded with orjson, to the values the standard library gives.

httpx's `response.json()` is `json.loads(response.content)`; orjson decodes the same bytes in
about a third of the instructions (bench/README.md, instructions per request: the sources'
list answers were 15-19 % of a 50-customer page). Where the two would differ, the standard
library decodes:

- orjson refuses what `json` takes (`NaN`, `Infinity`, `1e400` as infinity, a lone `\\ud800`,
  a UTF-8 byte order mark, UTF-16 and UTF-32, nesting past 1,024 levels): its error sends the
  bytes to `json.loads`, which decodes them or raises as before;
- orjson reads an integer wider than 64 bits as a float, silently: bytes with a run of 19 or
  more ASCII digits anywhere (in a string too; it costs only the slower decode) go to
  `json.loads` without trying orjson. The check is one `bytes.translate` and one substring
  search, a tenth of what `json.loads` costs.

Everything else (strings, integers up to 18 digits, floats, duplicate keys: the last wins) was
checked equal, value and type, in tests/unit/test_json_bytes.py.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# Every ASCII digit becomes "0", every other byte " ": a run of digits is a run of "0"s.
_DIGITS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_WIDE = b"0" * 19  # 19 digits can exceed a signed 64-bit integer; 18 cannot


def loads(content: bytes) -> Any:
    """`json.loads(content)`'s value, or its `ValueError`."""
    if _WIDE not in content.translate(_DIGITS):
        try:
            return orjson.loads(content)
        except orjson.JSONDecodeError:
            pass
    return json.loads(content)
