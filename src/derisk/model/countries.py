"""Countries (ISO 3166-1 alpha-3, via ``pycountry``) and name resolution.

Sources print country names in their own styles ("Burma", "Congo (Kinshasa)",
"Korea, Republic of"). :func:`resolve` maps any of them, an alpha-2 or
alpha-3 code or an M49 numeric code to ISO alpha-3, and raises
:class:`UnknownCountry` otherwise -- a name is never guessed.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import pycountry

from derisk.errors import BadInputError
from derisk.model.schema import OTHER, WORLD

# Names used by USGS, IEA, BGS, UN Comtrade and the press that pycountry does not know.
ALIASES: dict[str, str] = {
    "burma": "MMR",
    "myanmar": "MMR",
    "congo (kinshasa)": "COD",
    "congo, democratic republic of the": "COD",
    "democratic republic of the congo": "COD",
    "drc": "COD",
    "dr congo": "COD",
    "congo (brazzaville)": "COG",
    "republic of the congo": "COG",
    "korea, republic of": "KOR",
    "republic of korea": "KOR",
    "korea": "KOR",
    "south korea": "KOR",
    "korea, north": "PRK",
    "north korea": "PRK",
    "laos": "LAO",
    "russia": "RUS",
    "iran": "IRN",
    "turkey": "TUR",
    "turkiye": "TUR",
    "vietnam": "VNM",
    "bolivia": "BOL",
    "tanzania": "TZA",
    "venezuela": "VEN",
    "syria": "SYR",
    "moldova": "MDA",
    "taiwan": "TWN",
    "taiwan, china": "TWN",
    "china, hong kong sar": "HKG",
    "hong kong": "HKG",
    "macao": "MAC",
    "czech republic": "CZE",
    "czechia": "CZE",
    "united states": "USA",
    "united states of america": "USA",
    "usa": "USA",
    "u.s.": "USA",
    "us": "USA",
    "united kingdom": "GBR",
    "uk": "GBR",
    "ivory coast": "CIV",
    "cote d'ivoire": "CIV",
    "eswatini": "SWZ",
    "swaziland": "SWZ",
    "cape verde": "CPV",
    "brunei": "BRN",
    "micronesia": "FSM",
    "palestine": "PSE",
    "kosovo": "XKX",
    "netherlands": "NLD",
    "the netherlands": "NLD",
    "bosnia and herzegovina": "BIH",
    "north macedonia": "MKD",
    "macedonia": "MKD",
    "world": WORLD,
    "world total": WORLD,
    "world total (rounded)": WORLD,
    "other countries": OTHER,
    "other": OTHER,
    "others": OTHER,
}

EU27 = "EU27"
"""Pseudo code of the European Union (27) as one importer: extra-EU trade (group ``eu27``)."""

PSEUDO = {WORLD: "World", OTHER: "Other countries", "XKX": "Kosovo", EU27: "European Union (27)"}

SHORT_NAMES = {
    "RUS": "Russia",
    "KOR": "South Korea",
    "PRK": "North Korea",
    "IRN": "Iran",
    "COD": "DR Congo",
    "COG": "Congo",
    "LAO": "Laos",
    "VNM": "Vietnam",
    "BOL": "Bolivia",
    "TZA": "Tanzania",
    "VEN": "Venezuela",
    "SYR": "Syria",
    "MDA": "Moldova",
    "TWN": "Taiwan",
    "GBR": "United Kingdom",
    "USA": "United States",
}
"""Names as analysts write them, where ISO's is long or formal."""


class UnknownCountry(BadInputError):
    """A country name or code that cannot be mapped to ISO 3166-1 alpha-3."""


def _norm(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"\s*\d+$", "", text.strip().lower())  # trailing footnote digits
    return re.sub(r"\s+", " ", text)


@functools.cache
def _index() -> dict[str, str]:
    idx: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            val = getattr(c, attr, None)
            if val:
                idx[_norm(val)] = c.alpha_3
        idx[c.alpha_2.lower()] = c.alpha_3
        idx[c.alpha_3.lower()] = c.alpha_3
        idx[str(int(c.numeric))] = c.alpha_3
        idx[c.numeric] = c.alpha_3
    idx.update(ALIASES)
    idx["xkx"] = "XKX"
    idx["xk"] = "XKX"
    idx["wld"] = WORLD
    idx["oth"] = OTHER
    for key in ("eu27", "eu", "eu-27", "european union", "european union (27)"):
        idx[key] = EU27
    return idx


def resolve(name_or_code: str) -> str:
    """ISO alpha-3 for a country name or code.

    >>> resolve("Congo (Kinshasa)"), resolve("CN"), resolve("156"), resolve("Burma")
    ('COD', 'CHN', 'CHN', 'MMR')
    """
    stripped = name_or_code.strip()
    key = str(int(stripped)) if stripped.isdigit() else _norm(name_or_code)
    try:
        return _index()[key]
    except KeyError:
        raise UnknownCountry(f"unknown country {name_or_code!r}") from None


def name(iso3: str) -> str:
    """Common English name of an ISO alpha-3 code (or pseudo code)."""
    if iso3 in PSEUDO:
        return PSEUDO[iso3]
    if iso3 in SHORT_NAMES:
        return SHORT_NAMES[iso3]
    c = pycountry.countries.get(alpha_3=iso3)
    if c is None:
        raise UnknownCountry(f"unknown ISO alpha-3 code {iso3!r}")
    return str(getattr(c, "common_name", None) or c.name)


def all_countries() -> list[tuple[str, str, str, str]]:
    """(iso3, name, iso2, numeric) for every ISO 3166-1 country, plus Kosovo."""
    rows = [(c.alpha_3, name(c.alpha_3), c.alpha_2, c.numeric) for c in pycountry.countries]
    rows.append(("XKX", "Kosovo", "XK", ""))
    return rows
