"""JavaScript value semantics EverShop's Node process applies: JSON.parse, JSON.stringify, parseInt.

`parse_json` ports V8's JSON parser (`deps/v8/src/json/json-parser.cc`) closely enough to give the
same SyntaxError messages, because body-parser forwards them verbatim to the API error envelope.
Messages are V8 11's (Node 20, which the parity suite runs EverShop 2.2.1 on, verified there);
`line_column=True` gives V8 12+'s (Node 22/24), which append "(line L column C)" to positions.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Final

from customer_gateway.emulators.plain_json import plain_json


class _Undefined:
    """JavaScript `undefined`: a missing input-object field, distinct from `null` (None)."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False


UNDEFINED: Final = _Undefined()


class JsSyntaxError(Exception):
    """A SyntaxError thrown by JSON.parse; `str()` is the JavaScript `error.message`."""


_WHITESPACE: Final = frozenset(" \t\n\r")
_NUMBER_PART: Final = frozenset(".eE0123456789-+")
_ESCAPES: Final = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r"}
_ESCAPES["t"] = "\t"
_HEX: Final = frozenset("0123456789abcdefABCDEF")
_MAX_CONTEXT: Final = 10
_SPECIAL_SOURCES: Final = frozenset({"[object Object]", "undefined", "Infinity", "NaN"})

_EOS: Final = "EOS"
_TOKEN_NUMBER: Final = "NUMBER"
_TOKEN_STRING: Final = "STRING"


def _to_utf16_units(text: str) -> str:
    """Split astral characters into surrogate pairs so indices count UTF-16 code units like V8."""
    if all(ord(char) < 0x10000 for char in text):
        return text
    units: list[str] = []
    for char in text:
        code = ord(char)
        if code < 0x10000:
            units.append(char)
        else:
            code -= 0x10000
            units.append(chr(0xD800 + (code >> 10)) + chr(0xDC00 + (code & 0x3FF)))
    return "".join(units)


def _join_surrogates(units: str) -> str:
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _token_of(char: str | None) -> str:
    if char is None:
        return _EOS
    if char == '"':
        return _TOKEN_STRING
    if char == "-" or char.isascii() and char.isdigit():
        return _TOKEN_NUMBER
    return "OTHER"


