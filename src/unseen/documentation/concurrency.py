"""Optimistic concurrency for the edit forms: nothing another editor saved is silently overwritten.

An edit page carries an *edit token*: the record's own values as the page showed them, signed
with the site's secret (ADR 0023). On save, inside the transaction, the view locks and re-reads
the row and hands both to `check`. Per field (key):

- *opened*: the value in the token, when the editor opened the page;
- *now*: the value in the locked row, which may hold another editor's change;
- *mine*: the value the editor posted.

A field changed only by me is saved; a field changed only by them is kept (my form still held the
old value, which must not win); a field changed by both to different values is a *conflict*:
nothing is saved, and the conflict screen asks "keep theirs / use mine" for it. Its answer comes
back with a fresh token whose `before` remembers what the editor had first opened, so a save
without an answer meets the same question again instead of quietly using the form's value.

Only what the forms edit counts: a claim added to the record, a comment or a revision is not a
change of the record's fields. A token that is missing, forged or from another record or user
reads as "opened: unknown", so every field where mine differs from now needs a choice: stale,
never a server error, never a silent overwrite.

Related records the editor may not read are carried as HIDDEN, never as their numbers: the token
is on the page, and the forms keep such links untouched anyway (`RecordForm.clean`).
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core import signing
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unseen.accounts.models import UserLike

TOKEN_FIELD = "edit_token"  # noqa: S105 (a form field's name, not a secret)
CHOICE_PREFIX = "keep-"
THEIRS, MINE = "theirs", "mine"
HIDDEN = "\x00hidden"  # a related record the editor may not read; not a value any field takes
UNKNOWN = object()  # "opened" of a token that could not be read
UNKNOWN_MARK = "\x00unknown"  # UNKNOWN as kept in a token

Plain = str | int | bool | list[Any] | None


def _plain(value: Any) -> Plain:
    """A value in a form JSON keeps and compares: dates as ISO text, numbers as text."""
    if value is None or value == "":
        return None
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        # 250, 250.00 and 2.5E+2 are one wage: compared as the same text.
        return str(int(value)) if value == value.to_integral() else str(value.normalize())
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Iterable):
        return sorted(str(_plain(item)) for item in value)
    return str(value)


def _seen(related: Any, user: UserLike) -> bool:
    check = getattr(related, "is_visible_to", None)
    return check is None or bool(check(user))


def _model_fields(form: forms.ModelForm) -> list["models.Field[Any, Any]"]:
    names = set(form.fields) & set(form._meta.fields or ())
    opts = form._meta.model._meta
    return [opts.get_field(name) for name in form.fields if name in names]


def _model_values(
    form: forms.ModelForm, instance: models.Model, user: UserLike, *, posted: bool
) -> dict[str, Plain]:
    """The model's values of the form's fields; for the posted form, its many-to-many fields
    as cleaned (they are written only by `save_m2m`)."""
    values: dict[str, Plain] = {}
    for model_field in _model_fields(form):
        name = model_field.name
        if model_field.many_to_many:
            related = form.cleaned_data[name] if posted else getattr(instance, name).all()
            values[name] = _plain([r for r in related if _seen(r, user)])
        elif model_field.is_relation:
            target = getattr(instance, name)
            if target is None:
                values[name] = None
            else:
                values[name] = target.pk if _seen(target, user) else HIDDEN
        else:
            values[name] = _plain(model_field.value_from_object(instance))
    return values


def _values(form: forms.BaseForm, user: UserLike, *, posted: bool) -> dict[str, Plain]:
    """A form's values keyed as posted (with its prefix): the record's own, as it is in the
    database (an unbound form) or as the editor sent it (a valid bound form)."""
    if isinstance(form, forms.ModelForm):
        values = _model_values(form, form.instance, user, posted=posted)
    elif posted:
        values = {name: _plain(form.cleaned_data.get(name)) for name in form.fields}
    else:
        values = {name: _plain(form[name].initial) for name in form.fields}
    return {form.add_prefix(name): value for name, value in values.items()}


def _salt(instance: models.Model, user: UserLike) -> str:
    # Bound to the record and the editor: a token copied from another page reads as stale.
    return f"unseen.edit:{instance._meta.label_lower}:{instance.pk}:{getattr(user, 'pk', '')}"


def token(
    instance: models.Model,
    values: Mapping[str, Plain],
    user: UserLike,
    before: Mapping[str, Plain] | None = None,
) -> str:
    return signing.dumps(
        {"values": dict(values), "before": dict(before or {})},
        salt=_salt(instance, user),
        compress=True,
    )


def token_for(instance: models.Model, page_forms: Sequence[forms.BaseForm], user: UserLike) -> str:
    """The token of a page that opens `instance` in (unbound) `page_forms`."""
    values = {k: v for form in page_forms for k, v in _values(form, user, posted=False).items()}
    return token(instance, values, user)


def _read(data: Mapping[str, Any], instance: models.Model, user: UserLike) -> dict[str, Any]:
    try:
        payload = signing.loads(str(data.get(TOKEN_FIELD, "")), salt=_salt(instance, user))
    except signing.BadSignature:
        return {}
    if not isinstance(payload, dict) or not isinstance(payload.get("values"), dict):
        return {}
    return payload


class Change(models.TextChoices):
    THEIRS = "theirs", gettext_lazy("Changed by someone else: theirs is kept.")
    MINE = "mine", gettext_lazy("Changed by you: yours is kept.")
    BOTH = "both", gettext_lazy("Changed by both: choose which to keep.")


@dataclass
class Row:
    """One changed field on the conflict screen."""

    key: str
    label: str
    opened: str
    now: str
    mine: str
    change: Change

    @property
    def needs_choice(self) -> bool:
        return self.change is Change.BOTH


@dataclass
class Conflict:
    rows: list[Row]
    token: str
    # The fields whose posted value the merged form shows: those the editor changed.
    mine_keys: set[str] = field(default_factory=set)

    @property
    def choices(self) -> list[Row]:
        return [row for row in self.rows if row.needs_choice]

    def initial_for(self, posted: forms.BaseForm) -> dict[str, Any]:
        """Initial values for the merged form: mine where I changed a field, the record's
        current value (the form's own initial) everywhere else."""
        return {
            name: posted[name].data
            for name in posted.fields
            if posted.add_prefix(name) in self.mine_keys
        }


def _choice(data: Mapping[str, Any], key: str) -> str:
    value = data.get(CHOICE_PREFIX + key)
    return value if value in (THEIRS, MINE) else ""


def _use_theirs(posted: forms.BaseForm, current_form: forms.BaseForm, name: str) -> None:
    """Put the record's current value of `name` into the posted form, before it is saved."""
    if isinstance(posted, forms.ModelForm) and isinstance(current_form, forms.ModelForm):
        model_field = posted._meta.model._meta.get_field(name)
        if model_field.many_to_many:
            posted.cleaned_data[name] = list(getattr(current_form.instance, name).all())
        else:
            attname = model_field.attname
            setattr(posted.instance, attname, getattr(current_form.instance, attname))
    else:
        posted.cleaned_data[name] = current_form[name].initial


def _shown(form: forms.BaseForm, name: str, value: Any, user: UserLike) -> str:
    """A value as a reader knows it: a choice's label, a related record's name."""
    if value is UNKNOWN:
        return _("not known")
    if value == HIDDEN:
        return _("a record you cannot read")
    if value is None or value == []:
        return "—"
    form_field = form.fields[name]
    queryset = getattr(form_field, "queryset", None)
    if queryset is not None:
        pks = value if isinstance(value, list) else [value]
        found = {str(r.pk): r for r in queryset.model._default_manager.filter(pk__in=pks)}
        return ", ".join(
            str(found[str(pk)]) if str(pk) in found and _seen(found[str(pk)], user) else str(pk)
            for pk in pks
        )
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    choices = getattr(form_field, "choices", None)
    if choices:
        labels = {str(k): v for k, v in choices if not isinstance(v, list | tuple)}
        if str(value) in labels:
            return str(labels[str(value)])
    return str(value)


def check(
    data: Mapping[str, Any],
    instance: models.Model,
    posted: Sequence[forms.BaseForm],
    current: Sequence[forms.BaseForm],
    user: UserLike,
) -> Conflict | None:
    """Compare what the editor opened, what the (locked) record holds now and what they posted.

    `posted` are the page's valid bound forms; `current` the same forms, unbound, built on the
    locked row, in the same order. Applies the editor's "keep theirs" answers to `posted`, and
    returns None when they can be saved, or the conflict to show: whenever someone else changed
    a field since the page was opened, so the editor sees it before their save goes on top.
    """
    payload = _read(data, instance, user)
    opened: dict[str, Any] = dict(payload.get("values", {}))
    before: dict[str, Any] = dict(payload.get("before", {}))
    rows: list[Row] = []
    mine_keys: set[str] = set()
    now_all: dict[str, Plain] = {}
    for form, fresh in zip(posted, current, strict=True):
        for name in fresh.fields:
            key = form.add_prefix(name)
            choice = _choice(data, key)
            if key in before and not choice:
                # Asked about and not answered: asked again, against what they first opened.
                opened[key] = UNKNOWN if before[key] == UNKNOWN_MARK else before[key]
            elif choice == THEIRS:
                _use_theirs(form, fresh, name)
        now = _values(fresh, user, posted=False)
        mine = _values(form, user, posted=True)
        now_all.update(now)
        for name in fresh.fields:
            key = form.add_prefix(name)
            if key not in now:
                continue
            was = opened.get(key, UNKNOWN) if payload else UNKNOWN
            theirs_changed = was is UNKNOWN or was != now[key]
            mine_changed = was is UNKNOWN or was != mine[key]
            if mine_changed:
                mine_keys.add(key)
            if theirs_changed and mine_changed:
                if mine[key] == now[key]:
                    continue  # both made the same change, or nothing is known to differ
                change = Change.BOTH
            elif theirs_changed:
                change = Change.THEIRS
            elif mine_changed:
                change = Change.MINE
            else:
                continue
            rows.append(
                Row(
                    key=key,
                    label=str(form.fields[name].label or name).capitalize(),
                    opened=_shown(form, name, was, user),
                    now=_shown(form, name, now[key], user),
                    mine=_shown(form, name, mine[key], user),
                    change=change,
                )
            )
    if all(row.change is Change.MINE for row in rows):
        return None
    asked = {
        row.key: UNKNOWN_MARK if opened.get(row.key, UNKNOWN) is UNKNOWN else opened[row.key]
        for row in rows
        if row.needs_choice
    }
    return Conflict(
        rows=rows, token=token(instance, now_all, user, before=asked), mine_keys=mine_keys
    )


def page_token(request: HttpRequest, conflict: Conflict | None, opening: Callable[[], str]) -> str:
    """The token an edit page carries: the conflict's, after one; the posted one when a form
    comes back with errors (a fresh one would pass off changes made since as seen); else new."""
    if conflict is not None:
        return conflict.token
    if request.method == "POST":
        return str(request.POST.get(TOKEN_FIELD, ""))
    return opening()


def locked(instance: models.Model) -> models.Model:
    """The row as it is now, locked until the transaction ends (PostgreSQL; SQLite writes are
    serialised anyway). Call inside `transaction.atomic()`."""
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def keep_unedited(target: models.Model, current: models.Model, edited: Iterable[str]) -> None:
    """Copy the fields no form on the page edits from the locked row into the instance about to
    be saved: `save()` writes every column, and the instance was read before the lock."""
    edited = set(edited)
    for model_field in type(target)._meta.concrete_fields:
        if model_field.primary_key or model_field.name in edited:
            continue
        setattr(target, model_field.attname, getattr(current, model_field.attname))
