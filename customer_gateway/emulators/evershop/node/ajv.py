"""The slice of Ajv 8 (+ ajv-formats, ajv-errors) EverShop's customer and auth schemas use.

EverShop builds Ajv with `allErrors: true` and reports only `errors[0].message`
(`modules/base/services/getAjv.js`), so what matters is which error comes first:
`required` before `properties` (the validation vocabulary is registered before the applicator),
properties in schema order, and inside a property a multi-type check before `enum`. ajv-errors
replaces a property's errors in place, in the order of its `errorMessage` keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

# ajv-formats 2.1 "full" email format; `/i` without the `u` flag folds ASCII letters only.
_EMAIL: Final = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?",
    re.IGNORECASE | re.ASCII,
)

Schema = Mapping[str, Any]

# modules/customer/services/customer/customerDataSchema.json (+ `required` set by createCustomer)
CUSTOMER_DATA_SCHEMA: Final[Schema] = {
    "type": "object",
    "properties": {
        "status": {
            "type": ["string", "integer"],
            "enum": ["0", "1", 0, 1],
            "errorMessage": {
                "type": "Status must be a string or number",
                "enum": "Status must be either 0, 1, '0', or '1'",
            },
        },
        "email": {
            "type": "string",
            "format": "email",
            "errorMessage": {
                "type": "Email must be a string",
                "format": "Email must be a valid email address (e.g., user@example.com)",
            },
        },
        "password": {
            "type": "string",
            "minLength": 1,
            "errorMessage": {
                "type": "Password must be a string",
                "minLength": "Password is required and cannot be empty",
            },
        },
        "full_name": {
            "type": "string",
            "minLength": 1,
            "errorMessage": {
                "type": "Full name must be a string",
                "minLength": "Full name is required and cannot be empty",
            },
        },
    },
    "required": ["email", "password", "full_name"],
    "additionalProperties": True,
}

# modules/customer/api/updateCustomer/payloadSchema.json (getUserToken's is the same shape)
UPDATE_CUSTOMER_PAYLOAD_SCHEMA: Final[Schema] = {
    "type": "object",
    "properties": {
        "email": {"type": "string", "format": "email"},
        "password": {"type": "string"},
        "full_name": {"type": "string"},
    },
    "additionalProperties": True,
}
USER_TOKEN_PAYLOAD_SCHEMA: Final[Schema] = UPDATE_CUSTOMER_PAYLOAD_SCHEMA

# modules/auth/api/refreshUserToken/payloadSchema.json (note: no `type: object`)
REFRESH_TOKEN_PAYLOAD_SCHEMA: Final[Schema] = {
    "properties": {
        "refreshToken": {
            "type": "string",
            "errorMessage": {"type": "Refresh token must be a string"},
        }
    },
    "required": ["refreshToken"],
    "errorMessage": {"required": {"refreshToken": "Refresh token is required"}},
}

_Error = tuple[str, str, str]  # (keyword, message, missing property for `required`)


def first_error(schema: Schema, data: Any) -> str | None:
    """`validate.errors[0].message`, or None when the data is valid."""
    errors = _validate(schema, data)
    return errors[0][1] if errors else None


def _type_matches(type_name: str, data: Any) -> bool:
    if type_name == "string":
        return isinstance(data, str)
    if type_name == "integer":  # a JavaScript number with no fraction
        return _is_number(data) and float(data).is_integer()
    if type_name == "object":
        return isinstance(data, dict)
    raise ValueError(type_name)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same(left: Any, right: Any) -> bool:
    """JavaScript `===` for JSON values (1 and 1.0 are the same number, true is not 1)."""
    if _is_number(left) and _is_number(right):
        return bool(left == right)
    return type(left) is type(right) and left == right


def _validate(schema: Schema, data: Any) -> list[_Error]:
    errors: list[_Error] = []
    declared = schema.get("type")
    types = [declared] if isinstance(declared, str) else list(declared or [])
    type_ok = not types or any(_type_matches(name, data) for name in types)
    if not type_ok:
        errors.append(("type", f"must be {','.join(types)}", ""))
    if "enum" in schema and not any(_same(data, item) for item in schema["enum"]):
        errors.append(("enum", "must be equal to one of the allowed values", ""))
    if isinstance(data, str):
        if "minLength" in schema and len(data) < schema["minLength"]:
            limit = schema["minLength"]
            errors.append(("minLength", f"must NOT have fewer than {limit} characters", ""))
        if schema.get("format") == "email" and _EMAIL.fullmatch(data) is None:
            errors.append(("format", 'must match format "email"', ""))
    if isinstance(data, dict):
        errors.extend(
            ("required", f"must have required property '{name}'", name)
            for name in schema.get("required", ())
            if name not in data
        )
        for name, subschema in schema.get("properties", {}).items():
            if name in data:
                errors.extend(_validate(subschema, data[name]))
    return _apply_error_messages(schema.get("errorMessage"), errors)


def _apply_error_messages(custom: Any, errors: list[_Error]) -> list[_Error]:
    if not isinstance(custom, Mapping) or not errors:
        return errors
    kept = list(errors)
    replaced: list[_Error] = []
    for keyword, message in custom.items():
        if isinstance(message, str):
            matched = [error for error in kept if error[0] == keyword]
            replaced.extend([(keyword, message, "")] if matched else [])
        else:
            matched = [error for error in kept if error[0] == keyword and error[2] in message]
            replaced.extend((keyword, message[error[2]], error[2]) for error in matched)
        kept = [error for error in kept if error not in matched]
    return kept + replaced
