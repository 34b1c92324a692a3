"""What the store's columns hold so that SQL answers exactly as the gateway's own evaluation.

Sort keys are bytes compared byte by byte (SQLite BLOB, PostgreSQL bytea: memcmp), so `ORDER BY`
needs no database collation and gives the same order on every database:

- text: the collation's key (`collation.en_us_key`: glibc's weights, then the text for the
  byte-wise tie-break) as UTF-8, the two parts joined by a NUL byte (no weight contains NUL, so
  a shorter weight string sorts first, as in the tuple it encodes);
- a missing value: `b"\\xff"`, a byte UTF-8 never contains, so it sorts after every value
  ascending and before them descending, as PostgreSQL's nulls (and the gateway's merge) do;
- creation time: microseconds since the epoch (missing: after every real time);
- native ids: numbers numerically, before texts (the merge's `natural_id` tie-break).

Contains-searches compare lowered text, as the gateway's `ilike` does (`str.lower` of both
sides, then character by character): `lower(value) LIKE lower(pattern)`, case-sensitively, is
exactly `ilike(value, pattern)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from customer_gateway.text.collation import en_us_key
from customer_gateway.text.digits import is_ascii_digits

MISSING_TEXT = b"\xff"
MISSING_TIME = 1 << 62  # microseconds: after every real moment

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def text_key(text: str | None, collation: str = "en_US") -> bytes:
    if text is None:
        return MISSING_TEXT
    if collation == "C":  # code point order: UTF-8 bytes compare the same way
        return text.encode("utf-8", "surrogatepass")
    weights, tie = en_us_key(text)
    return weights.encode("utf-8", "surrogatepass") + b"\x00" + tie.encode("utf-8", "surrogatepass")


def time_key(moment: datetime | None) -> int:
    """Microseconds since the epoch; the order of `datetime.timestamp()` (the merge's key)."""
    if moment is None:
        return MISSING_TIME
    if moment.tzinfo is None:
        return round(moment.timestamp() * 1_000_000)
    return (moment - _EPOCH) // _MICROSECOND


_MICROSECOND = datetime.resolution


def natural_key(native_id: str) -> bytes:
    """`natural_id` as bytes: (0, number) for ASCII digits, else (1, text)."""
    if is_ascii_digits(native_id):
        number = int(native_id)
        digits = number.to_bytes((number.bit_length() + 7) // 8, "big")
        return b"\x00" + bytes([len(digits)]) + digits
    return b"\x01" + native_id.encode("utf-8", "surrogatepass")


# -- case folding, as the gateway's ILIKE compares ---------------------------------------------


def fold(text: str | None) -> str | None:
    """`str.lower()`, as `filtering.ilike` lowers both sides (PostgreSQL's ILIKE does too)."""
    return None if text is None else text.lower()


def normalise_phone(value: str) -> str:
    """As the gateway compares phones (`filtering.normalise_phone`)."""
    return "".join(char for char in value if char.isdigit() or char == "+")


def normalise_vat(value: str) -> str:
    return value.replace(" ", "").upper()


# -- LIKE patterns ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pattern:
    """An EverShop LIKE pattern parsed as the gateway's `like_pattern` reads it: `%` any run,
    `_` one character, a backslash makes the next character literal (a trailing one is itself
    literal). Literal characters are folded."""

    parts: tuple[str | None, ...]  # a literal character, or None for `_`; "%" runs are `ANY`

    def literal_runs(self) -> Iterator[str]:
        """Runs of literal characters (what a trigram index can look up)."""
        run: list[str] = []
        for part in self.parts:
            if part is None or part is ANY:
                if run:
                    yield "".join(run)
                run = []
            else:
                run.append(part)
        if run:
            yield "".join(run)

    def glob(self) -> str:
        """SQLite GLOB (case-sensitive; `*`, `?`, and `[c]` for a literal special)."""
        out = []
        for part in self.parts:
            if part is ANY:
                out.append("*")
            elif part is None:
                out.append("?")
            elif part in "*?[]":
                out.append(f"[{part}]")
            else:
                out.append(part)
        return "".join(out)

    def like(self) -> str:
        """PostgreSQL LIKE with its default escape (`\\`)."""
        out = []
        for part in self.parts:
            if part is ANY:
                out.append("%")
            elif part is None:
                out.append("_")
            elif part in "%_\\":
                out.append("\\" + part)
            else:
                out.append(part)
        return "".join(out)


ANY = "\x00any"  # a sentinel part: never a single character


def parse_pattern(pattern: str) -> Pattern:
    """As `filtering.like_tokens` reads it: the pattern lowered first, then parsed."""
    pattern = pattern.lower()
    parts: list[str | None] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            index += 1
            parts.append(pattern[index])
        elif char == "%":
            if not parts or parts[-1] is not ANY:
                parts.append(ANY)
        elif char == "_":
            parts.append(None)
        else:
            parts.append(char)
        index += 1
    return Pattern(tuple(parts))


def fts_query(pattern: Pattern) -> str | None:
    """An FTS5 trigram query every match of `pattern` satisfies (None: no run is long enough
    for a trigram, so the index cannot narrow)."""
    runs = [run for run in pattern.literal_runs() if len(run) >= 3]
    if not runs:
        return None
    return " AND ".join('"' + run.replace('"', '""') + '"' for run in runs)


TextKey = Callable[[str | None], bytes]


def collation_key(collation: str) -> TextKey:
    if collation not in ("en_US", "C"):
        raise ValueError(f"unknown collation {collation!r}")
    return lambda text: text_key(text, collation)
