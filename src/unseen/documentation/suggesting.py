"""Suggestions for the type-ahead pickers, and records made from inside a picker.

A picker stands for one related record in a staff form (a claim's source, a testimony's
interviewee, a deployment's site…). It asks for the few records matching what was typed, each
with enough beside its name to choose the right one: a source's date and grade, a person's birth
year and sex, a site's city and country, an organisation's aliases, a public figure's position.

What is suggested is what the kind's list page would show the user for the same search (its
access levels, merged records left out), never more: a picker must not be a way round the list.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from unseen.accounts.models import UserLike
from unseen.evidence.models import Source
from unseen.registry.models import (
    Organisation,
    OrganisationAlias,
    Person,
    PublicFigure,
    PublicFigureAlias,
    Site,
)

from .browsing import KINDS, Kind

LIMIT = 10
MAX_QUERY = 100  # longer text matches nothing useful and only costs a longer scan


@dataclass(frozen=True)
class Pickable:
    """One kind a picker may choose from: where it searches, and whether it can create one."""

    slug: str
    search_fields: tuple[str, ...]
    creatable: bool = False

    @property
    def kind(self) -> Kind:
        return KINDS[self.slug]


PICKABLE: dict[str, Pickable] = {
    pickable.slug: pickable
    for pickable in [
        Pickable("sources", ("title",), creatable=True),
        Pickable("persons", ("pseudonym", "home_province"), creatable=True),
        Pickable("sites", ("name", "city")),
        Pickable("organisations", ("name",)),  # and its aliases' names
        Pickable("public-figures", ("name", "name_hangul", "position")),  # and aliases
    ]
}

# Kinds with aliases, whose names a picker searches too: the alias model and its key's name.
ALIASES: dict[type[Any], tuple[type[Any], str]] = {
    Organisation: (OrganisationAlias, "organisation"),
    PublicFigure: (PublicFigureAlias, "figure"),
}


def pickable_for(model: type[Any]) -> Pickable | None:
    for pickable in PICKABLE.values():
        if pickable.kind.model is model:
            return pickable
    return None


def candidates(
    pickable: Pickable, user: UserLike, text: str, *, unused_by: str = ""
) -> QuerySet[Any]:
    """The records of the kind `user` may pick, matching `text` (newest first).

    `unused_by="testimony"` leaves out sources already cited by a testimony (one each at most).
    """
    kind = pickable.kind
    records = kind.filter(kind.visible(user), {}, user)
    if unused_by == "testimony" and kind.model is Source:
        records = records.filter(testimony__isnull=True)
    text = text.strip()[:MAX_QUERY]
    if text:
        condition = Q()
        for name in pickable.search_fields:
            condition |= Q(**{f"{name}__icontains": text})
        if kind.model in ALIASES:
            # Aliases as one list of ids, made once: a join would repeat an organisation per
            # matching alias, and a test per organisation costs a lookup for each of 100,000.
            alias, key = ALIASES[kind.model]
            named = alias.objects.filter(name__icontains=text)
            condition |= Q(pk__in=named.values(f"{key}_id"))
        records = records.filter(condition)
    # Newest first by id: an index walk that stops at ten hits.
    return records.order_by("-id")


def suggest(
    pickable: Pickable, user: UserLike, text: str, *, unused_by: str = ""
) -> list[dict[str, Any]]:
    """At most LIMIT records as the picker shows them: id, label and a line to tell them apart."""
    records = candidates(pickable, user, text, unused_by=unused_by)
    if pickable.kind.model is Organisation:
        records = records.prefetch_related(
            Prefetch("aliases", queryset=OrganisationAlias.objects.order_by("name"))
        )
    return [describe(record) for record in records[:LIMIT]]


def describe(record: Any) -> dict[str, Any]:
    """How a picker shows one record."""
    return {"id": record.pk, "label": str(record), "detail": " · ".join(_details(record))}


def _details(record: Any) -> list[str]:
    if isinstance(record, Source):
        return [
            record.date.isoformat() if record.date else _("undated"),
            record.get_reliability_display(),
        ]
    if isinstance(record, Person):
        born = (
            _("born %(year)s") % {"year": record.birth_year}
            if record.birth_year
            else _("birth year unknown")
        )
        return [born, str(record.get_sex_display())]
    if isinstance(record, Site):
        return [part for part in (record.city, record.country) if part]
    if isinstance(record, Organisation):
        aliases = [alias.name for alias in record.aliases.all()[:3]]
        return [part for part in (", ".join(aliases), record.country) if part]
    if isinstance(record, PublicFigure):
        return [part for part in (record.name_hangul, record.position, record.nationality) if part]
    return []


def creation_prefix(pickable: Pickable) -> str:
    # Its own prefix: the dialog sits on the same page as the form it serves, whose fields
    # (a source's "title" beside a testimony's "title") must not share ids.
    return f"new-{pickable.slug}"
