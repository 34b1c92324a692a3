"""The demo e-shop's fixed configuration: regions, price lists, initial customer groups, events.

Also the name, street and town pools the seed draws customers from (Czech and Slovak, with
diacritics). Regions are the CZ and SK kraje with their usual shortcuts; every generated billing
address uses a town that lies in the region it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Region:
    id: int
    name: str
    shortcut: str
    country: str
    weight: int  # share of the generated customers living there
    towns: tuple[tuple[str, tuple[str, ...]], ...]  # (town, ZIP codes)


REGIONS: Final = (
    Region(1, "Hlavní město Praha", "PHA", "CZ", 18, (
        ("Praha", ("110 00", "120 00", "130 00", "140 00", "150 00", "160 00", "170 00",
                   "180 00", "190 00", "198 00")),)),
    Region(2, "Středočeský kraj", "STC", "CZ", 12, (
        ("Kladno", ("272 01",)), ("Mladá Boleslav", ("293 01",)), ("Kolín", ("280 02",)),
        ("Příbram", ("261 01",)), ("Beroun", ("266 01",)), ("Benešov", ("256 01",)))),
    Region(3, "Jihočeský kraj", "JHC", "CZ", 6, (
        ("České Budějovice", ("370 01", "370 05")), ("Tábor", ("390 02",)),
        ("Písek", ("397 01",)), ("Strakonice", ("386 01",)), ("Jindřichův Hradec", ("377 01",)))),
    Region(4, "Plzeňský kraj", "PLK", "CZ", 5, (
        ("Plzeň", ("301 00", "312 00", "323 00")), ("Klatovy", ("339 01",)),
        ("Domažlice", ("344 01",)), ("Rokycany", ("337 01",)))),
    Region(5, "Karlovarský kraj", "KVK", "CZ", 3, (
        ("Karlovy Vary", ("360 01",)), ("Cheb", ("350 02",)), ("Sokolov", ("356 01",)))),
    Region(6, "Ústecký kraj", "ULK", "CZ", 7, (
        ("Ústí nad Labem", ("400 01", "400 11")), ("Teplice", ("415 01",)),
        ("Děčín", ("405 02",)), ("Most", ("434 01",)), ("Chomutov", ("430 01",)),
        ("Litoměřice", ("412 01",)))),
    Region(7, "Liberecký kraj", "LBK", "CZ", 4, (
        ("Liberec", ("460 01", "460 07")), ("Jablonec nad Nisou", ("466 01",)),
        ("Česká Lípa", ("470 01",)), ("Turnov", ("511 01",)))),
    Region(8, "Královéhradecký kraj", "HKK", "CZ", 5, (
        ("Hradec Králové", ("500 02", "500 03")), ("Trutnov", ("541 01",)),
        ("Náchod", ("547 01",)), ("Jičín", ("506 01",)))),
    Region(9, "Pardubický kraj", "PAK", "CZ", 5, (
        ("Pardubice", ("530 02", "530 03")), ("Chrudim", ("537 01",)),
        ("Svitavy", ("568 02",)), ("Ústí nad Orlicí", ("562 01",)))),
    Region(10, "Kraj Vysočina", "VYS", "CZ", 5, (
        ("Jihlava", ("586 01",)), ("Třebíč", ("674 01",)), ("Havlíčkův Brod", ("580 01",)),
        ("Žďár nad Sázavou", ("591 01",)), ("Pelhřimov", ("393 01",)))),
    Region(11, "Jihomoravský kraj", "JHM", "CZ", 11, (
        ("Brno", ("602 00", "612 00", "615 00", "616 00", "621 00", "625 00", "628 00",
                  "638 00")),
        ("Znojmo", ("669 02",)), ("Břeclav", ("690 02",)), ("Hodonín", ("695 01",)),
        ("Blansko", ("678 01",)), ("Vyškov", ("682 01",)))),
    Region(12, "Olomoucký kraj", "OLK", "CZ", 6, (
        ("Olomouc", ("779 00",)), ("Prostějov", ("796 01",)), ("Přerov", ("750 02",)),
        ("Šumperk", ("787 01",)))),
    Region(13, "Moravskoslezský kraj", "MSK", "CZ", 10, (
        ("Ostrava", ("702 00", "700 30", "708 00")), ("Opava", ("746 01",)),
        ("Frýdek-Místek", ("738 01",)), ("Karviná", ("733 01",)), ("Havířov", ("736 01",)),
        ("Nový Jičín", ("741 01",)))),
    Region(14, "Zlínský kraj", "ZLK", "CZ", 5, (
        ("Zlín", ("760 01", "760 05")), ("Uherské Hradiště", ("686 01",)),
        ("Kroměříž", ("767 01",)), ("Vsetín", ("755 01",)))),
    Region(15, "Bratislavský kraj", "BL", "SK", 4, (
        ("Bratislava", ("811 01", "821 08", "831 01", "841 01", "851 01")),
        ("Pezinok", ("902 01",)), ("Senec", ("903 01",)), ("Malacky", ("901 01",)))),
    Region(16, "Trnavský kraj", "TA", "SK", 2, (
        ("Trnava", ("917 01",)), ("Piešťany", ("921 01",)), ("Dunajská Streda", ("929 01",)),
        ("Galanta", ("924 01",)))),
    Region(17, "Trenčiansky kraj", "TC", "SK", 2, (
        ("Trenčín", ("911 01",)), ("Považská Bystrica", ("017 01",)), ("Prievidza", ("971 01",)),
        ("Nové Mesto nad Váhom", ("915 01",)))),
    Region(18, "Nitriansky kraj", "NI", "SK", 2, (
        ("Nitra", ("949 01",)), ("Komárno", ("945 01",)), ("Nové Zámky", ("940 01",)),
        ("Levice", ("934 01",)))),
    Region(19, "Žilinský kraj", "ZI", "SK", 2, (
        ("Žilina", ("010 01",)), ("Martin", ("036 01",)), ("Ružomberok", ("034 01",)),
        ("Liptovský Mikuláš", ("031 01",)))),
    Region(20, "Banskobystrický kraj", "BC", "SK", 2, (
        ("Banská Bystrica", ("974 01",)), ("Zvolen", ("960 01",)), ("Lučenec", ("984 01",)),
        ("Brezno", ("977 01",)))),
    Region(21, "Prešovský kraj", "PV", "SK", 2, (
        ("Prešov", ("080 01",)), ("Poprad", ("058 01",)), ("Bardejov", ("085 01",)),
        ("Humenné", ("066 01",)))),
    Region(22, "Košický kraj", "KI", "SK", 2, (
        ("Košice", ("040 01", "040 11", "040 22")), ("Michalovce", ("071 01",)),
        ("Spišská Nová Ves", ("052 01",)), ("Rožňava", ("048 01",)))),
)  # fmt: skip

PRICELISTS: Final = {1: "Základní ceník", 2: "VIP ceník", 3: "Velkoobchodní ceník"}

# Shoptet's built-in order statuses (negative ids); a group's defaultOrderStatusId must be one.
ORDER_STATUS_IDS: Final = frozenset({-1, -2, -3, -4})


@dataclass(frozen=True, slots=True)
class GroupSeed:
    id: int
    name: str
    code: str | None
    description: str | None
    pricelist_id: int | None
    max_discount: str | None
    wholesale: bool
    weight: int  # share of the generated customers in the group
    price_ratio: str


DEFAULT_GROUP_ID: Final = 1
GROUP_SEEDS: Final = (
    # The README 1.10 example: the default group has no customerGroupCode.
    GroupSeed(1, "Výchozí skupina", None, None, None, None, False, 30, "1.0000"),
    GroupSeed(2, "Registrovaní", "registrovani", "Zákazníci registrovaní v e-shopu",
              None, None, False, 50, "1.0000"),
    GroupSeed(3, "VIP", "vip", "Stálí zákazníci s nákupy nad 50 000 Kč", 2, "0.1500",
              False, 12, "0.9500"),
    GroupSeed(4, "Velkoobchod", "velkoobchod", "Firemní odběratelé", 3, "0.3000",
              True, 8, "0.8500"),
)  # fmt: skip

CUSTOMER_EVENTS: Final = frozenset(
    {
        "customer:create",
        "customer:update",
        "customer:delete",
        "customer:disableOrders",
        "customer:enableOrders",
        "customer:import",
        "customerGroup:create",
        "customerGroup:update",
        "customerGroup:delete",
        "eshop:mandatoryFields",
    }
)
# The spec's "Webhook event types" code list (the non-customer families abbreviated to those a
# customer integration plausibly registers next to its own; any other name is rejected).
WEBHOOK_EVENTS: Final = CUSTOMER_EVENTS | frozenset(
    {
        "job:finished",
        "order:create",
        "order:update",
        "order:delete",
        "order:cancel",
        "order:paid",
        "invoice:create",
        "invoice:update",
        "invoice:delete",
        "eshop:billingInformation",
        "eshop:settingsInformation",
        "eshop:projectDomain",
        "mailingListEmail:create",
        "mailingListEmail:delete",
        "pricelist:create",
        "pricelist:delete",
    }
)
# Registering `customer:update` together with either of these answers 409 (spec code list).
EXCLUSIVE_EVENTS: Final = {
    "customer:update": frozenset({"customer:disableOrders", "customer:enableOrders"}),
    "customer:disableOrders": frozenset({"customer:update"}),
    "customer:enableOrders": frozenset({"customer:update"}),
}

CZ_MALE: Final = (
    "Jan", "Petr", "Jiří", "Josef", "Pavel", "Martin", "Tomáš", "Jaroslav", "Miroslav", "Zdeněk",
    "Václav", "Michal", "František", "Jakub", "Milan", "Karel", "Lukáš", "David", "Ondřej",
    "Vojtěch", "Radek", "Filip", "Matěj", "Štěpán", "Aleš", "Roman", "Marek", "Daniel", "Libor",
    "Vladimír",
)  # fmt: skip
CZ_FEMALE: Final = (
    "Jana", "Marie", "Eva", "Hana", "Anna", "Lenka", "Kateřina", "Lucie", "Věra", "Alena",
    "Petra", "Veronika", "Jaroslava", "Tereza", "Martina", "Michaela", "Zuzana", "Markéta",
    "Barbora", "Ludmila", "Helena", "Kristýna", "Monika", "Eliška", "Adéla", "Šárka", "Zdeňka",
    "Ivana", "Klára", "Dagmar",
)  # fmt: skip
CZ_SURNAMES: Final = (
    ("Novák", "Nováková"), ("Svoboda", "Svobodová"), ("Novotný", "Novotná"),
    ("Dvořák", "Dvořáková"), ("Černý", "Černá"), ("Procházka", "Procházková"),
    ("Kučera", "Kučerová"), ("Veselý", "Veselá"), ("Horák", "Horáková"), ("Němec", "Němcová"),
    ("Marek", "Marková"), ("Pospíšil", "Pospíšilová"), ("Pokorný", "Pokorná"),
    ("Hájek", "Hájková"), ("Král", "Králová"), ("Jelínek", "Jelínková"),
    ("Růžička", "Růžičková"), ("Beneš", "Benešová"), ("Fiala", "Fialová"),
    ("Sedláček", "Sedláčková"), ("Doležal", "Doležalová"), ("Zeman", "Zemanová"),
    ("Kolář", "Kolářová"), ("Navrátil", "Navrátilová"), ("Čermák", "Čermáková"),
    ("Urban", "Urbanová"), ("Vaněk", "Vaňková"), ("Blažek", "Blažková"), ("Kříž", "Křížová"),
    ("Kovář", "Kovářová"), ("Bartoš", "Bartošová"), ("Vlček", "Vlčková"), ("Polák", "Poláková"),
    ("Musil", "Musilová"), ("Kopecký", "Kopecká"), ("Šimek", "Šimková"),
    ("Konečný", "Konečná"), ("Malý", "Malá"), ("Holub", "Holubová"),
    ("Štěpánek", "Štěpánková"), ("Kadlec", "Kadlecová"), ("Dostál", "Dostálová"),
    ("Šťastný", "Šťastná"), ("Richter", "Richterová"), ("Sýkora", "Sýkorová"),
    ("Tichý", "Tichá"), ("Mach", "Machová"), ("Ševčík", "Ševčíková"), ("Říha", "Říhová"),
    ("Bureš", "Burešová"),
)  # fmt: skip
SK_MALE: Final = (
    "Ján", "Peter", "Jozef", "Michal", "Martin", "Tomáš", "Marek", "Lukáš", "Juraj", "Milan",
    "Štefan", "Pavol", "Dušan", "Matej", "Miroslav", "Ľubomír", "Rastislav", "Branislav", "Igor",
    "Róbert",
)  # fmt: skip
SK_FEMALE: Final = (
    "Mária", "Anna", "Zuzana", "Katarína", "Eva", "Jana", "Lucia", "Martina", "Ivana", "Monika",
    "Veronika", "Simona", "Lenka", "Petra", "Andrea", "Ľudmila", "Gabriela", "Alžbeta",
    "Dominika", "Natália",
)  # fmt: skip
SK_SURNAMES: Final = (
    ("Horváth", "Horváthová"), ("Kováč", "Kováčová"), ("Varga", "Vargová"), ("Tóth", "Tóthová"),
    ("Nagy", "Nagyová"), ("Baláž", "Balážová"), ("Szabó", "Szabóová"), ("Molnár", "Molnárová"),
    ("Lukáč", "Lukáčová"), ("Šimko", "Šimková"), ("Polák", "Poláková"), ("Kollár", "Kollárová"),
    ("Oravec", "Oravcová"), ("Hudák", "Hudáková"), ("Kráľ", "Kráľová"), ("Blaho", "Blahová"),
    ("Mikuláš", "Mikulášová"), ("Štefanko", "Štefanková"), ("Gregor", "Gregorová"),
    ("Bartoš", "Bartošová"),
)  # fmt: skip
CZ_STREETS: Final = (
    "Masarykova", "Husova", "Nádražní", "Palackého", "Komenského", "Školní", "Zahradní",
    "Krátká", "Luční", "Sokolovská", "Jiráskova", "Tyršova", "Smetanova", "Havlíčkova",
    "Riegrova", "Žižkova", "Polní", "Lesní", "Nerudova", "Revoluční", "Květná", "Na Výsluní",
    "U Potoka", "Dlouhá", "Korunní", "Vinohradská", "Táboritská", "Bělehradská", "Lidická",
    "Štefánikova",
)  # fmt: skip
SK_STREETS: Final = (
    "Hlavná", "Štúrova", "Hviezdoslavova", "Hurbanova", "Kollárova", "Nová", "Záhradnícka",
    "Mierová", "Školská", "Jesenského", "Dlhá", "Partizánska", "Slnečná", "Kpt. Nálepku",
    "Moyzesova",
)  # fmt: skip
COMPANY_TRADES: Final = (
    "Stavebniny", "Elektro", "Autoservis", "Pekařství", "Truhlářství", "Zahradnictví",
    "Tiskárna", "Instalatérství", "Kavárna", "Papírnictví",
)  # fmt: skip
CZ_LEGAL_FORMS: Final = ("s.r.o.", "s.r.o.", "s.r.o.", "a.s.", "spol. s r.o.", "v.o.s.")
SK_LEGAL_FORMS: Final = ("s. r. o.", "s. r. o.", "a. s.")
CZ_EMAIL_DOMAINS: Final = (
    "seznam.cz", "seznam.cz", "email.cz", "gmail.com", "centrum.cz", "post.cz", "volny.cz",
)  # fmt: skip
SK_EMAIL_DOMAINS: Final = ("gmail.com", "azet.sk", "zoznam.sk", "centrum.sk", "post.sk")
REMARKS: Final = (
    "Preferuje doručení na výdejní místo.",
    "Volat před doručením.",
    "Fakturovat na firmu, ne na osobu.",
    "Reklamace vyřízena ke spokojenosti.",
    "Odběratel na splatnost.",
)
