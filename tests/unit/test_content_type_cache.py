"""Strawberry's Content-Type and Accept parsing, remembered per header value (server/plain_post.py, put in Strawberry's modules by server/app.py):
the same answers as Strawberry's own function, and the one its request path calls."""

from __future__ import annotations

import pytest
import strawberry.http.async_base_view
import strawberry.http.streaming
from strawberry.http.parse_content_type import parse_content_type

from customer_gateway.server import app, plain_post


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
    assert plain_post.cached_parse_content_type(header) == parse_content_type(header)
    assert plain_post.cached_parse_content_type(header) == parse_content_type(
        header
    )  # from the cache


def test_strawberrys_request_path_calls_the_remembered_parse() -> None:
    remembered = plain_post.cached_parse_content_type
    assert app.GatewayGraphQL is not None  # importing the app puts it in Strawberry's modules
    assert strawberry.http.async_base_view.parse_content_type is remembered  # type: ignore[attr-defined]
    assert strawberry.http.streaming.parse_content_type is remembered  # type: ignore[attr-defined]
