"""Persisted documents: a client sends a document's SHA-256 instead of (or with) its text.

Two ways, both keyed by the hex SHA-256 of the document's text:

- **Trusted documents**: a manifest (`[gateway] persisted_documents`, a JSON object mapping each
  hash to its document) written at build time from the front-end's operations. With
  `trusted_documents_only` (for production) the gateway runs nothing else: a request carrying a
  document outside the manifest is refused (`DOCUMENT_NOT_TRUSTED`), so an attacker holding a
  front-end's key can run only that front-end's operations.
- **Automatic persisted queries** (Apollo's APQ, `extensions.persistedQuery.sha256Hash`): the
  client sends the hash alone; on `PERSISTED_QUERY_NOT_FOUND` it sends hash and text once, and
  the gateway keeps the text (`apq`, on by default; off while `trusted_documents_only`). The
  store is per process and bounded (least recently used out): another replica just asks for the
  text once more.

The GraphQL-over-HTTP persisted-documents form `{"documentId": "sha256:<hash>"}` is read too.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from customer_gateway.core.errors import ErrorCode
from customer_gateway.server.settings import ConfigError

APQ_CAPACITY = 1000  # documents kept per process
_HEX = re.compile(r"[0-9a-f]{64}")


class DocumentRefused(Exception):
    """A request whose document cannot be had or may not run; answered without executing."""

    def __init__(self, code: ErrorCode, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def document_hash(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def load_manifest(path: str) -> dict[str, str]:
    """The manifest at `path`, every entry checked: its key is its document's hash."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read persisted_documents {path!r}: {error.strerror}") from None
    except ValueError:
        raise ConfigError(f"persisted_documents {path!r} is not JSON") from None
    if not isinstance(raw, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in raw.items()
    ):
        raise ConfigError(f"persisted_documents {path!r} must map hashes to documents")
    for key, document in raw.items():
        if key.removeprefix("sha256:") != document_hash(document):
            raise ConfigError(
                f"persisted_documents {path!r}: the entry {key[:16]}… is not its document's SHA-256"
            )
    return {key.removeprefix("sha256:"): document for key, document in raw.items()}


class PersistedDocuments:
    def __init__(
        self,
        manifest: Mapping[str, str] | None = None,
        *,
        trusted_only: bool = False,
        apq: bool = True,
        capacity: int = APQ_CAPACITY,
    ) -> None:
        self.manifest = dict(manifest or {})
        self.trusted_only = trusted_only
        self.apq = apq and not trusted_only
        self.capacity = capacity
        self._registered: OrderedDict[str, str] = OrderedDict()

    def resolve(
        self, query: str | None, extensions: Mapping[str, Any] | None, document_id: Any = None
    ) -> str | None:
        """The document to run, or DocumentRefused. `query` None with no hash: Strawberry's
        own "no query" answer follows."""
        wanted = self._wanted_hash(extensions, document_id)
        if wanted is None:
            if query is not None and self.trusted_only:
                self._refuse_untrusted(query)
            return query
        if query is None:
            return self._lookup(wanted)
        if document_hash(query) != wanted:
            raise DocumentRefused(
                ErrorCode.BAD_USER_INPUT,
                "The persisted document's hash is not the SHA-256 of the query sent with it.",
                status=400,
            )
        if self.trusted_only:
            self._refuse_untrusted(query)
        elif self.apq and wanted not in self.manifest:
            self._remember(wanted, query)
        return query

    def _wanted_hash(self, extensions: Mapping[str, Any] | None, document_id: Any) -> str | None:
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is not None:
            if not isinstance(persisted, Mapping) or persisted.get("version") != 1:
                raise DocumentRefused(
                    ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
                    "Only version 1 of persisted queries (sha256Hash) is supported.",
                    status=400,
                )
            return self._hex(persisted.get("sha256Hash"))
        if document_id is not None:
            text = document_id if isinstance(document_id, str) else ""
            return self._hex(text.removeprefix("sha256:"))
        return None

    @staticmethod
    def _hex(value: Any) -> str:
        if not isinstance(value, str) or not _HEX.fullmatch(value):
            raise DocumentRefused(
                ErrorCode.BAD_USER_INPUT,
                "A persisted document is named by its SHA-256 in lower-case hex.",
                status=400,
            )
        return value

    def _lookup(self, wanted: str) -> str:
        document = self.manifest.get(wanted)
        if document is not None:
            return document
        document = self._registered.get(wanted)
        if document is not None:
            self._registered.move_to_end(wanted)
            return document
        if not self.apq and not self.manifest:
            raise DocumentRefused(
                ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED, "PersistedQueryNotSupported"
            )
        # Apollo's link reads the message as well as the code, and then sends the text.
        raise DocumentRefused(ErrorCode.PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")

    def _remember(self, wanted: str, document: str) -> None:
        self._registered[wanted] = document
        self._registered.move_to_end(wanted)
        while len(self._registered) > self.capacity:
            self._registered.popitem(last=False)

    def _refuse_untrusted(self, query: str) -> None:
        if document_hash(query) not in self.manifest:
            raise DocumentRefused(
                ErrorCode.DOCUMENT_NOT_TRUSTED,
                "This gateway runs only the documents in its persisted-documents manifest.",
                status=403,
            )
