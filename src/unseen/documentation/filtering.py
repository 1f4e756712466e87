"""Filter values as readers name them, for the search and the list pages alike.

A filter value arrives from a menu (a code) or typed into the address: a code, or a label in
English or Korean (`?country=러시아`, `?sector=벌목`). Each is resolved here to the value stored,
or to None when it names nothing. A value naming nothing is reported, never dropped: dropping it
would widen the list the reader thinks they narrowed (issue #17).
"""

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import pycountry
from django.core.exceptions import FieldDoesNotExist
from django.utils import translation
from django.utils.translation import gettext as _

from unseen.accounts.models import AccessLevel
from unseen.core.places import country_code
from unseen.evidence.models import Reliability, SourceKind

from .indexing import LANGUAGES, fold
from .reading import country_text
from .sectors import BY_KEY

FIRST_YEAR, LAST_YEAR = 1900, 2100


@lru_cache(maxsize=4)
def _country_names() -> dict[str, str]:
    """Folded country names in every language the app speaks → code ("러시아" → RU)."""
    names: dict[str, str] = {}
    for language in LANGUAGES:
        with translation.override(language):
            for country in pycountry.countries:
                code = str(country.alpha_2)
                names.setdefault(fold(country_text(code)), code)
                names.setdefault(fold(str(country.name)), code)
    return names


def resolve_country(value: str) -> str | None:
    """A country code from a code or a name in English or Korean; None when it names none."""
    text = value.strip()
    if len(text) == 2 and pycountry.countries.get(alpha_2=text.upper()) is not None:
        return text.upper()
    try:
        return country_code(text)
    except ValueError:
        pass
    return _country_names().get(fold(text))


def resolve_labelled(value: str, choices: Iterable[tuple[str, Any]]) -> str | None:
    """The key among (key, label) `choices` that `value` names: the key itself, or its label in
    any language the app speaks (labels are lazy, so each is read under each language)."""
    text = fold(value)
    pairs = list(choices)
    for key, _label in pairs:
        if fold(str(key)) == text:
            return str(key)
    for language in LANGUAGES:
        with translation.override(language):
            for key, label in pairs:
                if fold(str(label)) == text:
                    return str(key)
    return None


def resolve_sector(value: str) -> str | None:
    """A sector category key from its key or its label in English or Korean."""
    return resolve_labelled(value, ((key, category.label) for key, category in BY_KEY.items()))


def resolve_year(value: str) -> str | None:
    text = value.strip()
    return text if text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR else None


def resolve_reliability(value: str) -> str | None:
    """A source grade from its letter (B, b) or its label ("B – usually reliable")."""
    return resolve_labelled(value, Reliability.choices)


def resolve_source_kind(value: str) -> str | None:
    return resolve_labelled(value, SourceKind.choices)


def exit_kinds() -> list[tuple[str, Any]]:
    """How a testimony's journey ended (journeys.ExitKind), read through the relation the journeys
    app adds to testimonies: this app lies below it and cannot import it."""
    from .models import Testimony

    try:
        events = Testimony._meta.get_field("journey_events").related_model
    except FieldDoesNotExist:  # the journeys app not installed
        return []
    return list(events._meta.get_field("exit_kind").choices or [])  # type: ignore[union-attr]


def resolve_exit_kind(value: str) -> str | None:
    return resolve_labelled(value, exit_kinds())


def resolve_access_level(value: str) -> str | None:
    return resolve_labelled(value, AccessLevel.choices)


def unknown_value(filter_label: str, value: str) -> str:
    """The message for a filter value that names nothing, the value quoted as typed (cut short)."""
    return _("Unknown %(filter)s: “%(value)s”. Choose a value from the menu.") % {
        "filter": filter_label.lower(),
        "value": value[:100],
    }
