"""The merged profile's conflict rule: the newest change wins, a master source wins its field,
ties go to the source listed first, then the lower id; empty values never win."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from customer_gateway.connectors.models import CustomerRecord
from customer_gateway.identity.profile import merge

T0 = datetime(2024, 5, 1, tzinfo=UTC)
RANKS = {"shop-a": 0, "shop-b": 1, "till-c": 2}


def record(source: str, id: str, hours: int, **fields: str | None) -> CustomerRecord:
    values: dict[str, str | None] = {"email": None, "full_name": None, "phone": None}
    values.update(fields)
    return CustomerRecord(
        source=source,
        id=id,
        numeric_id=1,
        email=values["email"],
        full_name=values["full_name"],
        status=1,
        created_at=T0,
        updated_at=T0 + timedelta(hours=hours),
        phone=values["phone"],
    )


def test_the_newest_change_wins_each_field() -> None:
    older = record("shop-a", "1", 1, email="a@example.com", full_name="Jana N", phone="+420601")
    newer = record("till-c", "9", 5, email="b@example.com", full_name="  ", phone=None)
    profile = merge([older, newer], {}, RANKS)
    assert profile.values["email"] == "b@example.com"
    assert profile.values["full_name"] == "Jana N"  # blank is no value
    assert profile.values["phone"] == "+420601"
    sources = {item.field: item for item in profile.sources}
    assert (sources["email"].source, sources["email"].customer_id) == ("till-c", "9")
    assert sources["email"].changed_at == T0 + timedelta(hours=5)
    assert sources["full_name"].rule == "newest"
    assert "vat_number" not in sources
    assert profile.values["vat_number"] is None


def test_a_master_source_wins_its_field_whenever_it_has_a_value() -> None:
    master_old = record("shop-b", "2", 1, full_name="From the master", email="m@example.com")
    newest = record("shop-a", "1", 9, full_name="Newer elsewhere", email="n@example.com")
    profile = merge([master_old, newest], {"full_name": "shop-b", "phone": "shop-b"}, RANKS)
    sources = {item.field: item for item in profile.sources}
    assert profile.values["full_name"] == "From the master"
    assert sources["full_name"].rule == "master"
    assert profile.values["email"] == "n@example.com"  # not mastered: newest
    assert profile.values["phone"] is None  # the master has none, nor anyone else


def test_ties_go_to_the_source_listed_first_then_the_lower_id() -> None:
    first = record("shop-a", "20", 3, email="first@example.com")
    second = record("shop-b", "1", 3, email="second@example.com")
    assert merge([second, first], {}, RANKS).values["email"] == "first@example.com"
    low = record("shop-a", "10", 3, email="low@example.com")
    high = record("shop-a", "9", 3, email="nine@example.com")
    # Ids compare as text: "10" < "9".
    assert merge([high, low], {}, RANKS).values["email"] == "low@example.com"
