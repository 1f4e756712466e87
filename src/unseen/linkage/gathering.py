"""Gathering a run's input: the records its sources speak about, as the linkage core reads them.

A record is on a list (a chosen source) when a claim from that source is about it; for persons,
also when they are the interviewee of a testimony from that source. Persons' names and birth
dates come from the identity vault through `vault.identities_for_linkage`, which audits every
read: they exist only in the frame returned here, in memory, for the length of the job.

pandas is imported where the frame is built: the URL conf loads this module in every command and
web worker, and pandas takes half a second to import (#16).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from unseen.accounts.models import UserLike, visible_access_levels
from unseen.core.linkage import COLUMNS
from unseen.documentation.models import Deployment, Testimony
from unseen.evidence.models import (
    Claim,
    DatePrecision,
    Source,
    declared_input,
    input_of,
    strictest_access_level,
)
from unseen.registry import vault
from unseen.registry.models import ExternalIdentifier, Organisation, OrganisationAlias, Sex, Site

from .models import Entity, LinkageRun

if TYPE_CHECKING:
    import pandas as pd

SEXES = {Sex.FEMALE: "f", Sex.MALE: "m"}


class NothingToLink(ValueError):
    """The chosen sources speak about too few records the user may read."""


@dataclass(frozen=True)
class Gathered:
    frame: "pd.DataFrame"  # one row per record; `record_id` is the primary key as text
    lists: dict[int, list[int]]  # record pk -> the chosen sources (pks) it is on, ascending
    access_level: str
    synthetic: bool


def on_lists(run: LinkageRun, source_pks: Iterable[int]) -> dict[int, list[int]]:
    """Record pk -> the chosen sources speaking about it, for the run's entity."""
    chosen = list(source_pks)
    found: dict[int, set[int]] = defaultdict(set)
    claims = Claim.objects.filter(
        content_type=ContentType.objects.get_for_model(run.model), source__in=chosen
    ).values_list("object_id", "source_id")
    for pk, source in claims:
        found[pk].add(source)
    if run.entity == Entity.PERSON:
        interviews = Testimony.objects.filter(
            source__in=chosen, interviewee__isnull=False
        ).values_list("interviewee_id", "source_id")
        for pk, source in interviews:
            found[pk].add(source)
    return {pk: sorted(sources) for pk, sources in found.items()}


#: Identities are read this many at a time, reporting progress between batches.
BATCH = 2000


def gather(
    run: LinkageRun,
    user: UserLike,
    *,
    purpose: str,
    progress: Callable[[float], None] | None = None,
) -> Gathered:
    """The run's records that `user` may read, with the lists each one is on.

    Raises:
        NothingToLink: fewer than two such records.
    """
    import pandas as pd

    levels = visible_access_levels(user)
    sources = [s for s in run.lists() if s.access_level in levels]
    lists = on_lists(run, (s.pk for s in sources))
    records: list[Any] = list(
        run.model._default_manager.filter(pk__in=list(lists), access_level__in=levels).order_by(
            "pk"
        )
    )
    if len(records) < 2:
        raise NothingToLink("the chosen sources speak about fewer than two records you may read")
    lists = {r.pk: lists[r.pk] for r in records}
    if run.entity == Entity.PERSON:
        rows = _persons(records, lists, user, purpose, progress or (lambda fraction: None))
    elif run.entity == Entity.SITE:
        rows = [_site(site, lists[site.pk]) for site in records]
    else:
        rows = _organisations(records, lists)
    frame = pd.DataFrame(rows, columns=list(COLUMNS[run.entity])).fillna("")
    used = {r.access_level for r in records} | {s.access_level for s in sources}
    level = strictest_access_level(used)
    return Gathered(frame, lists, level, all(r.is_synthetic for r in records))


def records_label(entity: str) -> str:
    """How a run's records are named among its inputs (summed up: a run may read millions)."""
    return f"{entity} records on the lists"


