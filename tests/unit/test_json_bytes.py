"""Upstream answers decoded with orjson: the same values, of the same types, as `json.loads`,
and the same refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customer_gateway.text import json_bytes


def _outcome(decode: Any, content: bytes) -> str:
    """The value's repr (an int and a float, 0.0 and -0.0, differ), or that it was refused."""
    try:
        return repr(decode(content))
    except ValueError:  # json.JSONDecodeError and UnicodeDecodeError are ones
        return "refused"
    except RecursionError:
        return "too deep"


@pytest.mark.parametrize(
    "content",
    [
        b'{"a":1,"a":2}',
        b"123456789012345678",  # 18 digits: orjson's own integer
        b"1234567890123456789",  # 19: the standard library's
        b"18446744073709551616",  # past 64 bits: orjson would give a float
        b"-9223372036854775809",
        b'{"phone": "0042012345678901234567"}',  # a digit run in a string: also the slow path
        b"1e400",  # infinity for json, an error for orjson
        b"-1e400",
        b"NaN",
        b"[Infinity, -Infinity]",
        b'"\\ud800"',  # a lone surrogate: json takes it, orjson does not
        b'"\\ud83d\\ude00"',
        b"\xef\xbb\xbf{}",  # a UTF-8 byte order mark
        '{"name": "Žluť"}'.encode("utf-16"),  # json.loads detects UTF-16
        b'"\xff"',  # not UTF-8: refused by both
        b"-0",
        b"-0.0",
        b"1E2",
        b"0.1",
        b" [1, 2.5, true, false, null] ",
        b"[1,]",
        b"",
        b"{}garbage",
        b"[" * 2000 + b"]" * 2000,  # deeper than orjson's 1,024 levels (and json's recursion)
    ],
)
def test_edge_cases_decode_as_json_loads(content: bytes) -> None:
    assert _outcome(json_bytes.loads, content) == _outcome(json.loads, content)


def test_an_ordinary_answer_takes_orjson() -> None:
    content = b'{"items": [{"id": 17276727, "email": "a@b.cz", "salesValue": 137.14}]}'
    assert content.translate(json_bytes._DIGITS).find(json_bytes._WIDE) == -1
    assert json_bytes.loads(content) == json.loads(content)


def _has_run_of_19(content: bytes) -> bool:
    """19 ASCII digits in a row, looked for byte by byte."""
    run = 0
    for byte in content:
        run = run + 1 if 0x30 <= byte <= 0x39 else 0
        if run == 19:
            return True
    return False


@pytest.mark.parametrize("filler", [b" ", b"1a", b"12-", b"123:4", b"\xc3\xa9"])
def test_a_run_of_19_digits_is_found_wherever_it_lies(filler: bytes) -> None:
    """Runs of 12 to 21 digits at each of 8 offsets, in fillers that put digits near them (the
    samples of every fourth and second byte must not miss one, nor find one that is not)."""
    seen = set()
    for length in range(12, 22):
        for offset in range(8):
            for tail in range(5):
                content = filler * offset + b"7" * length + b"x" + filler * tail
                expected = _has_run_of_19(content)
                assert json_bytes.has_wide_run(content) is expected, (content, expected)
                seen.add(expected)
    assert seen == {True, False}


def test_thirteen_digit_times_pass_the_first_sample_only() -> None:
    """An EverShop page's `createdAt` values (13 digits) fill four of every fourth byte when
    aligned; the second sample rules them out, and orjson decodes the page."""
    content = b"".join(
        b'{"value":"' + str(1792692793738 + index).encode() + b'"},' + b" " * index
        for index in range(8)
    )
    assert b"0000" in content[::4].translate(json_bytes._DIGITS)
    assert not json_bytes.has_wide_run(content)


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=300) | st.text(alphabet="0123456789 ,:-", max_size=300).map(str.encode))
def test_generated_bytes_find_a_run_of_19_as_a_byte_by_byte_scan(content: bytes) -> None:
    assert json_bytes.has_wide_run(content) is _has_run_of_19(content)


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and the infinities too
    | st.text()  # surrogates too
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(value=_VALUES, ascii_only=st.booleans())
def test_generated_documents_decode_as_json_loads(value: object, ascii_only: bool) -> None:
    try:
        content = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    except UnicodeEncodeError:
        return
    assert _outcome(json_bytes.loads, content) == _outcome(json.loads, content)
