"""Inputs: EverShop's FilterInput, and the mutation inputs."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import strawberry
from strawberry.types.arguments import InputContext
from strawberry.types.base import get_object_definition

from customer_gateway.connectors.models import Op


@strawberry.enum(description="EverShop's filter operations.")
class FilterOperation(enum.Enum):
    eq = "eq"
    neq = "neq"
    gt = "gt"
    gteq = "gteq"
    lt = "lt"
    lteq = "lteq"
    like = "like"
    nlike = "nlike"
    in_ = strawberry.enum_value("in", name="in")
    nin = "nin"


@strawberry.input(
    description="EverShop's filter. Customer keys: keyword, email, full_name, phone, vat_number, "
    "company_name, created_at and updated_at (gt|gteq|lt|lteq an ISO 8601 time or epoch "
    "milliseconds), external_id, status, group, store, source, ob (email|name|status|"
    "created_at), od (ASC|DESC), page, limit. `in`/`nin` take comma-separated values."
)
class FilterInput:
    key: str
    operation: FilterOperation
    value: strawberry.ID | None = None


# FilterInput's fields: their GraphQL names (the schema's camel case leaves these three as they
# are) and whether Strawberry sets them to None before the conversion (no default of their own).
_FILTER_FIELDS = (("key", True), ("operation", True), ("value", False))


def _filter_from_input(cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
    """A FilterInput as Strawberry's own conversion builds it: its fields are leaves (a string,
    an enum, an optional ID), which Strawberry passes on as graphql-core coerced them (a null,
    the enum member, the string), after setting the fields without a default to None. Its
    generic conversion resolves each field's type and converts it, ~220,000 instructions a
    filter (two a customer page: bench/README.md, instructions per request); this is a dict.
    tests/unit/test_filter_input.py holds it to Strawberry's own conversion."""
    fields = {name: None for name, unset in _FILTER_FIELDS if unset}
    for name, _ in _FILTER_FIELDS:
        if name in value:
            fields[name] = value[name]
    return cls(**fields)


# Strawberry's hook for an input type that builds its own value (`from_input`).
get_object_definition(FilterInput, strict=True).from_input = _filter_from_input


@strawberry.input(
    description="The customer's own address: Shoptet's and Ecwid's billing address, Flow "
    "Retail's primary address. Omitted fields stay as they are; which parts a source stores is "
    "in `writableFields` (`address.city`, ...). EverShop's address routes are not used."
)
class AddressInput:
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    postcode: str | None = None
    country_code: str | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 (CZ, NO, US)."
    )
    province_code: str | None = strawberry.field(
        default=None, description="The region's code, as `Customer.addresses.province.code`."
    )


_ADDRESS_FIELDS = {
    "address1": "address1",
    "address2": "address2",
    "city": "city",
    "postcode": "postcode",
    "country_code": "countryCode",
    "province_code": "provinceCode",
}


@strawberry.input(
    description="A new customer. Which fields a source stores is in `sources { capabilities "
    "{ writableFields } }`; a field the source cannot store is refused by name."
)
class CustomerCreateInput:
    email: str
    full_name: str | None = strawberry.field(
        default=None, description="Required, or given as firstName + lastName."
    )
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    vat_number: str | None = None
    password: str | None = strawberry.field(
        default=None, description="Required by sources that keep logins (EverShop); ≥ 6 characters."
    )
    status: int | None = strawberry.field(
        default=None, description="1 enabled (default), 0 disabled."
    )
    group_id: str | None = strawberry.field(
        default=None, description="The group's `uuid` or its native id in the target source."
    )
    group_ids: list[str] | None = strawberry.field(
        default=None, description="Several groups, for sources that allow it (Flow Retail)."
    )
    phone: str | None = None
    address: AddressInput | None = None
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Retry-safe creates: the same key with the same input makes one customer "
        "at most (kept 24 h). createCustomer also reads it from the Idempotency-Key header; "
        "batch items only from here.",
    )


@strawberry.input(description="Changes to a customer; omitted fields stay as they are.")
class CustomerUpdateInput:
    email: str | None = None
    full_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    vat_number: str | None = None
    password: str | None = None
    status: int | None = None
    group_id: str | None = None
    group_ids: list[str] | None = strawberry.field(
        default=None, description="Replaces every group (sources with several groups per customer)."
    )
    phone: str | None = None
    address: AddressInput | None = None


_CUSTOMER_FIELDS = {
    "email": "email",
    "full_name": "fullName",
    "first_name": "firstName",
    "last_name": "lastName",
    "company_name": "companyName",
    "vat_number": "vatNumber",
    "password": "password",
    "status": "status",
    "group_id": "groupId",
    "group_ids": "groupIds",
    "phone": "phone",
    "address": "address",
    "idempotency_key": "idempotencyKey",
}


def customer_values(given: CustomerCreateInput | CustomerUpdateInput) -> dict[str, object]:
    """The fields the client gave, by their GraphQL names (resolvers do not import the schema);
    an address as a dict of its given parts."""
    values: dict[str, object] = {}
    for attribute, name in _CUSTOMER_FIELDS.items():
        value = getattr(given, attribute, None)
        if isinstance(value, AddressInput):
            value = {
                part: getattr(value, field)
                for field, part in _ADDRESS_FIELDS.items()
                if getattr(value, field) is not None
            }
        if value is not None:
            values[name] = value
    return values


@strawberry.input
class CustomerGroupInput:
    group_name: str


class RawFilter:
    """A FilterInput as the resolvers see it (they do not import the schema)."""

    __slots__ = ("key", "operation", "value")

    def __init__(self, item: FilterInput) -> None:
        self.key = item.key
        self.operation = Op(item.operation.value)
        self.value = None if item.value is None else str(item.value)


def raw_filters(filters: list[FilterInput | None] | None) -> list[RawFilter]:
    return [RawFilter(item) for item in filters or [] if item is not None]
