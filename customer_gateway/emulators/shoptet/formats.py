"""Shoptet's scalar formats (README 1.5) and HTTP-level value formats.

Date-times are e-shop local time (Europe/Prague) written `YYYY-MM-DDThh:mm:ss+hhmm`, the spec's
`typeDateTimeNullable` pattern (only `+` offsets, no colon). The CET/CEST switch is computed from
the EU rule instead of `zoneinfo`, so the emulator does not depend on the host's tz database.
"""

from __future__ import annotations

import calendar
import email.utils
import math
import random
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Final

_DATETIME: Final = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$"
)
_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UUID_EPOCH_TICKS: Final = 0x01B21DD213814000  # 100 ns ticks from 1582-10-15 to 1970-01-01


@lru_cache(maxsize=64)
def _summer_time_bounds(year: int) -> tuple[float, float]:
    """EU summer time: last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC."""

    def last_sunday(month: int) -> float:
        last_day = calendar.monthrange(year, month)[1]
        day = datetime(year, month, last_day, 1, tzinfo=UTC)
        return (day - timedelta(days=(day.weekday() + 1) % 7)).timestamp()

    return last_sunday(3), last_sunday(10)


def prague_offset(timestamp: float) -> int:
    """Seconds east of UTC in Europe/Prague at `timestamp` (CET +3600, CEST +7200)."""
    start, end = _summer_time_bounds(datetime.fromtimestamp(timestamp, UTC).year)
    return 7200 if start <= timestamp < end else 3600


def format_datetime(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    whole = math.floor(timestamp)
    offset = prague_offset(whole)
    local = datetime.fromtimestamp(whole + offset, UTC)
    return f"{local:%Y-%m-%dT%H:%M:%S}+{offset // 3600:02d}{offset % 3600 // 60:02d}"


def parse_datetime(text: str) -> float:
    """A query filter value: the zone is required, with or without a colon (`+0200`, `+02:00`).

    Raises ValueError otherwise, including for an unencoded `+` that arrived as a space
    (README 1.5: `+` must be URL-encoded as `%2B`).
    """
    match = _DATETIME.match(text)
    if match is None:
        raise ValueError(text)
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    zone = match.group(7)
    if zone == "Z":
        offset = 0
    else:
        digits = zone[1:].replace(":", "")
        offset = (int(digits[:2]) * 3600 + int(digits[2:]) * 60) * (-1 if zone[0] == "-" else 1)
    naive = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    return naive.timestamp() - offset


def is_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def http_date(timestamp: float) -> str:
    """RFC 9110 IMF-fixdate, as in `Retry-After: Mon, 01 Jul 2024 12:01:11 GMT`."""
    return email.utils.formatdate(math.ceil(timestamp), usegmt=True)


def uuid1_like(timestamp: float, tick: int, clock_seq: int, node: int) -> str:
    """Shoptet guids look like UUIDv1 (time + clock sequence + MAC-like node)."""
    ticks = _UUID_EPOCH_TICKS + int(timestamp) * 10_000_000 + tick
    time_low = ticks & 0xFFFFFFFF
    time_mid = (ticks >> 32) & 0xFFFF
    time_hi_version = ((ticks >> 48) & 0x0FFF) | 0x1000
    variant_and_seq = 0x8000 | (clock_seq & 0x3FFF)
    node &= 0xFFFFFFFFFFFF
    return f"{time_low:08x}-{time_mid:04x}-{time_hi_version:04x}-{variant_and_seq:04x}-{node:012x}"


def uuid1_tick(guid: str) -> int | None:
    """The sub-second tick `uuid1_like` was given (None if `guid` is not such a UUID)."""
    try:
        parsed = uuid.UUID(guid)
    except ValueError:
        return None
    if parsed.version != 1 or str(parsed) != guid:
        return None
    return (parsed.time - _UUID_EPOCH_TICKS) % 10_000_000


class RequestIds:
    """`metadata.requestId` / `X-Request-ID`: UUIDv7-shaped like the spec's examples."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"shoptet-request-ids:{seed}")

    def next(self, timestamp: float) -> str:
        millis = int(timestamp * 1000) & ((1 << 48) - 1)
        rand_a = self._rng.getrandbits(12)
        rand_b = self._rng.getrandbits(62)
        value = (millis << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
        return str(uuid.UUID(int=value))