class _JsonParser:
    def __init__(self, source: str, *, line_column: bool = False) -> None:
        self.src = _to_utf16_units(source)
        self.pos = 0
        self.line_column = line_column

    # -- error reporting (ReportUnexpectedToken) ---------------------------------------------
    def _location(self) -> tuple[int, int]:
        line, last_break, cursor = 1, 0, 0
        while cursor < self.pos:
            if self.src[cursor] == "\r" and cursor < self.pos - 1 and self.src[cursor + 1] == "\n":
                cursor += 1
            if self.src[cursor] in "\r\n":
                line += 1
                last_break = cursor + 1
            cursor += 1
        return line, 1 + cursor - last_break

    def fail(self, template: str | None = None, token: str | None = None) -> JsSyntaxError:
        where = f"at position {self.pos}"
        if self.line_column:
            line, column = self._location()
            where += f" (line {line} column {column})"
        if template is not None:
            return JsSyntaxError(_join_surrogates(f"{template} {where}"))
        kind = token if token is not None else _token_of(self.peek_char())
        if kind == _EOS:
            return JsSyntaxError("Unexpected end of JSON input")
        if kind == _TOKEN_NUMBER:
            return JsSyntaxError(f"Unexpected number in JSON {where}")
        if kind == _TOKEN_STRING:
            return JsSyntaxError(f"Unexpected string in JSON {where}")
        if self.src in _SPECIAL_SOURCES:
            return JsSyntaxError(f'"{self.src}" is not valid JSON')
        char, length = self.src[self.pos], len(self.src)
        if length < 2 * _MAX_CONTEXT + 1:
            message = f"Unexpected token '{char}', \"{self.src}\" is not valid JSON"
        elif self.pos < _MAX_CONTEXT:
            context = self.src[: self.pos + _MAX_CONTEXT]
            message = f"Unexpected token '{char}', \"{context}\"... is not valid JSON"
        elif self.pos < length - _MAX_CONTEXT:
            context = self.src[self.pos - _MAX_CONTEXT : self.pos + _MAX_CONTEXT]
            message = f"Unexpected token '{char}', ...\"{context}\"... is not valid JSON"
        else:
            context = self.src[self.pos - _MAX_CONTEXT :]
            message = f"Unexpected token '{char}', ...\"{context}\" is not valid JSON"
        return JsSyntaxError(_join_surrogates(message))

    # -- scanning -------------------------------------------------------------------------------
    def peek_char(self) -> str | None:
        return self.src[self.pos] if self.pos < len(self.src) else None

    def skip_ws(self) -> str | None:
        while self.pos < len(self.src) and self.src[self.pos] in _WHITESPACE:
            self.pos += 1
        return self.peek_char()

    def expect(self, char: str, template: str) -> None:
        if self.skip_ws() != char:
            raise self.fail(template)
        self.pos += 1

    def parse(self) -> Any:
        value = self.value()
        if self.skip_ws() is not None:
            raise self.fail("Unexpected non-whitespace character after JSON")
        return value

    def value(self) -> Any:
        char = self.skip_ws()
        if char == '"':
            self.pos += 1
            return self.string()
        if char is not None and (char == "-" or "0" <= char <= "9"):
            return self.number()
        if char == "{":
            return self.object()
        if char == "[":
            return self.array()
        for literal, result in (("true", True), ("false", False), ("null", None)):
            if char == literal[0]:
                return self.literal(literal, result)
        raise self.fail()

    def literal(self, literal: str, result: Any) -> Any:
        if self.src.startswith(literal, self.pos):
            self.pos += len(literal)
            return result
        self.pos += 1
        for expected in literal[1:]:
            char = self.peek_char()
            if char is None:
                break
            if char != expected:
                raise self.fail()
            self.pos += 1
        raise self.fail(token=_EOS)

    def object(self) -> dict[str, Any]:
        self.pos += 1
        result: dict[str, Any] = {}
        if self.skip_ws() == "}":
            self.pos += 1
            return result
        template = "Expected property name or '}' in JSON"
        while True:
            self.expect('"', template)
            template = "Expected double-quoted property name in JSON"
            key = self.string()
            self.expect(":", "Expected ':' after property name in JSON")
            result[key] = self.value()
            if self.skip_ws() != ",":
                break
            self.pos += 1
        self.expect("}", "Expected ',' or '}' after property value in JSON")
        return result

    def array(self) -> list[Any]:
        self.pos += 1
        result: list[Any] = []
        if self.skip_ws() == "]":
            self.pos += 1
            return result
        while True:
            result.append(self.value())
            if self.skip_ws() != ",":
                break
            self.pos += 1
        self.expect("]", "Expected ',' or ']' after array element in JSON")
        return result

    def string(self) -> str:
        parts: list[str] = []
        start = self.pos
        src = self.src
        while True:
            if self.pos >= len(src):
                raise self.fail("Unterminated string in JSON")
            char = src[self.pos]
            if char == '"':
                parts.append(src[start : self.pos])
                self.pos += 1
                return _join_surrogates("".join(parts))
            if char == "\\":
                parts.append(src[start : self.pos])
                self.pos += 1
                parts.append(self.escape())
                start = self.pos
                continue
            if char < " ":
                raise self.fail("Bad control character in string literal in JSON")
            self.pos += 1

    def escape(self) -> str:
        char = self.peek_char()
        if char is None or ord(char) > 0xFF:
            raise self.fail()
        if char in _ESCAPES:
            self.pos += 1
            return _ESCAPES[char]
        if char != "u":
            raise self.fail("Bad escaped character in JSON")
        value = 0
        for _ in range(4):
            self.pos += 1
            digit = self.peek_char()
            if digit is None or digit not in _HEX:
                raise self.fail("Bad Unicode escape in JSON")
            value = value * 16 + int(digit, 16)
        self.pos += 1
        return chr(value)

    def number(self) -> int | float:
        src, start = self.src, self.pos
        if src[self.pos] == "-":
            self.pos += 1
        if self.peek_char() == "0":
            self.pos += 1
            following = self.peek_char()
            if following is not None and following.isascii() and following.isdigit():
                raise self.fail(token=_TOKEN_NUMBER)
        else:
            digits = self._digits()
            if digits == 0:
                raise self.fail("No number after minus sign in JSON")
        if self.peek_char() == ".":
            self.pos += 1
            if self._digits() == 0:
                raise self.fail("Unterminated fractional number in JSON")
        if self.peek_char() in ("e", "E"):
            self.pos += 1
            if self.peek_char() in ("-", "+"):
                self.pos += 1
            if self._digits() == 0:
                raise self.fail("Exponent part is missing a number in JSON")
        return js_number(float(src[start : self.pos]))

    def _digits(self) -> int:
        begin = self.pos
        while self.pos < len(self.src) and "0" <= self.src[self.pos] <= "9":
            self.pos += 1
        return self.pos - begin


