"""A record as a store row, and back: the connector's record kept whole as JSON (`doc`), and the
columns filters and sorts read computed from it (`keys.py`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from operator import attrgetter
from typing import Any, Final

import orjson

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
_customer_values = attrgetter(*_CUSTOMER_FIELDS)
_address_values = attrgetter(*_ADDRESS_FIELDS)
_ref_values = attrgetter(*_REF_FIELDS)


@dataclass(frozen=True, slots=True)
class Document:
    """A record as the store keeps it (`doc`) and its digest: computed once per record, for the
    reconcile's comparison and the write alike."""

    text: str
    digest: str


def customer_doc(record: CustomerRecord) -> str:
    """The record as JSON (its source is the row's own column; `missing` is always empty)."""
    return document(record).text


def document(record: CustomerRecord) -> Document:
    # Hot (every row of a load): the fields read by one `attrgetter` each (not a getattr per
    # field), and the metadata checked by loops (not nested generators and `all`).
    data: dict[str, Any] = dict(zip(_CUSTOMER_FIELDS, _customer_values(record), strict=True))
    created, updated = record.created_at, record.updated_at
    data["created_at"] = created.isoformat() if created is not None else None
    data["updated_at"] = updated.isoformat() if updated is not None else None
    data["groups"] = [
        dict(zip(_REF_FIELDS, _ref_values(ref), strict=True)) for ref in record.groups
    ]
    data["addresses"] = [
        dict(zip(_ADDRESS_FIELDS, _address_values(address), strict=True))
        for address in record.addresses
    ]
    data["metadata"] = metadata = dict(record.metadata)
    # orjson writes the bytes `json.dumps` below does, in a fifth of the time, for what the
    # typed fields hold and for metadata of plain JSON values (`_plain`); anything else (a float
    # `json` writes in exponent form, NaN, an integer wider than 64 bits, a lone surrogate, a
    # type orjson would write and `json` refuse) takes `json`: the digests of stored rows stay
    # the same bytes across versions (a changed one would be rewritten and announced).
    if _plain(metadata):
        try:
            encoded = orjson.dumps(data, option=_ORJSON)
        except TypeError:  # orjson.JSONEncodeError: what it does not write
            pass
        else:
            return Document(encoded.decode(), _digest(encoded))
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return Document(text, digest(text))


_ORJSON = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _plain(value: Any) -> bool:
    """A JSON value orjson writes byte for byte as `json.dumps(..., ensure_ascii=False,
    separators=(",", ":"), sort_keys=True)` does: str, int, bool, None, a float `repr` writes
    without an exponent (0, or 1e-4 <= |x| < 1e16: checked against `json` for a million random
    ones), lists and dicts with string keys of those."""
    kind = type(value)
    if kind is dict or kind is list or kind is tuple:
        if kind is dict:
            for key in value:
                if type(key) is not str:
                    return False
            value = value.values()
        for item in value:
            if type(item) in _LEAVES:  # the common case, without a call
                continue
            if not _plain(item):
                return False
        return True
    if kind in _LEAVES:
        return True
    if kind is float:
        return bool(value == 0.0 or 1e-4 <= abs(value) < 1e16)  # NaN and infinities: False
    return False


# Written alike by both (an int wider than 64 bits makes orjson raise: `json` writes it then).
_LEAVES: Final = frozenset({str, int, bool, type(None)})


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
    record: CustomerRecord,
    *,
    rank: int,
    pass_no: int,
    text_key: TextKey,
    doc: Document | None = None,
) -> dict[str, Any]:
    """The row's columns by name (`ROW_COLUMNS`' order); `doc`: the record's, when the caller
    has it already."""
    return dict(
        zip(
            ROW_COLUMNS,
            customer_values(record, rank=rank, pass_no=pass_no, text_key=text_key, doc=doc),
            strict=True,
        )
    )


# The columns `customer_values` gives, in its order (the store's insert binds them so).
ROW_COLUMNS = (
    "source",
    "native_id",
    "rank",
    "nat",
    "created_key",
    "updated_key",
    "name_key",
    "email_key",
    "status",
    "email",
    "full_name",
    "email_fold",
    "name_fold",
    "phone",
    "vat",
    "company",
    "company_fold",
    "external_id",
    "numeric_key",
    "doc",
    "digest",
    "pass_no",
)


def customer_values(
    record: CustomerRecord,
    *,
    rank: int,
    pass_no: int,
    text_key: TextKey,
    doc: Document | None = None,
) -> tuple[Any, ...]:
    """The row as a tuple in `ROW_COLUMNS`' order (a load binds hundreds of thousands)."""
    if doc is None:
        doc = document(record)
    email, full_name, company = record.email, record.full_name, record.company_name
    return (
        record.source,
        record.id,
        rank,
        natural_key(record.id),
        time_key(record.created_at),
        time_key(record.updated_at),
        text_key(full_name),
        text_key(email),
        record.status,
        email,
        full_name,
        fold(email),
        fold(full_name),
        normalise_phone(record.phone) if record.phone is not None else None,
        normalise_vat(record.vat_number) if record.vat_number else None,
        company,
        fold(company),
        record.external_id,
        record.numeric_id,
        doc.text,
        doc.digest,
        pass_no,
    )


@dataclass(frozen=True, slots=True)
class CustomerRows:
    """Records as the store writes them (`customer_rows`), built before the write transaction:
    a load builds one page's rows while the page before it is written."""

    records: list[CustomerRecord]  # the last record of each (source, id), in order
    values: list[tuple[Any, ...]]  # `customer_values` of each, in the same order


def customer_rows(
    records: Sequence[CustomerRecord],
    *,
    rank: int,
    pass_no: int,
    text_key: TextKey,
    docs: Sequence[Document] | None = None,
) -> CustomerRows:
    """`docs`: the records' documents, in their order, when the caller has them already."""
    documents = docs if docs is not None else [document(record) for record in records]
    latest = {  # last one wins
        (record.source, record.id): (record, doc)
        for record, doc in zip(records, documents, strict=True)
    }
    return CustomerRows(
        [record for record, _ in latest.values()],
        [
            customer_values(record, rank=rank, pass_no=pass_no, text_key=text_key, doc=doc)
            for record, doc in latest.values()
        ],
    )


def digest(doc: str) -> str:
    return _digest(doc.encode())


def _digest(doc: bytes) -> str:
    return hashlib.blake2b(doc, digest_size=16).hexdigest()


def group_doc(group: GroupRecord) -> str:
    data = asdict(group)
    data.pop("source")
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def group_from_doc(source: str, doc: str) -> GroupRecord:
    data: Mapping[str, Any] = json.loads(doc)
    return GroupRecord(source=source, **data)
