"""What the focus picker suggests: nodes of the reader's graph whose name matches what they type.

Organisations (and their aliases), public figures (and theirs), sites, the persons a relation the
reader may open names (by pseudonym), and host countries, at most ten in all. Only what the graph
would draw: records the reader may open, and a merged record as the one it was merged into.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from unseen.accounts.models import UserLike, visible_access_levels
from unseen.core.places import country_choices
from unseen.documentation.models import Relation
from unseen.registry.models import Organisation, Person, PublicFigure, Site

LIMIT = 10
MAX_QUERY = 100


def _drawn(queryset: QuerySet[Any], levels: list[str]) -> QuerySet[Any]:
    """Visible and not merged into a visible record (which is drawn instead)."""
    return queryset.filter(access_level__in=levels).filter(
        Q(merged_into__isnull=True) | ~Q(merged_into__access_level__in=levels)
    )


def suggest(user: UserLike, text: str) -> list[dict[str, str]]:
    """At most ten nodes matching `text`: {"id": "organisation:12", "label", "detail"}."""
    text = text.strip()[:MAX_QUERY]
    if not text:
        return []
    levels = visible_access_levels(user)
    found: list[dict[str, str]] = []
    organisations = _drawn(Organisation.objects.all(), levels).filter(
        Q(name__icontains=text) | Q(aliases__name__icontains=text)
    )
    for pk, name, country in organisations.distinct().values_list("id", "name", "country")[:LIMIT]:
        found.append(_result("organisation", pk, name, _("Organisation"), country))
    figures = _drawn(PublicFigure.objects.all(), levels).filter(
        Q(name__icontains=text) | Q(name_hangul__icontains=text) | Q(aliases__name__icontains=text)
    )
    for pk, name, country in figures.distinct().values_list("id", "name", "nationality")[:LIMIT]:
        found.append(_result("public_figure", pk, name, _("Public figure"), country))
    sites = _drawn(Site.objects.all(), levels).filter(
        Q(name__icontains=text) | Q(city__icontains=text)
    )
    for pk, name, country in sites.values_list("id", "name", "country")[:LIMIT]:
        found.append(_result("site", pk, name, _("Site"), country))
    relations = Relation.objects.filter(access_level__in=levels)
    persons = _drawn(Person.objects.all(), levels).filter(
        Q(pk__in=relations.values("subject_person_id"))
        | Q(pk__in=relations.values("object_person_id")),
        pseudonym__icontains=text,
    )
    for pk, pseudonym, country in persons.values_list("id", "pseudonym", "nationality")[:LIMIT]:
        found.append(_result("person", pk, pseudonym, _("Person"), country))
    folded = text.casefold()
    for code, name in country_choices(get_language() or "en"):
        if folded in name.casefold() or folded == code.casefold():
            found.append({"id": f"country:{code}", "label": name, "detail": _("Country")})
    return found[:LIMIT]


def _result(kind: str, pk: int, label: str, what: str, country: str) -> dict[str, str]:
    return {
        "id": f"{kind}:{pk}",
        "label": label,
        "detail": f"{what} · {country}" if country else what,
    }
