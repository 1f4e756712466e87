"""Countries and regions as people write them: ISO 3166 codes, English or Korean names.

The names come from pycountry, which ships the Debian iso-codes names of ISO 3166-1 and their
Korean translations (iso-codes' `iso3166-1` catalogue); the small tables below add the short
names people actually use where ISO's are long or official ("Russia", 러시아, 북한).

A *host* is where workers are: one country (an ISO 3166-1 alpha-2 code), or a region for figures
that cover several countries ("ALL" in the sourced data means worldwide).
"""

import gettext
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

# Korean names people type that iso-codes' Korean catalogue does not hold (it has 러시아 연방,
# 조선민주주의인민공화국, 타이완): everyday names used by the South Korean press and government.
KOREAN_NAMES = {
    "러시아": "RU",
    "북한": "KP",
    "조선": "KP",
    "북조선": "KP",
    "한국": "KR",
    "남한": "KR",
    "중화인민공화국": "CN",
    "대만": "TW",
    "중화민국": "TW",
    "라오스": "LA",
    "아랍에미리트연합": "AE",
    "아랍에미레이트": "AE",
    "몽고": "MN",
    "미합중국": "US",
    "이란": "IR",
    "시리아": "SY",
    "베트남": "VN",
    "체코공화국": "CZ",
}
# The Korean names shown in menus where iso-codes' are official and long.
KOREAN_SHORT_NAMES = {
    "RU": "러시아",
    "KP": "북한",
    "KR": "한국",
    "TW": "대만",
    "LA": "라오스",
    "IR": "이란",
    "SY": "시리아",
    "TZ": "탄자니아",
    "VE": "베네수엘라",
    "MD": "몰도바",
    "BO": "볼리비아",
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
    """ISO 3166-1 alpha-2 code for a code, or an English or Korean name.

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
    korean = _korean_codes().get(_squeezed(text))
    if korean is not None:
        return korean
    raise ValueError(
        f"unknown country {text!r} (use an ISO 3166 code or an English or Korean name)"
    )


def _squeezed(text: str) -> str:
    # Korean names are written with and without spaces (아랍 에미리트, 아랍에미리트).
    return "".join(text.split()).lower()


@lru_cache(maxsize=1)
def _korean_codes() -> dict[str, str]:
    """Every Korean name iso-codes gives a country (short, common, official), and KOREAN_NAMES."""
    korean = _catalogue("ko")
    codes: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            english = getattr(country, attribute, None)
            if english:
                codes.setdefault(_squeezed(korean.gettext(english)), str(country.alpha_2))
    codes.update({_squeezed(name): code for name, code in KOREAN_NAMES.items()})
    return codes


@lru_cache(maxsize=8)
def _catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


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


def country_name(code: str, language: str = "en") -> str:
    """Short name for an alpha-2 code in English, or in Korean for a language code "ko…"."""
    korean = language.lower().startswith("ko")
    if korean and code in KOREAN_SHORT_NAMES:
        return KOREAN_SHORT_NAMES[code]
    if not korean and code in SHORT_NAMES:
        return SHORT_NAMES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    english = str(getattr(country, "common_name", None) or country.name)
    return _catalogue("ko").gettext(english) if korean else english


@lru_cache(maxsize=8)
def country_choices(language: str = "en") -> tuple[tuple[str, str], ...]:
    """Every ISO 3166-1 country as (code, name in `language`), in that language's name order.

    Hangul syllables are encoded in 가나다 order, so sorting by code point sorts Korean names as
    a Korean dictionary does.
    """
    named = [
        (str(country.alpha_2), country_name(str(country.alpha_2), language))
        for country in pycountry.countries
    ]
    return tuple(sorted(named, key=lambda pair: (pair[1].casefold(), pair[0])))


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
