"""Inputs: EverShop's FilterInput, and the mutation inputs."""

from __future__ import annotations

import enum

import strawberry

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
    description="EverShop's filter. Customer keys: keyword, email, full_name, status, group, "
    "source, ob (email|name|status|created_at), od (ASC|DESC), page, limit. `in`/`nin` take "
    "comma-separated values."
)
class FilterInput:
    key: str
    operation: FilterOperation
    value: strawberry.ID | None = None


@strawberry.input(description="A new customer. Which fields a source stores is in `sources`.")
class CustomerCreateInput:
    email: str
    full_name: str
    password: str | None = strawberry.field(
        default=None, description="Required by sources that keep logins (EverShop); ≥ 6 characters."
    )
    status: int | None = strawberry.field(
        default=None, description="1 enabled (default), 0 disabled."
    )
    group_id: str | None = strawberry.field(
        default=None, description="The group's `uuid` or its native id in the target source."
    )
    phone: str | None = None


@strawberry.input(description="Changes to a customer; omitted fields stay as they are.")
class CustomerUpdateInput:
    email: str | None = None
    full_name: str | None = None
    password: str | None = None
    status: int | None = None
    group_id: str | None = None
    phone: str | None = None


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
