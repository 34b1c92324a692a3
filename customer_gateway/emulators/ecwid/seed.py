"""Deterministic demo data for one Ecwid store: customer `i` depends only on (seed, i, count).

Ids grow with the registration date the way Ecwid's global counters do: eight digits for the
oldest accounts, nine for most, and ten (above 2^31) for the newest, so a client that stores
ids in 32-bit integers breaks on seed data already.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from .formats import format_datetime
from .payloads import Contact, Person, ShippingAddress
from .records import CustomerRecord, format_address
from .reference import (
    ADMIN_NOTES,
    COMPANY_SUFFIXES,
    COMPANY_TRADES,
    COUNTRIES,
    GENERAL_WEIGHT,
    GROUP_SEEDS,
    Country,
    Town,
)

# Seed history ends at this fixed instant (not wall-clock), so data is reproducible.
REFERENCE_TIME: Final = datetime(2025, 6, 30, 12, 0, tzinfo=UTC).timestamp()
HISTORY_START: Final = datetime(2015, 1, 1, tzinfo=UTC).timestamp()
_FIRST_ID: Final = 10_000_000
_ID_GROWTH: Final = 250.0  # the newest seeded id is about _FIRST_ID * _ID_GROWTH (> 2^31)
_NOT_DECOMPOSED: Final = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ß": "ss"})


@dataclass(frozen=True, slots=True)
class SeedGroup:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class SeedData:
    groups: tuple[SeedGroup, ...]
    customers: tuple[CustomerRecord, ...]
    product_ids: tuple[int, ...]


def slug(text: str, separator: str = ".") -> str:
    plain = unicodedata.normalize("NFKD", text.translate(_NOT_DECOMPOSED))
    ascii_only = "".join(char for char in plain if not unicodedata.combining(char)).lower()
    return re.sub(r"[^a-z0-9]+", separator, ascii_only).strip(separator)


def generate(seed: int, count: int, *, groups_enabled: bool) -> SeedData:
    store_rng = random.Random(f"ecwid-store:{seed}")
    group_id = store_rng.randrange(10_000, 60_000)
    groups: list[SeedGroup] = []
    for name, _weight in GROUP_SEEDS:
        groups.append(SeedGroup(group_id, name))
        group_id += store_rng.randrange(1, 5_000)
    products = tuple(sorted(store_rng.sample(range(500_000_000, 700_000_000), 40)))
    span = REFERENCE_TIME - 86_400 - HISTORY_START
    times = sorted(HISTORY_START + store_rng.random() * span for _ in range(count))
    factory = _Factory(seed, groups if groups_enabled else [], products)
    customers: list[CustomerRecord] = []
    previous_id = 0
    for index, registered in enumerate(times):
        fraction = (registered - HISTORY_START) / span
        candidate = int(_FIRST_ID * _ID_GROWTH**fraction * (0.97 + 0.03 * store_rng.random()))
        previous_id = max(candidate, previous_id + store_rng.randrange(1, 400))
        customers.append(factory.customer(index, previous_id, float(int(registered))))
    return SeedData(tuple(groups if groups_enabled else []), tuple(customers), products)


class _Factory:
    def __init__(self, seed: int, groups: list[SeedGroup], products: tuple[int, ...]) -> None:
        self.seed = seed
        self.groups = groups
        self.products = products
        self.emails: set[str] = set()

    def customer(self, index: int, customer_id: int, registered: float) -> CustomerRecord:
        rng = random.Random(f"ecwid-customer:{self.seed}:{index}")
        country = rng.choices(COUNTRIES, weights=[c.weight for c in COUNTRIES])[0]
        first, last = rng.choice(country.first_names), rng.choice(country.surnames)
        guest = rng.random() < 0.12
        updated = registered
        if rng.random() < 0.6:
            updated += int(rng.random() ** 3 * (REFERENCE_TIME - registered))
        email = self._email(rng, country, first, last)
        record = CustomerRecord(id=customer_id, email=email, registered=registered, updated=updated)
        if guest:
            # Guest checkout: e-mail and perhaps a name, nothing else (README 3.2).
            if rng.random() < 0.7:
                record.billing = {"name": f"{first} {last}"}
            record.accept_marketing = rng.choice((None, False))
            record.order_count = rng.randint(1, 2)
            self._orders(rng, record)
            return record
        self._registered(rng, record, country, first, last)
        return record

    def _email(self, rng: random.Random, country: Country, first: str, last: str) -> str:
        first_slug, last_slug = slug(first), slug(last)
        local = rng.choice(
            (
                f"{first_slug}.{last_slug}",
                f"{first_slug}{last_slug}",
                f"{first_slug[0]}.{last_slug}",
                f"{first_slug}_{last_slug}{rng.randint(1, 99)}",
            )
        )
        email = f"{local}@{rng.choice(country.email_domains)}"
        while email in self.emails:
            email = f"{local}{rng.randint(100, 9999)}@{rng.choice(country.email_domains)}"
        self.emails.add(email)
        return email

    def _registered(
        self, rng: random.Random, record: CustomerRecord, country: Country, first: str, last: str
    ) -> None:
        weights = [GENERAL_WEIGHT, *(weight for _name, weight in GROUP_SEEDS)]
        choice = rng.choices(range(len(weights)), weights=weights)[0]
        if choice and self.groups:
            record.group_id = self.groups[choice - 1].id
        wholesale = choice >= 2  # Wholesale and B2B
        company = (wholesale and rng.random() < 0.8) or rng.random() < 0.06
        record.b2b_b2c = "b2b" if company else "b2c"
        company_name = None
        if company:
            suffix = rng.choice(COMPANY_SUFFIXES[country.code])
            company_name = f"{last} {rng.choice(COMPANY_TRADES)} {suffix}"
        phone = self._phone(rng, country) if rng.random() < 0.85 else None
        full_name = f"{first} {last}"
        if rng.random() < 0.05:
            record.billing = {"name": full_name}  # an account created before checkout
        else:
            record.billing = self._person(rng, country, full_name, first, last, company_name)
            if phone is not None:
                record.billing["phone"] = phone
            record.shipping = self._shipping(rng, record, country, full_name, company_name)
        record.contacts = self._contacts(rng, record, phone)
        record.tax_id = self._tax_id(rng, country) if company else ""
        record.tax_id_valid = rng.random() < 0.93 if company else True
        record.tax_exempt = company and rng.random() < 0.2
        if country.code == "IT":
            record.fiscal_code = self._codice_fiscale(rng, first, last)
            if company:
                record.pec_email = f"{slug(last, '')}@pec.it"
                record.sdi_code = "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", k=7))
        record.accept_marketing = rng.choices((True, False, None), weights=(45, 35, 20))[0]
        record.lang = country.lang if rng.random() < 0.9 else "en"
        record.order_count = min(int(rng.expovariate(0.25)), 60) if rng.random() < 0.8 else 0
        self._orders(rng, record)
        record.private_admin_notes = rng.choice(ADMIN_NOTES) if rng.random() < 0.06 else ""
        record.favorites = []

    def _orders(self, rng: random.Random, record: CustomerRecord) -> None:
        record.sales_value = round(
            sum(rng.uniform(12.0, 240.0) for _ in range(record.order_count)), 2
        )
        bought = {
            rng.choice(self.products)
            for _ in range(record.order_count)
            for _ in range(rng.randint(1, 3))
        }
        record.purchased_product_ids = frozenset(bought)

    @staticmethod
    def _phone(rng: random.Random, country: Country) -> str:
        digits = "".join(str(rng.randrange(10)) for _ in range(country.phone_digits))
        if country.code == "US":
            digits = "01" + digits[2:]  # 555-01xx: the range reserved for fiction
        return rng.choice(country.phone_prefixes) + digits

    @staticmethod
    def _street(rng: random.Random, country: Country) -> str:
        number = str(rng.randint(1, 240 if country.code != "US" else 9800))
        street = country.street_format.format(number=number, street=rng.choice(country.streets))
        if rng.random() < 0.2:
            street = f"{street}\n{rng.choice(country.second_lines)}"
        return street

    def _person(
        self,
        rng: random.Random,
        country: Country,
        full_name: str,
        first: str,
        last: str,
        company_name: str | None,
    ) -> Person:
        town = rng.choice(country.towns)
        person: Person = {"name": full_name, "firstName": first, "lastName": last}
        if company_name is not None:
            person["companyName"] = company_name
        person["street"] = self._street(rng, country)
        _place(rng, country, town, person)
        return person

    def _shipping(
        self,
        rng: random.Random,
        record: CustomerRecord,
        country: Country,
        full_name: str,
        company_name: str | None,
    ) -> list[ShippingAddress]:
        addresses: list[ShippingAddress] = []
        how_many = rng.choices((0, 1, 2, 3), weights=(3, 4, 2, 1))[0]
        for order in range(how_many):
            town = rng.choice(country.towns)
            created = record.registered + int(rng.random() * (record.updated - record.registered))
            address: ShippingAddress = {
                "id": rng.randrange(10_000_000, 999_999_999),
                "name": full_name
                if rng.random() < 0.8
                else f"{rng.choice(country.first_names)} {full_name.split(' ')[-1]}",
                "street": self._street(rng, country),
                "createdDate": format_datetime(created),
                "defaultAddress": order == 0,
                "orderBy": order,
                "addressFormatted": "",
            }
            if company_name is not None and order == 0:
                address["companyName"] = company_name
            _place(rng, country, town, address)
            if record.billing is not None and "phone" in record.billing:
                address["phone"] = record.billing["phone"]
            address["addressFormatted"] = format_address(address)
            addresses.append(address)
        return addresses

    @staticmethod
    def _contacts(rng: random.Random, record: CustomerRecord, phone: str | None) -> list[Contact]:
        stamp = format_datetime(record.registered)
        contacts: list[Contact] = [
            {
                "id": rng.randrange(100_000_000, 999_999_999),
                "contact": record.email,
                "type": "EMAIL",
                "default": True,
                "orderBy": 0,
                "timestamp": stamp,
            }
        ]
        if phone is not None:
            contacts.append(
                {
                    "id": rng.randrange(100_000_000, 999_999_999),
                    "contact": phone,
                    "type": "PHONE",
                    "default": True,
                    "orderBy": 1,
                    "timestamp": stamp,
                }
            )
        return contacts

    @staticmethod
    def _tax_id(rng: random.Random, country: Country) -> str:
        def digits(n: int) -> str:
            return "".join(str(rng.randrange(10)) for _ in range(n))

        return {
            "US": f"{digits(2)}-{digits(7)}",
            "GB": f"GB{digits(9)}",
            "DE": f"DE{digits(9)}",
            "NO": f"NO{digits(9)}MVA",
            "IT": f"IT{digits(11)}",
        }[country.code]

    @staticmethod
    def _codice_fiscale(rng: random.Random, first: str, last: str) -> str:
        """The shape of an Italian fiscal code (16 characters), not a valid checksum."""
        letters = (slug(last, "") + "xxx")[:3] + (slug(first, "") + "xxx")[:3]
        month = rng.choice("ABCDEHLMPRST")
        return (
            f"{letters.upper()}{rng.randint(50, 99)}{month}{rng.randint(1, 71):02d}"
            f"{rng.choice('ABFGHLM')}{rng.randint(100, 999)}{rng.choice('ABCDEFGHJKLMNPRSTVWXYZ')}"
        )


def _place(
    rng: random.Random, country: Country, town: Town, target: Person | ShippingAddress
) -> None:
    target["city"] = town.city
    target["countryCode"] = country.code
    target["countryName"] = country.name
    target["postalCode"] = rng.choice(town.postal_codes)
    if town.state_code is not None and town.state_name is not None:
        target["stateOrProvinceCode"] = town.state_code
        target["stateOrProvinceName"] = town.state_name
