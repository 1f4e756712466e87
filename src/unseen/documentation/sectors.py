"""Sectors as sources write them ("mixed (logging, construction)") sorted into a few categories.

A deployment's sector is free text; one text may name several categories. Short terms ("IT") match
whole words only, longer ones match anywhere ("restaurant" in "restaurants").
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Category:
    key: str
    label: str | Promise
    terms: tuple[str, ...]


CATEGORIES = [
    Category("construction", _("Construction"), ("construction", "building")),
    Category("logging", _("Logging"), ("logging", "timber", "forestry")),
    Category("restaurants", _("Restaurants and hospitality"), ("restaurant", "hospitality")),
    Category("it", _("IT"), ("IT",)),
    Category("seafood", _("Seafood and fishing"), ("seafood", "fish")),
    Category("garment", _("Garment and textiles"), ("garment", "textile", "clothing", "sewing")),
    Category("shipbuilding", _("Shipbuilding"), ("shipbuild", "shipyard", "welding")),
    Category("agriculture", _("Agriculture"), ("agricultur", "farm", "greenhouse", "vegetable")),
    Category("mining", _("Mining"), ("mining",)),
    Category("medicine", _("Medicine"), ("medicine", "medical", "pharmac")),
    Category("manufacturing", _("Factories"), ("factor", "footwear", "manufactur")),
    Category("military", _("Military construction"), ("military",)),
]
OTHER = Category("other", _("Mixed or unspecified"), ())
BY_KEY = {category.key: category for category in [*CATEGORIES, OTHER]}
SHORT = 3  # terms this long or shorter match whole words only
SEPARATORS = (" ", ";", ",", ")", "/")


def _term_q(term: str, field: str) -> Q:
    if len(term) > SHORT:
        return Q(**{f"{field}__icontains": term})
    query = Q(**{f"{field}__iexact": term})
    for before in (" ", "(", "/", ";", ","):
        query |= Q(**{f"{field}__iendswith": f"{before}{term}"})
        for after in SEPARATORS:
            query |= Q(**{f"{field}__icontains": f"{before}{term}{after}"})
    for after in SEPARATORS:
        query |= Q(**{f"{field}__istartswith": f"{term}{after}"})
    return query


def sector_q(key: str, field: str = "sector") -> Q:
    """Records whose `field` falls in the category `key` (an unknown key matches nothing)."""
    category = BY_KEY.get(key)
    if category is None:
        return Q(pk__in=[])
    if category is OTHER:
        query = Q()
        for known in CATEGORIES:
            for term in known.terms:
                query &= ~_term_q(term, field)
        return query
    found = Q(pk__in=[])
    for term in category.terms:
        found |= _term_q(term, field)
    return found


@lru_cache(maxsize=8192)
def categories_of(sector: str) -> tuple[str, ...]:
    """Category keys a sector text names; 'other' when it names none."""
    keys = []
    for category in CATEGORIES:
        for term in category.terms:
            if len(term) > SHORT:
                hit = term.lower() in sector.lower()
            else:
                hit = re.search(rf"(?<![a-z]){re.escape(term)}(?![a-z])", sector, re.I) is not None
            if hit:
                keys.append(category.key)
                break
    return tuple(keys) or (OTHER.key,)


def choices() -> list[dict[str, str]]:
    return [{"key": c.key, "label": str(c.label)} for c in [*CATEGORIES, OTHER]]
