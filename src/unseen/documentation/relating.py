"""Relations seen from their ends: the Relations group of a party's page, the party named in a
"new relation" address, and the deployments a dispatching relation may repeat.

A party is named as `kind:id` (`organisation:12`, `public_figure:3`, `person:5`, `site:7`), the
same names the graph data and the import columns use. Whatever names a party is checked here
against what the reader may open: a party beyond them is as if it did not exist, and so is every
relation touching it (no ghost: its kind and dates alone would tell that something is there).
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unseen.accounts.models import UserLike
from unseen.evidence.models import Claim, readable_records
from unseen.registry.models import Organisation, Person, PublicFigure, Site

from .models import (
    ALLOWED_ENDS,
    OBJECT_ENDS,
    SUBJECT_ENDS,
    Deployment,
    Relation,
    RelationKind,
)
from .reading import date_text


class PartyKind(models.TextChoices):
    """What kind of record an end of a relation is."""

    ORGANISATION = "organisation", gettext_lazy("Organisation")
    PUBLIC_FIGURE = "public_figure", gettext_lazy("Public figure")
    PERSON = "person", gettext_lazy("Person (pseudonym)")
    SITE = "site", gettext_lazy("Site")


PARTY_MODELS: dict[str, type[models.Model]] = {
    PartyKind.ORGANISATION: Organisation,
    PartyKind.PUBLIC_FIGURE: PublicFigure,
    PartyKind.PERSON: Person,
    PartyKind.SITE: Site,
}
# The foreign key each kind of party fills at each end. A site is only ever an object.
SUBJECT_FIELD: dict[str, str] = {
    PartyKind.ORGANISATION: "subject_organisation",
    PartyKind.PUBLIC_FIGURE: "subject_figure",
    PartyKind.PERSON: "subject_person",
}
OBJECT_FIELD: dict[str, str] = {
    PartyKind.ORGANISATION: "object_organisation",
    PartyKind.PUBLIC_FIGURE: "object_figure",
    PartyKind.PERSON: "object_person",
    PartyKind.SITE: "object_site",
}
SUBJECT_KINDS = [(kind.value, kind.label) for kind in PartyKind if kind in SUBJECT_FIELD]
OBJECT_KINDS = [(kind.value, kind.label) for kind in PartyKind]

# The record-page slug of each kind of party, for links.
PARTY_SLUGS: dict[str, str] = {
    PartyKind.ORGANISATION: "organisations",
    PartyKind.PUBLIC_FIGURE: "public-figures",
    PartyKind.PERSON: "persons",
    PartyKind.SITE: "sites",
}


def party_kind(record: Any) -> str | None:
    """The party kind of `record`, or None when it cannot be an end of a relation."""
    for kind, model in PARTY_MODELS.items():
        if type(record) is model:
            return kind
    return None


def party_key(record: Any) -> str:
    """`organisation:12`: how addresses, the graph and the import name a party."""
    return f"{party_kind(record)}:{record.pk}"


def parse_party(text: str) -> tuple[str, int] | None:
    """(kind, id) of `organisation:12`, or None when it names no kind of party."""
    kind, _colon, number = str(text).strip().partition(":")
    kind = kind.strip().lower().replace("-", "_").replace(" ", "_")
    if kind not in PARTY_MODELS or not number.strip().isdigit():
        return None
    return kind, int(number.strip())


def readable_party(kind: str, pk: int, user: UserLike | None) -> Any:
    """The party `user` may open, or None (for no such record and a forbidden one alike).

    `user` None means no one in particular is asking (the operator's command line): any record.
    """
    records = PARTY_MODELS[kind]._default_manager.all()
    if user is not None:
        records = readable_records(records, user)
    return records.filter(pk=pk).first()


def end_kind(relation: Relation, end: str) -> str:
    """The party kind filled at `end` ("subject" or "object"), or "" if none."""
    fields = SUBJECT_FIELD if end == "subject" else OBJECT_FIELD
    for kind, name in fields.items():
        if getattr(relation, f"{name}_id") is not None:
            return kind
    return ""


def allowed_kinds() -> dict[str, dict[str, list[str]]]:
    """For each kind of relation, the party kinds each end takes (the form's script reads it)."""
    to_kind = {
        name: str(kind) for fields in (SUBJECT_FIELD, OBJECT_FIELD) for kind, name in fields.items()
    }
    return {
        str(kind): {
            "subject": [to_kind[name] for name in subjects],
            "object": [to_kind[name] for name in objects],
        }
        for kind, (subjects, objects) in ALLOWED_ENDS.items()
    }


# --- a "new relation" address: /app/relations/new/?subject=organisation:12 -----------------------


@dataclass
class Prefill:
    """What a "new relation" address fills in, and whether it named something it may not."""

    initial: dict[str, Any] = field(default_factory=dict)
    refused: bool = False


def prefill(query: Mapping[str, str], user: UserLike) -> Prefill:
    """The form's initial values from `?subject=`, `?object=` and `?kind=`.

    A party that is not `kind:id`, names no record, or one `user` may not open fills nothing, and
    the same way in each case (`refused`): the page must not tell that a record exists.
    """
    result = Prefill()
    kind = str(query.get("kind", ""))
    if kind in RelationKind.values:
        result.initial["kind"] = kind
    for end, fields in (("subject", SUBJECT_FIELD), ("object", OBJECT_FIELD)):
        text = query.get(end)
        if not text:
            continue
        parsed = parse_party(text)
        party = readable_party(*parsed, user) if parsed and parsed[0] in fields else None
        if parsed is None or party is None:
            result.refused = True
            continue
        result.initial[f"{end}_type"] = parsed[0]
        result.initial[fields[parsed[0]]] = party.pk
    return result


# --- the Relations group on a party's page --------------------------------------------------------

PANEL_LIMIT = 50


@dataclass(frozen=True)
class Party:
    """One end of a relation line: its name, and its page unless it is the page being read."""

    text: str
    url: str
    this: bool = False


@dataclass(frozen=True)
class RelationLine:
    """One relation as a sentence: subject, kind, object; its dates, grade and page."""

    subject: Party
    kind: str
    object: Party
    dates: str
    grade: str
    url: str
    role: str = ""
    share: str = ""


def period_text(relation: Relation) -> str:
    """2016–2019, "from 2016", "until June 2019", or "dates unknown", each at its precision."""
    start = date_text(relation.start, relation.start_precision) if relation.start else ""
    end = date_text(relation.end, relation.end_precision) if relation.end else ""
    if start and end:
        return _("%(start)s to %(end)s") % {"start": start, "end": end}
    if start:
        return _("from %(start)s") % {"start": start}
    if end:
        return _("until %(end)s") % {"end": end}
    return _("dates unknown")


def _party(record: Any, page_record: Any) -> Party:
    this = page_record is not None and record == page_record
    kind = party_kind(record)
    url = (
        ""
        if this or kind is None
        else reverse("documentation:detail", args=[PARTY_SLUGS[kind], record.pk])
    )
    return Party(str(record), url, this)


def best_grades(relations: list[Relation], user: UserLike) -> dict[int, str]:
    """The best grade among the claims `user` may read of each relation, as B2 (the source's
    reliability and the claim's credibility): one query for all."""
    claims = (
        Claim.objects.visible_to(user)
        .filter(
            content_type=ContentType.objects.get_for_model(Relation),
            object_id__in=[relation.pk for relation in relations],
        )
        .values_list("object_id", "source__reliability", "credibility")
    )
    grades: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for object_id, reliability, credibility in claims:
        grades[object_id].append((reliability, credibility))
    return {pk: "{}{}".format(*min(found)) for pk, found in grades.items()}


def line(relation: Relation, grade: str, page_record: Any = None) -> RelationLine:
    share = ""
    if relation.share_percent is not None:
        share = f"{relation.share_percent.normalize():f}%"
    return RelationLine(
        subject=_party(relation.subject, page_record),
        kind=str(relation.get_kind_display()),
        object=_party(relation.object, page_record),
        dates=period_text(relation),
        grade=grade,
        url=reverse("documentation:detail", args=["relations", relation.pk]),
        role=relation.role,
        share=share,
    )


@dataclass
class RelationsGroup:
    """The Relations group of a party's page: the first lines, how many there are in all, and
    where to add one from or to this record."""

    lines: list[RelationLine]
    count: int
    add_from: str = ""
    add_to: str = ""


def touching_group(record: Any, user: UserLike, *, can_edit: bool) -> RelationsGroup | None:
    """The relations with `record` at either end that `user` may read, with both their ends:
    the others are absent, not listed with a blank party. None for a record no relation takes."""
    kind = party_kind(record)
    if kind is None:
        return None
    relations = Relation.objects.visible_to(user).touching(record)
    count = relations.count()
    first = list(
        relations.select_related(*SUBJECT_ENDS, *OBJECT_ENDS).order_by("start", "id")[:PANEL_LIMIT]
    )
    grades = best_grades(first, user)
    group = RelationsGroup([line(r, grades.get(r.pk, ""), record) for r in first], count)
    if can_edit:
        new = reverse("documentation:create", args=["relations"])
        if kind in SUBJECT_FIELD:
            group.add_from = f"{new}?subject={party_key(record)}"
        group.add_to = f"{new}?object={party_key(record)}"
    return group


# --- deployments that already tell a dispatching relation (ADR 0032) ----------------------------


def repeating_deployments(relation: Relation, user: UserLike) -> QuerySet[Deployment]:
    """Deployments `user` may read that already tell what a "dispatches workers to" relation
    says: the same dispatcher, and the relation's object as their employer or site.

    A deployment is where a dispatch to a place and period is told (ADR 0032), and the graph draws
    the edge from it; a relation telling it again would count one source's fact twice."""
    none = Deployment.objects.none()
    if (
        relation.kind != RelationKind.DISPATCHES_WORKERS_TO
        or relation.subject_organisation_id is None
    ):
        return none
    if relation.object_organisation_id is not None:
        told = Q(employer_id=relation.object_organisation_id)
    elif relation.object_site_id is not None:
        told = Q(site_id=relation.object_site_id)
    else:
        return none
    deployments = readable_records(Deployment.objects.all(), user)
    return deployments.filter(told, dispatcher_id=relation.subject_organisation_id).order_by("id")


def deployment_links(deployments: QuerySet[Deployment]) -> list[tuple[str, str]]:
    return [
        (str(deployment), reverse("documentation:detail", args=["deployments", deployment.pk]))
        for deployment in deployments[:10]
    ]
