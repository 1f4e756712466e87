"""Revisions: every create, update and delete of a documented record keeps a snapshot.

django-simple-history writes one row per save into a "historical" table beside each documented
model (ADR 0021). This module adds what the library leaves to us: who acted (the audit actor,
which names API token users and commands too), the editor's reason and the source or claim that
justifies the change, the fields each revision changed, and revisions for the bulk paths that send
no signals (imports, merges).

The vault has no history: an identity edit leaves a revision of the
person that says only "identity" changed, so no identifying value is ever copied.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from unseen.audit.context import current_actor

# Fields every save touches: a revision that changed only these changed nothing a reader sees.
UNTRACKED = frozenset({"updated_at", "created_at"})


@dataclass(frozen=True)
class Why:
    """The reason for the writes of one request, import or merge, and what justifies them."""

    reason: str = ""
    source_id: int | None = None
    claim_id: int | None = None
    # The revision each record got in this block, by (model label, pk): a change of its
    # many-to-many relations (saved after the record, as a form saves them) joins that revision
    # rather than making one more per relation changed.
    made: dict[tuple[str, Any], Any] = field(default_factory=dict, compare=False)


_why: ContextVar[Why | None] = ContextVar("revision_why", default=None)
# Set while `loaddata` puts back records whose revisions are loaded with them (a restore): their
# many-to-many rows arrive after them and are no change of anyone's.
_loading: ContextVar[bool] = ContextVar("revision_loading", default=False)


@contextmanager
def loading_fixtures() -> Iterator[None]:
    """Records written in this block come with their own revisions: make none for them."""
    token = _loading.set(True)
    try:
        yield
    finally:
        _loading.reset(token)


def _current() -> Why:
    return _why.get() or Why()


def current_why() -> Why:
    """The reason and justification in force (for bulk writes that make their own revisions)."""
    return _current()


@contextmanager
def revising(reason: str, *, source: Any = None, claim: Any = None) -> Iterator[None]:
    """Every revision written inside carries `reason` (and the justifying source or claim)."""
    token = _why.set(
        Why(
            reason=reason,
            source_id=getattr(source, "pk", source),
            claim_id=getattr(claim, "pk", claim),
        )
    )
    try:
        yield
    finally:
        _why.reset(token)


def _actor() -> str:
    return current_actor.get()


class RevisionBase(models.Model):
    """What our revisions add to django-simple-history's historical rows."""

    # A revision is itself the record of an edit, and the edit's own audit entry names its fields:
    # auditing the revision's row too would double the log and a third of the cost of a save.
    audit_exempt = True

    actor = models.CharField(max_length=150, default=_actor, verbose_name=_("By"))
    justifying_source = models.ForeignKey(
        "evidence.Source",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        verbose_name=_("Justified by source"),
    )
    justifying_claim = models.ForeignKey(
        "evidence.Claim",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        verbose_name=_("Justified by claim"),
    )
    # Parts of the record kept outside its own fields, named but never copied (the vault identity).
    other_changes = models.JSONField(default=list, blank=True)
    # The record's many-to-many relations at this revision, {field name: sorted ids}: ids, not
    # names, so a related record's own access level still decides who sees it in a diff.
    relations = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class _Descriptor(HistoryDescriptor):
    """`record.history`, with its manager class built once.

    django-simple-history builds a new manager class (`from_queryset`) on every access, and every
    save reads `record.history`: that was a millisecond and a half of each save, the larger part
    of what keeping history cost (bench_history.py)."""

    def __init__(self, descriptor: HistoryDescriptor):
        super().__init__(descriptor.model, descriptor.manager_class, descriptor.queryset_class)
        self._manager = self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance: Any, owner: Any) -> Any:
        return self._manager(self.model, instance)


class _Records(HistoricalRecords):
    def finalize(self, sender: Any, **kwargs: Any) -> None:
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if isinstance(descriptor, HistoryDescriptor) and not isinstance(descriptor, _Descriptor):
            setattr(sender, self.manager_name, _Descriptor(descriptor))


def history(**options: Any) -> HistoricalRecords:
    """The history of one documented model, the same for every kind."""
    # History outlives its record: a deleted record is restored from its last revision.
    return _Records(bases=[RevisionBase], cascade_delete_history=False, **options)


@receiver(pre_create_historical_record)
def _fill_revision(sender: Any, instance: Any, history_instance: Any, **kwargs: Any) -> None:
    why = _current()
    if not history_instance.history_change_reason:
        history_instance.history_change_reason = why.reason
    history_instance.justifying_source_id = getattr(
        instance, "_justifying_source_id", why.source_id
    )
    history_instance.justifying_claim_id = getattr(instance, "_justifying_claim_id", why.claim_id)
    history_instance.other_changes = list(getattr(instance, "_other_changes", []))
    # A deleted record's relations are gone before its last revision is written: kept as unknown,
    # and a restore brings back those of the revision before.
    if history_instance.history_type != "-":
        history_instance.relations = relations_of(instance)


@receiver(post_create_historical_record)
def _remember_revision(sender: Any, instance: Any, history_instance: Any, **kwargs: Any) -> None:
    why = _why.get()
    if why is not None:
        why.made[(instance._meta.label, instance.pk)] = history_instance


