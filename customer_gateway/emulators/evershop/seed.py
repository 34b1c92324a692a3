"""Deterministic demo data: English, Czech and Norwegian customers with addresses.

Everything derives from `seed` and a fixed reference date, never from the wall clock, so two
emulators with the same seed hold identical rows and different seeds hold different people.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from .store import Database

REFERENCE_DATE: Final = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
INSTALLED_AT: Final = datetime(2023, 10, 1, 8, 0, tzinfo=UTC)
_SPAN: Final = timedelta(days=3 * 365)
EXTRA_GROUPS: Final = ("Wholesale", "VIP")

_BCRYPT_ALPHABET: Final = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@dataclass(frozen=True, slots=True)
class _Place:
    city: str
    province: str
    postcode: str


@dataclass(frozen=True, slots=True)
class _Locale:
    country: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[tuple[str, str], ...]  # (male form, female form)
    domains: tuple[str, ...]
    places: tuple[_Place, ...]
    streets: tuple[str, ...]
    phone: str  # '#' = random digit
    house_first: bool


_EN: Final = _Locale(
    country="GB",
    male=("James", "Oliver", "William", "Thomas", "Harry", "George", "Jack", "Daniel", "Samuel"),
    female=("Emily", "Charlotte", "Sophie", "Grace", "Amelia", "Olivia", "Isla", "Hannah", "Lucy"),
    surnames=tuple(
        (name, name)
        for name in (
            "Smith",
            "Johnson",
            "Williams",
            "Brown",
            "Taylor",
            "Wilson",
            "Davies",
            "Evans",
            "Thompson",
            "Walker",
            "Wright",
            "Robinson",
            "Hughes",
            "Green",
            "Hall",
            "Clarke",
            "O'Brien",
            "Baker",
            "Turner",
            "Cooper",
        )
    ),  # fmt: skip
    domains=("example.com", "example.co.uk", "mail.example.org"),
    places=(
        _Place("London", "GB-ENG", "SW1A 1AA"),
        _Place("Manchester", "GB-ENG", "M1 1AE"),
        _Place("Edinburgh", "GB-SCT", "EH1 1YZ"),
        _Place("Cardiff", "GB-WLS", "CF10 1EP"),
        _Place("Belfast", "GB-NIR", "BT1 5GS"),
    ),
    streets=("High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane"),
    phone="+44 7### ######",
    house_first=True,
)
_CZ: Final = _Locale(
    country="CZ",
    male=("Jan", "Petr", "Tomáš", "Jakub", "Lukáš", "Martin", "Ondřej", "Jiří", "Vojtěch"),
    female=("Jana", "Tereza", "Eliška", "Kateřina", "Lucie", "Veronika", "Markéta", "Zuzana"),
    surnames=(
        ("Novák", "Nováková"),
        ("Svoboda", "Svobodová"),
        ("Novotný", "Novotná"),
        ("Dvořák", "Dvořáková"),
        ("Černý", "Černá"),
        ("Procházka", "Procházková"),
        ("Kučera", "Kučerová"),
        ("Veselý", "Veselá"),
        ("Horák", "Horáková"),
        ("Němec", "Němcová"),
        ("Pospíšil", "Pospíšilová"),
        ("Hájek", "Hájková"),
        ("Král", "Králová"),
        ("Jelínek", "Jelínková"),
        ("Růžička", "Růžičková"),
        ("Beneš", "Benešová"),
        ("Fiala", "Fialová"),
        ("Šťastný", "Šťastná"),
    ),  # fmt: skip
    domains=("example.cz", "posta.example.cz", "example.com"),
    places=(
        _Place("Praha", "CZ-10", "110 00"),
        _Place("Brno", "CZ-JM", "602 00"),
        _Place("Ostrava", "CZ-MO", "702 00"),
        _Place("Plzeň", "CZ-PL", "301 00"),
        _Place("Olomouc", "CZ-OL", "779 00"),
        _Place("Liberec", "CZ-LI", "460 01"),
    ),
    streets=("Vinohradská", "Masarykova", "Husova", "Národní", "Palackého", "Nádražní"),
    phone="+420 6## ### ###",
    house_first=False,
)
_NO: Final = _Locale(
    country="NO",
    male=("Øyvind", "Håkon", "Lars", "Magnus", "Sindre", "Bjørn", "Eirik", "Jørgen", "Ole"),
    female=("Ingrid", "Solveig", "Åse", "Kari", "Sigrid", "Marte", "Ragnhild", "Tuva", "Nora"),
    surnames=tuple(
        (name, name)
        for name in (
            "Løken",
            "Hansen",
            "Johansen",
            "Olsen",
            "Larsen",
            "Andersen",
            "Pedersen",
            "Nilsen",
            "Kristiansen",
            "Berg",
            "Haugen",
            "Bakken",
            "Solberg",
            "Strand",
            "Dahl",
            "Sæther",
            "Ødegård",
            "Bråthen",
            "Kvåle",
        )
    ),  # fmt: skip
    domains=("example.no", "post.example.no", "example.com"),
    places=(
        _Place("Oslo", "NO-03", "0150"),
        _Place("Bergen", "NO-12", "5003"),
        _Place("Trondheim", "NO-16", "7011"),
        _Place("Stavanger", "NO-11", "4006"),
        _Place("Tromsø", "NO-19", "9008"),
    ),
    streets=("Storgata", "Kirkegata", "Bryggen", "Karl Johans gate", "Olav Tryggvasons gate"),
    phone="+47 9## ## ###",
    house_first=False,
)
_LOCALES: Final = (_EN, _CZ, _NO)
_ASCII_FOLD: Final = {"ø": "o", "æ": "ae", "å": "a", "'": ""}


def fake_bcrypt(rng: random.Random) -> str:
    """A bcrypt-shaped hash (`$2a$10$` + 22 salt + 31 hash characters), as bcryptjs 2.4 prints."""
    return "$2a$10$" + "".join(rng.choice(_BCRYPT_ALPHABET) for _ in range(53))


def _ascii(text: str) -> str:
    folded = "".join(_ASCII_FOLD.get(char, char) for char in text.lower())
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(char for char in decomposed if char.isascii() and char.isalnum())


def _email(rng: random.Random, first: str, last: str, locale: _Locale, taken: set[str]) -> str:
    first_ascii, last_ascii = _ascii(first), _ascii(last)
    pattern = rng.choice(
        (
            f"{first_ascii}.{last_ascii}",
            f"{first_ascii}{last_ascii}",
            f"{first_ascii[0]}.{last_ascii}",
            f"{first_ascii}_{last_ascii}",
            f"{last_ascii}.{first_ascii}",
        )
    )
    domain = rng.choice(locale.domains)
    while True:
        # A number keeps addresses of differently seeded shops apart (and unique within one).
        email = f"{pattern}{rng.randint(1, 9999)}@{domain}"
        if email not in taken:
            taken.add(email)
            return email


def _digits(rng: random.Random, template: str) -> str:
    return "".join(str(rng.randint(0, 9)) if char == "#" else char for char in template)


def _address(
    rng: random.Random, locale: _Locale, full_name: str, is_default: bool, created_at: datetime
) -> dict[str, Any]:
    place = rng.choice(locale.places)
    street, number = rng.choice(locale.streets), rng.randint(1, 180)
    line = f"{number} {street}" if locale.house_first else f"{street} {number}"
    if locale.country == "CZ" and rng.random() < 0.4:
        line = f"{street} {rng.randint(100, 2999)}/{number}"
    second = None
    if rng.random() < 0.25:
        second = {"GB": f"Flat {rng.randint(1, 40)}", "CZ": f"byt {rng.randint(1, 30)}"}.get(
            locale.country, f"H0{rng.randint(1, 4)}0{rng.randint(1, 9)}"
        )
    return {
        "full_name": full_name,
        "telephone": _digits(rng, locale.phone),
        "address_1": line,
        "address_2": second,
        "postcode": place.postcode,
        "city": place.city,
        "province": place.province,
        "country": locale.country,
        "is_default": is_default,
        "created_at": created_at,
    }


def _timestamps(rng: random.Random, count: int) -> list[datetime]:
    stamps = sorted(
        REFERENCE_DATE
        - timedelta(seconds=rng.randint(0, int(_SPAN.total_seconds())))
        + timedelta(milliseconds=rng.randint(0, 999))
        for _ in range(count)
    )
    # A few customers share their predecessor's exact timestamp (e.g. a bulk import).
    for index in rng.sample(range(1, count), min(count - 1, count // 15)) if count > 1 else ():
        stamps[index] = stamps[index - 1]
    return stamps


def populate(db: Database, rng: random.Random, customers: int) -> None:
    """Insert the Default group (as the migration does), the extra groups and the customers."""
    default = db.insert_group("Default", INSTALLED_AT)
    extra = [
        db.insert_group(name, INSTALLED_AT + timedelta(minutes=5 + index))
        for index, name in enumerate(EXTRA_GROUPS)
    ]
    group_ids = [default["customer_group_id"], *(group["customer_group_id"] for group in extra)]
    taken: set[str] = set()
    for created_at in _timestamps(rng, customers):
        locale = rng.choice(_LOCALES)
        female = rng.random() < 0.5
        first = rng.choice(locale.female if female else locale.male)
        male_surname, female_surname = rng.choice(locale.surnames)
        last = female_surname if female else male_surname
        full_name = f"{first} {last}"
        age = REFERENCE_DATE - created_at
        updated_at = created_at
        if rng.random() < 0.6:
            updated_at = created_at + age * rng.random()
        row = db.insert_customer_row(
            email=_email(rng, first, last, locale, taken),
            password=fake_bcrypt(rng),
            full_name=full_name,
            status=1 if rng.random() < 0.88 else 0,
            group_id=rng.choices(group_ids, weights=(70, 18, 12))[0],
            created_at=created_at,
            updated_at=updated_at,
        )
        for index in range(rng.choices((0, 1, 2), weights=(30, 50, 20))[0]):
            stamp = created_at + age * rng.random()
            db.insert_address(
                row["customer_id"], _address(rng, locale, full_name, index == 0, stamp)
            )
