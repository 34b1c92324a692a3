"""Text order: an approximation of glibc's en_US.UTF-8 collation (ISO 14651).

The order a PostgreSQL database with the default locale gives names and e-mails: letters compared
without accents and case first (punctuation before digits before letters), then accents, then
lower case before upper. The gateway merges sources in this order, so a page over several sources
is the page one such database holding them all would return; the EverShop emulator sorts with it
because that is the collation a stock EverShop database runs with.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any, Final

# Letters ISO 14651 sorts as (sequences of) base letters although Unicode does not decompose them.
_FOLD: Final = {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "þ": "th"}


@lru_cache(maxsize=65_536)
def en_us_key(text: str) -> tuple[Any, ...]:
    primary: list[tuple[int, str]] = []
    accents: list[str] = []
    cases: list[int] = []
    for char in text:
        lower = char.lower()
        base = _FOLD.get(lower)
        if base is None:
            decomposed = unicodedata.normalize("NFKD", lower)
            base = "".join(c for c in decomposed if not unicodedata.combining(c)) or lower
        for piece in base:
            rank = 2 if piece.isalpha() else 1 if piece.isdigit() else 0
            primary.append((rank, piece))
        accents.append(lower)
        cases.append(0 if char == lower else 1)
    return (tuple(primary), tuple(accents), tuple(cases), text)
