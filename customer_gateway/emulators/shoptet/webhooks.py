"""Webhook registrations (README 1.9) and their deliveries.

Each delivery is recorded as a `WebhookDelivery`: the exact body and its
`Shoptet-Webhook-Signature` (hex HMAC-SHA1 of the raw body with the e-shop's signature key).
With a `target` (not Shoptet's: the registered URL's host is usually a public name the emulator
cannot reach) each is also POSTed, once, to the target's scheme, host and port with the
registered URL's path and query; what the receiver answered is in `sent` (status, or the
transport error's name). Shoptet retries a failed delivery about 15 minutes later; the emulator
does not.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import random
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

from customer_gateway.emulators.base import Clock
from customer_gateway.emulators.delivery import post_later

from .formats import format_datetime
from .payloads import ErrorItem, ShoptetError, WebhookObject, error_item
from .reference import EXCLUSIVE_EVENTS, WEBHOOK_EVENTS

MAX_PER_CALL: Final = 50
_ALLOWED_PORTS: Final = frozenset({80, 443, 8080, 8443})


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    url: str
    event: str
    payload: dict[str, Any]  # {eshopId, event, eventCreated, eventInstance}
    body: bytes
    headers: dict[str, str]


class WebhookRegistry:
    def __init__(self, *, clock: Clock, eshop_id: int, seed: int) -> None:
        self.clock = clock
        self.eshop_id = eshop_id
        self._rng = random.Random(f"shoptet-webhooks:{seed}")
        self.signature_key = self._new_key()
        self.hooks: dict[int, WebhookObject] = {}
        self.next_id = 1
        self.deliveries: list[WebhookDelivery] = []
        self.target: str | None = None  # POST deliveries here (scheme://host:port), see above
        self.sent: list[tuple[str, int | str]] = []  # (event, status or error) per POST

    def _new_key(self) -> str:
        return f"{self._rng.getrandbits(128):032x}"

    def renew_signature_key(self) -> str:
        self.signature_key = self._new_key()
        return self.signature_key

    def listing(self) -> list[WebhookObject]:
        return [copy.copy(hook) for _, hook in sorted(self.hooks.items())]

    def registered(self, event: str) -> WebhookObject | None:
        return next((hook for hook in self.hooks.values() if hook["event"] == event), None)

    def get(self, hook_id: str) -> WebhookObject:
        hook = self.hooks.get(int(hook_id)) if hook_id.isdigit() else None
        if hook is None:
            raise ShoptetError.one(
                404, "webhook-not-found", f'Webhook with id "{hook_id}" not found.', hook_id
            )
        return hook

    @staticmethod
    def _url_errors(url: str, instance: str) -> list[ErrorItem]:
        parts = urlsplit(url)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            port = -1
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return [error_item("invalid-request-data", f'Invalid URL "{url}".', instance)]
        if port not in _ALLOWED_PORTS:
            message = "Only ports 80, 443, 8080 and 8443 are allowed."
            return [error_item("invalid-request-data", message, instance)]
        return []

    def register(self, items: list[dict[str, Any]]) -> list[WebhookObject]:
        if len(items) > MAX_PER_CALL:
            # Assumption: the "too many entities in one request" status of README 1.2.
            raise ShoptetError.one(
                413, "too-many-items", f"At most {MAX_PER_CALL} webhooks per request.", "data"
            )
        errors: list[ErrorItem] = []
        events = {hook["event"] for hook in self.hooks.values()}
        for position, item in enumerate(items):
            event, where = item["event"], f"data[{position}]"
            if event not in WEBHOOK_EVENTS:
                errors.append(
                    error_item(
                        "invalid-request-data", f'Unknown event "{event}".', f"{where}.event"
                    )
                )
            elif event in events:
                errors.append(
                    error_item(
                        "invalid-request-data",
                        "Webhook already exists for this event",
                        f"{where}.event",
                    )
                )
            errors.extend(self._url_errors(item["url"], f"{where}.url"))
            events.add(event)
        if errors:
            raise ShoptetError(422, errors)
        for position, item in enumerate(items):
            clash = EXCLUSIVE_EVENTS.get(item["event"], frozenset()) & events
            if clash:
                raise ShoptetError.one(
                    409,
                    "webhook-event-conflict",
                    f'Event "{item["event"]}" cannot be registered together with'
                    f' "{sorted(clash)[0]}".',
                    f"data[{position}].event",
                )
        created: list[WebhookObject] = []
        for item in items:
            hook: WebhookObject = {
                "id": self.next_id,
                "event": item["event"],
                "url": item["url"],
                "created": format_datetime(self.clock()),
                "updated": None,
                "sendPayload": item.get("sendPayload"),
            }
            self.hooks[hook["id"]] = hook
            self.next_id += 1
            created.append(copy.copy(hook))
        return created

    def update(self, hook_id: str, data: dict[str, Any]) -> WebhookObject:
        hook = self.get(hook_id)
        if "url" in data:
            errors = self._url_errors(data["url"], "data.url")
            if errors:
                raise ShoptetError(422, errors)
            hook["url"] = data["url"]
        if "sendPayload" in data:
            hook["sendPayload"] = data["sendPayload"]
        hook["updated"] = format_datetime(self.clock())
        return copy.copy(hook)

    def delete(self, hook_id: str) -> None:
        del self.hooks[self.get(hook_id)["id"]]

    def emit(self, event: str, instance: str | int, at: float | None = None) -> None:
        hook = self.registered(event)
        if hook is None:
            return
        payload: dict[str, Any] = {
            "eshopId": self.eshop_id,
            "event": event,
            "eventCreated": format_datetime(self.clock() if at is None else at),
            "eventInstance": str(instance),
        }
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        signature = hmac.new(self.signature_key.encode(), body, hashlib.sha1).hexdigest()
        delivery = WebhookDelivery(
            url=hook["url"],
            event=event,
            payload=payload,
            body=body,
            headers={
                "Content-Type": "application/json",
                "Shoptet-Webhook-Signature": signature,
            },
        )
        self.deliveries.append(delivery)
        if self.target is not None:
            self._send(delivery, self.target)

    def _send(self, delivery: WebhookDelivery, target: str) -> None:
        base, path = urlsplit(target), urlsplit(delivery.url)
        url = urlunsplit((base.scheme, base.netloc, path.path, path.query, ""))
        post_later(
            url,
            delivery.body,
            delivery.headers,
            event=delivery.event,
            sent=self.sent,
            timeout=4.0,  # Shoptet waits 4 s
        )
