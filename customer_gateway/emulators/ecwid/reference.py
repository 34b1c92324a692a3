"""Reference data for the demo store: countries, regions, towns, names, streets, groups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Town:
    city: str
    postal_codes: tuple[str, ...]
    state_code: str | None = None  # Ecwid leaves the state out where a country has none
    state_name: str | None = None


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    weight: int
    lang: str
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    streets: tuple[str, ...]
    street_format: str  # "{number} {street}" or "{street} {number}"
    second_lines: tuple[str, ...]
    towns: tuple[Town, ...]
    phone_prefixes: tuple[str, ...]
    phone_digits: int
    email_domains: tuple[str, ...]


COUNTRIES: Final = (
    Country(
        code="US", name="United States", weight=34, lang="en",
        first_names=("James", "Emily", "Michael", "Olivia", "David", "Sophia", "Robert",
                     "Ava", "Daniel", "Madison", "Chris", "Jennifer", "Tyler", "Hannah"),
        surnames=("Smith", "Johnson", "Williams", "Brown", "Miller", "Davis", "Garcia",
                  "Rodriguez", "Martinez", "Anderson", "Taylor", "Thompson", "Moore", "Clark"),
        streets=("Oak Street", "Maple Avenue", "Main St", "Cedar Lane", "Elm Drive",
                 "Washington Blvd", "Park Avenue", "Lakeview Drive", "Sunset Blvd"),
        street_format="{number} {street}",
        second_lines=("Apt 4B", "Suite 210", "Unit 12", "Apt 301"),
        towns=(
            Town("Austin", ("73301", "78701", "78745"), "TX", "Texas"),
            Town("Dallas", ("75201", "75204"), "TX", "Texas"),
            Town("San Diego", ("92101", "92103"), "CA", "California"),
            Town("Los Angeles", ("90012", "90026", "90045"), "CA", "California"),
            Town("New York", ("10001", "10011", "10027"), "NY", "New York"),
            Town("Chicago", ("60601", "60614"), "IL", "Illinois"),
            Town("Seattle", ("98101", "98109"), "WA", "Washington"),
            Town("Miami", ("33130", "33139"), "FL", "Florida"),
        ),
        phone_prefixes=("+1512555", "+1212555", "+1312555", "+1206555"), phone_digits=4,
        email_domains=("gmail.com", "gmail.com", "yahoo.com", "outlook.com", "icloud.com"),
    ),
    Country(
        code="GB", name="United Kingdom", weight=20, lang="en",
        first_names=("Oliver", "Amelia", "Harry", "Isla", "George", "Emily", "Jack",
                     "Poppy", "Charlie", "Grace", "Thomas", "Sophie"),
        surnames=("Jones", "Evans", "Wilson", "Wright", "Walker", "Hughes", "Roberts",
                  "Edwards", "Green", "Hall", "Wood", "Harris"),
        streets=("High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane",
                 "Queen's Road", "Kings Avenue"),
        street_format="{number} {street}",
        second_lines=("Flat 3", "Flat 12", "The Old Bakery"),
        towns=(
            Town("London", ("SW1A 1AA", "E1 6AN", "N1 9GU", "SE1 7PB")),
            Town("Manchester", ("M1 1AE", "M4 5JD")),
            Town("Bristol", ("BS1 4DJ", "BS8 1TH")),
            Town("Edinburgh", ("EH1 1YZ", "EH3 9DR")),
            Town("Leeds", ("LS1 4AP", "LS6 2UE")),
        ),
        phone_prefixes=("+44207946", "+44113496", "+44161496"), phone_digits=4,
        email_domains=("gmail.com", "btinternet.com", "hotmail.co.uk", "outlook.com"),
    ),
    Country(
        code="DE", name="Germany", weight=20, lang="de",
        first_names=("Lukas", "Anna", "Jonas", "Lea", "Felix", "Marie", "Maximilian",
                     "Sophie", "Paul", "Laura", "Jürgen", "Katrin"),
        surnames=("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner",
                  "Becker", "Schulz", "Hoffmann", "Koch", "Richter"),
        streets=("Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße",
                 "Lindenallee", "Goethestraße", "Am Markt"),
        street_format="{street} {number}",
        second_lines=("Hinterhaus", "3. OG", "c/o Büro"),
        towns=(
            Town("Berlin", ("10115", "10245", "12043"), "BE", "Berlin"),
            Town("München", ("80331", "80469"), "BY", "Bayern"),
            Town("Nürnberg", ("90402", "90429"), "BY", "Bayern"),
            Town("Hamburg", ("20095", "22767"), "HH", "Hamburg"),
            Town("Köln", ("50667", "50823"), "NW", "Nordrhein-Westfalen"),
            Town("Frankfurt am Main", ("60311", "60594"), "HE", "Hessen"),
        ),
        phone_prefixes=("+4930901820", "+4989123", "+4940555"), phone_digits=3,
        email_domains=("web.de", "gmx.de", "t-online.de", "gmail.com"),
    ),
    Country(
        code="NO", name="Norway", weight=12, lang="nb",
        first_names=("Lena", "Ola", "Ingrid", "Jakob", "Nora", "Emil", "Sofie", "Henrik",
                     "Ida", "Magnus", "Kari", "Håkon"),
        surnames=("Holm", "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen",
                  "Nilsen", "Berg", "Haugen", "Dahl", "Lie"),
        streets=("Storgata", "Kirkegata", "Strandveien", "Parkveien",
                 "Bjørnstjerne Bjørnsons gate", "Sjøgata"),
        street_format="{street} {number}",
        second_lines=("Leil. H0201", "Leil. H0302", "2. etasje"),
        towns=(
            Town("Oslo", ("0150", "0251", "0557")),
            Town("Bergen", ("5003", "5015")),
            Town("Trondheim", ("7011", "7030")),
            Town("Stavanger", ("4006", "4014")),
        ),
        phone_prefixes=("+4741", "+4792", "+4798"), phone_digits=6,
        email_domains=("online.no", "gmail.com", "hotmail.no"),
    ),
    Country(
        code="IT", name="Italy", weight=14, lang="it",
        first_names=("Marco", "Giulia", "Luca", "Francesca", "Matteo", "Chiara",
                     "Alessandro", "Sara", "Lorenzo", "Martina"),
        surnames=("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo",
                  "Ricci", "Marino", "Greco"),
        streets=("Via Roma", "Via Garibaldi", "Corso Vittorio Emanuele II", "Via Dante",
                 "Via Mazzini", "Piazza della Repubblica"),
        street_format="{street}, {number}",
        second_lines=("Scala B", "Interno 7", "Piano 2"),
        towns=(
            Town("Milano", ("20121", "20144"), "MI", "Milano"),
            Town("Roma", ("00184", "00153"), "RM", "Roma"),
            Town("Torino", ("10121", "10138"), "TO", "Torino"),
            Town("Firenze", ("50122", "50129"), "FI", "Firenze"),
            Town("Napoli", ("80133", "80121"), "NA", "Napoli"),
        ),
        phone_prefixes=("+39347", "+39333", "+3902"), phone_digits=7,
        email_domains=("libero.it", "gmail.com", "virgilio.it", "alice.it"),
    ),
)  # fmt: skip

COUNTRY_NAMES: Final = {country.code: country.name for country in COUNTRIES}

COMPANY_SUFFIXES: Final = {
    "US": ("LLC", "Inc."),
    "GB": ("Ltd",),
    "DE": ("GmbH", "UG"),
    "NO": ("AS",),
    "IT": ("S.r.l.", "S.p.A."),
}
COMPANY_TRADES: Final = ("Supply", "Trading", "Design", "Outdoor", "Foods", "Studio", "Goods")

# (name, weight); General (id 0) is built in. Ids are Ecwid-like, drawn per seed.
GROUP_SEEDS: Final = (("VIP", 8), ("Wholesale", 6), ("B2B", 5))
GENERAL_WEIGHT: Final = 81

ADMIN_NOTES: Final = (
    "Prefers delivery after 5 pm.",
    "Asked for invoices by e-mail only.",
    "Repeat customer, gift wrap by default.",
    "Call before shipping bulky items.",
)
