"""Reference data for the seed: Norwegian (and some Swedish and Danish) names and places."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Place:
    postal_code: str
    city: str
    region: str  # EAST, WEST, MID, NORTH, SOUTH for Norway; the country code elsewhere


@dataclass(frozen=True, slots=True)
class GroupSeed:
    uid: str
    name: str


NO_FEMALE: Final = (
    "Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg",
    "Hilde", "Solveig", "Randi", "Åse", "Sølvi", "Gro", "Tone", "Nora", "Emma", "Sofie",
    "Ingeborg", "Sigrid", "Maja", "Vårin", "Mette", "Kjersti", "Ragnhild", "Synnøve", "Tiril",
    "Åshild", "Frøydis", "Ida", "Thea", "Hedda", "Signe", "Live", "Jorunn", "Grethe",
)  # fmt: skip
NO_MALE: Final = (
    "Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Arne", "Svein", "Hans", "Geir",
    "Tor", "Håkon", "Jørgen", "Øystein", "Ørjan", "Kåre", "Åsmund", "Tormod", "Sindre", "Jonas",
    "Magnus", "Henrik", "Eirik", "Even", "Sverre", "Trygve", "Halvard", "Steinar", "Tore",
    "Ola", "Nils", "Pål", "Sjur", "Aksel", "Filip", "Mathias", "Gaute",
)  # fmt: skip
NO_SURNAMES: Final = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
    "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen",
    "Lund", "Sørensen", "Moen", "Gundersen", "Iversen", "Strand", "Solberg", "Svendsen", "Eide",
    "Knutsen", "Martinsen", "Bakken", "Lie", "Amundsen", "Nguyen", "Rasmussen", "Lunde",
    "Solheim", "Berge", "Moe", "Nygård", "Bakke", "Holm", "Lien", "Hauge", "Sæther", "Aas",
    "Myhre", "Haugland", "Rønning", "Næss", "Vik", "Birkeland", "Ødegård", "Ruud", "Løken",
    "Bråten", "Grønvold", "Søreide", "Bjørnstad", "Hovland", "Kvåle", "Østby", "Nordmann",
    "Fjærli", "Tveit", "Aune",
)  # fmt: skip
SE_FEMALE: Final = ("Anna", "Karin", "Elin", "Åsa", "Linnéa", "Maria", "Sofia", "Märta")
SE_MALE: Final = ("Erik", "Lars", "Anders", "Björn", "Göran", "Johan", "Olle", "Måns")
SE_SURNAMES: Final = (
    "Johansson", "Andersson", "Lindqvist", "Åberg", "Ström", "Söderberg", "Karlsson", "Nyström",
)  # fmt: skip
DK_FEMALE: Final = ("Mette", "Helle", "Lone", "Pernille", "Signe", "Søs")
DK_MALE: Final = ("Søren", "Jesper", "Rasmus", "Mads", "Jens", "Niels")
DK_SURNAMES: Final = ("Sørensen", "Nielsen", "Jørgensen", "Mortensen", "Østergaard", "Kjær")

NO_PLACES: Final = (
    Place("0150", "Oslo", "EAST"), Place("0355", "Oslo", "EAST"), Place("0460", "Oslo", "EAST"),
    Place("0558", "Oslo", "EAST"), Place("0661", "Oslo", "EAST"), Place("0770", "Oslo", "EAST"),
    Place("0872", "Oslo", "EAST"), Place("0975", "Oslo", "EAST"), Place("1150", "Oslo", "EAST"),
    Place("1337", "Sandvika", "EAST"), Place("1410", "Kolbotn", "EAST"),
    Place("2000", "Lillestrøm", "EAST"), Place("1530", "Moss", "EAST"),
    Place("1606", "Fredrikstad", "EAST"), Place("3015", "Drammen", "EAST"),
    Place("2317", "Hamar", "EAST"), Place("2609", "Lillehammer", "EAST"),
    Place("2815", "Gjøvik", "EAST"), Place("3111", "Tønsberg", "EAST"),
    Place("3510", "Hønefoss", "EAST"), Place("3616", "Kongsberg", "EAST"),
    Place("5003", "Bergen", "WEST"), Place("5011", "Bergen", "WEST"),
    Place("5052", "Bergen", "WEST"), Place("5089", "Bergen", "WEST"),
    Place("5145", "Fyllingsdalen", "WEST"), Place("5221", "Nesttun", "WEST"),
    Place("5411", "Stord", "WEST"), Place("5501", "Haugesund", "WEST"),
    Place("5700", "Voss", "WEST"), Place("6800", "Førde", "WEST"),
    Place("4006", "Stavanger", "WEST"), Place("4306", "Sandnes", "WEST"),
    Place("6002", "Ålesund", "WEST"), Place("6413", "Molde", "MID"),
    Place("7011", "Trondheim", "MID"), Place("7030", "Trondheim", "MID"),
    Place("7300", "Orkanger", "MID"), Place("7600", "Levanger", "MID"),
    Place("8006", "Bodø", "NORTH"), Place("8514", "Narvik", "NORTH"),
    Place("9008", "Tromsø", "NORTH"), Place("9515", "Alta", "NORTH"),
    Place("4631", "Kristiansand", "SOUTH"), Place("4836", "Arendal", "SOUTH"),
    Place("3256", "Larvik", "SOUTH"), Place("3920", "Porsgrunn", "SOUTH"),
)  # fmt: skip
SE_PLACES: Final = (
    Place("111 22", "Stockholm", "SE"), Place("411 04", "Göteborg", "SE"),
    Place("211 22", "Malmö", "SE"), Place("652 24", "Karlstad", "SE"),
)  # fmt: skip
DK_PLACES: Final = (
    Place("1050", "København K", "DK"), Place("8000", "Aarhus C", "DK"),
    Place("5000", "Odense C", "DK"), Place("9000", "Aalborg", "DK"),
)  # fmt: skip
# Which Norwegian region a tenant's customers mostly live in, by a word in the tenant uid.
HOME_REGIONS: Final = {
    "oslo": "EAST", "bergen": "WEST", "stavanger": "WEST", "trondheim": "MID",
    "tromso": "NORTH", "bodo": "NORTH", "kristiansand": "SOUTH",
}  # fmt: skip
REGIONS: Final = ("EAST", "WEST", "MID", "NORTH", "SOUTH")

NO_STREETS: Final = (
    "Storgata", "Kirkegata", "Dronningens gate", "Kongens gate", "Strandgata", "Torggata",
    "Møllergata", "Bogstadveien", "Thereses gate", "Ullevålsveien", "Sørgata", "Åsveien",
    "Fjellveien", "Løvstakkveien", "Solheimsgaten", "Håkonsgaten", "Øvre Slottsgate",
    "Tårnveien", "Bjørkeveien", "Furuveien", "Granveien", "Bekkeveien", "Skolegata",
    "Jernbanegata", "Nygårdsgaten", "Kalfarveien", "Sandviksveien", "Fredrikke Qvams gate",
    "Skrenten", "Bakkeløkka", "Kløverveien", "Sjøgata", "Prestegårdsveien", "Ringveien",
)  # fmt: skip
SE_STREETS: Final = ("Drottninggatan", "Kungsgatan", "Storgatan", "Östra Hamngatan")
DK_STREETS: Final = ("Østergade", "Vestergade", "Nørrebrogade", "Søndergade")

EMAIL_DOMAINS: Final = (
    "gmail.com", "online.no", "hotmail.com", "outlook.com", "live.no", "icloud.com",
    "telenor.no", "yahoo.no", "getmail.no", "broadpark.no",
)  # fmt: skip
COMPANY_TRADES: Final = (
    "Bygg", "Rør", "Elektro", "Regnskap", "Maling", "Transport", "Eiendom", "Snekkeri",
    "Blomster", "Bakeri", "Frisør", "Tannlege", "Sport", "Marine", "Fisk", "Kafé",
    "Trelast", "Design", "Revisjon", "Sveis",
)  # fmt: skip
COMPANY_PREFIXES: Final = (
    "Fjord", "Nordlys", "Vestland", "Fjell", "Bjørke", "Havbris", "Polar", "Sjøglimt",
    "Ærfugl", "Østlandske", "Midtnorsk", "Skjærgård",
)  # fmt: skip
COMPANY_FORMS_NO: Final = ("AS", "AS", "AS", "ASA", "ENK", "DA", "SA")
COMPANY_FORMS_SE: Final = ("AB",)
COMPANY_FORMS_DK: Final = ("ApS", "A/S")

BASE_GROUPS: Final = (
    GroupSeed("vip", "VIP"),
    GroupSeed("bedrift", "Bedrift"),
    GroupSeed("ansatte", "Ansatte"),
    GroupSeed("stamkunde", "Stamkunde"),
)
EXTRA_GROUPS: Final = (
    GroupSeed("studenter", "Studenter"),
    GroupSeed("pensjonister", "Pensjonister"),
    GroupSeed("forhandlere", "Forhandlere"),
    GroupSeed("idrettslag", "Idrettslag og foreninger"),
    GroupSeed("naerbutikk", "Nærbutikk-kunder"),
    GroupSeed("hostkampanje", "Høstkampanje 2024"),
)

CONSENTS: Final = ("Nyhetsbrev på e-post", "SMS-markedsføring", "Medlemsvilkår")
CONSENT_SOURCES: Final = ("POS", "WEB", "APP")
ORIGINS: Final = ("POS", "POS", "POS", "WEBSHOP", "IMPORT", "API")
INTERNAL_NOTES: Final = (
    "Ønsker faktura på e-post",
    "Betaler alltid med Vipps",
    "Kontaktes før levering",
    "Spør etter Kåre i butikken",
    "Har reservert varer på lager",
)
STORE_NAMES: Final = (
    "Sentrum", "Storo", "Torget", "Lagunen", "Sandvika", "Bryggen", "Strømmen", "Åsane",
    "Sørlandssenteret", "Jekta", "Solsiden", "Kvadrat",
)  # fmt: skip
TENANT_USERS: Final = (
    ("Ola Selger", "1003"),
    ("Kari Butikksjef", "1004"),
    ("Øyvind Økonomi", "1005"),
    ("Åse Salgsleder", "1006"),
)
