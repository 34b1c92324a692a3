"""Webhook receivers: a source's change notice schedules a targeted re-read of that customer
into its mirror, so a change shows before the next sync step. Never the only path: deliveries
get lost (Shoptet retries 3 times, Flow Retail 10), and the sync finds every change anyway.

`POST /webhooks/<source>`, for a mirrored source with `credentials.webhook_secret`:

- Shoptet (contract 1.9): `Shoptet-Webhook-Signature` must be the hex HMAC-SHA1 of the raw body
  with the e-shop's signature key (`webhook_secret`); the body `{eshopId, event, eventCreated,
  eventInstance}` names the customer (`customer:create|update|delete`,
  `customer:disableOrders|enableOrders`); other events are accepted and ignored.
- Flow Retail (contract 2.5): deliveries come through an HTTP transport whose `securityType`
  says how it authenticates; the contract documents `NONE`, `BASIC_AUTH` and a bearer-style type
  whose name it does not give, and no signature. The receiver takes `Authorization: Basic`
  with `webhook_secret` as the password (any user name) or `Authorization: Bearer
  <webhook_secret>`; `NONE` is not accepted. The body `{"action": "CUSTOMER_UPDATE", "customer":
  {"Id": 32, "Uid": "1000"}, …}` names the customer by `Uid`.

What fails verification is refused with a typed error before the body is read as JSON.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping

MAX_BODY = 64 * 1024  # a notice is a few hundred bytes
SHOPTET_CUSTOMER_EVENTS = frozenset(
    {
        "customer:create",
        "customer:update",
        "customer:delete",
        "customer:disableOrders",
        "customer:enableOrders",
    }
)
FLOW_RETAIL_ACTIONS = frozenset({"CUSTOMER_CREATE", "CUSTOMER_UPDATE", "CUSTOMER_DELETE"})
KINDS = frozenset({"shoptet", "flow_retail"})


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code  # an ErrorCode's value
        self.message = message


def customer_ids(kind: str, secret: str, body: bytes, headers: Mapping[str, str]) -> list[str]:
    """The customers a verified notice names (none: an event the mirror ignores)."""
    if kind == "shoptet":
        _verify_shoptet(secret, body, headers)
        notice = _json(body)
        if notice.get("event") not in SHOPTET_CUSTOMER_EVENTS:
            return []
        instance = notice.get("eventInstance")
        if not isinstance(instance, str) or not 0 < len(instance) <= 255:
            raise Refused(400, "BAD_USER_INPUT", "The notice's eventInstance is not a customer.")
        return [instance]
    if kind == "flow_retail":
        _verify_flow_retail(secret, headers)
        notice = _json(body)
        if notice.get("action") not in FLOW_RETAIL_ACTIONS:
            return []
        customer = notice.get("customer")
        uid = customer.get("Uid") if isinstance(customer, dict) else None
        if not isinstance(uid, str) or not 0 < len(uid) <= 255:
            raise Refused(400, "BAD_USER_INPUT", "The notice's customer.Uid is missing.")
        return [uid]
    raise Refused(404, "NOT_FOUND", "This source sends no webhooks the gateway receives.")


def _verify_shoptet(secret: str, body: bytes, headers: Mapping[str, str]) -> None:
    given = headers.get("shoptet-webhook-signature", "")
    expected = hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    if not given or not hmac.compare_digest(given.strip().lower(), expected):
        raise Refused(401, "UNAUTHENTICATED", "The Shoptet-Webhook-Signature does not match.")


def _verify_flow_retail(secret: str, headers: Mapping[str, str]) -> None:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    presented = ""
    if scheme.lower() == "bearer":
        presented = value.strip()
    elif scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        presented = decoded.partition(":")[2]
    if not presented or not hmac.compare_digest(presented.encode(), secret.encode()):
        raise Refused(401, "UNAUTHENTICATED", "The notice's Authorization is not this source's.")


def _json(body: bytes) -> dict[str, object]:
    try:
        notice = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, "BAD_USER_INPUT", "The notice is not JSON.") from None
    if not isinstance(notice, dict):
        raise Refused(400, "BAD_USER_INPUT", "The notice is not a JSON object.")
    return notice
