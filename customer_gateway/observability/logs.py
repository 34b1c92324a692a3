"""Logging setup: secrets are scrubbed from every record, httpx's URL-bearing INFO lines are off."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from customer_gateway.observability.requestlog import REQUEST_ID

MASK = "**********"


class SecretScrubber(logging.Filter):
    """Replaces the exact value of every loaded credential in a record's final message."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        scrubbed = message
        for secret in self.secrets:
            scrubbed = scrubbed.replace(secret, MASK)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            text = json.dumps(fields, default=str)
            if any(secret in text for secret in self.secrets):
                # Value by value: replacing inside the JSON text broke it when a secret matched
                # a number (a store id 1003 inside "durationMs": 1003.5), failing the request.
                record.fields = self._scrub(fields)
        return True

    def _scrub(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {self._scrub(key): self._scrub(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._scrub(item) for item in value]
        if value is None or isinstance(value, bool):
            return value
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        if not any(secret in text for secret in self.secrets):
            return value
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and the record's
    structured `fields` (see requestlog.py)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id:
            entry["requestId"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str, secrets: Iterable[str], log_format: str = "json") -> None:
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(SecretScrubber(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # Neither format prints where a record was made nor its thread or process: the Logging
    # HOWTO's "Optimization" switches, so a record does not walk the stack (findCaller) or look
    # up its thread and process names (part of the request log line's cost per request).
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    root.setLevel(level.upper())
    # httpx logs every request's full URL at INFO; query strings can carry e-mails or tokens.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
