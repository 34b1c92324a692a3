"""The match keys of a customer: a normalised e-mail and, optionally, a phone in E.164.

E-mail (`email_key`): trimmed and lower-cased, the domain in IDNA (punycode, UTS #46 mapping),
and only where a provider documents it, its own equivalences (`PROVIDER_RULES`). A value that is
not an address (no `@`, an empty part, a domain IDNA refuses) has no key: it matches nothing.

Phone (`phone_key`): E.164 (`+` and 8 to 15 digits). `00` and `+` are international prefixes;
a national number gets the calling code of its source's country (`[[sources]] phone_country`),
its trunk prefix dropped where that country has one. A number that cannot be made E.164 (no
country for a national number, too short or too long) has no key.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import idna


@dataclass(frozen=True, slots=True)
class ProviderRule:
    """A mailbox provider's documented equivalences of the local part."""

    domains: frozenset[str]
    ignore_dots: bool
    plus_tags: bool
    canonical_domain: str
    documented_at: str


# Only what a provider documents. Gmail: "Dots don't matter in Gmail addresses"
# (https://support.google.com/mail/answer/7436150) and plus aliases, "add a plus sign (+) and
# any word before the @ sign" (https://support.google.com/a/users/answer/9308648).
# Other providers' plus addressing depends on a mailbox setting (Outlook, Fastmail): not applied.
PROVIDER_RULES: tuple[ProviderRule, ...] = (
    ProviderRule(
        domains=frozenset({"gmail.com"}),
        ignore_dots=True,
        plus_tags=True,
        canonical_domain="gmail.com",
        documented_at="https://support.google.com/mail/answer/7436150",
    ),
)
_RULES = {domain: rule for rule in PROVIDER_RULES for domain in rule.domains}

MAX_EMAIL = 320


def email_key(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip().lower()
    if not text or len(text) > MAX_EMAIL or any(char.isspace() for char in text):
        return None
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        return None
    ascii_domain = _ascii_domain(domain.rstrip("."))
    if ascii_domain is None:
        return None
    domain = ascii_domain
    rule = _RULES.get(domain)
    if rule is not None:
        if rule.plus_tags:
            local = local.split("+", 1)[0]
        if rule.ignore_dots:
            local = local.replace(".", "")
        if not local:
            return None
        domain = rule.canonical_domain
    return f"{local}@{domain}"


@functools.lru_cache(maxsize=65536)
def _ascii_domain(domain: str) -> str | None:
    """The domain in IDNA (UTS #46); None if IDNA refuses it. Few distinct domains recur in a
    shop's customers: cached."""
    labels = domain.split(".")
    if domain.isascii() and "xn--" not in domain and all(0 < len(p) < 64 for p in labels):
        return domain  # lower-cased ASCII labels are their own IDNA form
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class Country:
    calling_code: str
    trunk_prefix: str  # dropped from a national number ("" : none)


# ITU-T E.164 country codes (ITU-T Operational Bulletin, "List of ITU-T Recommendation E.164
# assigned country codes") and national trunk prefixes of the countries the gateway's sources
# are sold in; a `phone_country` outside this table is a configuration error.
COUNTRIES: dict[str, Country] = {
    "AT": Country("43", "0"),
    "AU": Country("61", "0"),
    "BE": Country("32", "0"),
    "CA": Country("1", "1"),
    "CH": Country("41", "0"),
    "CZ": Country("420", ""),
    "DE": Country("49", "0"),
    "DK": Country("45", ""),
    "ES": Country("34", ""),
    "FI": Country("358", "0"),
    "FR": Country("33", "0"),
    "GB": Country("44", "0"),
    "HU": Country("36", "06"),
    "IE": Country("353", "0"),
    "IT": Country("39", ""),
    "NL": Country("31", "0"),
    "NO": Country("47", ""),
    "PL": Country("48", ""),
    "PT": Country("351", ""),
    "SE": Country("46", "0"),
    "SK": Country("421", "0"),
    "US": Country("1", "1"),
}
_SEPARATORS = frozenset(" -./()\u00a0\t")


def phone_key(value: str | None, country: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    international = text.startswith("+")
    body = text[1:] if international else text
    digits: list[str] = []
    for char in body:
        if "0" <= char <= "9":
            digits.append(char)
        elif char not in _SEPARATORS:
            return None  # letters, extensions, a second '+': not a number we can compare
    number = "".join(digits)
    if not international and number.startswith("00"):
        international, number = True, number[2:]
    if not international:
        known = COUNTRIES.get(country) if country is not None else None
        if known is None:
            return None
        if known.trunk_prefix and number.startswith(known.trunk_prefix):
            number = number[len(known.trunk_prefix) :]
        number = known.calling_code + number
    if not 8 <= len(number) <= 15 or number.startswith("0"):
        return None
    return "+" + number
