"""Opaque, stable cursors for `customersConnection` (the Relay cursor connection).

A cursor is the position of one customer in the merged order: its sort field's value, its
source and its native id (keyset, not an offset: customers inserted or deleted before it move no
page). Sort values can be names and e-mail addresses, and cursors travel in URLs and logs, so a
cursor is sealed with AES-GCM: opaque to the client, and a cursor the gateway did not make (or
made for another sort) is refused as BAD_USER_INPUT. The key is `cursor_secret` (set it the same
on every replica) or, without one, a random key kept in `data_dir/cursor.key` (0600; shared by
the workers of one host).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from customer_gateway.connectors.models import CustomerRecord, Sort, SortField
from customer_gateway.core.errors import BadUserInput
from customer_gateway.server.datadir import write_private

_CONTEXT = b"customer-gateway cursor v1"


@dataclass(frozen=True, slots=True)
class Position:
    """Where a customer stands in a merged order (what a cursor seals)."""

    sort: Sort
    source: str
    native_id: str
    value: Any  # the sort field's value: an ISO time, a status, a name or an e-mail, or None

    @classmethod
    def of(cls, record: CustomerRecord, sort: Sort) -> Position:
        field = sort.field
        value: Any
        if field is SortField.CREATED_AT:
            value = record.created_at.isoformat() if record.created_at else None
        elif field is SortField.EMAIL:
            value = record.email
        elif field is SortField.NAME:
            value = record.full_name
        elif field is SortField.STATUS:
            value = record.status
        else:  # CUSTOMER_ID
            value = record.numeric_id
        return cls(sort, record.source, record.id, value)

    def record(self) -> CustomerRecord:
        """A stand-in record with this position's sort value (to compare it with others)."""
        field, value = self.sort.field, self.value
        return CustomerRecord(
            source=self.source,
            id=self.native_id,
            numeric_id=value if field is SortField.CUSTOMER_ID else 0,
            email=value if field is SortField.EMAIL else None,
            full_name=value if field is SortField.NAME else None,
            status=value if field is SortField.STATUS else 0,
            created_at=(
                datetime.fromisoformat(value)
                if field is SortField.CREATED_AT and value is not None
                else None
            ),
        )


class CursorCodec:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def encode(self, position: Position) -> str:
        payload = [
            position.sort.field.value,
            position.sort.descending,
            position.source,
            position.native_id,
            position.value,
        ]
        nonce = secrets.token_bytes(12)
        sealed = self._aead.encrypt(nonce, json.dumps(payload).encode(), _CONTEXT)
        return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")

    def decode(self, cursor: str, sort: Sort, argument: str) -> Position:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            plain = self._aead.decrypt(raw[:12], raw[12:], _CONTEXT)
            field, descending, source, native_id, value = json.loads(plain)
        except (binascii.Error, ValueError, InvalidTag, TypeError):
            raise BadUserInput(
                f"`{argument}` is not a cursor this gateway gave out.", field=argument
            ) from None
        if (field, descending) != (sort.field.value, sort.descending):
            raise BadUserInput(
                f"`{argument}` belongs to another order than these filters ask for.",
                field=argument,
            )
        return Position(sort, str(source), str(native_id), value)


def cursor_key(secret: str | None, data_dir: Path) -> bytes:
    """The sealing key: from `cursor_secret`, else the host's own in `data_dir/cursor.key`."""
    if secret:
        return hashlib.sha256(_CONTEXT + secret.encode()).digest()
    path = data_dir / "cursor.key"
    if not path.exists():
        # Created once, atomically and only if absent: workers starting together must not each
        # keep a key of their own (a cursor from one would be refused by the other).
        staged = data_dir / f".cursor.key.{os.getpid()}"
        write_private(staged, secrets.token_bytes(32))
        with contextlib.suppress(FileExistsError):
            os.link(staged, path)
        staged.unlink()
    key = path.read_bytes()
    if len(key) != 32:
        raise ValueError(f"{path} is not a 32-byte key")
    os.chmod(path, 0o600)
    return key
