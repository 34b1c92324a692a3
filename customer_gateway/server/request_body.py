"""Strict JSON for request bodies: what the gateway accepts before GraphQL sees a request.

Python's `json` is generous where a gateway must not be: it takes `NaN`, `Infinity` and `1e999`
(an infinite float that no `Int` or `Float` can hold), integers of thousands of digits (their
conversion raises past 4,300 digits), lone UTF-16 surrogates (`"\\ud800"`, a string that cannot
be encoded again, so it fails later, deep inside a connector), and nesting until the
interpreter's recursion limit. Each is refused here, with a message that says what and where,
as an HTTP 400: the GraphQL-over-HTTP answer for a body that is not a well-formed request.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_NESTING = 32  # arrays and objects inside each other; GraphQL inputs here need about 4
MAX_DIGITS = 40  # digits of one JSON number; an Int is 32 bits, a Float a double
_SURROGATE = re.compile("[\ud800-\udfff]")


class BadRequestBody(ValueError):
    """The body is not a JSON object (or array) the gateway can take; the message says why."""


def _refuse_constant(name: str) -> Any:
    raise BadRequestBody(f"{name} is not JSON (the body must be RFC 8259 JSON)")


def _number(text: str, kind: type[int] | type[float]) -> int | float:
    if len(text) > MAX_DIGITS:
        raise BadRequestBody(f"a number in the body has more than {MAX_DIGITS} digits")
    value = kind(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise BadRequestBody(f"the number {text[:20]} is out of range")
    return value


_DECODER = json.JSONDecoder(
    parse_constant=_refuse_constant,
    parse_int=lambda text: _number(text, int),
    parse_float=lambda text: _number(text, float),
)


def decode_request_json(data: str | bytes) -> dict[str, Any] | list[Any]:
    """The decoded body, or `BadRequestBody`."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadRequestBody(
                f"the body is not valid UTF-8 (byte {error.start} cannot be decoded)"
            ) from None
    else:
        text = data
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as error:
        raise BadRequestBody(
            f"the body is not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
        ) from None
    except RecursionError:
        raise BadRequestBody(f"the body nests deeper than {MAX_NESTING} levels") from None
    if not isinstance(value, (dict, list)):
        raise BadRequestBody(f"the body must be a JSON object, not {_json_type(value)}")
    check_tree(value)
    return value


def check_tree(value: Any) -> None:
    """Nesting and strings, in one pass over the tree without recursion (linear in its size)."""
    stack: list[tuple[Any, str, int]] = [(value, "", 1)]
    while stack:
        node, where, depth = stack.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                raise BadRequestBody(
                    f"the string at {where or 'the top'} holds a lone UTF-16 surrogate "
                    "(not a Unicode character)"
                )
            continue
        if not isinstance(node, (dict, list)):
            continue
        if depth > MAX_NESTING:
            raise BadRequestBody(f"the body nests deeper than {MAX_NESTING} levels at {where}")
        if isinstance(node, dict):
            for key, item in node.items():
                path = f"{where}.{key}" if where else key
                if _SURROGATE.search(key):
                    raise BadRequestBody(f"a key at {where or 'the top'} holds a lone surrogate")
                stack.append((item, path, depth + 1))
        else:
            stack.extend((item, f"{where}[{index}]", depth + 1) for index, item in enumerate(node))


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string"
