"""Field values as a reader reads them: names, not codes; dates at the precision they are known.

`shown_fields` passes every plain value of a record page through `readable`, so a record reads the
same wherever it is shown: a country code is the country's name in the reader's language, a date
known to the year is just the year, a choice is its translated label, a boolean is Yes or No.
"""

import datetime as dt
import gettext
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pycountry
from django.db import models
from django.utils import formats
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

from unseen.core.places import country_name

#: Fields holding an ISO 3166-1 alpha-2 code.
COUNTRY_FIELDS = frozenset({"country", "host_country", "interview_country", "nationality"})
#: Fields holding a language code.
LANGUAGE_FIELDS = frozenset({"language", "interview_language"})
#: Bookkeeping a reader has no use for: the synthetic flag is the page's badge, a merge is the
#: page's banner, ids are the page's address.
INTERNAL_FIELDS = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "is_synthetic",
        "merged_into",
        "source_record_id",
        # The review (ADR 0025) has its own panel on the record page.
        "review_state",
        "reviewed_by",
        "reviewed_at",
    }
)

#: Korean short names where the ISO catalogue has only the official one ("러시아 연방"), as the
#: project's own texts write them.
KOREAN_SHORT_NAMES = {
    "RU": "러시아",
    "KP": "북한",
    "KR": "한국",
    "IR": "이란",
    "SY": "시리아",
    "LA": "라오스",
    "VN": "베트남",
    "TW": "대만",
    "MD": "몰도바",
    "BO": "볼리비아",
    "TZ": "탄자니아",
    "VE": "베네수엘라",
}


def precision_field(instance: Any, name: str) -> str:
    """The name of the `*_precision` sibling saying how much of date field `name` is known, or ""."""
    names = {f.name for f in instance._meta.concrete_fields}
    for candidate in (f"{name}_precision", f"{name.rsplit('_', 1)[0]}_precision"):
        if candidate in names and candidate != name:
            return candidate
    return ""


def date_text(value: dt.date, precision: str) -> str:
    """2009 for a year, "January 2009" (localized) for a month, the full date otherwise."""
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return str(formats.date_format(value, "YEAR_MONTH_FORMAT"))
    return str(formats.date_format(value, "DATE_FORMAT"))


@lru_cache(maxsize=8)
def _iso3166(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def country_text(code: str) -> str:
    """The country's name in the active language; its English name where none is known."""
    country = pycountry.countries.get(alpha_2=code.upper()) if code else None
    if country is None:
        return code
    english = country_name(country.alpha_2)
    language = (get_language() or "en").split("-")[0]
    if language == "en":
        return english
    if language == "ko" and country.alpha_2 in KOREAN_SHORT_NAMES:
        return KOREAN_SHORT_NAMES[country.alpha_2]
    translations = _iso3166(language)
    for name in (english, getattr(country, "common_name", ""), country.name):
        if name and translations.gettext(name) != name:
            return translations.gettext(name)
    return english


def language_text(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def readable(instance: Any, model_field: models.Field[Any, Any]) -> Any:
    """The value of a plain (non-relation) field of `instance`, formatted for reading."""
    name = model_field.name
    value = getattr(instance, name)
    if value is None or value == "":
        return value
    if model_field.choices:
        return getattr(instance, f"get_{name}_display")()
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        sibling = precision_field(instance, name)
        return date_text(value, getattr(instance, sibling) if sibling else "day")
    if name in COUNTRY_FIELDS and isinstance(value, str):
        return country_text(value)
    if name in LANGUAGE_FIELDS and isinstance(value, str):
        return language_text(value)
    return number_text(name, value)


def counts_or_amounts(name: str) -> bool:
    """Whether a numeric field holds a quantity (grouped: 20,000) rather than a year or an id,
    which read wrong grouped (2,009; #1,234 in an address)."""
    return "year" not in name and name != "id" and not name.endswith("_id")


def number_text(name: str, value: Any) -> Any:
    """A headcount, wage or other quantity with the reader's locale's thousands separator; any
    other value as it is. Grouped here, not by USE_THOUSAND_SEPARATOR: that would group every
    number a template prints, record ids in addresses and years among them."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return value
    if not counts_or_amounts(name):
        return value
    return formats.number_format(value, force_grouping=True)


def folded_fields(instance: Any) -> set[str]:
    """Fields shown as part of another: the precision of each date field."""
    folded = set()
    for model_field in instance._meta.concrete_fields:
        if isinstance(model_field, models.DateField):
            sibling = precision_field(instance, model_field.name)
            if sibling:
                folded.add(sibling)
    return folded
