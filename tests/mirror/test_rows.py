"""A record's stored document: orjson writes it where its bytes are `json.dumps`'s (the digests
of stored rows stay what earlier versions wrote), `json` everywhere else."""

from __future__ import annotations

import json
import math
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from customer_gateway.connectors.models import Address, CustomerRecord, GroupRef
from customer_gateway.mirror.keys import collation_key
from customer_gateway.mirror.rows import (
    ROW_COLUMNS,
    customer_from_doc,
    customer_row,
    customer_values,
    digest,
    document,
)
from customer_gateway.mirror.tables import customers


def _json(record: CustomerRecord) -> str:
    """What the store wrote before orjson: `json.dumps` of the same fields."""
    data: dict[str, Any] = {
        "id": record.id,
        "numeric_id": record.numeric_id,
        "email": record.email,
        "full_name": record.full_name,
        "status": record.status,
        "created_at": record.created_at.isoformat() if record.created_at else None,
        "updated_at": record.updated_at.isoformat() if record.updated_at else None,
        "phone": record.phone,
        "vat_number": record.vat_number,
        "company_name": record.company_name,
        "external_id": record.external_id,
        "groups": [{"id": g.id, "numeric_id": g.numeric_id, "name": g.name} for g in record.groups],
        "addresses": [
            {
                "id": a.id,
                "kind": a.kind,
                "full_name": a.full_name,
                "company": a.company,
                "telephone": a.telephone,
                "address1": a.address1,
                "address2": a.address2,
                "city": a.city,
                "postcode": a.postcode,
                "country_code": a.country_code,
                "province_code": a.province_code,
                "province_name": a.province_name,
                "is_default": a.is_default,
                "numeric_id": a.numeric_id,
            }
            for a in record.addresses
        ],
        "metadata": dict(record.metadata),
        "urn": record.urn,
        "edit_url": record.edit_url,
        "update_api": record.update_api,
        "delete_api": record.delete_api,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


BASE = CustomerRecord(
    source="shop",
    id="42",
    numeric_id=42,
    email="jana@example.com",
    full_name="Jana Nováková",
    status=1,
    created_at=datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC),
    updated_at=datetime(2024, 5, 2, tzinfo=UTC) + timedelta(hours=2),
    phone="+420 601 222 333",
    groups=(GroupRef("1", 1, "Retail"),),
    addresses=(Address(id="a", kind="billing", city="Brno", is_default=True, numeric_id=7),),
    metadata={"priceRatio": 0.95, "remark": 'VIP "client"\n\ttab', "nested": {"b": [1, 2.5]}},
)

METADATA = [
    {},
    {"ratio": 1e-5},  # json writes 1e-05, orjson 0.00001
    {"big": 1e16},
    {"nan": math.nan},  # json writes NaN, orjson null
    {"inf": -math.inf},
    {"wide": 2**70},  # past 64 bits
    {"wide": -(2**63) - 1},
    {"surrogate": "\ud800"},
    {1: "an integer key"},
    {"tuple": (1, "a", None, True)},
    {"control": "".join(chr(code) for code in range(0x20)) + "\x7f\u2028\u2029\ufeff"},
    {"unicode": "Ωμέγα 中文 😀 Zoë"},
    {"keys": {"é": 1, "e": 2, "Z": 3, "😀": 4, "\uffff": 5}},
    {"deep": [[[[{"x": [0.0, -0.0, 123456789.125, 1e-4, 9999999999999998.0]}]]]]},
    {"bool": False, "none": None, "zero": 0},
]


@pytest.mark.parametrize("metadata", METADATA, ids=range(len(METADATA)))
def test_the_document_is_jsons_bytes(metadata: dict[Any, Any]) -> None:
    record = replace(BASE, metadata=metadata)
    try:
        expected = _json(record)
    except (TypeError, ValueError) as error:
        with pytest.raises(type(error)):
            document(record)
        return
    if "\ud800" in expected:  # not UTF-8: the digest cannot be taken (as before)
        with pytest.raises(UnicodeEncodeError):
            document(record)
        return
    doc = document(record)
    assert doc.text == expected
    assert doc.digest == digest(expected)


def test_random_records_round_trip_with_jsons_bytes() -> None:
    rng = random.Random(3)
    alphabet = "aAzZ09 .-_@'\"\\/ščřžýáíéůúŘŽÅØæßΩЖ中😀\n\t\x00"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
        number = rng.choice((0, 1, -1, 2**62, rng.randrange(10**9)))
        value = rng.choice((text, number, rng.uniform(-1e6, 1e6), None, True, [text, number]))
        record = replace(
            BASE,
            id=text or "x",
            email=text or None,
            full_name=rng.choice((text, None)),
            numeric_id=number,
            metadata={text: value, "n": rng.random()},
        )
        doc = document(record)
        assert doc.text == _json(record)
        assert customer_from_doc(record.source, doc.text) == replace(
            record, metadata=json.loads(_json(record))["metadata"]
        )


def test_values_are_the_rows_columns() -> None:
    key = collation_key("en_US")
    row = customer_row(BASE, rank=2, pass_no=5, text_key=key)
    assert tuple(row) == ROW_COLUMNS
    assert set(ROW_COLUMNS) == {column.name for column in customers.columns}
    assert customer_values(BASE, rank=2, pass_no=5, text_key=key) == tuple(row.values())
    assert row["doc"] == _json(BASE)
    assert row["email_key"] == key(BASE.email)
