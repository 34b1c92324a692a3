"""body-parser 1.20 `json({inflate: false})`, as every EverShop API route mounts it.

Errors it raises reach `apiErrorHandler`, which ignores `err.status` and answers 500 with
`err.message` (`modules/base/api/global/[apiResponse]apiErrorHandler.ts`).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from typing import Any, Final

from .js import JsSyntaxError, parse_json

_LIMIT: Final = 102_400  # body-parser's default `limit: '100kb'`
_FIRST_CHAR: Final = re.compile(r"^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d])")
_MEDIA_TYPE: Final = re.compile(r"^[!#$%&'*+.^_`|~0-9a-z-]+/[!#$%&'*+.^_`|~0-9a-z-]+$")


class BodyParserError(Exception):
    """`str()` is the http-errors message body-parser passes to `next(err)`."""


def parse_json_body(headers: Mapping[str, str], body: bytes, *, line_column: bool = False) -> Any:
    """Return `request.body` after the json parser ran ({} when it skips the request).

    `line_column`: JSON.parse messages of V8 12+ (Node 22+), see `js.parse_json`.
    """
    if "transfer-encoding" not in headers and not _has_length(headers.get("content-length")):
        return {}
    content_type = headers.get("content-type", "")
    media_type, _, params = content_type.partition(";")
    if _MEDIA_TYPE.match(media_type.strip().lower()) is None:
        return {}
    if media_type.strip().lower() != "application/json":
        return {}
    charset = _charset(params) or "utf-8"
    if not charset.startswith("utf-"):
        raise BodyParserError(f'unsupported charset "{charset.upper()}"')
    if headers.get("content-encoding", "identity").lower() != "identity":
        raise BodyParserError("content encoding unsupported")
    if len(body) > _LIMIT:
        raise BodyParserError("request entity too large")
    try:
        codec = codecs.lookup(charset)
    except LookupError:
        raise BodyParserError(f'unsupported charset "{charset.upper()}"') from None
    text = codec.decode(body, "replace")[0]
    if text.startswith("\ufeff"):  # iconv-lite strips a byte order mark
        text = text[1:]
    return _parse(text, line_column)


def _has_length(value: str | None) -> bool:
    return value is not None and value.strip().isdigit()


def _charset(params: str) -> str | None:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def _parse(text: str, line_column: bool) -> Any:
    if text == "":
        return {}  # body-parser special-cases an empty body
    match = _FIRST_CHAR.match(text)
    first = match.group(1) if match else None
    if first not in ("{", "["):
        raise BodyParserError(_strict_violation(text, first, line_column))
    try:
        return parse_json(text, line_column=line_column)
    except JsSyntaxError as error:
        raise BodyParserError(str(error)) from None


def _strict_violation(text: str, first: str | None, line_column: bool) -> str:
    """createStrictSyntaxError: parse a '#'-masked copy, then put the real characters back."""
    index = text.find(first) if first is not None else text.find("undefined")
    partial = "" if index == -1 else text[:index] + "#" * (len(text) - index)
    try:
        parse_json(partial, line_column=line_column)
    except JsSyntaxError as error:
        message = str(error)
    else:  # pragma: no cover - a '#' can never parse
        message = "strict violation"
    return re.sub(r"#+", lambda run: text[index : index + len(run.group())], message)
