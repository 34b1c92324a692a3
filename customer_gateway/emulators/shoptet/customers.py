"""Customer writes: business rules beyond the JSON schema, and building the stored record.

Rules the contract states: `customerGroupCode` must name an existing group; CZ `taxId` must equal
`vatId` or be empty; `birthDate` is `YYYY-MM-DD`; `priceRatio` is 0.0000..1.0000. Rules that are
assumptions (the contract is silent, each answers 422 `invalid-request-data` at the JSON path):
the e-mail must look like an address; `pricelistId` must exist (as for groups); a region name
is matched case-insensitively against the regions list to fill `regionShortcut`.
"""

from __future__ import annotations

import re
from typing import Any, Final, cast

from .formats import is_date
from .payloads import Account, BillingAddress, ErrorItem, error_item
from .reference import PRICELISTS, REGIONS

_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_BILLING_KEYS: Final = (
    "company",
    "fullName",
    "street",
    "houseNumber",
    "city",
    "district",
    "additional",
    "zip",
    "countryCode",
    "regionName",
    "regionShortcut",
    "companyId",
    "vatId",
    "vatIdValidationStatus",
    "taxId",
)


def _invalid(message: str, instance: str) -> ErrorItem:
    return error_item("invalid-request-data", message, instance)


def empty_billing() -> BillingAddress:
    return cast(BillingAddress, dict.fromkeys(_BILLING_KEYS))


def region_shortcut(country: str | None, name: str | None) -> str | None:
    if name is None:
        return None
    folded = name.casefold()
    region = next(
        (r for r in REGIONS if r.name.casefold() == folded and (country in (None, r.country))),
        None,
    )
    return region.shortcut if region is not None else None


def merged_billing(current: BillingAddress, changes: dict[str, Any]) -> BillingAddress:
    """PATCH semantics: listed keys replace (null clears), others stay."""
    billing: dict[str, Any] = {**current, **changes}
    billing["regionShortcut"] = region_shortcut(billing["countryCode"], billing["regionName"])
    if "vatId" in changes:
        # Assumption: a new VAT id starts unverified (VIES check pending), none has no status.
        billing["vatIdValidationStatus"] = "unverified" if billing["vatId"] else None
    return cast(BillingAddress, {key: billing.get(key) for key in _BILLING_KEYS})


def field_errors(data: dict[str, Any], group_codes: set[str]) -> list[ErrorItem]:
    """Checks shared by create and update (paths relative to the body's `data`)."""
    errors: list[ErrorItem] = []
    code = data.get("customerGroupCode")
    if code is not None and code not in group_codes:
        errors.append(
            _invalid(f'Customer group with code "{code}" does not exist.', "data.customerGroupCode")
        )
    pricelist = data.get("pricelistId")
    if pricelist is not None and pricelist not in PRICELISTS:
        errors.append(
            _invalid(f"Pricelist with ID {pricelist} does not exist.", "data.pricelistId")
        )
    birth = data.get("birthDate")
    if birth is not None and not is_date(birth):
        errors.append(_invalid(f'Invalid date "{birth}", expected YYYY-MM-DD.', "data.birthDate"))
    ratio = data.get("priceRatio")
    if ratio is not None and not price_ratio_ok(ratio):
        errors.append(_invalid("Price ratio must be between 0.0000 and 1.0000.", "data.priceRatio"))
    billing = data.get("billingAddress")
    if billing is not None:
        country = billing.get("countryCode")
        tax, vat = billing.get("taxId"), billing.get("vatId")
        if country == "CZ" and tax is not None and tax != vat:
            errors.append(
                _invalid(
                    "For Czech address, taxId must be the same as vatId or empty.",
                    "data.billingAddress.taxId",
                )
            )
    return errors


def email_errors(email: str | None, instance: str) -> list[ErrorItem]:
    if email is None or _EMAIL.match(email):
        return []
    return [_invalid(f'E-mail "{email}" is not valid.', instance)]


def new_account(guid: str, data: dict[str, Any], *, main: bool) -> Account:
    return {
        "guid": guid,
        "fullName": data.get("fullName"),
        "email": data["email"],
        "phone": data.get("phone"),
        "mainAccount": main,
        "authorized": data.get("authorized", True),  # spec: "Default: true"
        "emailVerified": data.get("emailVerified", False),  # spec: "Default: false"
    }


def updated_accounts(
    accounts: tuple[Account, ...], account_guid: str, data: dict[str, Any]
) -> tuple[Account, ...]:
    """`data.mainAccount: true` demotes the previous main account (exactly one stays main)."""
    result: list[Account] = []
    for account in accounts:
        if account["guid"] == account_guid:
            result.append(cast(Account, {**account, **data}))
        elif data.get("mainAccount") is True:
            result.append({**account, "mainAccount": False})
        else:
            result.append(account)
    return tuple(result)


def price_ratio_ok(ratio: str) -> bool:
    """The schema pattern is unanchored at the start (`[0-9]+\\.[0-9]{4}$`): judge its match."""
    match = re.search(r"[0-9]+\.[0-9]{4}$", ratio)
    return match is not None and 0 <= float(match.group()) <= 1
