"""The spec's request-body schemas, `$ref`s inlined and annotations (description, examples,
default) dropped. tests/emulators/test_shoptet_contract.py checks each against the vendored
OpenAPI file, so a spec update that changes a rule fails the tests until this file follows.
"""

from __future__ import annotations

from typing import Any, Final

Schema = dict[str, Any]


def _text(
    min_length: int | None = 1, max_length: int | None = None, *, null: bool = True
) -> Schema:
    schema: Schema = {"type": ["string", "null"] if null else "string"}
    if min_length is not None:
        schema["minLength"] = min_length
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


def _body(data: Schema, *, closed_root: bool = True) -> Schema:
    schema: Schema = {"type": "object", "required": ["data"], "properties": {"data": data}}
    if closed_root:
        schema["additionalProperties"] = False
    return schema


_BOOL: Final = {"type": "boolean"}
_PRICE_RATIO: Final = {"type": "string", "pattern": r"[0-9]+\.[0-9]{4}$", "minLength": 1}

BILLING_ADDRESS_CUSTOMER: Final = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        **{
            name: _text(1, 255)
            for name in ("company", "fullName", "street", "houseNumber", "city", "district",
                         "additional", "zip")
        },
        "countryCode": _text(1, null=False),
        "regionName": _text(1, 255),
        "companyId": _text(1, 18),
        "vatId": _text(1, 16),
        "taxId": _text(1, 16),
    },
}  # fmt: skip

_CUSTOMER_FIELDS: Final = {
    "remark": _text(1),
    "priceRatio": _PRICE_RATIO,
    "birthDate": _text(None),
    "disabledOrders": _BOOL,
    "customerGroupCode": _text(1, null=False),
    "pricelistId": {"type": "integer"},
    "billingAddress": BILLING_ADDRESS_CUSTOMER,
}

_ACCOUNT_FIELDS: Final = {
    "fullName": _text(1, 128),
    "email": _text(1, 128, null=False),
    "phone": _text(1, 30),
}

CREATE_CUSTOMER: Final = _body(
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["account"],
        "minProperties": 1,
        "properties": {
            **_CUSTOMER_FIELDS,
            "account": {
                "type": "object",
                "additionalProperties": False,
                "required": ["email"],
                "properties": {**_ACCOUNT_FIELDS, "authorized": _BOOL, "emailVerified": _BOOL},
            },
        },
    }
)

UPDATE_CUSTOMER: Final = _body(
    {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "properties": dict(_CUSTOMER_FIELDS),
    }
)

UPDATE_ACCOUNT: Final = _body(
    {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "properties": {
            **_ACCOUNT_FIELDS,
            "mainAccount": _BOOL,
            "authorized": _BOOL,
            "emailVerified": _BOOL,
        },
    }
)

_GROUP_FIELDS: Final = {
    "name": _text(1, 255, null=False),
    "description": _text(None),
    "defaultPricelistId": {"type": ["integer", "null"]},
    "emailNotification": _BOOL,
    "authRequired": _BOOL,
    "maxDiscount": {"type": ["string", "null"], "pattern": r"[0-9]+\.[0-9]{4}$"},
    "defaultDueDays": {"type": ["integer", "null"], "minimum": 0, "maximum": 365},
    "registrationAllowed": _BOOL,
    "wholesale": _BOOL,
    "tableLayout": _BOOL,
    "fullProfileRequired": _BOOL,
    "defaultOrderStatusId": {"type": ["integer", "null"]},
}

# The group bodies' root object does not forbid extra keys in the spec (only `data` does).
CREATE_GROUP: Final = _body(
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": dict(_GROUP_FIELDS),
    },
    closed_root=False,
)

UPDATE_GROUP: Final = _body(
    {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "properties": dict(_GROUP_FIELDS),
    },
    closed_root=False,
)

_SEND_PAYLOAD: Final = {"type": ["string", "null"], "enum": ["full", None]}

CREATE_WEBHOOKS: Final = _body(
    {
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["event", "url"],
            "properties": {
                "event": {"type": "string"},
                "url": {"type": "string", "maxLength": 2000},
                "sendPayload": _SEND_PAYLOAD,
            },
        },
    }
)

UPDATE_WEBHOOK: Final = _body(
    {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "properties": {"url": {"type": "string", "maxLength": 2000}, "sendPayload": _SEND_PAYLOAD},
    }
)

REQUEST_SCHEMAS: Final = {
    ("/api/customers", "post"): CREATE_CUSTOMER,
    ("/api/customers/{guid}", "patch"): UPDATE_CUSTOMER,
    ("/api/customers/{guid}/accounts/{accountGuid}", "patch"): UPDATE_ACCOUNT,
    ("/api/customers/groups", "post"): CREATE_GROUP,
    ("/api/customers/groups/{id}", "patch"): UPDATE_GROUP,
    ("/api/webhooks", "post"): CREATE_WEBHOOKS,
    ("/api/webhooks/{id}", "patch"): UPDATE_WEBHOOK,
}
