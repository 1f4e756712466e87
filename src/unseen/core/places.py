"""Countries and regions as people write them: ISO 3166 codes, English names, common short names.

A *host* is where workers are: one country (an ISO 3166-1 alpha-2 code), or a region for figures
that cover several countries ("ALL" in the sourced data means worldwide).
"""

from dataclasses import dataclass
from functools import lru_cache

import pycountry

# Short names in everyday English that pycountry does not know as names (it has the official ones).
COMMON_NAMES = {
    "russia": "RU",
    "iran": "IR",
    "syria": "SY",
    "uae": "AE",
    "u.a.e.": "AE",
    "emirates": "AE",
    "czech republic": "CZ",
    "laos": "LA",
    "vietnam": "VN",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "north korea": "KP",
    "dprk": "KP",
    "taiwan": "TW",
    "bolivia": "BO",
    "tanzania": "TZ",
    "venezuela": "VE",
    "moldova": "MD",
    "turkey": "TR",
    "ivory coast": "CI",
    "congo": "CG",
    "democratic republic of the congo": "CD",
    "drc": "CD",
    "brunei": "BN",
    "micronesia": "FM",
    "palestine": "PS",
    "macau": "MO",
    "uk": "GB",
    "britain": "GB",
    "usa": "US",
    "us": "US",
    "united states of america": "US",
}

WORLD = "World"
# Regions that sources use for figures spanning several countries.
REGIONS = {
    "all": WORLD,
    "world": WORLD,
    "worldwide": WORLD,
    "global": WORLD,
    "southeast asia": "Southeast Asia",
    "south-east asia": "Southeast Asia",
    "east asia": "East Asia",
    "central asia": "Central Asia",
    "middle east": "Middle East",
    "gulf states": "Gulf states",
    "persian gulf": "Gulf states",
    "africa": "Africa",
    "europe": "Europe",
    "eastern europe": "Eastern Europe",
}


@lru_cache(maxsize=4096)
def country_code(value: str) -> str:
    """ISO 3166-1 alpha-2 code for a code or English name.

    Raises:
        ValueError: when the value names no country.
    """
    text = value.strip()
    if not text:
        raise ValueError("country is empty")
    if text.lower() in COMMON_NAMES:
        return COMMON_NAMES[text.lower()]
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        pass
    for country in pycountry.countries:
        if text.lower() == getattr(country, "common_name", "").lower():
            return str(country.alpha_2)
    raise ValueError(f"unknown country {text!r} (use an ISO 3166 code or an English name)")


# The names people use where ISO's official ones are long ("Russian Federation").
SHORT_NAMES = {
    "RU": "Russia",
    "IR": "Iran",
    "SY": "Syria",
    "KR": "South Korea",
    "KP": "North Korea",
    "LA": "Laos",
    "VN": "Vietnam",
    "TW": "Taiwan",
    "MD": "Moldova",
    "BO": "Bolivia",
    "TZ": "Tanzania",
    "VE": "Venezuela",
}


def country_name(code: str) -> str:
    """English short name for an alpha-2 code (common name where pycountry has one)."""
    if code in SHORT_NAMES:
        return SHORT_NAMES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


@dataclass(frozen=True)
class Host:
    """Where workers are: exactly one of a country code or a region label."""

    country: str = ""
    region: str = ""

    @property
    def label(self) -> str:
        """The country's name, or the region when no country is known."""
        return country_name(self.country) if self.country else self.region


@lru_cache(maxsize=4096)
def parse_host(value: str) -> Host:
    """A host country, a known region, or several countries joined by '/' (kept as a region).

    Raises:
        ValueError: naming the part that is neither a country nor a known region.
    """
    text = value.strip()
    if text.lower() in REGIONS:
        return Host(region=REGIONS[text.lower()])
    if "/" in text:
        codes = [country_code(part) for part in text.split("/")]
        return Host(region="/".join(codes))
    return Host(country=country_code(text))
