"""Deterministic demo data per tenant: a pure function of (seed, tenant uid, customer count).

Each tenant draws from its own `random.Random(f"flow-retail:{seed}:{tenant}")`, so two tenants
of one emulator hold different customers, groups and stores, and the same arguments always give
the same data. Every timestamp lies before `REFERENCE_TIME`, a fixed instant (not wall-clock).
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from .formats import format_timestamp
from .payloads import (
    AccountManager,
    AddressObject,
    ConsentObject,
    ContactObject,
    CustomerObject,
    ExternalHit,
    GroupObject,
    StoreObject,
)
from .records import Uids, apply_fields, new_customer, person_name
from .reference import (
    BASE_GROUPS,
    COMPANY_FORMS_DK,
    COMPANY_FORMS_NO,
    COMPANY_FORMS_SE,
    COMPANY_PREFIXES,
    COMPANY_TRADES,
    CONSENT_SOURCES,
    CONSENTS,
    DK_FEMALE,
    DK_MALE,
    DK_PLACES,
    DK_STREETS,
    DK_SURNAMES,
    EMAIL_DOMAINS,
    EXTRA_GROUPS,
    HOME_REGIONS,
    INTERNAL_NOTES,
    NO_FEMALE,
    NO_MALE,
    NO_PLACES,
    NO_STREETS,
    NO_SURNAMES,
    ORIGINS,
    REGIONS,
    SE_FEMALE,
    SE_MALE,
    SE_PLACES,
    SE_STREETS,
    SE_SURNAMES,
    STORE_NAMES,
    TENANT_USERS,
    Place,
)

REFERENCE_TIME: Final = datetime(2025, 7, 31, tzinfo=UTC).timestamp()
HISTORY_START: Final = datetime(2017, 1, 1, tzinfo=UTC).timestamp()
_ORG_WEIGHTS: Final = (3, 2, 7, 6, 5, 4, 3, 2)
_SLUG_FOLD: Final = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o"})


@dataclass(slots=True)
class StoreVisit:
    first_visit: float
    last_visit: float
    count: int
    points: int


@dataclass(slots=True)
class TenantSeed:
    customers: list[CustomerObject] = field(default_factory=list)
    groups: list[GroupObject] = field(default_factory=list)
    stores: list[StoreObject] = field(default_factory=list)
    visits: dict[str, dict[str, StoreVisit]] = field(default_factory=dict)
    register: list[ExternalHit] = field(default_factory=list)
    users: list[AccountManager] = field(default_factory=list)


def slug(text: str, separator: str = ".") -> str:
    lowered = text.lower().translate(_SLUG_FOLD)
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c)
    )
    return re.sub(r"[^a-z0-9]+", separator, plain).strip(separator)


def org_number(rng: random.Random) -> str:
    """A Norwegian organisation number: 9 digits starting 8 or 9, mod-11 check digit."""
    while True:
        digits = [rng.choice((8, 9)), *(rng.randrange(10) for _ in range(7))]
        remainder = 11 - sum(d * w for d, w in zip(digits, _ORG_WEIGHTS, strict=True)) % 11
        if remainder == 10:
            continue
        return "".join(map(str, digits)) + str(0 if remainder == 11 else remainder)


class TenantSeeder:
    def __init__(self, *, seed: int, tenant: str, uids: Uids, stores: int) -> None:
        self.rng = random.Random(f"flow-retail:{seed}:{tenant}")
        self.tenant = tenant
        self.uids = uids
        self.store_count = stores
        home = next((r for word, r in HOME_REGIONS.items() if word in tenant.lower()), None)
        self.home = home or self.rng.choice(REGIONS)
        self.mobiles: set[str] = set()
        self.emails: set[str] = set()
        self.external_base = self.rng.randrange(10_000, 60_000)

    def build(self, count: int) -> TenantSeed:
        data = TenantSeed()
        data.users = [
            {"tenantUserUid": f"u-{n + 3}", "displayName": name, "userCode": code}
            for n, (name, code) in enumerate(TENANT_USERS)
        ]
        data.groups = self._groups(data.users)
        data.stores = self._stores()
        group_uids = {group["customerGroupUid"] for group in data.groups}
        slot = (REFERENCE_TIME - HISTORY_START - 86_400) / max(count, 1)
        for index in range(count):
            created = HISTORY_START + (index + self.rng.random()) * slot
            customer = self._customer(index, created, data, group_uids)
            data.customers.append(customer)
            data.visits[customer["customerUid"]] = self._visits(customer, created, data.stores)
        data.register = self._register(data.customers)
        return data

    # -- tenant-level data ---------------------------------------------------------------------
    def _groups(self, users: list[AccountManager]) -> list[GroupObject]:
        extras = self.rng.sample(EXTRA_GROUPS, self.rng.randint(1, 3))
        groups: list[GroupObject] = []
        for number, seed in enumerate((*BASE_GROUPS, *extras)):
            created = HISTORY_START + number * 86_400 * 3 + self.rng.random() * 86_400
            modified = created + self.rng.random() ** 2 * (REFERENCE_TIME - created)
            author = self.rng.choice(users)["tenantUserUid"]
            self.uids.claim(seed.uid)
            groups.append(
                {
                    "customerGroupUid": seed.uid,
                    "name": seed.name,
                    "createdBy": author,
                    "createdAt": format_timestamp(created),
                    "lastModifiedBy": self.rng.choice(users)["tenantUserUid"],
                    "lastModifiedAt": format_timestamp(modified),
                }
            )
        return groups

    def _stores(self) -> list[StoreObject]:
        city_word = self.tenant.removeprefix("tenant-")
        city = next((p.city for p in NO_PLACES if slug(p.city) == slug(city_word)), None)
        city = city or city_word.replace("-", " ").title()
        names = self.rng.sample(STORE_NAMES, min(self.store_count, len(STORE_NAMES)))
        return [
            {"storeUid": slug(f"{city} {name}", "-"), "name": f"{city} {name}", "city": city}
            for name in names
        ]

    # -- customers ------------------------------------------------------------------------------
    def _place(self, country: str) -> tuple[Place, str]:
        rng = self.rng
        if country == "SE":
            return rng.choice(SE_PLACES), f"{rng.choice(SE_STREETS)} {rng.randint(1, 80)}"
        if country == "DK":
            return rng.choice(DK_PLACES), f"{rng.choice(DK_STREETS)} {rng.randint(1, 120)}"
        home = [p for p in NO_PLACES if p.region == self.home]
        place = rng.choice(home if rng.random() < 0.75 else NO_PLACES)
        number = f"{rng.randint(1, 140)}{rng.choice(('', '', '', 'A', 'B'))}"
        return place, f"{rng.choice(NO_STREETS)} {number}"

    def _names(self, country: str) -> tuple[str, str]:
        rng = self.rng
        female = rng.random() < 0.5
        if country == "SE":
            return rng.choice(SE_FEMALE if female else SE_MALE), rng.choice(SE_SURNAMES)
        if country == "DK":
            return rng.choice(DK_FEMALE if female else DK_MALE), rng.choice(DK_SURNAMES)
        return rng.choice(NO_FEMALE if female else NO_MALE), rng.choice(NO_SURNAMES)

    def _mobile(self, country: str) -> str:
        while True:
            if country == "SE":
                number = f"+467{self.rng.randrange(10**8):08d}"
            elif country == "DK":
                number = f"+45{self.rng.randrange(2 * 10**7, 10**8):08d}"
            else:
                number = f"+47{self.rng.choice('49')}{self.rng.randrange(10**7):07d}"
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number

    def _email(self, local: str, domain: str) -> str:
        candidate, number = f"{local}@{domain}", 1
        while candidate in self.emails:
            number += 1
            candidate = f"{local}{number}@{domain}"
        self.emails.add(candidate)
        return candidate

    def _customer(
        self, index: int, created: float, data: TenantSeed, group_uids: set[str]
    ) -> CustomerObject:
        rng = self.rng
        country = rng.choices(("NO", "SE", "DK"), weights=(88, 7, 5))[0]
        is_company = rng.random() < 0.22
        first, last = self._names(country)
        place, street = self._place(country)
        modified = created
        if rng.random() < 0.6:
            modified += rng.random() ** 3 * (REFERENCE_TIME - created)
        customer = new_customer(
            self.uids.next("c"), "COMPANY" if is_company else "PERSON", format_timestamp(created)
        )
        customer["lastModifiedAt"] = format_timestamp(modified)
        fields: dict[str, object] = {
            "firstname": first,
            "lastname": last,
            "address": street,
            "postalCode": place.postal_code,
            "city": place.city,
            "countryCode": country,
            "origin": rng.choice(ORIGINS),
            "mobile": self._mobile(country) if rng.random() < 0.9 else None,
        }
        if rng.random() < 0.55:
            fields["externalId"] = f"ERP-{self.external_base + index}"
        if rng.random() < 0.08:
            fields["internalNote"] = rng.choice(INTERNAL_NOTES)
        if rng.random() < 0.6 and data.stores:
            fields["defaultStoreUid"] = rng.choice(data.stores)["storeUid"]
        groups: list[str] = []
        if is_company:
            fields.update(self._company(country, last, customer["createdAt"], data))
            groups += ["bedrift"] if rng.random() < 0.85 else []
            groups += ["vip"] if rng.random() < 0.15 else []
            groups += ["forhandlere"] if rng.random() < 0.3 else []
        else:
            if rng.random() < 0.85:
                domain = rng.choice(EMAIL_DOMAINS)
                fields["email"] = self._email(slug(f"{first} {last}"), domain)
            if rng.random() < 0.1:
                fields["ledgerNumber"] = f"{rng.randrange(1, 100_000):06d}"
            groups += ["stamkunde"] if rng.random() < 0.35 else []
            groups += ["vip"] if rng.random() < 0.1 else []
            groups += ["ansatte"] if rng.random() < 0.05 else []
            groups += [extra.uid for extra in EXTRA_GROUPS if rng.random() < 0.06]
            if {"stamkunde", "vip"} & set(groups):
                fields["loyaltyId"] = f"{rng.randrange(10**9, 10**10)}"
        fields["customerGroupUids"] = [uid for uid in dict.fromkeys(groups) if uid in group_uids]
        customer["addresses"] = self._addresses(customer["customerUid"], first, last, is_company)
        customer["consents"] = self._consents(created)
        apply_fields(customer, fields)
        return customer

    def _company(
        self, country: str, last: str, created_at: str, data: TenantSeed
    ) -> dict[str, object]:
        rng = self.rng
        forms = {"SE": COMPANY_FORMS_SE, "DK": COMPANY_FORMS_DK}.get(country, COMPANY_FORMS_NO)
        trade = rng.choice(COMPANY_TRADES)
        stem = rng.choice((last, rng.choice(COMPANY_PREFIXES), f"{last} & Sønn"))
        name = f"{stem} {trade} {rng.choice(forms)}"
        if country == "NO":
            vat = f"NO{org_number(rng)}MVA"
        elif country == "SE":
            vat = f"SE{rng.randrange(10**9, 10**10)}01"
        else:
            vat = f"DK{rng.randrange(10**7, 10**8)}"
        limit = rng.choice((10_000, 25_000, 50_000, 100_000))
        domain = f"{slug(stem, '')}{slug(trade, '')}.{country.lower()}"
        fields: dict[str, object] = {
            "companyName": name,
            "email": self._email("post", domain),
            "vatNumber": vat,
            "paymentTerms": rng.choice((10, 14, 14, 20, 30)),
            "credit": {"limit": limit, "balance": round(rng.uniform(0, limit * 0.4), 2)},
            "pricelistUid": "pl-b2b" if rng.random() < 0.5 else None,
            "ehf": {"enabled": country == "NO" and rng.random() < 0.5},
        }
        if rng.random() < 0.8:
            fields["ledgerNumber"] = f"{rng.randrange(1, 100_000):06d}"
        if rng.random() < 0.7:
            manager = rng.choice(data.users)
            fields["accountManager"] = dict(manager)
        contacts: list[ContactObject] = []
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            first, surname = self._names(country)
            contacts.append(
                {
                    "customerContactUid": self.uids.next("cc"),
                    "firstname": first,
                    "lastname": surname,
                    "email": self._email(slug(first), domain) if rng.random() < 0.8 else None,
                    "mobile": self._mobile(country) if rng.random() < 0.7 else None,
                    "createdAt": created_at,
                    "lastModifiedAt": created_at,
                    "displayName": person_name(first, surname),
                    "extensions": [],
                }
            )
        fields["contacts"] = contacts
        if country == "NO" and rng.random() < 0.35:
            fields["extensions"] = [
                {"extensionCode": "TWO_INVOICE", "organizationUid": f"org-{rng.randrange(10**6)}"}
            ]
        return fields

    def _addresses(self, uid: str, first: str, last: str, is_company: bool) -> list[AddressObject]:
        rng = self.rng
        wanted: list[str] = []
        if rng.random() < 0.2:
            wanted.append("DELIVERY_ADDRESS")
        if is_company and rng.random() < 0.5:
            wanted.append("INVOICE_ADDRESS")
        addresses: list[AddressObject] = []
        for kind in wanted:
            place, street = self._place("NO")
            addresses.append(
                {
                    "customerAddressUid": self.uids.next("ca"),
                    "type": "DELIVERY_ADDRESS" if kind == "DELIVERY_ADDRESS" else "INVOICE_ADDRESS",
                    "firstname": first,
                    "lastname": last,
                    "companyName": None,
                    "address": street,
                    "postalCode": place.postal_code,
                    "city": place.city,
                    "countryCode": "NO",
                    "email": None,
                    "phone": None,
                    "displayName": person_name(first, last),
                }
            )
        return addresses

    def _consents(self, created: float) -> list[ConsentObject]:
        rng = self.rng
        if rng.random() >= 0.6:
            return []
        return [
            {
                "consentUid": self.uids.next("cs"),
                "name": name,
                "status": rng.random() < 0.8,
                "source": rng.choice(CONSENT_SOURCES),
                "createdAt": format_timestamp(created + rng.random() * 3600),
            }
            for name in rng.sample(CONSENTS, rng.randint(1, len(CONSENTS)))
        ]

    def _visits(
        self, customer: CustomerObject, created: float, stores: list[StoreObject]
    ) -> dict[str, StoreVisit]:
        visits: dict[str, StoreVisit] = {}
        for store in stores:
            uid = store["storeUid"]
            if uid != customer["defaultStoreUid"] and self.rng.random() >= 0.35:
                continue
            first = created + self.rng.random() * (REFERENCE_TIME - created) * 0.3
            last = first + self.rng.random() * (REFERENCE_TIME - first)
            count = self.rng.randint(1, 80)
            visits[uid] = StoreVisit(first, last, count, count * self.rng.randint(5, 50))
        return visits

    def _register(self, customers: list[CustomerObject]) -> list[ExternalHit]:
        """The external company register: the tenant's Norwegian companies and as many others."""
        hits: list[ExternalHit] = []
        for customer in customers:
            vat = customer["vatNumber"] or ""
            if customer["customerType"] == "COMPANY" and vat.startswith("NO"):
                hits.append(self._hit(str(customer["companyName"]), vat[2:11]))
        for _ in range(max(len(hits), 20)):
            stem = self.rng.choice((*COMPANY_PREFIXES, *NO_SURNAMES))
            name = f"{stem} {self.rng.choice(COMPANY_TRADES)} {self.rng.choice(COMPANY_FORMS_NO)}"
            hits.append(self._hit(name, org_number(self.rng)))
        return hits

    def _hit(self, name: str, number: str) -> ExternalHit:
        place, street = self._place("NO")
        return {
            "name": name,
            "organizationNumber": number,
            "address": street,
            "postalCode": place.postal_code,
            "city": place.city,
            "countryCode": "NO",
            "source": "BRREG",
        }
