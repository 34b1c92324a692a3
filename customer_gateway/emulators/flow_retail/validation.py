"""Customer and customer-group body rules (README 2.3-2.4; the API's own set is unpublished).

Every violation of one body is reported in one 400 message, joined by "; ". Fields the PUT
table does not list (`customerUid`, `createdAt`, `credit`, ...) are ignored, not rejected
(assumption: the docs show no "unknown property" error).
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import Any, Final

from .formats import EMAIL, ISO_COUNTRIES, LEDGER_NUMBER, MOBILE, OPTIONAL_UID, UID
from .payloads import FlowError
from .records import STRING_FIELDS

BASE_CUSTOMER_TYPES: Final = ("PERSON", "COMPANY")


@dataclass(frozen=True, slots=True)
class CustomerRules:
    person_requires_name: bool = True  # user guide: a private person needs first and last name
    company_requires_name: bool = True  # assumption: a COMPANY needs `companyName`
    customer_types: tuple[str, ...] = BASE_CUSTOMER_TYPES


def require_object(body: Any, what: str = "Request body") -> dict[str, Any]:
    if not isinstance(body, dict):
        raise FlowError.bad_request(f"{what} must be a JSON object")
    return body


def _check_string(key: str, value: str, stores: Container[str], problems: list[str]) -> None:
    if value == "":
        return
    if key == "email" and not EMAIL.match(value):
        problems.append(f"email '{value}' is not a valid e-mail address")
    elif key == "mobile" and not MOBILE.match(value):
        problems.append("mobile may only contain digits and a leading +")
    elif key == "countryCode" and value not in ISO_COUNTRIES:
        problems.append(f"countryCode '{value}' is not an ISO 3166-1 alpha-2 code")
    elif key == "ledgerNumber" and not LEDGER_NUMBER.match(value):
        problems.append("ledgerNumber must contain digits only")
    elif key == "pricelistUid" and not OPTIONAL_UID.match(value):
        problems.append("pricelistUid must match ^[A-Za-z0-9-_]*")
    elif key == "defaultStoreUid":
        if not UID.match(value):
            problems.append("defaultStoreUid must match ^[A-Za-z0-9-_]+")
        elif value not in stores:  # assumption: a store the tenant does not have is refused
            problems.append(f"Store '{value}' not found")


def customer_fields(
    body: Mapping[str, Any],
    *,
    current: Mapping[str, Any] | None,
    rules: CustomerRules,
    groups: Container[str],
    stores: Container[str],
) -> dict[str, Any]:
    """The writable fields of `body`, validated; `current` is the stored customer on update.

    Raises FlowError(400) naming every violation. On create, `customerType` defaults to PERSON.
    """
    problems: list[str] = []
    fields: dict[str, Any] = {}
    for key in STRING_FIELDS:
        if key not in body:
            continue
        value = body[key]
        if value is not None and not isinstance(value, str):
            problems.append(f"{key} must be a string")
            continue
        if key == "customerType":
            if value not in rules.customer_types:
                allowed = ", ".join(rules.customer_types)
                problems.append(f"customerType must be one of {allowed}")
                continue
        elif value is not None:
            _check_string(key, value, stores, problems)
        fields[key] = value
    if "paymentTerms" in body:
        terms = body["paymentTerms"]
        if terms is not None and (not isinstance(terms, int) or isinstance(terms, bool)):
            problems.append("paymentTerms must be an integer number of days")
        elif terms is not None and terms < 0:
            problems.append("paymentTerms must not be negative")
        else:
            fields["paymentTerms"] = terms
    _groups(body, groups, fields, problems)
    _ehf(body, fields, problems)
    if current is None and fields.get("customerType") is None:
        fields["customerType"] = "PERSON"
    merged = {**(current or {}), **fields}
    if merged.get("customerType") == "PERSON" and rules.person_requires_name:
        problems += [
            f"{key} is required" for key in ("firstname", "lastname") if not merged.get(key)
        ]
    company = merged.get("customerType") == "COMPANY"
    if company and rules.company_requires_name and not merged.get("companyName"):
        problems.append("companyName is required for a COMPANY customer")
    if problems:
        raise FlowError.bad_request("; ".join(problems))
    return fields


def _groups(
    body: Mapping[str, Any], groups: Container[str], fields: dict[str, Any], problems: list[str]
) -> None:
    if "customerGroupUids" not in body:
        return
    uids = body["customerGroupUids"]
    if uids is None:
        fields["customerGroupUids"] = []
        return
    if not isinstance(uids, list) or not all(isinstance(uid, str) for uid in uids):
        problems.append("customerGroupUids must be an array of strings")
        return
    # Assumption: a uid that is not a group of this tenant is refused rather than stored.
    unknown = [uid for uid in uids if uid not in groups]
    problems += [f"Customer group '{uid}' not found" for uid in unknown]
    fields["customerGroupUids"] = list(dict.fromkeys(uids))


def _ehf(body: Mapping[str, Any], fields: dict[str, Any], problems: list[str]) -> None:
    if "ehfEnabled" in body:  # deprecated alias of `ehf.enabled`
        if not isinstance(body["ehfEnabled"], bool):
            problems.append("ehfEnabled must be a boolean")
        else:
            fields["ehf"] = {"enabled": body["ehfEnabled"]}
    if "ehf" in body:
        ehf = body["ehf"]
        if not isinstance(ehf, dict) or not isinstance(ehf.get("enabled"), bool):
            problems.append("ehf must be an object with a boolean 'enabled'")
        else:
            fields["ehf"] = {"enabled": ehf["enabled"]}


def group_body(body: Any, *, creating: bool) -> tuple[str, str | None]:
    """(name, customerGroupUid or None) of a group create/update body."""
    data = require_object(body)
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise FlowError.bad_request("name is required")
    uid = data.get("customerGroupUid") if creating else None
    if uid is not None and (not isinstance(uid, str) or not OPTIONAL_UID.match(uid)):
        raise FlowError.bad_request("customerGroupUid must match ^[A-Za-z0-9-_]*")
    return name, uid or None


def store_uid_body(body: Any) -> str:
    """`{"storeUid": ...}`, required (the customer-extension endpoints)."""
    data = require_object(body)
    store_uid = data.get("storeUid")
    if not isinstance(store_uid, str) or not store_uid:
        raise FlowError.bad_request("storeUid is required")
    if not UID.match(store_uid):
        raise FlowError.bad_request("storeUid must match ^[A-Za-z0-9-_]+")
    return store_uid
