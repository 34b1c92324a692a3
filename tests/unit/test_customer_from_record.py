"""`Customer.from_record` with a list page's selection: the selected fields as without one."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from customer_gateway.connectors.models import CustomerRecord, GroupRef
from customer_gateway.resolvers.selection import CUSTOMER_FIELD_ATTRIBUTES
from customer_gateway.schema.customer import Customer

RECORDS = [
    CustomerRecord(
        source="shop",
        id="42",
        numeric_id=42,
        email="a@example.com",
        full_name="Ada",
        status=1,
        created_at=datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC),
        updated_at=datetime(2025, 4, 4, 5, 6, 7, tzinfo=UTC),
        phone="+420 1",
        vat_number="CZ1",
        company_name="Co",
        groups=(GroupRef("1", 1, "Gold"),),
        metadata={"lang": "cs"},
        urn="urn:shop:42",
        update_api="https://shop/api/customers/42",
    ),
    CustomerRecord("shop", "7", 7, None, None, 1, None, missing=frozenset({"email", "status"})),
]
# The GraphQL names of Customer's plain fields (what `from_record` fills).
FIELDS = {
    "customerId": "customer_id",
    "uuid": "uuid",
    "nativeId": "native_id",
    "source": "source",
    "createdAt": "created_at",
    "updatedAt": "updated_at",
    "urn": "urn",
    "editUrl": "edit_url",
    "updateApi": "update_api",
    "deleteApi": "delete_api",
    "updateMetafieldsApi": "update_metafields_api",
    "metaData": "meta_data",
    "email": "email",
    "fullName": "full_name",
    "status": "status",
    "phone": "phone",
    "vatNumber": "vat_number",
    "companyName": "company_name",
}


def test_fields_cover_the_record_attributes() -> None:
    plain = {"group", "groups", "addresses"}  # resolvers over `record`, not filled here
    assert set(CUSTOMER_FIELD_ATTRIBUTES) - plain <= set(FIELDS)


@pytest.mark.parametrize("record", RECORDS, ids=["full", "summary"])
@pytest.mark.parametrize(
    "selected",
    [frozenset(), frozenset({"uuid", "fullName"}), frozenset({"createdAt", "metaData"})]
    + [frozenset({name}) for name in FIELDS]
    + [frozenset(FIELDS)],
)
def test_a_selected_field_is_what_a_full_build_gives(
    record: CustomerRecord, selected: frozenset[str]
) -> None:
    full = Customer.from_record(record, "ecwid")
    chosen = Customer.from_record(record, "ecwid", selected)
    for name in selected:
        attribute = FIELDS[name]
        left, right = getattr(chosen, attribute), getattr(full, attribute)
        if dataclasses.is_dataclass(left):
            assert dataclasses.asdict(left) == dataclasses.asdict(right)  # type: ignore[arg-type]
        else:
            assert left == right, name
    assert chosen.record is record
