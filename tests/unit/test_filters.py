from __future__ import annotations

from dataclasses import dataclass

import pytest

from customer_gateway.connectors.models import Condition, FilterField, Op, Sort, SortField
from customer_gateway.core.errors import BadUserInput
from customer_gateway.resolvers.filters.parsing import parse_customer_filters, parse_group_filters

SOURCES = ("evershop-main", "evershop-outlet")


@dataclass
class F:
    key: str
    operation: Op
    value: str | None


def parse(*filters: F, max_limit: int = 100, strict: bool = False):  # type: ignore[no-untyped-def]
    return parse_customer_filters(
        list(filters), max_limit=max_limit, sources=SOURCES, strict=strict
    )


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
        # the grid's "Full Name" header (EverShop itself ignores it: its sort map says `name`)
        (
            (F("ob", Op.EQ, "full_name"), F("od", Op.EQ, "desc")),
            Sort(SortField.NAME, descending=True),
        ),
        # only ASC, DESC, asc and desc count, as in EverShop
        ((F("ob", Op.EQ, "email"), F("od", Op.EQ, "Desc")), Sort(SortField.EMAIL, False)),
        # the first `ob` applies, as in EverShop
        ((F("ob", Op.EQ, "email"), F("ob", Op.EQ, "name")), Sort(SortField.EMAIL, False)),
    ],
)
def test_sort_follows_everShop(filters: tuple[F, ...], expected: Sort) -> None:
    assert parse(*filters).customer_sort() == expected


def test_the_default_sort_is_the_callers() -> None:
    assert parse().customer_sort(SortField.CUSTOMER_ID) == Sort(SortField.CUSTOMER_ID, True)
    flipped = parse(F("od", Op.EQ, "asc")).customer_sort(SortField.CUSTOMER_ID)
    assert flipped == Sort(SortField.CUSTOMER_ID, False)


def test_in_takes_comma_separated_values_and_source_selects() -> None:
    request = parse(F("status", Op.IN, "0, 1"), F("source", Op.NEQ, "evershop-outlet"))
    assert request.conditions[0].values == ("0", "1")
    assert request.includes_source("evershop-main")
    assert not request.includes_source("evershop-outlet")


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (F("status", Op.EQ, "2"), "1 (enabled) or 0 (disabled)"),
        (F("page", Op.EQ, "0"), "positive integer"),
        (F("page", Op.EQ, "two"), "positive integer"),
        (F("limit", Op.EQ, "101"), "at most 100"),
        (F("limit", Op.EQ, "1000"), "at most 100"),
        (F("source", Op.EQ, "nowhere"), "Unknown source 'nowhere'"),
        (F("email", Op.EQ, None), "needs a value"),
        (F("email", Op.EQ, ""), "needs a value"),
    ],
)
def test_invalid_values_are_named(item: F, message: str) -> None:
    for strict in (False, True):
        with pytest.raises(BadUserInput) as raised:
            parse(item, strict=strict)
        assert message in raised.value.message
        assert raised.value.extensions["code"] == "BAD_USER_INPUT"


IGNORED = [
    (F("utm_source", Op.EQ, "newsletter"), "unknown key", "Unknown filter key 'utm_source'"),
    (F("status", Op.LIKE, "1"), "unsupported operation", "does not support operation 'like'"),
    (F("keyword", Op.IN, "a,b"), "unsupported operation", "does not support operation 'in'"),
    (F("ob", Op.EQ, "password"), "unknown sort key", "sorts by one of"),
    (F("ob", Op.IN, "name,email"), "unsupported operation", "does not support operation 'in'"),
    (F("od", Op.EQ, "sideways"), "not ASC, DESC, asc or desc", "ASC, DESC, asc or desc"),
    (F("od", Op.EQ, "Desc"), "not ASC, DESC, asc or desc", "ASC, DESC, asc or desc"),
]


@pytest.mark.parametrize(("item", "reason", "message"), IGNORED)
def test_what_everShop_ignores_is_ignored_and_named(item: F, reason: str, message: str) -> None:
    request = parse(F("email", Op.LIKE, "%@x.cz"), item)
    assert request.conditions == (Condition(FilterField.EMAIL, Op.LIKE, ("%@x.cz",)),)
    assert (request.sort_key, request.descending) == (None, None)
    assert [(i.key, i.operation, i.value, i.reason) for i in request.ignored] == [
        (item.key, item.operation.value, item.value, reason)
    ]
    assert request.echo == (
        ("email", "like", "%@x.cz"),
        ("page", "eq", "1"),
        ("limit", "eq", "20"),
    )


@pytest.mark.parametrize(("item", "reason", "message"), IGNORED)
def test_strict_filters_refuse_what_everShop_ignores(item: F, reason: str, message: str) -> None:
    with pytest.raises(BadUserInput) as raised:
        parse(item, strict=True)
    assert message in raised.value.message


def test_a_repeated_single_key_applies_its_first_value() -> None:
    request = parse(F("page", Op.EQ, "2"), F("page", Op.EQ, "3"), F("limit", Op.EQ, "5"))
    assert (request.page, request.limit) == (2, 5)
    assert [(i.key, i.value, i.reason) for i in request.ignored] == [
        ("page", "3", "repeated key (the first applies)")
    ]
    with pytest.raises(BadUserInput, match="given twice"):
        parse(F("page", Op.EQ, "1"), F("page", Op.EQ, "2"), strict=True)


def test_an_empty_keyword_is_no_filter() -> None:
    for value in ("", None):
        request = parse(F("keyword", Op.EQ, value), F("status", Op.EQ, "1"))
        assert request.conditions == (Condition(FilterField.STATUS, Op.EQ, ("1",)),)
        assert request.echo[0] == ("keyword", "eq", "")
        assert request.ignored == ()


def test_current_filters_keep_the_order_given() -> None:
    request = parse(
        F("limit", Op.EQ, "5"),
        F("od", Op.EQ, "desc"),
        F("status", Op.EQ, "1"),
        F("ob", Op.EQ, "full_name"),
        F("keyword", Op.EQ, "an"),
    )
    assert [key for key, _, _ in request.echo] == ["limit", "od", "status", "ob", "keyword", "page"]


def test_group_filters_know_name_only() -> None:
    request = parse_group_filters(
        [F("name", Op.LIKE, "vip"), F("ob", Op.EQ, "name")], max_limit=100, sources=SOURCES
    )
    assert request.sort_key == "name"
    ignored = parse_group_filters([F("email", Op.EQ, "x")], max_limit=100, sources=SOURCES)
    assert [(i.key, i.reason) for i in ignored.ignored] == [("email", "unknown key")]
    with pytest.raises(BadUserInput):
        parse_group_filters([F("email", Op.EQ, "x")], max_limit=100, sources=SOURCES, strict=True)
