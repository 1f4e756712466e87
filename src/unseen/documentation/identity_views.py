"""The identity vault's door: open a person's identity with a stated purpose, edit it, or create
a person together with an identity.

Every read and write goes through `registry.vault`, which audits it. Identity values travel only in
POST bodies and in responses marked not to be stored; nothing here logs, caches or redirects
with them.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from unseen.accounts.access import requires
from unseen.accounts.models import User
from unseen.accounts.roles import Capability
from unseen.registry import vault
from unseen.registry.forms import IdentityForm, PurposeForm
from unseen.registry.models import Person

from .browsing import kind_of
from .forms import record_form


def _no_store(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Identities must not stay in a browser's or a proxy's cache, nor come back with Back."""

    @wraps(view)
    def uncached(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"  # for HTTP/1.0 caches that ignore Cache-Control
        return response

    return uncached


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _person(request: HttpRequest, pk: int) -> Person:
    # A person beyond the user's access level is not found, as on every record page.
    return cast(Person, kind_of("persons").get(_user(request), pk))


def _require_writer(user: User) -> None:
    """Writing an identity needs both the vault and the permission to edit records."""
    if not (user.can(Capability.READ_VAULT) and user.can(Capability.EDIT_RECORDS)):
        raise PermissionDenied


def _labelled(identity: vault.Identity) -> list[tuple[str, str]]:
    labels = vault.identity_labels()
    return [(labels[name], getattr(identity, name)) for name in vault.IDENTITY_FIELDS]


# Identity values and the purpose never go into a 500 report (email or log): Django's error
# reporter shows POST bodies unless told which parameters are sensitive.
SENSITIVE = ("purpose", *vault.IDENTITY_FIELDS)


@requires(Capability.READ_VAULT)
@sensitive_post_parameters(*SENSITIVE)
@_no_store
def identity(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for a purpose; POSTing one shows the identity, each showing an audited read."""
    user = _user(request)
    person = _person(request, pk)
    purpose = PurposeForm(request.POST if request.method == "POST" else None)
    shown: vault.Identity | None = None
    if purpose.is_valid():
        shown = vault.read_identity(person, user=user, purpose=purpose.cleaned_data["purpose"])
    return render(
        request,
        "documentation/identity.html",
        {
            "person": person,
            "purpose": purpose,
            "fields": _labelled(shown) if shown is not None else None,
            "is_empty": shown is not None and shown.is_empty(),
            "can_edit": user.can(Capability.EDIT_RECORDS),
        },
    )


@requires(Capability.READ_VAULT)
@require_POST
@sensitive_post_parameters(*SENSITIVE)
@_no_store
def identity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """POST with a purpose opens the form (an audited read); POST with `save` writes (audited).

    POST only, also to open: a GET would put the form's values on a page a link or a prefetch
    could fetch without a stated purpose.
    """
    user = _user(request)
    _require_writer(user)
    person = _person(request, pk)
    purpose = PurposeForm(request.POST)
    if not purpose.is_valid():
        messages.error(request, _("State why you open this identity."))
        return redirect("documentation:identity", pk=person.pk)
    stated = purpose.cleaned_data["purpose"]
    if "save" in request.POST:
        form = IdentityForm(request.POST)
        if form.is_valid():
            vault.write_identity(person, form.identity(), user=user, purpose=stated)
            messages.success(request, _("Identity saved."))
            return redirect("documentation:detail", kind="persons", pk=person.pk)
    else:
        current = vault.read_identity(person, user=user, purpose=stated)
        form = IdentityForm(initial=IdentityForm.initial_from(current))
    return render(
        request,
        "documentation/identity_form.html",
        {
            "person": person,
            "form": form,
            "purpose": stated,
            "purpose_confirmed": purpose.cleaned_data["not_a_name"],
        },
    )


@requires(Capability.READ_VAULT)
@require_POST
@sensitive_post_parameters(*SENSITIVE)
@_no_store
def identity_history(request: HttpRequest, pk: int) -> HttpResponse:
    """POST with a purpose lists the identity's revisions; with `revision`, shows that revision's
    values too. Each opening is an audited read, as opening the identity is.

    POST only, for the reason `identity_edit` gives; never on the person's general history page,
    which says only that the identity changed.
    """
    user = _user(request)
    person = _person(request, pk)
    purpose = PurposeForm(request.POST)
    if not purpose.is_valid():
        messages.error(request, _("State why you open this identity."))
        return redirect("documentation:identity", pk=person.pk)
    revisions = vault.read_identity_history(
        person, user=user, purpose=purpose.cleaned_data["purpose"]
    )
    asked = str(request.POST.get("revision", "")).strip()
    chosen = next((r for r in revisions if str(r.number) == asked), None) if asked else None
    labels = vault.identity_labels()
    return render(
        request,
        "documentation/identity_history.html",
        {
            "person": person,
            "purpose": purpose,
            "revisions": [
                (revision, [labels[name] for name in revision.changed]) for revision in revisions
            ],
            "chosen": chosen,
            "chosen_fields": (
                [
                    (labels[name], getattr(chosen.identity, name), name in chosen.changed)
                    for name in vault.IDENTITY_FIELDS
                ]
                if chosen is not None
                else None
            ),
            "not_found": bool(asked) and chosen is None,
        },
    )


@requires(Capability.EDIT_RECORDS)
@sensitive_post_parameters(*SENSITIVE)
@_no_store
def identity_create(request: HttpRequest) -> HttpResponse:
    """A new pseudonymous person and its identity, both or neither."""
    user = _user(request)
    _require_writer(user)
    posted = request.POST if request.method == "POST" else None
    # The same form as "New person", so both pages check a person the same way.
    person_form: Any = record_form(kind_of("persons"))
    record = person_form(posted, user=user, prefix="person")
    form = IdentityForm(posted, prefix="identity", required=True)
    # Both forms are checked before anything is written, so each shows all its errors at once.
    if posted is not None and all([record.is_valid(), form.is_valid()]):
        with transaction.atomic():
            person = record.save()
            vault.write_identity(person, form.identity(), user=user)
        messages.success(
            request,
            _("Person %(pseudonym)s created with an identity.") % {"pseudonym": person.pseudonym},
        )
        return redirect("documentation:detail", kind="persons", pk=person.pk)
    return render(
        request,
        "documentation/identity_form.html",
        {"person": None, "record_form": record, "form": form},
    )


@requires(Capability.READ_VAULT)
@require_POST
@sensitive_post_parameters("name", *SENSITIVE)
@_no_store
def name_search(request: HttpRequest) -> HttpResponse:
    """Persons by name, through the vault's blind index, with a stated purpose; audited.

    POST only: a name in an address would stay in browser histories and server logs.
    """
    user = _user(request)
    purpose = PurposeForm(request.POST)
    name = str(request.POST.get("name", "")).strip()[:300]
    found: list[Person] | None = None
    if not name:
        messages.error(request, _("Give the name to look for."))
    elif purpose.is_valid():
        matches = vault.find_by_name(name, user=user, purpose=purpose.cleaned_data["purpose"])
        # A person beyond the reader's level is not found, as on every page.
        visible = set(kind_of("persons").visible(user).filter(pk__in=[p.pk for p in matches]))
        found = [person for person in matches if person in visible]
    return render(
        request,
        "documentation/name_search.html",
        {"purpose": purpose, "name": name, "found": found},
    )
