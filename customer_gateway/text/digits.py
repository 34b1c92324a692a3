"""Digits as `int()` reads them.

`str.isdigit()` is true for every Unicode digit ("²", "①"), and `int("²")` raises: a check with
`isdigit()` followed by `int()` is a crash on input a caller or an upstream chose. Every
"is this a number?" test on outside text goes through here.
"""

from __future__ import annotations


def is_ascii_digits(text: str) -> bool:
    """True when `text` is one or more of 0-9 and nothing else."""
    return text.isascii() and text.isdigit()
