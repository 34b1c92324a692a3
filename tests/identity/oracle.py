"""The expected groupings, computed apart from the production code: its own e-mail and phone
rules (domains through Python's raw RFC 3492 `punycode` codec label by label, not the `idna`
package; a hand-written E.164 table)
and its own connected components (breadth-first search over an adjacency list)."""

from __future__ import annotations

import random
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from customer_gateway.connectors.models import CustomerRecord

Key = tuple[str, str]

# The oracle's own country table for the countries the seeds use.
CALLING = {"CZ": ("420", ""), "GB": ("44", "0"), "NO": ("47", "")}


def oracle_email(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    if "@" not in value:
        return None
    local, domain = value.rsplit("@", 1)
    domain = ascii_domain(domain.rstrip("."))
    if domain == "gmail.com":
        local = local.split("+")[0].replace(".", "")
    return f"{local}@{domain}"


def ascii_domain(domain: str) -> str:
    return ".".join(
        label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
        for label in domain.lower().split(".")
    )


def oracle_phone(value: str | None, country: str | None) -> str | None:
    if value is None:
        return None
    digits = "".join(char for char in value if char.isdigit())
    if value.strip().startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if country is None:
        return None
    code, trunk = CALLING[country]
    if trunk and digits.startswith(trunk):
        digits = digits[len(trunk) :]
    return "+" + code + digits


def groupings(
    records: Iterable[CustomerRecord],
    *,
    phones: bool = False,
    countries: Mapping[str, str | None] | None = None,
    links: Sequence[Sequence[Key]] = (),
    detached: Iterable[Key] = (),
) -> set[frozenset[Key]]:
    """The partition of the records into people."""
    records = list(records)
    loose = set(detached)
    neighbours: dict[Key, set[Key]] = {(r.source, r.id): set() for r in records}
    by_value: dict[str, list[Key]] = {}
    for record in records:
        key = (record.source, record.id)
        if key in loose:
            continue
        values = [oracle_email(record.email)]
        if phones:
            values.append(oracle_phone(record.phone, (countries or {}).get(record.source)))
        for value in values:
            if value is not None:
                by_value.setdefault(value, []).append(key)
    for group in [*by_value.values(), *links]:
        present = [key for key in group if key in neighbours]
        for key in present:
            neighbours[key].update(present)
    seen: set[Key] = set()
    result: set[frozenset[Key]] = set()
    for start in neighbours:
        if start in seen:
            continue
        component = {start}
        queue = [start]
        while queue:
            for peer in neighbours[queue.pop()]:
                if peer not in component:
                    component.add(peer)
                    queue.append(peer)
        seen |= component
        result.add(frozenset(component))
    return result


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    local: str
    domain: str
    national: str  # a Czech mobile number, national form
    country: str


DOMAINS = ("example.cz", "gmail.com", "bücher.de", "straße.example", "firma.no")


def seed_people(seed: int, count: int) -> list[Person]:
    rng = random.Random(seed)
    people = []
    for index in range(count):
        first = rng.choice(["Jana", "Petr", "Ola", "Kari", "Zoë", "Åsa", "Tomáš"])
        last = rng.choice(["Novák", "Hansen", "Smith", "Müller", "Dvořák"]) + str(index)
        local = f"{first}.{last}".lower().encode("ascii", "ignore").decode() or f"p{index}"
        people.append(
            Person(
                first,
                last,
                local,
                rng.choice(DOMAINS),
                "6" + "".join(rng.choice(string.digits) for _ in range(8)),
                "CZ",
            )
        )
    return people


def spellings(person: Person, rng: random.Random) -> tuple[str, str]:
    """An e-mail and phone of this person as one shop typed them."""
    local, domain = person.local, person.domain
    style = rng.randrange(6)
    if style == 1:
        local, domain = local.upper(), domain.upper()
    elif style == 3 and domain == "gmail.com":
        local = local.replace(".", "") + "+shop"
    elif style == 4:
        domain = ascii_domain(domain)
    elif style == 5 and domain != "gmail.com":
        local = local + "+news"  # not Gmail: a different address, a different person
    pad = ("  ", " \t") if style == 2 else ("", "")
    phone_style = rng.randrange(4)
    national = person.national
    phone = {
        0: f"+420 {national[:3]} {national[3:6]} {national[6:]}",
        1: f"00420{national}",
        2: f"{national[:3]} {national[3:6]} {national[6:]}",  # national: the source's country
        3: f"+420-{national}",
    }[phone_style]
    return f"{pad[0]}{local}@{domain}{pad[1]}", phone


def records_for(
    people: Sequence[Person], sources: Sequence[str], seed: int
) -> list[CustomerRecord]:
    rng = random.Random(seed)
    records: list[CustomerRecord] = []
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for index, person in enumerate(people):
        for source in rng.sample(list(sources), rng.randint(1, len(sources))):
            email, phone = spellings(person, rng)
            created = start + timedelta(hours=rng.randrange(10_000))
            records.append(
                CustomerRecord(
                    source=source,
                    id=f"{index}-{rng.randrange(10**6)}",
                    numeric_id=index,
                    email=email,
                    full_name=f"{person.first} {person.last}",
                    status=1,
                    created_at=created,
                    updated_at=created + timedelta(hours=rng.randrange(100)),
                    phone=phone,
                )
            )
    return records
