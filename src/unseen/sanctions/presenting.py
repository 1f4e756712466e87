"""What the sanctions pages show, built here so that views stay thin and templates plain.

A run is reader-independent (it compared every record); what a page shows of it is cut to its
reader: a candidate, a change-report row or a count whose record the reader may not open is
absent, as if the run had never seen that record (no name, no id, no count).
"""

from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from unseen.accounts.models import UserLike, visible_access_levels
from unseen.documentation.browsing import KINDS, shown_fields
from unseen.evidence.models import visible_related
from unseen.linkage.models import ReviewStatus
from unseen.registry.models import Designation, ExternalIdentifier, Organisation, PublicFigure

from .models import (
    RECORD_MODELS,
    RECORD_SLUGS,
    ListedEntity,
    RecordKind,
    SanctionsList,
    XrefCandidate,
    XrefRun,
)

#: The job's stages as its page names them.
STAGES = {
    "queued": _("waiting to start"),
    "gathering": _("gathering records and list entities"),
    "matching": _("comparing names, countries and identifiers"),
    "saving": _("saving the candidates"),
    "done": _("done"),
}

#: What the explanation's features are called on the page.
FEATURES = {
    "name": _("Name"),
    "acronym": _("Abbreviation"),
    "word_order": _("Word order"),
    "generic_name": _("Common words only"),
    "sector_conflict": _("Different trades"),
    "city_conflict": _("Different cities"),
    "kind": _("Kind of entity"),
    "country": _("Country"),
    "country_conflict": _("Countries differ"),
    "address": _("Address"),
    "identifier": _("Identifier"),
    "identifier_conflict": _("Identifiers differ"),
}


def detail_url(kind: str, pk: int) -> str | None:
    """The record's page; None for a kind the workspace has no pages for (yet)."""
    slug = RECORD_SLUGS[kind]
    return reverse("documentation:detail", args=[slug, pk]) if slug in KINDS else None


def readable_candidates(run: XrefRun, user: UserLike) -> "QuerySet[XrefCandidate]":
    """The run's candidates whose record the user may open; the others are absent."""
    levels = visible_access_levels(user)
    readable = Q(pk__in=[])
    for kind, model in RECORD_MODELS.items():
        visible = model._default_manager.filter(access_level__in=levels).values("pk")
        readable |= Q(record_kind=kind, record_id__in=visible)
    return run.candidates.filter(readable)


def records_by_key(keys: list[tuple[str, int]], user: UserLike) -> dict[tuple[str, int], Any]:
    """The records among `keys` the user may open, by (kind, pk)."""
    levels = visible_access_levels(user)
    wanted: dict[str, list[int]] = defaultdict(list)
    for kind, pk in keys:
        wanted[kind].append(pk)
    found: dict[tuple[str, int], Any] = {}
    for kind, pks in wanted.items():
        model = RECORD_MODELS[kind]
        for made in model._default_manager.filter(pk__in=pks, access_level__in=levels):
            found[kind, made.pk] = made
    return found


def candidate_rows(candidates: list[XrefCandidate], user: UserLike) -> list[dict[str, Any]]:
    """One row per candidate of a page: our record's name and link, the entity, the score."""
    records = records_by_key([(c.record_kind, c.record_id) for c in candidates], user)
    rows = []
    for candidate in candidates:
        made = records.get((candidate.record_kind, candidate.record_id))
        if made is None:  # raised since the page's query: absent, as the others
            continue
        rows.append(
            {
                "candidate": candidate,
                "record": made,
                "label": str(made),
                "kind": RecordKind(candidate.record_kind).label,
                "url": detail_url(candidate.record_kind, candidate.record_id),
                "entity": candidate.listed_entity,
            }
        )
    return rows


def status_counts(candidates: "QuerySet[XrefCandidate]") -> list[tuple[str, Any, int]]:
    return [
        (status, label, candidates.filter(status=status).count())
        for status, label in ReviewStatus.choices
    ]


def reader_counts(run: XrefRun, user: UserLike) -> dict[str, Any]:
    """The run's counts as this reader may see them: records they may open only."""
    levels = visible_access_levels(user)
    compared = {
        RecordKind(kind).label: RECORD_MODELS[kind]
        ._default_manager.filter(merged_into__isnull=True, access_level__in=levels)
        .count()
        for kind in run.kinds
    }
    readable = readable_candidates(run, user)
    return {
        "compared": compared,
        "entities": run.counts.get("entities", 0),
        "candidates": readable.count(),
        "pending": readable.filter(status=ReviewStatus.PENDING).count(),
    }


def change_rows(run: XrefRun, user: UserLike) -> dict[str, list[dict[str, Any]]]:
    """The run's change report, each row with our record's name and link, cut to the reader."""
    changes = run.changes or {}
    sections = ("new", "removed", "aliases", "designation")
    keys = [
        (row["record_kind"], row["record_id"]) for name in sections for row in changes.get(name, [])
    ]
    records = records_by_key(keys, user)
    shown: dict[str, list[dict[str, Any]]] = {}
    for name in sections:
        rows = []
        for row in changes.get(name, []):
            made = records.get((row["record_kind"], row["record_id"]))
            if made is None:
                continue
            rows.append(row | {"label": str(made), "url": detail_url(row["record_kind"], made.pk)})
        shown[name] = rows
    return shown