def queued_inputs(entity: str, sources: Iterable[Source], user: UserLike) -> list[dict[str, Any]]:
    """What a run will read, known when it is queued: its sources, and the records they speak
    about that `user` may read, at their strictest level.

    The run takes their level at once, so that a queued or failed run (whose page names its
    sources) is as restricted as a finished one. Asked of the database in one query per kind of
    link, without loading the records.
    """
    from .models import ENTITY_MODELS

    chosen = list(sources)
    pks = [s.pk for s in chosen]
    model = ENTITY_MODELS[entity]
    on = Q(
        pk__in=Claim.objects.filter(
            content_type=ContentType.objects.get_for_model(model), source__in=pks
        ).values("object_id")
    )
    if entity == Entity.PERSON:
        on |= Q(
            pk__in=Testimony.objects.filter(source__in=pks, interviewee__isnull=False).values(
                "interviewee_id"
            )
        )
    levels = set(
        model._default_manager.filter(on, access_level__in=visible_access_levels(user))
        .order_by()
        .values_list("access_level", flat=True)
        .distinct()
    )
    inputs = [input_of(source, label=f"S{source.pk}") for source in chosen]
    if levels:
        inputs.append(declared_input(records_label(entity), strictest_access_level(levels)))
    return inputs


def _source_label(lists: list[int]) -> str:
    # A record several chosen sources speak about is listed under the first; the lists it is on
    # all count in its capture history.
    return f"S{lists[0]}"


def partial_date(value: Any, precision: str) -> str:
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value:%Y}"
    if precision == DatePrecision.MONTH:
        return f"{value:%Y-%m}"
    return value.isoformat()


def _persons(
    persons: list[Any],
    lists: dict[int, list[int]],
    user: UserLike,
    purpose: str,
    progress: Callable[[float], None],
) -> list[dict[str, Any]]:
    identities: dict[int, vault.Identity] = {}
    for start in range(0, len(persons), BATCH):
        batch = persons[start : start + BATCH]
        identities |= vault.identities_for_linkage(batch, user=user, purpose=purpose)
        progress((start + len(batch)) / len(persons))
    postings: dict[int, Deployment] = {}
    deployments = (
        Deployment.objects.filter(person__in=[p.pk for p in persons])
        .select_related("site", "employer")
        .order_by("period_start", "id")
    )
    for deployment in deployments:
        assert deployment.person_id is not None
        postings.setdefault(deployment.person_id, deployment)
    rows = []
    for person in persons:
        identity = identities.get(person.pk, vault.Identity())
        posting = postings.get(person.pk)
        row = {
            "record_id": str(person.pk),
            "source": _source_label(lists[person.pk]),
            "full_name": identity.full_name,
            "given_name": identity.given_name,
            "family_name": identity.family_name,
            "name_hangul": identity.name_hangul,
            "sex": SEXES.get(person.sex, ""),
            "birth_date": identity.birth_date,
            "birth_year": str(person.birth_year or ""),
            "birth_place": identity.birth_place or person.home_province,
            "address": identity.address,
            "identifier": identity.identifier,
            "nationality": person.nationality,
        }
        if posting is not None:
            row |= {
                "country": posting.host_country,
                "site": posting.site.name if posting.site else "",
                "employer": posting.employer.name if posting.employer else "",
                "first_seen": partial_date(posting.period_start, posting.period_start_precision),
                "last_seen": partial_date(posting.period_end, posting.period_end_precision),
            }
        rows.append(row)
    return rows


def _site(site: Site, lists: list[int]) -> dict[str, Any]:
    return {
        "record_id": str(site.pk),
        "source": _source_label(lists),
        "name": site.name,
        "kind": site.kind,
        "country": site.country,
        "city": site.city,
        "latitude": "" if site.latitude is None else str(site.latitude),
        "longitude": "" if site.longitude is None else str(site.longitude),
    }


def _organisations(
    organisations: list[Organisation], lists: dict[int, list[int]]
) -> list[dict[str, Any]]:
    aliases: dict[int, list[str]] = defaultdict(list)
    for organisation_id, name in (
        OrganisationAlias.objects.filter(organisation__in=organisations)
        .order_by("pk")
        .values_list("organisation_id", "name")
    ):
        aliases[organisation_id].append(name)
    identifiers: dict[int, str] = {}
    for organisation_id, value in (
        ExternalIdentifier.objects.filter(organisation__in=organisations)
        .order_by("pk")
        .values_list("organisation_id", "value")
    ):
        identifiers.setdefault(organisation_id, value)
    return [
        {
            "record_id": str(o.pk),
            "source": _source_label(lists[o.pk]),
            "name": o.name,
            "aliases": "|".join(aliases[o.pk]),
            "kind": o.kind,
            "country": o.country,
            "identifier": identifiers.get(o.pk, ""),
        }
        for o in organisations
    ]
