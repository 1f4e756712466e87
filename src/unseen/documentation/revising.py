"""A record's history as its readers see it: the timeline, the diff of two revisions, revert and
restore (ADR 0021).

Every value passes the same access checks as the record page: a revision made while the record
was at a level the reader may not see shows who and when, never what; a related record beyond the
reader's level is blank, as on the record page.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from unseen.accounts.models import UserLike, visible_access_levels
from unseen.evidence.models import visible_related
from unseen.evidence.revisions import UNTRACKED, revising, tracked_names

from .browsing import Kind, shown_fields
from .models import Testimony
from .reading import INTERNAL_FIELDS


class RevertRefused(Exception):
    """A revision that cannot be brought back; the message says why, for the editor."""


@dataclass
class Entry:
    """One line of a record's timeline: a revision, or an entry an app above adds (a comment)."""

    when: Any
    actor: str
    reason: str
    kind: str  # "revision", or what registered it: "comment"
    action: str  # created / changed / deleted
    changed: list[str] = field(default_factory=list)
    part: str = ""  # "" for the record itself, else what part of it (an indicator coding)
    revision_id: int | None = None
    withheld: bool = False
    text: str = ""  # a comment's words


# Apps above this one add entries to every timeline (teamwork: comments), as the evidence-gap
# queue takes kinds from above: this module cannot import them.
TimelineSource = Callable[["Kind", Any, UserLike], list[Entry]]
_SOURCES: list[TimelineSource] = []


def register(source: TimelineSource) -> None:
    """Add `source`'s entries (already limited to what the reader may see) to every timeline."""
    if source not in _SOURCES:
        _SOURCES.append(source)


ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def _readable(revision: Any, user: UserLike) -> bool:
    level = getattr(revision, "access_level", None)
    return level is None or level in visible_access_levels(user)


def _labels(model: Any) -> dict[str, str]:
    return {
        f.attname: str(f.verbose_name)
        for f in model._meta.concrete_fields
        if f.name not in INTERNAL_FIELDS and f.name not in UNTRACKED
    }


def _relation_labels(model: Any) -> dict[str, str]:
    return {
        f.name: str(f.verbose_name)
        for f in model._meta.many_to_many
        if f.name not in INTERNAL_FIELDS
    }


def _ids(revision: Any, name: str) -> list[Any] | None:
    """The ids a revision kept of one relation; None where it kept none (made before relations
    were kept), which is unknown rather than empty."""
    return (revision.relations or {}).get(name)


def _related_text(model_field: Any, ids: list[Any] | None, user: UserLike) -> str:
    if ids is None:
        return ""
    related = model_field.related_model._default_manager.filter(pk__in=ids).order_by("pk")
    return ", ".join(str(o) for o in visible_related(related, user))


def _entries(
    revisions: list[Any], model: Any, user: UserLike, part: str, seed: Any = None
) -> list[Entry]:
    """Timeline entries of one model's revisions (oldest first), each naming what it changed.

    `seed` is the revision before the first one, read only to tell what the first changed."""
    names = tracked_names(revisions[0].__class__) if revisions else []
    labels = _labels(model)
    relations = _relation_labels(model)
    other = {
        "identity": _("Identity (values in the vault)"),
        "tags": _("Tags"),
        "aliases": _("Aliases"),
        "identifiers": _("External identifiers"),
    }
    previous: dict[Any, Any] = {seed.id: seed} if seed is not None else {}
    entries = []
    for revision in revisions:
        before = previous.get(revision.id)
        previous[revision.id] = revision
        readable = _readable(revision, user) and (before is None or _readable(before, user))
        if revision.history_type == "+" and before is None:
            changed = []
        else:
            base = before if before is not None else revision
            changed = [n for n in names if getattr(base, n) != getattr(revision, n)]
        shown = [labels[n] for n in changed if n in labels]
        if before is not None:
            shown += [
                label
                for name, label in relations.items()
                if _ids(before, name) is not None
                and _ids(revision, name) is not None
                and _ids(before, name) != _ids(revision, name)
            ]
        shown += [other.get(p, p) for p in revision.other_changes or []]
        entries.append(
            Entry(
                when=revision.history_date,
                actor=revision.actor or "—",
                reason=(revision.history_change_reason or "") if readable else "",
                kind="revision",
                action=ACTIONS.get(revision.history_type, ""),
                changed=shown if readable else [],
                part=part,
                revision_id=revision.history_id if not part else None,
                withheld=not readable,
            )
        )
    return entries


# Revisions per page of the timeline, newest first. Changed fields are worked out for the shown
# page alone, so a record edited a thousand times lists as fast as one edited fifty times.
PAGE = 50


@dataclass
class Timeline:
    """One page of a record's timeline."""

    entries: list[Entry]
    number: int  # this page, from 1 (the newest)
    pages: int
    total: int  # revisions of the record itself

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def has_other_pages(self) -> bool:
        return self.pages > 1