def change_lines(changes: dict[str, Any]) -> list[str]:
    """The change report as lines of text, for the command line (run by the operator)."""
    if not changes:
        return []
    keys = [
        (row["record_kind"], row["record_id"])
        for name in ("new", "removed", "aliases", "designation")
        for row in changes.get(name, [])
    ]
    labels = {
        (kind, pk): str(made)
        for kind, model in RECORD_MODELS.items()
        for pk, made in model._default_manager.in_bulk([p for k, p in keys if k == kind]).items()
    }

    def name(row: dict[str, Any]) -> str:
        key = (row["record_kind"], row["record_id"])
        return f"{row['record_kind']} {row['record_id']} ({labels.get(key, '?')})"

    lines = [f"changes since version {changes.get('previous_version')}:"]
    for row in changes.get("new", []):
        lines.append(
            f"new designation: {name(row)} ~ {row['caption']} [{row['entity_id']}], "
            f"score {row['score']}"
        )
    for row in changes.get("removed", []):
        lines.append(f"removed from the list: {name(row)} ~ {row['caption']} [{row['entity_id']}]")
    for row in changes.get("aliases", []):
        added = "; ".join(row["added"]) or "-"
        dropped = "; ".join(row["removed"]) or "-"
        lines.append(
            f"aliases changed: {name(row)} ~ {row['caption']}: added {added}; removed {dropped}"
        )
    for row in changes.get("designation", []):
        fields = "; ".join(f"{f['field']} {f['before']} -> {f['now']}" for f in row["fields"])
        lines.append(f"designation changed: {name(row)} ~ {row['caption']}: {fields}")
    if len(lines) == 1:
        lines.append("nothing changed for our matched records")
    return lines


def explanation_rows(candidate: XrefCandidate) -> list[dict[str, Any]]:
    """The score's parts: feature, contribution (signed) and what agreed or differed."""
    rows = []
    for part in candidate.explanation or []:
        contribution = float(part.get("contribution", 0.0))
        rows.append(
            {
                "feature": FEATURES.get(part.get("feature", ""), part.get("feature", "")),
                "contribution": contribution,
                "against": contribution < 0,
                "text": _explained(part),
            }
        )
    return rows


def _explained(part: dict[str, Any]) -> str:
    """An explanation line in the reader's language: the scorer keeps its template and values
    apart (`unseen.core.xref.Evidence`), so the template is translated, then filled."""
    template, params = part.get("template"), part.get("params")
    if not template:
        return str(part.get("text", ""))
    try:
        return gettext(template) % params if params else gettext(template)
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder
        return str(part.get("text", ""))


def entity_facts(entity: ListedEntity) -> dict[str, Any]:
    """What the list says of an entity, for the pages."""
    return {
        "entity": entity,
        "aliases": entity.aliases,
        "countries": entity.countries,
        "addresses": entity.addresses,
        "identifiers": [(prop, value) for prop, value in entity.identifiers],
        "sources": list(
            dict.fromkeys(
                url
                for sanction in entity.properties.get("sanctions", [])
                for url in sanction.get("sourceUrl", [])
            )
        ),
    }


HIDDEN_FIELDS = frozenset({"id", "created_at", "updated_at", "notes", "is_synthetic"})


def record_side(candidate: XrefCandidate, user: UserLike) -> dict[str, Any] | None:
    """Our record of a candidate: its fields, names, identifiers and designations as the reader
    may see them; None when they may not open it."""
    made: Any = candidate.model._default_manager.filter(
        pk=candidate.record_id, access_level__in=visible_access_levels(user)
    ).first()
    if made is None:
        return None
    side: dict[str, Any] = {
        "record": made,
        "label": str(made),
        "url": detail_url(candidate.record_kind, made.pk),
        "fields": shown_fields(made, user, hidden=HIDDEN_FIELDS),
        "aliases": [],
        "identifiers": [],
        "designations": [],
        "trail": made.evidence_trail(user),
    }
    if isinstance(made, Organisation | PublicFigure):
        side["aliases"] = list(made.aliases.values_list("name", flat=True))
        holder = "organisation" if isinstance(made, Organisation) else "public_figure"
        side["identifiers"] = list(ExternalIdentifier.objects.filter(**{holder: made}))
        side["designations"] = list(
            visible_related(Designation.objects.filter(**{holder: made}), user)
        )
    return side


def list_versions(user: UserLike) -> list[dict[str, Any]]:
    """Every list the reader may read, with its versions, newest first."""
    by_code: dict[str, list[SanctionsList]] = defaultdict(list)
    lists = SanctionsList.objects.visible_to(user).select_related("source", "loaded_by")
    for loaded in lists.newest_first():
        by_code[loaded.code].append(loaded)
    return [
        {"code": code, "newest": versions[0], "versions": versions}
        for code, versions in sorted(by_code.items())
    ]
