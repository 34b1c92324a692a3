from __future__ import annotations

from dataclasses import dataclass

import pytest

from customer_gateway.connectors.models import Condition, FilterField, Op, Sort, SortField
from customer_gateway.errors import BadUserInput
from customer_gateway.resolvers.filters import parse_customer_filters, parse_group_filters

SOURCES = ("evershop-main", "evershop-outlet")


@dataclass
class F:
    key: str
    operation: Op
    value: str | None


def parse(*filters: F, max_limit: int = 100):  # type: ignore[no-untyped-def]
    return parse_customer_filters(list(filters), max_limit=max_limit, sources=SOURCES)


def test_defaults_are_everShops_page_one_of_twenty_newest_first() -> None:
    request = parse()
    assert (request.page, request.limit, request.offset) == (1, 20, 0)
    assert request.customer_sort() == Sort(SortField.CREATED_AT, descending=True)
    assert request.echo == (("page", "eq", "1"), ("limit", "eq", "20"))


def test_each_filter_is_echoed_once() -> None:
    request = parse(
        F("keyword", Op.EQ, "smith"),
        F("page", Op.EQ, "3"),
        F("limit", Op.EQ, "5"),
        F("ob", Op.EQ, "email"),
    )
    assert request.echo == (
        ("keyword", "eq", "smith"),
        ("page", "eq", "3"),
        ("limit", "eq", "5"),
        ("ob", "eq", "email"),
    )
    assert request.offset == 10
    assert request.conditions == (Condition(FilterField.KEYWORD, Op.EQ, ("smith",)),)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ((F("ob", Op.EQ, "name"),), Sort(SortField.NAME, descending=False)),
        ((F("ob", Op.EQ, "name"), F("od", Op.EQ, "desc")), Sort(SortField.NAME, descending=True)),
        ((F("od", Op.EQ, "ASC"),), Sort(SortField.CREATED_AT, descending=False)),
        ((F("ob", Op.EQ, "created_at"),), Sort(SortField.CREATED_AT, descending=False)),
    ],
)
def test_sort_follows_everShop(filters: tuple[F, ...], expected: Sort) -> None:
    assert parse(*filters).customer_sort() == expected


def test_in_takes_comma_separated_values_and_source_selects() -> None:
    request = parse(F("status", Op.IN, "0, 1"), F("source", Op.NEQ, "evershop-outlet"))
    assert request.conditions[0].values == ("0", "1")
    assert request.includes_source("evershop-main")
    assert not request.includes_source("evershop-outlet")


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (F("colour", Op.EQ, "red"), "Unknown filter key 'colour'"),
        (F("status", Op.LIKE, "1"), "does not support operation 'like'"),
        (F("status", Op.EQ, "2"), "1 (enabled) or 0 (disabled)"),
        (F("page", Op.EQ, "0"), "positive integer"),
        (F("page", Op.EQ, "two"), "positive integer"),
        (F("limit", Op.EQ, "101"), "at most 100"),
        (F("ob", Op.EQ, "password"), "sorts by one of"),
        (F("od", Op.EQ, "sideways"), "ASC or DESC"),
        (F("source", Op.EQ, "nowhere"), "Unknown source 'nowhere'"),
        (F("email", Op.EQ, None), "needs a value"),
    ],
)
def test_invalid_filters_are_named(item: F, message: str) -> None:
    with pytest.raises(BadUserInput) as raised:
        parse(item)
    assert message in raised.value.message
    assert raised.value.extensions["code"] == "BAD_USER_INPUT"


def test_paging_keys_may_not_repeat() -> None:
    with pytest.raises(BadUserInput, match="given twice"):
        parse(F("page", Op.EQ, "1"), F("page", Op.EQ, "2"))


def test_group_filters_know_name_only() -> None:
    request = parse_group_filters(
        [F("name", Op.LIKE, "vip"), F("ob", Op.EQ, "name")], max_limit=100, sources=SOURCES
    )
    assert request.sort_key == "name"
    with pytest.raises(BadUserInput):
        parse_group_filters([F("email", Op.EQ, "x")], max_limit=100, sources=SOURCES)
