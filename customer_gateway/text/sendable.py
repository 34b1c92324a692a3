"""What a string the caller gives must be before any source sees it.

Every upstream speaks UTF-8 (JSON bodies, URLs) and EverShop keeps text in PostgreSQL, so a
value the gateway forwards must not hold a NUL (PostgreSQL refuses it with a 500: "invalid byte
sequence"; in a URL it is invalid) or a lone surrogate (U+D800..U+DFFF alone is not Unicode:
UTF-8 cannot encode it), and must be of a bounded length. Such a value is refused here with
BAD_USER_INPUT naming the field, never sent: an upstream's 500 about it would count against the
source, and an encoding error would surface as INTERNAL.

The checks are regular-expression searches without backtracking: linear in the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from customer_gateway.core.errors import BadUserInput

MAX_TEXT = 255  # characters in a text input, an id or one filter value
MAX_FILTER_VALUE = 4096  # characters in a whole filter value (an `in` / `nin` list)

_UNSENDABLE = re.compile("[\x00\ud800-\udfff]")


def why_unsendable(value: str) -> str | None:
    """Why no source can take `value`, or None when every source can."""
    if value.isascii() and "\x00" not in value:
        return None  # no surrogate in ASCII: two scans in C, not a regular-expression search
    found = _UNSENDABLE.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "a NUL character (U+0000)"
    return "a lone surrogate (U+D800..U+DFFF alone is not valid Unicode)"


def check_text(value: str, what: str, *, field: str, max_length: int = MAX_TEXT) -> str:
    """`value` when every source can take it; else BAD_USER_INPUT saying `what` is wrong."""
    if len(value) > max_length:
        raise BadUserInput(f"{what} is longer than {max_length} characters", field=field)
    reason = why_unsendable(value)
    if reason is not None:
        raise BadUserInput(f"{what} contains {reason}, which no source can take", field=field)
    return value


def first_unsendable(value: Any) -> str | None:
    """Why some string in a JSON-like value (keys included) cannot be sent, or None."""
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)  # the exact JSON types first: no ABC check per value
        if kind is str or (kind is not dict and isinstance(item, str)):
            reason = why_unsendable(item)
            if reason is not None:
                return reason
        elif kind is dict or (kind is not list and isinstance(item, Mapping)):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif kind is list or isinstance(item, list | tuple):
            pending.extend(item)
    return None


# Connectors build paths from fixed words and ids, and pass query parameters apart: a path
# with one of these came from a value that would change which resource the request reaches.
_PATH_BREAKERS = re.compile(r"[?#%\\]|(?:^|/)\.{1,2}(?:/|$)")
_PATH_MARKS = frozenset("?#%\\.")


def path_problem(path: str) -> str | None:
    """Why `path` cannot be sent as built (an id that is not one path segment), or None."""
    if not _PATH_MARKS.intersection(path):
        return None  # none of the characters a breaker needs: no regular-expression search
    found = _PATH_BREAKERS.search(path)
    if found is None:
        return None
    return f"a path segment with {found.group().strip('/')!r}, which would change the URL"


def like_pattern_problem(pattern: str) -> str | None:
    """What PostgreSQL would refuse in a LIKE pattern (backslash is its escape character), or
    None. Its one error is a pattern ending in an escape that escapes nothing: an odd run of
    backslashes at the end (`\\\\` is a literal backslash)."""
    run = len(pattern) - len(pattern.rstrip("\\"))
    if run % 2:
        return "ends with the escape character \\ (write \\\\ for a literal backslash)"
    return None