def parse_json(text: str, *, line_column: bool = False) -> Any:
    """JSON.parse(text), raising JsSyntaxError with V8's message (see the module docstring).

    Text that Python's C parser reads (with JavaScript numbers, and without the NaN and
    Infinity literals JSON has not) gives the same value as the port: both read exactly RFC 8259
    JSON, and numbers go through the same `js_number(float(...))`. The port runs for the rest:
    what does not parse (for V8's message) and text with surrogate code points (which the port
    reads as UTF-16 units, so a raw pair becomes one character).
    """
    if text.isascii() or _LONE_SURROGATE.search(text) is None:
        try:
            return _FAST_DECODER.decode(text)
        except (ValueError, RecursionError):
            pass  # the port raises V8's error, or answers as before
    return _JsonParser(text, line_column=line_column).parse()


def _number(literal: str) -> int | float:
    return js_number(float(literal))


def _not_json(literal: str) -> Any:
    raise ValueError(f"{literal} is not JSON")


_FAST_DECODER: Final = json.JSONDecoder(
    parse_int=_number, parse_float=_number, parse_constant=_not_json
)


def js_number(value: float) -> int | float:
    """A JavaScript number as Python sees it: integral values as int (so `1.0` is `1`)."""
    if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def number_to_string(value: float) -> str:
    """Number.prototype.toString() for finite and non-finite values."""
    if isinstance(value, int) or (
        math.isfinite(value) and value.is_integer() and abs(value) < 1e21
    ):
        return str(int(value))
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    mantissa, _, exponent = repr(value).partition("e")
    if not exponent:
        return mantissa
    power = int(exponent)
    if -7 < power < 21:
        return format(value, "f").rstrip("0").rstrip(".")
    return f"{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"


def stringify(value: Any) -> str:
    """JSON.stringify(value) for JSON-compatible Python values (compact, like Express res.json)."""
    # Without floats (the only values `_prepare` changes) and lone surrogates, json.dumps's text
    # is orjson's (plain_json), and orjson writes it faster.
    fast = plain_json(value, floats=False)
    if fast is not None:
        return fast.decode()
    text = json.dumps(_prepare(value), ensure_ascii=False, separators=(",", ":"))
    # Well-formed JSON.stringify escapes lone surrogates instead of emitting them raw.
    return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _prepare(value: Any) -> Any:
    if type(value) in _AS_IS:
        return value
    if isinstance(value, float):
        # JSON.stringify writes non-finite numbers as null and integral ones without a fraction.
        return js_number(value) if math.isfinite(value) else None
    if isinstance(value, dict):
        # Strings and ints as they are, without a call each (most of a response's values).
        return {
            key if type(key) is str else str(key): item if type(item) in _AS_IS else _prepare(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [item if type(item) in _AS_IS else _prepare(item) for item in value]
    return value


# Values JSON.stringify and json.dumps write alike (exact types: a subclass may not be).
_AS_IS: Final = frozenset({str, int, bool, type(None)})


_JS_WHITESPACE: Final = re.compile(
    "^[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]*"
)
_LEADING_INT: Final = re.compile("[+-]?[0-9]+")


def parse_int(value: Any) -> int | float | None:
    """parseInt(String(value), 10); None stands for NaN. Large values lose precision like JS."""
    text = to_js_string(value)
    text = _JS_WHITESPACE.sub("", text, count=1)
    match = _LEADING_INT.match(text)
    if match is None:
        return None
    number = int(match.group())
    return number if abs(number) < 2**53 else float(number)


def truthy(value: Any) -> bool:
    """JavaScript truthiness: only undefined, null, false, 0, NaN and "" are falsy."""
    if value is None or value is UNDEFINED or value is False or value == "":
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value != 0 and not math.isnan(value)
    return True


def to_js_string(value: Any) -> str:
    """String(value) / template-literal conversion."""
    if value is None:
        return "null"
    if value is UNDEFINED:
        return "undefined"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return number_to_string(value)
    if isinstance(value, list):
        return ",".join("" if item is None else to_js_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)
