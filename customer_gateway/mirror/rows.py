"""A record as a store row, and back: the connector's record kept whole as JSON (`doc`), and the
columns filters and sorts read computed from it (`keys.py`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from customer_gateway.connectors.models import Address, CustomerRecord, GroupRecord, GroupRef
from customer_gateway.mirror.keys import (
    TextKey,
    fold,
    natural_key,
    normalise_phone,
    normalise_vat,
    time_key,
)

_CUSTOMER_FIELDS = tuple(
    f.name
    for f in fields(CustomerRecord)
    if f.name not in ("source", "missing", "groups", "addresses")
)
_ADDRESS_FIELDS = tuple(f.name for f in fields(Address))
_REF_FIELDS = tuple(f.name for f in fields(GroupRef))


def customer_doc(record: CustomerRecord) -> str:
    """The record as JSON (its source is the row's own column; `missing` is always empty)."""
    data: dict[str, Any] = {name: getattr(record, name) for name in _CUSTOMER_FIELDS}
    for key in ("created_at", "updated_at"):
        moment = data[key]
        data[key] = moment.isoformat() if moment is not None else None
    data["groups"] = [{name: getattr(ref, name) for name in _REF_FIELDS} for ref in record.groups]
    data["addresses"] = [
        {name: getattr(address, name) for name in _ADDRESS_FIELDS} for address in record.addresses
    ]
    data["metadata"] = dict(record.metadata)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def customer_from_doc(source: str, doc: str) -> CustomerRecord:
    data: dict[str, Any] = json.loads(doc)
    known = {name: data[name] for name in _CUSTOMER_FIELDS if name in data}
    for key in ("created_at", "updated_at"):
        known[key] = _moment(known.get(key))
    return CustomerRecord(
        source=source,
        **known,
        groups=tuple(GroupRef(**ref) for ref in data["groups"]),
        addresses=tuple(Address(**address) for address in data["addresses"]),
    )


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def customer_row(
    record: CustomerRecord, *, rank: int, pass_no: int, text_key: TextKey
) -> dict[str, Any]:
    doc = customer_doc(record)
    return {
        "source": record.source,
        "native_id": record.id,
        "rank": rank,
        "nat": natural_key(record.id),
        "created_key": time_key(record.created_at),
        "updated_key": time_key(record.updated_at),
        "name_key": text_key(record.full_name),
        "email_key": text_key(record.email),
        "status": record.status,
        "email": record.email,
        "full_name": record.full_name,
        "email_fold": fold(record.email),
        "name_fold": fold(record.full_name),
        "phone": normalise_phone(record.phone) if record.phone is not None else None,
        "vat": normalise_vat(record.vat_number) if record.vat_number else None,
        "company": record.company_name,
        "company_fold": fold(record.company_name),
        "external_id": record.external_id,
        "numeric_key": record.numeric_id,
        "doc": doc,
        "digest": digest(doc),
        "pass_no": pass_no,
    }


def digest(doc: str) -> str:
    return hashlib.blake2b(doc.encode(), digest_size=16).hexdigest()


def group_doc(group: GroupRecord) -> str:
    data = asdict(group)
    data.pop("source")
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def group_from_doc(source: str, doc: str) -> GroupRecord:
    data: Mapping[str, Any] = json.loads(doc)
    return GroupRecord(source=source, **data)
