"""The HTTP router every emulator shares.

One catch-all Starlette route hands each request to the emulator's own pipeline (its upstream's
authentication, limits and envelope stay the kind's: they are what it emulates), which asks a
`Router` for the endpoint: a table of (methods, path template, endpoint) matched in order. What
differs between upstreams is configuration: the template syntax (`{id}`, or Express's `:id`),
an optional trailing slash, case, and whether the most literal template wins. A miss says which
methods the path has, so each kind answers 404 or 405 in its own words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final, Generic, Literal, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from customer_gateway.emulators.plain_json import plain_json

T = TypeVar("T")

ALL_METHODS: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

_PARAMETER: Final = {
    "braces": re.compile(r"\{(\w+)\}"),  # OpenAPI path templates
    "colons": re.compile(r":(\w+)"),  # Express (path-to-regexp 1.x)
}


def catch_all(endpoint: Callable[[Request], Awaitable[Response]]) -> Route:
    """Every path and method to `endpoint`: the emulator routes (and 404s, 405s) itself."""
    return Route("/{path:path}", endpoint, methods=list(ALL_METHODS))


def compact_json(body: Any) -> bytes:
    """JSON as the upstreams send it: no spaces, UTF-8 as is (through orjson where its bytes
    are the same: plain_json)."""
    fast = plain_json(body)
    if fast is not None:
        return fast
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class Found(Generic[T]):
    endpoint: T
    params: dict[str, str]


@dataclass(frozen=True, slots=True)
class Missing:
    """No endpoint for the method: `allowed` holds the methods the path has (empty: no path)."""

    allowed: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Entry(Generic[T]):
    methods: frozenset[str]
    pattern: re.Pattern[str]
    literal_segments: int
    endpoint: T


class Router(Generic[T]):
    def __init__(
        self,
        routes: Iterable[tuple[str | Iterable[str], str, T]],
        *,
        syntax: Literal["braces", "colons"] = "braces",
        trailing_slash: bool = False,
        ignore_case: bool = False,
        most_literal: bool = False,
    ) -> None:
        """`routes`: (method or methods, path template, endpoint), tried in order.
        `trailing_slash`: `/customers/` is `/customers`. `most_literal`: among the templates a
        path matches, only those with the most literal segments count (`/customers/search` is
        not customer "search")."""
        self.most_literal = most_literal
        parameter = _PARAMETER[syntax]
        flags = re.IGNORECASE if ignore_case else 0
        self.entries: list[_Entry[T]] = []
        for methods, template, endpoint in routes:
            parts = parameter.split(template)  # literal, name, literal, name, ..., literal
            source = "".join(
                re.escape(part) if index % 2 == 0 else f"(?P<{part}>[^/]+)"
                for index, part in enumerate(parts)
            )
            pattern = re.compile(f"^{source}{'/?' if trailing_slash else ''}$", flags)
            literal = sum(
                1 for piece in template.split("/") if piece and not parameter.search(piece)
            )
            self.entries.append(
                _Entry(
                    frozenset({methods} if isinstance(methods, str) else methods),
                    pattern,
                    literal,
                    endpoint,
                )
            )

    def match(self, method: str, path: str) -> Found[T] | Missing:
        matches = [(entry, found) for entry in self.entries if (found := entry.pattern.match(path))]
        if matches and self.most_literal:
            specific = max(entry.literal_segments for entry, _ in matches)
            matches = [
                (entry, found) for entry, found in matches if entry.literal_segments == specific
            ]
        for entry, found in matches:
            if method in entry.methods:
                return Found(entry.endpoint, found.groupdict())
        return Missing(frozenset(m for entry, _ in matches for m in entry.methods))
