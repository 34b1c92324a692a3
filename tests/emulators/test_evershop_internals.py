"""Unit tests for the EverShop emulator's ports of Node/Postgres behaviour.

Expected strings are V8's, Postgres 15's, Ajv's and express-rate-limit's, worded as in their
sources.
"""

from __future__ import annotations

import hashlib
import locale
import os
import random
import re
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from customer_gateway.emulators.evershop.escape import escape_html_tags, escape_payload
from customer_gateway.emulators.evershop.node.ajv import CUSTOMER_DATA_SCHEMA, first_error
from customer_gateway.emulators.evershop.node.graphql_js16 import did_you_mean, inspect
from customer_gateway.emulators.evershop.node.js import (
    UNDEFINED,
    JsSyntaxError,
    number_to_string,
    parse_int,
    parse_json,
    stringify,
)
from customer_gateway.emulators.evershop.pg import PgError, like, parse_uuid
from customer_gateway.emulators.evershop.pg import parse_int as pg_parse_int
from customer_gateway.emulators.evershop.ratelimit import classify, client_key
from customer_gateway.text.collation import en_us_key


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "Expected property name or '}' in JSON at position 1 (line 1 column 2)"),
        ("[1", "Expected ',' or ']' after array element in JSON at position 2 (line 1 column 3)"),
        ('{"a" 1}', "Expected ':' after property name in JSON at position 5 (line 1 column 6)"),
        ('{"a":1 "b"}',
         "Expected ',' or '}' after property value in JSON at position 7 (line 1 column 8)"),
        ("[1,]", "Unexpected token ']', \"[1,]\" is not valid JSON"),
        ("tru", "Unexpected end of JSON input"),
        ("tru1", "Unexpected number in JSON at position 3 (line 1 column 4)"),
        ('["a" "b"]',
         "Expected ',' or ']' after array element in JSON at position 5 (line 1 column 6)"),
        ('{"a":"b"}"',
         "Unexpected non-whitespace character after JSON at position 9 (line 1 column 10)"),
        ("01", "Unexpected number in JSON at position 1 (line 1 column 2)"),
        ("-x", "No number after minus sign in JSON at position 1 (line 1 column 2)"),
        ("1.", "Unterminated fractional number in JSON at position 2 (line 1 column 3)"),
        ("1e+", "Exponent part is missing a number in JSON at position 3 (line 1 column 4)"),
        ('"abc', "Unterminated string in JSON at position 4 (line 1 column 5)"),
        ('"a\\x"', "Bad escaped character in JSON at position 3 (line 1 column 4)"),
        ('"\\u12g4"', "Bad Unicode escape in JSON at position 5 (line 1 column 6)"),
        ('"\t"', "Bad control character in string literal in JSON at position 1 (line 1 column 2)"),
        ("NaN", '"NaN" is not valid JSON'),
        ('{"aaaaaaaaaaaaaaaaaaaaaaaaa": }',
         "Unexpected token '}', ...\"aaaaaaa\": }\" is not valid JSON"),
        ('{"a": x, "bbbbbbbbbbbbbbbbbbbb": 1}',
         "Unexpected token 'x', \"{\"a\": x, \"bbbbbb\"... is not valid JSON"),
        ("[1, 2, 3, 4, 5, x, 7, 8, 9, 10, 11]",
         "Unexpected token 'x', ...\" 3, 4, 5, x, 7, 8, 9\"... is not valid JSON"),
        ('{"bbbbbbbbbbbbbbbbbbbbbbb": 1, x}',
         "Expected double-quoted property name in JSON at position 31 (line 1 column 32)"),
        ('{"bbbbbbbbbbbbbbbbbbbbbbb": 1 x , "ccccccccccc": 2}',
         "Expected ',' or '}' after property value in JSON at position 30 (line 1 column 31)"),
        ("\r\n\r\n  }", "Unexpected token '}', \"\r\n\r\n  }\" is not valid JSON"),
        ("{\r\n\"a\":\n-}", "No number after minus sign in JSON at position 9 (line 3 column 2)"),
        ('"😀" x',
         "Unexpected non-whitespace character after JSON at position 5 (line 1 column 6)"),
    ],
)  # fmt: skip
def test_json_parse_reports_v8_messages(text: str, message: str) -> None:
    """The table is V8 12+'s wording (Node 22+); V8 11 (Node 20) stops after the position."""
    with pytest.raises(JsSyntaxError) as raised:
        parse_json(text, line_column=True)
    assert str(raised.value) == message
    with pytest.raises(JsSyntaxError) as raised:
        parse_json(text)
    assert str(raised.value) == re.sub(r" \(line \d+ column \d+\)$", "", message)