def page_number(value: Any) -> int:
    """A page asked for in the address; anything but a positive number is the first."""
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def timeline(spec: Kind, record: Any, user: UserLike, page: int = 1) -> Timeline:
    """Page `page` of the revisions of `record` and of its parts, newest first."""
    model = spec.model
    order = ("history_date", "history_id")
    newest = model.history.filter(id=record.pk).order_by("-history_date", "-history_id")  # type: ignore[attr-defined]
    total = newest.count()
    pages = max(1, -(-total // PAGE))
    page = min(page, pages)
    start = (page - 1) * PAGE
    # One revision older than the page, read only to tell what the page's oldest changed.
    own = list(newest[start : start + PAGE + 1])[::-1]
    seed = own.pop(0) if len(own) > PAGE else None
    entries = _entries(own, model, user, "", seed)
    if model is Testimony:
        from .models import IndicatorCoding

        codings = list(IndicatorCoding.history.filter(testimony_id=record.pk).order_by(*order))
        # A coding's revision stands on the page whose revisions of the testimony surround it.
        after = own[0].history_date if own and page < pages else None
        before = newest[start - 1].history_date if page > 1 else None
        for entry, revision in zip(
            _entries(codings, IndicatorCoding, user, "coding"), codings, strict=True
        ):
            if (after and entry.when < after) or (before and entry.when >= before):
                continue
            entry.part = str(_("Indicator coding")) + ": " + revision.get_indicator_display()
            # A coding inherits its testimony's level: shown to whoever may read the testimony.
            entries.append(entry)
    for source in _SOURCES:
        entries.extend(source(spec, record, user))
    entries.sort(key=lambda e: (e.when, e.revision_id or 0), reverse=True)
    return Timeline(entries=entries, number=page, pages=pages, total=total)


def revision_of(spec: Kind, record_pk: int, revision_id: Any) -> Any:
    """One revision of the record, or None (an id of another record's revision is not found)."""
    try:
        number = int(revision_id)
    except (TypeError, ValueError):
        return None
    return spec.model.history.filter(id=record_pk, history_id=number).first()  # type: ignore[attr-defined]


def diff(spec: Kind, old: Any, new: Any, user: UserLike) -> list[tuple[str, Any, Any, bool]]:
    """(label, old value, new value, changed) for every field the reader may see, as the record
    page formats them; nothing of a revision at a level beyond the reader."""
    if not (_readable(old, user) and _readable(new, user)):
        return []
    relations = _relation_labels(spec.model)
    # A revision's own instance would read the record's relations as they are now, not as they
    # were: those come from the ids the revision kept.
    hidden = INTERNAL_FIELDS | frozenset(relations)
    left = dict(shown_fields(old.instance, user, hidden))
    right = dict(shown_fields(new.instance, user, hidden))
    for model_field in spec.model._meta.many_to_many:
        if model_field.name in relations:
            label = relations[model_field.name]
            left[label] = _related_text(model_field, _ids(old, model_field.name), user)
            right[label] = _related_text(model_field, _ids(new, model_field.name), user)
    return [
        (label, left.get(label), right.get(label), left.get(label) != right.get(label))
        for label in dict.fromkeys([*left, *right])
    ]


def revert(spec: Kind, record: Any, revision: Any, user: UserLike, reason: str) -> Any:
    """Bring the record's fields back to `revision`'s values, as a new revision; nothing is
    rewritten. Raises RevertRefused with a reason the editor can act on."""
    if not reason.strip():
        raise RevertRefused(_("Say why you revert to this revision."))
    if not _readable(revision, user):
        # Nobody may file a record where they themselves could no longer see it.
        raise RevertRefused(_("This revision is at an access level you cannot read."))
    restored = revision.instance
    try:
        with transaction.atomic(), revising(reason.strip()):
            restored.save()
            _restore_relations(restored, revision)
    except IntegrityError:
        raise RevertRefused(
            _("This revision names records that no longer exist; edit the record instead.")
        ) from None
    return restored


def _restore_relations(record: Any, revision: Any) -> None:
    """The many-to-many relations `revision` kept, those of them that still exist; a revision
    that kept none (made before relations were kept) leaves them as they are."""
    for model_field in record._meta.many_to_many:
        ids = _ids(revision, model_field.name)
        if ids is not None:
            existing = model_field.related_model._default_manager.filter(pk__in=ids)
            getattr(record, model_field.name).set(existing)


def deleted(spec: Kind) -> list[Any]:
    """The last revision of every record of this kind that was deleted and not restored."""
    model = spec.model
    historical = model.history.model  # type: ignore[attr-defined]
    gone = historical.objects.filter(history_type="-").exclude(
        id__in=model._default_manager.values("pk")
    )
    return list(gone.order_by("-history_date")[:500])


def restore(spec: Kind, revision: Any, reason: str) -> Any:
    """A deleted record again, from its last revision, with a new revision saying why."""
    if not reason.strip():
        raise RevertRefused(_("Say why you restore this record."))
    if spec.model._default_manager.filter(pk=revision.id).exists():
        raise RevertRefused(_("This record exists; it was restored already."))
    record = revision.instance
    before = (
        spec.model.history.filter(id=revision.id, history_id__lt=revision.history_id)  # type: ignore[attr-defined]
        .order_by("-history_id")
        .first()
    )
    try:
        with transaction.atomic(), revising(reason.strip()):
            record.save(force_insert=True)
            if before is not None:
                _restore_relations(record, before)
    except IntegrityError:
        raise RevertRefused(
            _("This record names records that no longer exist, so it cannot be restored.")
        ) from None
    return record
