"""Global ids: `<source name>:<native id>`.

Unique across sources (source names are unique and cannot contain ':'), readable, URL-safe for
every native id format we meet (uuids, numbers, Flow Retail uids), and decodable without a lookup,
so `customer(id:)` routes straight to the owning source.
"""

from __future__ import annotations

from customer_gateway.server.settings import SOURCE_NAME
from customer_gateway.text.sendable import path_problem

SEPARATOR = ":"


def global_id(source: str, native_id: str) -> str:
    return f"{source}{SEPARATOR}{native_id}"


MAX_NATIVE_ID = 255


def parse_global_id(value: str) -> tuple[str, str] | None:
    """(source, native id), or None when `value` is not a global id.

    A native id goes into upstream URLs and bodies: one with a control character, a NUL or a
    lone surrogate (not printable), or longer than any source's ids, is no id of any source.
    """
    source, separator, native_id = value.partition(SEPARATOR)
    if not separator or not native_id or not SOURCE_NAME.match(source):
        return None
    if len(native_id) > MAX_NATIVE_ID or not native_id.isprintable():
        return None
    if not is_path_segment(native_id):
        return None
    return source, native_id


def is_path_segment(value: str) -> bool:
    """An id that goes into upstream URLs is one path segment: "../x", "a/b" or "x?y" would
    make the URL another resource's."""
    return bool(value) and "/" not in value and path_problem(value) is None
