"""Request-body validation: the JSON Schema subset the spec's request schemas use.

Shoptet answers 422 `invalid-request-data` with `instance` = the JSON path of the offending
value (`data.account.email`, README 1.7). Every violation is reported, not only the first.
Messages follow the PHP justinrainbow/json-schema wording; Shoptet's exact texts are not
documented (clients should rely on `errorCode` and `instance` only).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any, Final

from .payloads import ErrorItem, ShoptetError, error_item

Schema = Mapping[str, Any]

_TYPE_NAMES: Final = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
    "null": "a null",
}


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if math.isfinite(value) and value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _type_matches(value: Any, expected: str) -> bool:
    actual = json_type(value)
    return actual == expected or (expected == "number" and actual == "integer")


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def validate(value: Any, schema: Schema, path: str = "") -> list[ErrorItem]:
    errors: list[ErrorItem] = []
    where = path or "payload"

    def fail(message: str, instance: str = where) -> None:
        errors.append(error_item("invalid-request-data", message, instance))

    expected = schema.get("type")
    if expected is not None:
        allowed = [expected] if isinstance(expected, str) else list(expected)
        if not any(_type_matches(value, name) for name in allowed):
            wanted = " or ".join(_TYPE_NAMES[name] for name in allowed)
            fail(f"{json_type(value).capitalize()} value found, but {wanted} is required")
            return errors
    if "enum" in schema and value not in schema["enum"]:
        fail(f"Does not have a value in the enumeration {json.dumps(schema['enum'])}")
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            fail(f"Must be at least {schema['minLength']} characters long")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            fail(f"Must be at most {schema['maxLength']} characters long")
        if "pattern" in schema and re.search(schema["pattern"], value) is None:
            fail(f"Does not match the regex pattern {schema['pattern']}")
    if json_type(value) in ("integer", "number"):
        if "minimum" in schema and value < schema["minimum"]:
            fail(f"Must have a minimum value greater than or equal to {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            fail(f"Must have a maximum value less than or equal to {schema['maximum']}")
    if isinstance(value, dict):
        properties: Mapping[str, Schema] = schema.get("properties", {})
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            fail(f"Must contain a minimum of {schema['minProperties']} properties")
        for name in schema.get("required", ()):
            if name not in value:
                fail(f"The property {name} is required", _join(path, name))
        for name, item in value.items():
            if name in properties:
                errors.extend(validate(item, properties[name], _join(path, name)))
            elif schema.get("additionalProperties") is False:
                fail(
                    f"The property {name} is not defined and the definition does not allow"
                    " additional properties",
                    _join(path, name),
                )
    if isinstance(value, list) and "items" in schema:
        for position, item in enumerate(value):
            errors.extend(validate(item, schema["items"], _join(path, position)))
    return errors


def parse_body(raw: bytes, schema: Schema) -> Any:
    """The decoded, schema-valid body, or ShoptetError 422."""
    try:
        body = json.loads(raw) if raw.strip() else None
    except (UnicodeDecodeError, ValueError):
        raise ShoptetError.invalid("Request body is not a valid JSON.", "payload") from None
    errors = validate(body, schema)
    if errors:
        raise ShoptetError(422, errors)
    return body
