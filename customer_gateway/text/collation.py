"""Text order: a source's collation (`SourceSettings.collation`), as PostgreSQL applies it.

`sort_key(collation)` gives the key function of each collation a source can declare:

- "C" (C.UTF-8, the cluster default of Debian's PostgreSQL and of a database created as the
  EverShop quick start does): code point order, so "Zoë" < "ann" (upper case first) and
  accented letters after every ASCII one. Python compares strings exactly so.
- "en_US" (en_US.UTF-8, the official postgres image's default): glibc's collation, below.

glibc's en_US.UTF-8 collation, as PostgreSQL applies it to ORDER BY:

The order a PostgreSQL database with the default locale (the official postgres image's
en_US.UTF-8) gives names and e-mails: compared level by level (ISO 14651) — base letters and
digits first, ignoring spaces and punctuation; then accents; then case (lower before upper);
then every character, punctuation included — and, when two different strings still compare
equal, byte by byte (Postgres's tie-break for deterministic collations). So "Anne" < "ann lee" <
"Annlee" < "Ann Lee" < "Ann-Lee", and "a.b@c.com" < "ab@c.com" < "a@b.com".

The weights are glibc's own (`data/collation-en_US.txt`, generated from the C library by
tools/evershop/glibc_collation.py, and checked against a real EverShop database by
tests/evershop_real) for Latin, Greek and Cyrillic letters, digits, punctuation and currency
signs. Characters outside that repertoire sort after it by code point (glibc has an order for
them too; this approximation is rarely reached by customer names).

The gateway merges sorted pages in their sources' collation, so a page over several sources is
the page one such database holding them all would return (`resolvers/customers.py` says what
happens when sources disagree); the EverShop emulator sorts with the same keys.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any, Final

Weights = tuple[str, str, str, str]  # levels 1-4, each a string of weight code units

_BASE_ACCENT: Final = "\x1d"  # glibc's level-2 weight of a letter without an accent
_LOWER_CASE: Final = "\x02"  # level 3 of a lower-case letter
_UNKNOWN: Final = "\uf000"  # level 1 lead weight of characters outside the table (after all)


@cache
def _table() -> tuple[dict[str, Weights], frozenset[str]]:
    weights: dict[str, Weights] = {}
    table = files("customer_gateway").joinpath("data/collation-en_US.txt").read_text("utf-8")
    for line in table.splitlines():
        if line.startswith("#"):
            continue
        code, *levels = line.split()
        text = "".join(chr(int(unit, 16)) for unit in code.split("+"))
        weights[text] = tuple(  # type: ignore[assignment]
            "" if level == "-" else "".join(chr(int(w, 16)) for w in level.split("."))
            for level in levels
        )
    pairs = frozenset(text for text in weights if len(text) == 2)
    return weights, pairs


def _unknown(char: str) -> Weights:
    code = ord(char)
    if unicodedata.combining(char):  # an accent on its own: no base letter, no case
        return "", chr(0x100 + code % 0xE00), "", chr(0x7000 + code)
    return _UNKNOWN + chr(code), _BASE_ACCENT, _LOWER_CASE, chr(0x7000 + code)


@cache
def _translations() -> tuple[frozenset[str], tuple[dict[int, str], ...]]:
    """The characters a text can be keyed by `str.translate` alone (in the table, and not the
    second of a contracted pair, so no pair can start before them), and per level their weights
    (level 4 with its position marks), as translation tables."""
    weights, pairs = _table()
    singles = {text: unit for text, unit in weights.items() if len(text) == 1}
    plain = frozenset(singles) - {pair[1] for pair in pairs}
    levels = tuple({ord(char): singles[char][level] for char in plain} for level in range(3))
    fourth = {ord(char): "".join(f"\x01{weight}" for weight in singles[char][3]) for char in plain}
    return plain, (*levels, fourth)


@lru_cache(maxsize=65_536)
def en_us_key(text: str) -> tuple[str, str]:
    """A sort key: compare keys to compare texts as Postgres does under en_US.UTF-8.

    The first part is glibc's strxfrm() of the text (levels separated by 0x01; level 4 is
    "forward,position", so each of its weights carries a 0x01 position mark), the second the
    text itself for Postgres's byte-wise tie-break.
    """
    plain, tables = _translations()
    if plain.issuperset(text):
        # Every character on its own (most names, every e-mail): each level is the text's
        # characters replaced by their weights, one `str.translate` (C) per level.
        return "\x01".join(text.translate(table) for table in tables), text
    return _key_by_character(text), text


def _key_by_character(text: str) -> str:
    weights, pairs = _table()
    levels: tuple[list[str], list[str], list[str], list[str]] = ([], [], [], [])
    index = 0
    while index < len(text):
        pair = text[index : index + 2]
        if pair in pairs:
            unit = weights[pair]
            index += 2
        else:
            unit = weights.get(text[index]) or _unknown(text[index])
            index += 1
        levels[0].append(unit[0])
        levels[1].append(unit[1])
        levels[2].append(unit[2])
        levels[3].extend(f"\x01{weight}" for weight in unit[3])
    return "\x01".join("".join(level) for level in levels)


def c_key(text: str) -> str:
    """C.UTF-8: code points in order (UTF-8 bytes compare the same way); no two texts tie."""
    return text


_KEYS: Final[dict[str, Callable[[str], Any]]] = {"en_US": en_us_key, "C": c_key}


def sort_key(collation: str) -> Callable[[str], Any]:
    """The key function of a collation named as `SourceSettings.collation` names it."""
    return _KEYS[collation]
