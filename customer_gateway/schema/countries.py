"""English names of ISO 3166-1 alpha-2 country codes, for `Country.name`.

EverShop's own list (`lib/locale/countries.js`, in data/countries.txt, written by
tools/evershop/locale_lists.py), so a country reads the same whichever source the address came
from. The EverShop emulator serves the same file.
"""

from __future__ import annotations

from importlib.resources import files


def _read(name: str) -> dict[str, str]:
    text = files("customer_gateway").joinpath(f"data/{name}.txt").read_text("utf-8")
    pairs = (line.partition("|") for line in text.splitlines() if not line.startswith("#"))
    return {code: label for code, _, label in pairs}


COUNTRY_NAMES: dict[str, str] = _read("countries")
