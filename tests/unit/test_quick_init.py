"""`quick_init`: frozen records built through an unfrozen twin stay frozen dataclasses in every
way callers see (assignment, equality, hashing, defaults, replace, copies, pickles, errors)."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from typing import Any

import pytest

from customer_gateway.connectors.models import Address, CustomerRecord, GroupRef
from customer_gateway.connectors.quick_init import quick_init


def record(**changes: Any) -> CustomerRecord:
    fields: dict[str, Any] = {
        "source": "shop",
        "id": "7",
        "numeric_id": 7,
        "email": "a@example.com",
        "full_name": "Ann",
        "status": 1,
        "created_at": None,
    }
    return CustomerRecord(**{**fields, **changes})


def test_a_record_is_its_class_with_its_fields_and_defaults() -> None:
    made = record(groups=(GroupRef("1", 1, "General"),))
    assert type(made) is CustomerRecord
    assert (made.id, made.groups[0].name, made.addresses, made.missing) == (
        "7",
        ("General"),
        (),
        frozenset(),
    )
    assert made.metadata == {}
    assert made.metadata is not record().metadata  # a default factory per record
    positional = CustomerRecord("shop", "7", 7, "a@example.com", "Ann", 1, None)
    assert positional == record()
    assert repr(positional).startswith("CustomerRecord(source='shop', id='7'")


def test_a_record_stays_frozen() -> None:
    made = record()
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.email = "b@example.com"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del made.email
    address = Address(id="a", kind="billing", city="Oslo")
    assert hash(address) == hash(Address(id="a", kind="billing", city="Oslo"))
    assert {address, Address(id="a", kind="billing", city="Oslo")} == {address}
    with pytest.raises(dataclasses.FrozenInstanceError):
        address.city = "Bergen"  # type: ignore[misc]


def test_replace_copies_and_pickles_are_records() -> None:
    made = record(metadata={"k": [1]}, addresses=(Address(id="a", kind="billing"),))
    changed = dataclasses.replace(made, email=None)
    assert (type(changed), changed.email, changed.id) == (CustomerRecord, None, "7")
    for twin in (copy.copy(made), copy.deepcopy(made), pickle.loads(pickle.dumps(made))):
        assert type(twin) is CustomerRecord
        assert twin == made
    assert copy.deepcopy(made).metadata is not made.metadata


def test_wrong_arguments_are_the_records_own_type_errors() -> None:
    with pytest.raises(TypeError, match=r"CustomerRecord\.__init__\(\) missing"):
        CustomerRecord(source="shop")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        record(colour="red")
    assert list(inspect.signature(CustomerRecord).parameters)[:3] == ["source", "id", "numeric_id"]


def test_only_frozen_slotted_dataclasses_and_no_subclasses() -> None:
    @dataclasses.dataclass(slots=True)
    class Plain:
        x: int

    with pytest.raises(TypeError):
        quick_init(Plain)
    with pytest.raises(TypeError):

        class Special(CustomerRecord):
            pass


def test_what_the_twin_cannot_build_is_refused() -> None:
    """The twin's `__init__` takes every field positionally and nothing else: a `__post_init__`
    (a record's own checks), an `InitVar`, an `init=False` or keyword-only field would be
    skipped or taken differently, so such a class is refused rather than built wrongly."""

    def checked() -> type:
        @dataclasses.dataclass(frozen=True, slots=True)
        class Checked:
            count: int

            def __post_init__(self) -> None:
                if self.count < 0:
                    raise ValueError("negative")

        return Checked

    def derived() -> type:
        @dataclasses.dataclass(frozen=True, slots=True)
        class Derived:
            count: int
            twice: int = dataclasses.field(default=0, init=False)

        return Derived

    def keyword() -> type:
        @dataclasses.dataclass(frozen=True, slots=True)
        class Keyword:
            count: int
            label: str = dataclasses.field(default="", kw_only=True)

        return Keyword

    def init_var() -> type:
        @dataclasses.dataclass(frozen=True, slots=True)
        class WithInitVar:
            count: int
            scale: dataclasses.InitVar[int] = 1

        return WithInitVar

    for make in (checked, derived, keyword, init_var):
        with pytest.raises(TypeError, match="quick_init"):
            quick_init(make())
