"""Ecwid's scalar formats (README 3.1): date-times, date filters, `responseFields` projections."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Final

from .payloads import EcwidError

# `yyyy-MM-dd HH:mm:ss Z`; the emulator keeps every instant in UTC, so Z is always +0000.
_DATE_TIME: Final = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2})(?: ([+-])(\d{2}):?(\d{2}))?)?$"
)
_UNIX: Final = re.compile(r"^\d{1,12}(?:\.\d+)?$")
_FIELD_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

FieldSpec = dict[str, "FieldSpec | None"]


@lru_cache(maxsize=4096)
def format_datetime(timestamp: float) -> str:
    # Kept per instant: a list renders each customer's two dates on every read.
    return f"{datetime.fromtimestamp(int(timestamp), UTC):%Y-%m-%d %H:%M:%S} +0000"


def parse_datetime(text: str) -> float:
    """`yyyy-MM-dd[ HH:mm:ss[ Z]]`; a missing time is midnight, a missing zone UTC.

    Assumption: a value without a zone is UTC (Ecwid may use the store's time zone).
    Raises ValueError otherwise.
    """
    match = _DATE_TIME.match(text.strip())
    if match is None:
        raise ValueError(text)
    year, month, day, hour, minute, second, sign, zone_h, zone_m = match.groups()
    offset = timedelta(0)
    if sign is not None:
        offset = timedelta(hours=int(zone_h), minutes=int(zone_m)) * (1 if sign == "+" else -1)
    moment = datetime(
        int(year),
        int(month),
        int(day),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        tzinfo=timezone(offset),
    )
    return moment.timestamp()


def parse_date_filter(name: str, text: str) -> float:
    """A date query parameter: UNIX seconds, or (older docs) `yyyy-MM-dd[ HH:mm:ss[ Z]]`."""
    if _UNIX.match(text.strip()):
        return float(text)
    try:
        return parse_datetime(text)
    except ValueError:
        raise EcwidError.bad_request(
            f"Parameter '{name}' has invalid value '{text}': expected a UNIX timestamp"
            " or a date 'yyyy-MM-dd HH:mm:ss Z' (URL-encode the plus sign)"
        ) from None


# -- responseFields ----------------------------------------------------------------------------
class _FieldParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def fail(self) -> EcwidError:
        return EcwidError.bad_request(
            f"Parameter 'responseFields' has invalid value '{self.text}' (at position {self.at})"
        )

    def skip_spaces(self) -> None:
        while self.at < len(self.text) and self.text[self.at] == " ":
            self.at += 1

    def fields(self) -> FieldSpec:
        spec: FieldSpec = {}
        while True:
            self.skip_spaces()
            match = _FIELD_NAME.match(self.text, self.at)
            if match is None:
                raise self.fail()
            self.at = match.end()
            self.skip_spaces()
            nested: FieldSpec | None = None
            if self.at < len(self.text) and self.text[self.at] == "(":
                self.at += 1
                nested = self.fields()
                if self.at >= len(self.text) or self.text[self.at] != ")":
                    raise self.fail()
                self.at += 1
                self.skip_spaces()
            spec[match.group()] = nested
            if self.at < len(self.text) and self.text[self.at] == ",":
                self.at += 1
                continue
            return spec


def parse_response_fields(text: str) -> FieldSpec:
    """`items(id,email),total` -> {"items": {"id": None, "email": None}, "total": None}."""
    parser = _FieldParser(text)
    spec = parser.fields()
    if parser.at != len(text):
        raise parser.fail()
    return spec


def project(value: Any, spec: FieldSpec) -> Any:
    """Keep only the fields named in `spec`; lists are projected element by element."""
    if isinstance(value, list):
        return [project(item, spec) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        name: value[name] if nested is None else project(value[name], nested)
        for name, nested in spec.items()
        if name in value
    }
