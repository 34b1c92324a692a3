"""Write customer_gateway/data/collation-en_US.txt: glibc's en_US.UTF-8 weights per character.

    .venv/bin/python tools/evershop/glibc_collation.py [--check]

Needs the en_US.UTF-8 locale (`localedef -i en_US -f UTF-8 en_US.UTF-8`; `make test-evershop`
generates it). PostgreSQL's default collation on Linux is the C library's, so this table is
what an EverShop database created with en_US.UTF-8 (the official postgres image's default)
sorts customer names and e-mails by.

glibc's `strxfrm` key of a string is, level by level, the concatenation of its characters'
weights (verified here on random strings over the whole table, with `--check`): four levels
(base letter, accent, case, then every character, punctuation included), separated by 0x01.
The table keeps each character's weights; `customer_gateway.text.collation.en_us_key` rebuilds the
key from them without needing the locale at run time. The few two-character contractions
(Catalan "l·") get entries of their own. Combining marks are left out: glibc reorders their
accent weights, which per-character concatenation cannot express.
"""

from __future__ import annotations

import locale
import random
import sys
import unicodedata
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[2]
OUTPUT: Final = ROOT / "customer_gateway/data/collation-en_US.txt"
RANGES: Final = (
    (0x09, 0x0D),  # tab, line breaks
    (0x20, 0x7E),  # ASCII
    (0xA0, 0x24F),  # Latin-1 supplement, Latin Extended-A and -B
    (0x370, 0x3FF),  # Greek
    (0x400, 0x4FF),  # Cyrillic
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese, Welsh...)
    (0x2010, 0x205E),  # general punctuation
    (0x20A0, 0x20BF),  # currency signs
)
SKIPPED_CATEGORIES: Final = frozenset({"Cn", "Cc", "Cs", "Co", "Mn", "Me"})


def characters() -> list[str]:
    return [
        chr(code)
        for first, last in RANGES
        for code in range(first, last + 1)
        if unicodedata.category(chr(code)) not in SKIPPED_CATEGORIES or code < 0x20
    ]


Levels = tuple[list[int], list[int], list[int], list[int]]


def levels(text: str) -> Levels:
    """Split strxfrm(text) into its four levels; level 4 is (0x01, weight) pairs."""
    weights = [ord(unit) for unit in locale.strxfrm(text)]
    found: list[list[int]] = []
    current: list[int] = []
    index = 0
    while len(found) < 3:
        if weights[index] == 1:
            found.append(current)
            current = []
        else:
            current.append(weights[index])
        index += 1
    fourth = weights[index:]
    if fourth[0::2] != [1] * len(fourth[0::2]) or 1 in fourth[1::2]:
        raise ValueError(f"unexpected level-4 weights for {text!r}: {fourth}")
    return found[0], found[1], found[2], fourth[1::2]


def rebuild(table: dict[str, Levels], text: str) -> str:
    """The strxfrm key from the table: contractions first, then single characters."""
    units: list[Levels] = []
    index = 0
    while index < len(text):
        pair = text[index : index + 2]
        if len(pair) == 2 and pair in table:
            units.append(table[pair])
            index += 2
        else:
            units.append(table[text[index]])
            index += 1
    key = "\x01".join("".join(chr(w) for unit in units for w in unit[level]) for level in range(3))
    return key + "\x01" + "".join(f"\x01{chr(w)}" for unit in units for w in unit[3])


def contractions(table: dict[str, Levels]) -> list[str]:
    """Pairs whose key is not the concatenation of their characters' (about 25 s)."""
    pool = list(table)
    return [
        first + second
        for first in pool
        for second in pool
        if locale.strxfrm(first + second) != rebuild(table, first + second)
    ]


def render(table: dict[str, Levels]) -> str:
    lines = [
        "# glibc 2.36 en_US.UTF-8 collation weights, written by tools/evershop/glibc_collation.py.",
        "# One line per character (or `+`-joined contraction): code points, then the weights on",
        "# levels 1-4 (hex, `.`-separated, `-` for none). Do not edit; regenerate.",
    ]
    for char, weights in table.items():
        cells = [".".join(f"{weight:x}" for weight in level) or "-" for level in weights]
        code = "+".join(f"{ord(unit):x}" for unit in char)
        lines.append(f"{code} {' '.join(cells)}")
    return "\n".join(lines) + "\n"


def check(table: dict[str, Levels]) -> int:
    """Compare keys rebuilt from the table with strxfrm on random strings; the mismatches."""
    pool = [char for char in table if len(char) == 1]
    rng = random.Random(14651)
    mismatches = 0
    for _ in range(50_000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 7)))
        mismatches += rebuild(table, text) != locale.strxfrm(text)
    return mismatches


def main(argv: list[str]) -> int:
    try:
        locale.setlocale(locale.LC_COLLATE, "en_US.UTF-8")
    except locale.Error:
        sys.stderr.write("the en_US.UTF-8 locale is missing (localedef -i en_US -f UTF-8 ...)\n")
        return 2
    table = {char: levels(char) for char in characters()}
    for pair in contractions(table):
        table[pair] = levels(pair)
    mismatches = check(table)
    if mismatches:
        sys.stderr.write(f"{mismatches} random strings disagree with strxfrm\n")
        return 1
    if "--check" not in argv:
        OUTPUT.write_text(render(table))
        sys.stderr.write(f"wrote {OUTPUT} ({len(table)} characters)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