def relations_of(instance: models.Model) -> dict[str, list[Any]]:
    """{many-to-many field name: sorted ids} of a saved record; {} for a kind without any."""
    fields = instance._meta.many_to_many
    if not fields or instance.pk is None:
        return {}
    return {f.name: sorted(getattr(instance, f.name).values_list("pk", flat=True)) for f in fields}


def _relation_field(model: type[models.Model], through: Any) -> Any:
    return next(f for f in model._meta.many_to_many if f.remote_field.through is through)


@receiver(m2m_changed)
def _relations_changed(
    sender: Any, instance: Any, action: str, reverse: bool, model: Any, pk_set: Any, **kwargs: Any
) -> None:
    """A revision of every documented record whose many-to-many relations changed, from either
    side (an incident's victims set, or a person added to an incident's victims)."""
    if _loading.get():
        return
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear") and has_history(type(instance)):
            _revise_relations([instance])
        return
    if not has_history(model):
        return
    if action == "pre_clear":
        # Which records lose the relation can be read only before it goes.
        name = _relation_field(model, sender).name
        cleared = list(model._default_manager.filter(**{name: instance}))
        instance.__dict__.setdefault("_revision_cleared", {})[sender] = cleared
    elif action == "post_clear":
        _revise_relations(instance.__dict__.get("_revision_cleared", {}).pop(sender, []))
    elif action in ("post_add", "post_remove") and pk_set:
        _revise_relations(list(model._default_manager.filter(pk__in=pk_set)))


def _revise_relations(records: list[Any]) -> None:
    why = _why.get()
    for record in records:
        made = why.made.get((record._meta.label, record.pk)) if why is not None else None
        if made is not None:
            made.relations = relations_of(record)
            made.save(update_fields=["relations"])
        else:
            # A save of the timestamp alone: a revision with the record's fields as they are,
            # its relations as they now are, and the reason of the block (or none).
            record.save(update_fields=["updated_at"])


def has_history(model: type[models.Model]) -> bool:
    return hasattr(model, "history") and model._meta.simple_history_manager_attribute == "history"  # type: ignore[attr-defined]


def record_created(
    model: type[models.Model], objects: Sequence[models.Model] | Iterable[int], reason: str
) -> None:
    """Revisions for records written without signals (bulk_create, raw inserts): one query."""
    if not has_history(model):
        return
    items = list(objects)
    if items and not isinstance(items[0], models.Model):
        items = list(model._default_manager.filter(pk__in=items))
    if not items:
        return
    why = _current()
    model.history.bulk_history_create(  # type: ignore[attr-defined]
        items,
        batch_size=1000,
        default_change_reason=reason or why.reason,
        custom_historical_attrs={
            "actor": current_actor.get(),
            "justifying_source_id": why.source_id,
            "justifying_claim_id": why.claim_id,
        },
    )


def record_updated(model: type[models.Model], pks: Iterable[int], reason: str) -> None:
    """Revisions for records changed by `QuerySet.update` (merges): the state after the update."""
    if not has_history(model):
        return
    items = list(model._default_manager.filter(pk__in=list(pks)))
    if not items:
        return
    why = _current()
    model.history.bulk_history_create(  # type: ignore[attr-defined]
        items,
        batch_size=1000,
        update=True,
        default_change_reason=reason or why.reason,
        custom_historical_attrs={
            "actor": current_actor.get(),
            "justifying_source_id": why.source_id,
            "justifying_claim_id": why.claim_id,
        },
    )


def note_change(instance: models.Model, parts: list[str], reason: str) -> None:
    """A revision of `instance` saying that `parts` kept outside its fields changed (no values)."""
    instance._other_changes = parts  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]
    try:
        instance.save(update_fields=["updated_at"])
    finally:
        del instance._other_changes  # type: ignore[attr-defined]
        del instance._change_reason  # type: ignore[attr-defined]


def tracked_names(historical_model: Any) -> list[str]:
    """The attribute names a revision snapshots and a diff compares."""
    return [
        field.attname for field in historical_model.tracked_fields if field.name not in UNTRACKED
    ]


def changed_between(old: Any, new: Any, names: Sequence[str]) -> list[str]:
    """The attribute names whose values differ from `old` to `new` (all set ones if no `old`)."""
    if old is None:
        return [n for n in names if getattr(new, n) not in (None, "", [], {})]
    return [n for n in names if getattr(old, n) != getattr(new, n)]


def record_created_since(started: Any, reason: str) -> int:
    """Revisions for every documented record created since `started` that has none yet.

    Imports write with bulk inserts, which send no signals; like the search index, their
    revisions are written once at the end, a query or two per kind rather than one per row.
    """
    from django.apps import apps

    count = 0
    for model in apps.get_models():
        if not has_history(model) or not any(f.name == "created_at" for f in model._meta.fields):
            continue
        historical = model.history.model  # type: ignore[attr-defined]
        pks = list(
            model._default_manager.filter(created_at__gte=started)
            .exclude(pk__in=historical.objects.filter(history_date__gte=started).values("id"))
            .values_list("pk", flat=True)
        )
        for start in range(0, len(pks), 5000):
            record_created(model, pks[start : start + 5000], reason)
        count += len(pks)
    return count