def test_json_parse_values_follow_javascript_numbers() -> None:
    assert parse_json('{"a":[1.0,1.5,-0,1e2,"\\u00e9\\ud83d\\ude00"],"a":2}') == {"a": 2}
    assert parse_json("[1.0,1.5,-0,1e2,12345678901234567890]") == [
        1,
        1.5,
        0,
        100,
        1.2345678901234567e19,
    ]
    assert parse_json('"\\ud83d\\ude00"') == "😀"
    assert stringify({"n": 2.0, "f": 0.5, "s": "é\ud800", "x": None}) == (
        '{"n":2,"f":0.5,"s":"é\\ud800","x":null}'
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1e21, "1e+21"), (1.5e-7, "1.5e-7"), (0.1, "0.1"), (123.0, "123"),
     (1e20, "100000000000000000000")],
)  # fmt: skip
def test_number_to_string(value: float, expected: str) -> None:
    assert number_to_string(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12abc", 12), ("  -5", -5), ("abc", None), (None, None), (UNDEFINED, None), ("1e3", 1),
     ("", None), ("+7", 7), ("0x10", 0)],
)  # fmt: skip
def test_parse_int_follows_javascript(value: Any, expected: int | None) -> None:
    assert parse_int(value) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be object"),
        ({"status": True, "email": 5}, "must have required property 'password'"),
        ({"email": "x", "password": "p", "full_name": "f", "status": True},
         "Status must be a string or number"),
        ({"email": "üser@example.com", "password": "p", "full_name": "f"},
         "Email must be a valid email address (e.g., user@example.com)"),
        ({"email": "user@example.com\n", "password": "p", "full_name": "f"},
         "Email must be a valid email address (e.g., user@example.com)"),
        ({"email": "USER.Name+tag@Sub.Example.COM", "password": "p", "full_name": "f"}, None),
        ({"email": "a@b.c", "password": "p", "full_name": "f", "status": 1.0}, None),
    ],
)  # fmt: skip
def test_customer_schema_first_error(data: Any, message: str | None) -> None:
    assert first_error(CUSTOMER_DATA_SCHEMA, data) == message


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("Jana Nováková", "%NOVÁ%", True),
        ("p_r@example.com", "p\\_r%", True),
        ("pxr@example.com", "p\\_r%", False),
        ("100%", "100\\%", True),
        ("line\nbreak", "line%", True),
        (None, "%", None),
    ],
)
def test_ilike(value: str | None, pattern: str, expected: bool | None) -> None:
    assert like(value, pattern) is expected


def test_like_pattern_ending_in_escape_is_an_error() -> None:
    with pytest.raises(PgError, match="LIKE pattern must not end with escape character"):
        like("abc", "abc\\")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        ("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        ("a0eebc999c0b4ef8bb6d6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        ("a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
    ],
)
def test_uuid_input_accepts_postgres_spellings(text: str, expected: str) -> None:
    assert parse_uuid(text) == expected


