"""Lazily generated demo customers: customer `i` is a pure function of (seed, i, count).

Nothing is materialised up front, so `customers=1_000_000` costs nothing to construct. Lookups
by guid, email and phone invert the generator instead of scanning: the guid's UUIDv1 sub-second
tick is `i`, every generated e-mail's local part ends with the decimal `i`, and the last eight
phone digits are a seed-keyed bijection of `i`. Each lookup re-generates the candidate and
compares, so a value that merely looks generated is not found.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Final

from .formats import uuid1_like, uuid1_tick
from .payloads import Account, BillingAddress, DeliveryAddress
from .records import CustomerRecord, normalize_phone
from .reference import (
    COMPANY_TRADES,
    CZ_EMAIL_DOMAINS,
    CZ_FEMALE,
    CZ_LEGAL_FORMS,
    CZ_MALE,
    CZ_STREETS,
    CZ_SURNAMES,
    GROUP_SEEDS,
    REGIONS,
    REMARKS,
    SK_EMAIL_DOMAINS,
    SK_FEMALE,
    SK_LEGAL_FORMS,
    SK_MALE,
    SK_STREETS,
    SK_SURNAMES,
    Region,
)

# Seed history ends at this fixed instant (not wall-clock), so data is reproducible.
REFERENCE_TIME: Final = datetime(2025, 6, 30, 22, 0, tzinfo=UTC).timestamp()
HISTORY_START: Final = datetime(2014, 1, 1, tzinfo=UTC).timestamp()
MAX_CUSTOMERS: Final = 10_000_000  # the guid tick (100 ns units within one second) holds `i`

_PHONE_SPACE: Final = 100_000_000
_PHONE_MULTIPLIER: Final = 48_271
_PHONE_INVERSE: Final = pow(_PHONE_MULTIPLIER, -1, _PHONE_SPACE)
_TRAILING_NUMBER: Final = re.compile(r"(\d+)@")
_CZ_REGIONS: Final = tuple(region for region in REGIONS if region.country == "CZ")
_SK_REGIONS: Final = tuple(region for region in REGIONS if region.country == "SK")

# Clock sequences separate the guid families of one customer (customer, accounts, addresses).
CS_CUSTOMER: Final = 0
CS_ACCOUNT: Final = 1
CS_DELIVERY: Final = 8


@lru_cache(maxsize=4096)
def ascii_slug(text: str, separator: str = ".") -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return re.sub(r"[^a-z0-9]+", separator, plain).strip(separator)


@dataclass(frozen=True, slots=True)
class _Parts:
    region: Region
    full_name: str | None
    street: str
    house_number: str
    city: str
    additional: str | None
    zip: str


def _ico(rng: random.Random) -> str:
    """A Czech/Slovak company id (IČO) with a valid mod-11 check digit."""
    digits = [rng.randrange(10) for _ in range(7)]
    remainder = sum(d * w for d, w in zip(digits, range(8, 1, -1), strict=True)) % 11
    check = 1 if remainder == 0 else 0 if remainder == 1 else 11 - remainder
    return "".join(map(str, digits)) + str(check)


class CustomerFactory:
    def __init__(self, *, seed: int, count: int) -> None:
        if not 0 <= count <= MAX_CUSTOMERS:
            raise ValueError(f"customers must be within 0..{MAX_CUSTOMERS}")
        self.seed = seed
        self.count = count
        seeded = random.Random(f"shoptet-shop:{seed}")
        self.clock_seq = seeded.getrandbits(14) & ~0xF  # low bits carry the guid family
        self.node = 0x0242AC120000 | seeded.getrandbits(16)  # docker-MAC-like, per e-shop
        self.phone_offset = seeded.randrange(_PHONE_SPACE)
        self._slot = (REFERENCE_TIME - HISTORY_START) / max(count, 1)

    # -- inversion ---------------------------------------------------------------------------
    def _candidate(self, index: int | None) -> CustomerRecord | None:
        if index is None or not 1 <= index <= self.count:
            return None
        return self.generate(index)

    def index_of_guid(self, guid: str) -> int | None:
        tick = uuid1_tick(guid)
        record = self._candidate(tick)
        return record.id if record is not None and record.guid == guid else None

    def index_of_email(self, email: str) -> int | None:
        match = _TRAILING_NUMBER.search(email)
        record = self._candidate(int(match.group(1))) if match else None
        return record.id if record is not None and email.lower() in record.emails() else None

    def index_of_phone(self, phone: str) -> int | None:
        normalized = normalize_phone(phone)
        digits = normalized[-8:]
        if not digits.isdigit():
            return None
        index = ((int(digits) - self.phone_offset) * _PHONE_INVERSE) % _PHONE_SPACE
        record = self._candidate(index)
        return record.id if record is not None and normalized in record.phones() else None

    def _phone(self, index: int, country: str, rng: random.Random) -> str:
        scrambled = (index * _PHONE_MULTIPLIER + self.phone_offset) % _PHONE_SPACE
        prefix = "+420" + rng.choice("67") if country == "CZ" else "+4219"
        return f"{prefix}{scrambled:08d}"

    # -- generation --------------------------------------------------------------------------
    def guid(self, timestamp: float, tick: int, family: int) -> str:
        return uuid1_like(timestamp, tick, self.clock_seq | family, self.node)

    def generate(self, index: int) -> CustomerRecord:
        rng = random.Random((self.seed << 32) + index)
        country = "CZ" if rng.random() < 0.85 else "SK"
        regions = _CZ_REGIONS if country == "CZ" else _SK_REGIONS
        female = rng.random() < 0.52
        if country == "CZ":
            first = rng.choice(CZ_FEMALE if female else CZ_MALE)
            last = rng.choice(CZ_SURNAMES)[1 if female else 0]
        else:
            first = rng.choice(SK_FEMALE if female else SK_MALE)
            last = rng.choice(SK_SURNAMES)[1 if female else 0]
        full_name = f"{first} {last}"
        is_company = rng.random() < 0.14
        group = rng.choices(GROUP_SEEDS, weights=[g.weight for g in GROUP_SEEDS])[0]
        if is_company and rng.random() < 0.4:
            group = GROUP_SEEDS[3]

        registered = HISTORY_START + (index - 1 + rng.random()) * self._slot
        changed = registered
        if rng.random() >= 0.4:
            changed += rng.random() ** 3 * (REFERENCE_TIME - registered)
        # Some customers were imported from an older system without a registration date.
        created = None if rng.random() < 0.005 else registered
        guid_time = created if created is not None else HISTORY_START
        tick = index % 10_000_000

        region = rng.choices(regions, weights=[r.weight for r in regions])[0]
        billing = self._billing(rng, region, full_name, last, is_company)
        delivery: list[DeliveryAddress] = []
        for number in range(rng.choices((0, 1, 2), weights=(6, 3, 1))[0]):
            other = rng.choices(regions, weights=[r.weight for r in regions])[0]
            parts = self._address(rng, other, full_name if rng.random() < 0.7 else None)
            delivery.append(
                {
                    "guid": self.guid(guid_time, tick, CS_DELIVERY + number),
                    "company": None,
                    "fullName": parts.full_name,
                    "street": parts.street,
                    "houseNumber": parts.house_number,
                    "city": parts.city,
                    "district": None,
                    "additional": parts.additional,
                    "zip": parts.zip,
                    "countryCode": parts.region.country,
                    "regionName": parts.region.name,
                    "regionShortcut": parts.region.shortcut,
                    "isDefault": number == 0,
                }
            )

        domains = CZ_EMAIL_DOMAINS if country == "CZ" else SK_EMAIL_DOMAINS
        first_slug, last_slug = ascii_slug(first), ascii_slug(last)
        local = (
            f"{first_slug}.{last_slug}",
            f"{last_slug}.{first_slug}",
            f"{first_slug[0]}{last_slug}",
        )[rng.randrange(3)]
        authorized = rng.random() >= (0.15 if group.wholesale else 0.02)
        accounts: list[Account] = [
            {
                "guid": self.guid(guid_time, tick, CS_ACCOUNT),
                "fullName": full_name,
                "email": f"{local}{index}@{rng.choice(domains)}",
                "phone": self._phone(index, country, rng) if rng.random() < 0.9 else None,
                "mainAccount": True,
                "authorized": authorized,
                "emailVerified": rng.random() < 0.6,
            }
        ]
        if is_company and rng.random() < 0.3:
            accounts.append(
                {
                    "guid": self.guid(guid_time, tick, CS_ACCOUNT + 1),
                    "fullName": None,
                    "email": f"nakup{index}@{ascii_slug(last, '-')}.{country.lower()}",
                    "phone": None,
                    "mainAccount": False,
                    "authorized": True,
                    "emailVerified": False,
                }
            )
        birth_date = None
        if rng.random() < 0.3:
            birth_date = (
                f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            )
        return CustomerRecord(
            id=index,
            guid=self.guid(guid_time, tick, CS_CUSTOMER),
            billing=billing,
            delivery=tuple(delivery),
            accounts=tuple(accounts),
            creation_time=None if created is None else float(int(created)),
            change_time=float(int(changed)),
            group_id=group.id,
            pricelist_id=group.pricelist_id,
            remark=rng.choice(REMARKS) if rng.random() < 0.05 else None,
            price_ratio=group.price_ratio,
            birth_date=birth_date,
            disabled_orders=False,  # needs the customerReviews addon (spec), not active here
        )

    @staticmethod
    def _address(rng: random.Random, region: Region, full_name: str | None) -> _Parts:
        town, zips = rng.choice(region.towns)
        streets = CZ_STREETS if region.country == "CZ" else SK_STREETS
        number = str(rng.randint(1, 2999))
        if rng.random() < 0.4:
            number = f"{number}/{rng.randint(1, 60)}"
        street = rng.choice(streets)
        additional = rng.choice(("2. patro", "byt 12", "vchod B")) if rng.random() < 0.05 else None
        return _Parts(region, full_name, street, number, town, additional, rng.choice(zips))

    def _billing(
        self, rng: random.Random, region: Region, full_name: str, last: str, is_company: bool
    ) -> BillingAddress:
        parts = self._address(rng, region, full_name)
        company = company_id = vat_id = tax_id = status = None
        if is_company:
            legal = rng.choice(CZ_LEGAL_FORMS if region.country == "CZ" else SK_LEGAL_FORMS)
            trade = rng.choice(COMPANY_TRADES)
            company = f"{trade} {last} {legal}" if rng.random() < 0.5 else f"{last} {legal}"
            company_id = _ico(rng)
            if region.country == "CZ":
                vat_id = tax_id = f"CZ{company_id}"  # spec: CZ taxId equals vatId
            else:
                tax_id = f"20{rng.randrange(10**8):08d}"
                vat_id = f"SK{tax_id}"
            status = rng.choice(("verified", "verified", "unverified", "waiting"))
        return {
            "company": company,
            "fullName": parts.full_name,
            "street": parts.street,
            "houseNumber": parts.house_number,
            "city": parts.city,
            "district": None,
            "additional": parts.additional,
            "zip": parts.zip,
            "countryCode": region.country,
            "regionName": region.name,
            "regionShortcut": region.shortcut,
            "companyId": company_id,
            "vatId": vat_id,
            "vatIdValidationStatus": status,
            "taxId": tax_id,
        }
