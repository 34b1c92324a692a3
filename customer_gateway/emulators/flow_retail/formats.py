"""Flow Retail's scalar formats (README 2.2): timestamps, id patterns, country codes, text order."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Final, Literal

from customer_gateway.text.collation import en_us_key

UID: Final = re.compile(r"^[A-Za-z0-9\-_]+$")  # `^[A-Za-z0-9-_]+` on every *Uid path parameter
OPTIONAL_UID: Final = re.compile(r"^[A-Za-z0-9\-_]*$")  # `pricelistUid`, `customerGroupUid`
LEDGER_NUMBER: Final = re.compile(r"^\d+$")
MOBILE: Final = re.compile(r"^\+?\d+$")  # user guide: "digits and +"; `+` only leading (assumed)
EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$")
_ISO_DATETIME: Final = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)

ISO_COUNTRIES: Final = frozenset(
    (
        "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX",
        "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ",
        "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK",
        "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
        "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR",
        "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS",
        "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN",
        "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
        "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV",
        "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ",
        "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI",
        "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
        "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC",
        "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV",
        "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR",
        "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
        "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
    )
)  # fmt: skip


def format_timestamp(timestamp: float) -> str:
    """`2025-07-30T18:12:05.623Z`: UTC, milliseconds, `Z`."""
    millis = math.floor(timestamp * 1000 + 0.5)
    moment = datetime.fromtimestamp(millis // 1000, UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{millis % 1000:03d}Z"


def parse_timestamp(text: str) -> float:
    """An ISO-8601 date or date-time; a missing zone means UTC (assumed). ValueError otherwise."""
    if not _ISO_DATETIME.match(text):
        raise ValueError(text)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


# -- text order ---------------------------------------------------------------------------------
Collation = Literal["norwegian", "codepoint", "en_US"]
SortKey = Callable[[str], Any]

# The Norwegian alphabet ends ... x y z æ ø å; Swedish/German ä, ö sort as æ, ø (as in the
# Danish_Norwegian collations of SQL Server and MySQL).
_NORWEGIAN_TAIL: Final = {"æ": "{0", "ä": "{0", "ø": "{1", "ö": "{1", "å": "{2"}


@lru_cache(maxsize=65_536)
def norwegian_key(text: str) -> tuple[str, str]:
    """Case-insensitive, accents folded except the three Norwegian letters; ties by raw text."""
    folded: list[str] = []
    for char in text.lower():
        tail = _NORWEGIAN_TAIL.get(char)
        if tail is not None:
            folded.append(tail)
            continue
        decomposed = unicodedata.normalize("NFKD", char)
        folded.append("".join(c for c in decomposed if not unicodedata.combining(c)) or char)
    return "".join(folded), text


def codepoint_key(text: str) -> str:
    return text


def sort_key_for(collation: Collation) -> SortKey:
    if collation == "norwegian":
        return norwegian_key
    if collation == "en_US":
        return en_us_key
    return codepoint_key
