"""Strawberry's Content-Type and Accept parsing, remembered per header value (server/app.py):
the same answers as Strawberry's own function, and the one its request path calls."""

from __future__ import annotations

import pytest
import strawberry.http.async_base_view
import strawberry.http.streaming
from strawberry.http.parse_content_type import parse_content_type

from customer_gateway.server import app


@pytest.mark.parametrize(
    "header",
    [
        "application/json",
        "application/json; charset=utf-8",
        'multipart/mixed; boundary="graphql"; subscriptionSpec=1.0',
        "application/graphql-response+json, application/json;q=0.9",
        "",
    ],
)
def test_the_remembered_parse_gives_strawberrys_answer(header: str) -> None:
    assert app._parse_content_type(header) == parse_content_type(header)
    assert app._parse_content_type(header) == parse_content_type(header)  # from the cache


def test_strawberrys_request_path_calls_the_remembered_parse() -> None:
    assert strawberry.http.async_base_view.parse_content_type is app._parse_content_type  # type: ignore[attr-defined]
    assert strawberry.http.streaming.parse_content_type is app._parse_content_type  # type: ignore[attr-defined]
