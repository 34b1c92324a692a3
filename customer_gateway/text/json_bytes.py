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
  `json.loads` without trying orjson. The check (`has_wide_run`) is `bytes.translate` and a
  substring search, on every fourth byte first (`_SAMPLES`): ~10 instructions a byte for the
  whole answer (a tenth of Flow Retail's list page), under 5 for most answers.

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
# (every n-th byte, the run of digits among them) that 19 digits in a row always leave: 19 bytes
# in a row hold 4 multiples of 4 in a row, and 9 multiples of 2. Without it in the sample there
# is no run of 19; with it there may be. Every fourth byte rules out most answers (an EverShop
# page's 13-digit times get past it, not past every second byte).
_SAMPLES = ((4, b"0" * 4), (2, b"0" * 9))


def has_wide_run(content: bytes) -> bool:
    """Whether `content` holds 19 or more ASCII digits in a row."""
    for step, run in _SAMPLES:
        if run not in content[::step].translate(_DIGITS):
            return False
    return _WIDE in content.translate(_DIGITS)


def loads(content: bytes) -> Any:
    """`json.loads(content)`'s value, or its `ValueError`."""
    if not has_wide_run(content):
        try:
            return orjson.loads(content)
        except orjson.JSONDecodeError:
            pass
    return json.loads(content)