@pytest.mark.parametrize(
    "text", ["abc", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", " a0eebc999c0b4ef8bb6d6bb9bd380a11"]
)
def test_uuid_input_rejects_other_text(text: str) -> None:
    with pytest.raises(PgError, match="invalid input syntax for type uuid"):
        parse_uuid(text)


def test_smallint_input() -> None:
    assert pg_parse_int(" -12 ", "smallint") == -12
    with pytest.raises(PgError) as invalid:
        pg_parse_int("1.5", "smallint")
    assert (invalid.value.code, str(invalid.value)) == (
        "22P02",
        'invalid input syntax for type smallint: "1.5"',
    )
    with pytest.raises(PgError) as too_big:
        pg_parse_int("32768", "smallint")
    assert (too_big.value.code, str(too_big.value)) == (
        "22003",
        'value "32768" is out of range for type smallint',
    )


def test_escape_html_only_escapes_whole_tags() -> None:
    assert escape_html_tags("<script src='x'>a</script> 1 < 2 > 0 <3") == (
        "&lt;script src='x'&gt;a&lt;/script&gt; 1 < 2 > 0 <3"
    )
    assert escape_payload({"a": ["<b>", {"c": "<b>"}], "d": 1}) == {
        "a": ["<b>", {"c": "&lt;b&gt;"}],
        "d": 1,
    }


@pytest.mark.parametrize(
    ("method", "path", "tier"),
    [
        ("POST", "/api/customers", "auth"),
        ("POST", "/fr/api/customers", "auth"),
        ("POST", "/admin/user/login", "auth"),
        ("GET", "/api/customers", "api"),
        ("POST", "/api/customers/", "api"),
        ("POST", "/api/admin/graphql", "api"),
        ("POST", "/api", "api"),
        ("GET", "/apis", "page"),
        ("GET", "/api/data.json", "exempt"),
        ("GET", "/healthz", "exempt"),
    ],
)
def test_rate_limit_tiers(method: str, path: str, tier: str) -> None:
    assert classify(method, path) == tier


def test_rate_limit_keys_group_ipv6_by_56_bit_prefix() -> None:
    assert client_key("2001:db8:abcd:12ff::1") == client_key("2001:db8:abcd:1200::2")
    assert client_key("2001:db8:abcd:12ff::1") != client_key("2001:db8:abcd:1300::1")
    assert client_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert client_key("192.0.2.1") == "192.0.2.1"


def test_graphql_js_inspect_and_did_you_mean() -> None:
    assert inspect({"a": [1, "x", {"b": {"c": 1}}], "d": None}) == (
        '{ a: [1, "x", [Object]], d: null }'
    )
    assert inspect(list(range(12))) == "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ... 2 more items]"
    assert did_you_mean(["a", "b", "c", "d", "e", "f"]) == (
        ' Did you mean "a", "b", "c", "d", or "e"?'
    )


# What PostgreSQL 15 answered for `ORDER BY w` in an en_US.UTF-8 database (glibc 2.36): spaces and
# punctuation only break ties after letters, accents and case; lower case first; æ and ß expand.
EN_US_ORDER = [
    "@", "#1", "-1", "10", "2", "a_b", "ab", "aB", "Ab", "AB", "ab-1", "ab1", "ab10", "ab2",
    "a.b@c.com", "ab@c.com", "a@b.com", "ae", "æ", "af", "Anne", "ann lee", "Annlee", "Ann Lee",
    "Ann-Lee", "emile", "Emile", "Émile", "Ll", "L·l", "Lm", "Lukasz", "Łukasz", "Mueller",
    "Muller", "Müller", "Nguyen", "Nguyễn", "o-brien", "obrien", "O'Brien", "Odegard", "Ødegård",
    "Ólafur", "ss", "ß", "st", "zoe", "Zoe", "ZOE", "Zoë", "Ωmega", "Дмитрий",
]  # fmt: skip


def test_en_us_key_orders_like_postgres_en_us_utf8() -> None:
    shuffled = sorted(EN_US_ORDER, key=lambda word: hashlib.sha256(word.encode()).digest())
    assert sorted(shuffled, key=en_us_key) == EN_US_ORDER


@pytest.fixture(scope="module")
def en_us_locale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """glibc's en_US.UTF-8 for strxfrm: the system's, or compiled here with `localedef` into a
    private directory (LOCPATH; no root needed). A machine that can do neither fails the test:
    the comparison must run, not skip."""
    previous = locale.setlocale(locale.LC_COLLATE)
    saved = os.environ.get("LOCPATH")
    try:
        locale.setlocale(locale.LC_COLLATE, "en_US.UTF-8")
    except locale.Error:
        directory = tmp_path_factory.mktemp("locales")
        compiled = subprocess.run(
            ["localedef", "-i", "en_US", "-f", "UTF-8", str(directory / "en_US.UTF-8")],
            capture_output=True,
            text=True,
            check=False,
        )
        os.environ["LOCPATH"] = str(directory)
        try:
            locale.setlocale(locale.LC_COLLATE, "en_US.UTF-8")
        except locale.Error:
            pytest.fail(f"cannot compile the en_US.UTF-8 locale: {compiled.stderr.strip()}")
    try:
        yield
    finally:
        locale.setlocale(locale.LC_COLLATE, previous)
        if saved is None:
            os.environ.pop("LOCPATH", None)
        else:
            os.environ["LOCPATH"] = saved


@pytest.mark.usefixtures("en_us_locale")
def test_en_us_key_is_glibc_strxfrm() -> None:
    rng = random.Random(5)
    pool = [chr(code) for code in (*range(0x20, 0x7F), *range(0xC0, 0x180))]
    for _ in range(2000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 6)))
        assert en_us_key(text)[0] == locale.strxfrm(text), text


def test_like_is_linear_in_the_pattern_and_the_value() -> None:
    """A pattern of many `%a` against a long value: a backtracking regex takes exponential time
    (seconds at 17 characters); the matcher answers at once. Checked against a regex on small
    random cases."""
    hostile = "%a" * 40 + "%b"
    assert like("a" * 200, hostile) is False
    rng = random.Random(9)
    for _ in range(3000):
        value = "".join(rng.choice("ab%_") for _ in range(rng.randint(0, 7)))
        pattern = "".join(rng.choice("ab%_") for _ in range(rng.randint(0, 5)))
        regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
        assert like(value, pattern) == (re.fullmatch(regex, value, re.DOTALL) is not None)
