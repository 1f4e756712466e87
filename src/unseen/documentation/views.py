import json
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from unseen.accounts.access import requires, staff
from unseen.accounts.models import AccessLevel, User
from unseen.accounts.roles import Capability
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.core.ftm_reading import FtmErrors
from unseen.core.tables import TableError
from unseen.evidence import reviewing
from unseen.evidence.models import Claim, Source, visible_related
from unseen.evidence.revisions import revising
from unseen.registry.forms import PurposeForm
from unseen.registry.models import Person
from unseen.ui.uploads import saved_upload, table_limits

from . import concurrency, designating, gap_finding, panels, relating, review_views, searching
from .browsing import (
    KINDS,
    Kind,
    kind_of,
    points_here,
    related_groups,
    shown_fields,
    slug_for,
)
from .bulk_editing import bulk_kinds
from .forms import (
    FTM,
    BulkForm,
    ClaimForm,
    CodingForm,
    ImportForm,
    RevisionForm,
    kind_form,
    pickers_creating,
    record_form,
)
from .import_guide import CONTENT_TYPES, guide, template_file
from .importing import KINDS as IMPORT_KINDS
from .importing import import_file
from .importing_ftm import format_error, import_ftm
from .indicators import coded_indicators, indicator_matrix
from .listing import COUNT_LIMIT, listed
from .models import Relation, Testimony
from .names_views import names_of
from .suggesting import PICKABLE, Pickable, creation_prefix, describe, suggest

PAGE_SIZE = 50


class CappedPaginator(Paginator):
    """Counts matches only up to a limit: past a few thousand, '5,000+' tells the researcher as
    much as an exact count, which would cost a full scan of 100,000 rows on every page."""

    @cached_property
    def count(self) -> int:
        # Unordered: an ORDER BY inside the capped count makes the database walk the sort index
        # and fetch every row by it, three times slower than scanning the table.
        return self.object_list.order_by()[: COUNT_LIMIT + 1].count()  # type: ignore[attr-defined]

    @property
    def capped(self) -> bool:
        return self.count > COUNT_LIMIT

    def page(self, number: Any) -> Any:
        # A full page even past the capped count; deeper pages than the cap allows are not
        # offered: more than 5,000 matches asks for a narrower filter.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)  # type: ignore[attr-defined]


DASHBOARD_KINDS = [
    "sources",
    "testimonies",
    "persons",
    "organisations",
    "sites",
    "deployments",
    "incidents",
    "sightings",
]


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # the permission decorators let only signed-in users through


@staff
def dashboard(request: HttpRequest) -> HttpResponse:
    """The signed-in start page: what this user may work on."""
    user = _user(request)
    context: dict[str, object] = {"can_view_records": user.can(Capability.VIEW_RECORDS)}
    if context["can_view_records"]:
        context["counts"] = [
            (slug, KINDS[slug].label, KINDS[slug].visible(user).count()) for slug in DASHBOARD_KINDS
        ]
        context["recent_sources"] = Source.objects.visible_to(user).order_by("-created_at")[:10]
        context["gap_counts"] = gap_finding.counts(user)
    return render(request, "documentation/dashboard.html", context)


@requires(Capability.VIEW_RECORDS)
def gaps(request: HttpRequest) -> HttpResponse:
    """The evidence-gap queue: each kind of gap with its count and its first items."""
    return render(request, "documentation/gaps.html", {"groups": gap_finding.queue(_user(request))})


@requires(Capability.VIEW_RECORDS)
def gap_list(request: HttpRequest, gap: str) -> HttpResponse:
    """Every gap of one kind, a page at a time."""
    user = _user(request)
    kind = gap_finding.kind_for(user, gap)
    if kind is None:
        raise Http404
    page = Paginator(kind.rows(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "documentation/gap_list.html",
        {"kind": kind, "page": page, "items": kind.present(list(page), user)},
    )


@requires(Capability.VIEW_RECORDS)
def record_list(request: HttpRequest, kind: str) -> HttpResponse:
    spec = kind_of(kind)
    user = _user(request)
    form, records = listed(spec, request.GET, user)
    values = form.cleaned_data if form.is_valid() else {}
    if values.get("q"):
        record(
            Action.SEARCH,
            target_type=spec.model._meta.label_lower,
            detail={"length": len(values["q"])},
        )
    page = CappedPaginator(records.order_by(*spec.order_by), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    detail = reverse("documentation:detail", args=[spec.slug, 0]).removesuffix("0/")
    rows = [
        (f"{detail}{record.pk}/", spec.row(record, user), record, spec.merged_for(record, user))
        for record in page
    ]
    return render(
        request,
        "documentation/record_list.html",
        {
            "kind": spec,
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_edit": user.can(Capability.EDIT_RECORDS),
            "bulk": (
                BulkForm(user=user)
                if user.can(Capability.EDIT_RECORDS) and spec.slug in bulk_kinds()
                else None
            ),
            "signed_off": reviewing.signed_off_counts(spec.model, [row[2].pk for row in rows]),
            "designated": designating.designated_among(
                spec.model, [row[2].pk for row in rows], user
            ),
            "can_write_identity": spec.model is Person
            and user.can(Capability.EDIT_RECORDS)
            and user.can(Capability.READ_VAULT),
        },
    )


# Pages that show a witness's record: each opening is audited (kind, id and who; nothing of the
# content), so the person's access report answers "who opened this testimony".
OPENINGS_AUDITED = (Person, Testimony)


def _audit_opening(instance: Any, page: str) -> None:
    if isinstance(instance, OPENINGS_AUDITED):
        record(Action.VIEW, instance, detail={"page": page})


@requires(Capability.VIEW_RECORDS)
def record_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = kind_of(kind)
    user = _user(request)
    instance = spec.get(user, pk)
    context: dict[str, Any] = {
        "kind": spec,
        "record": instance,
        "fields": shown_fields(instance, user, relations=False),
        "related": related_groups(instance, user),
        "points_here": points_here(instance, user),
        "can_edit": user.can(Capability.EDIT_RECORDS),
        "can_open_identity": spec.model is Person and user.can(Capability.READ_VAULT),
        "merged_into": visible_related(getattr(instance, "merged_into", None), user),
        "merged_records": (
            visible_related(instance.merged_records, user)
            if hasattr(instance, "merged_records")
            else []
        ),
    }
    _audit_opening(instance, "detail")
    if spec.model is Claim:
        context.update(_claim_subject(instance, user))
    else:
        context["trail"] = instance.evidence_trail(user)
        context["tags"] = list(instance.tags.values_list("name", flat=True))
    if spec.model is Source:
        context["claims_made"] = visible_related(instance.claims, user).select_related(
            "content_type"
        )[:100]
    if spec.model is Testimony:
        context["indicators"] = coded_indicators(instance)
    if designating.holds_designations(spec.model):
        designations = designating.of(instance, user)
        context["designations"] = designations
        context["designated"] = designating.in_force(designations).exists()
        context.update(names_of(instance))
    context.update(_relation_context(instance, user))
    context["panels"] = panels.rendered_for(spec, instance, user)
    context.update(review_views.panel(spec, instance, user))
    return render(request, "documentation/record_detail.html", context)


def _relation_context(instance: Any, user: User) -> dict[str, Any]:
    """A party's Relations group; a relation's own sentence and the deployments it may repeat."""
    if isinstance(instance, Relation):
        grade = relating.best_grades([instance], user).get(instance.pk, "")
        return {
            "relation_line": relating.line(instance, grade),
            "repeated_by": relating.deployment_links(
                relating.repeating_deployments(instance, user)
            ),
        }
    group = relating.touching_group(instance, user, can_edit=user.can(Capability.EDIT_RECORDS))
    return {"relations": group} if group is not None else {}


def _claim_subject(claim: Claim, user: User) -> dict[str, Any]:
    """The record a claim is about, and its page, as far as `user` may read it."""
    subject = visible_related(claim.subject, user)
    subject_slug = slug_for(type(subject)) if subject is not None else None
    return {
        "subject": subject,
        "subject_url": (
            reverse("documentation:detail", args=[subject_slug, subject.pk])
            if subject_slug and subject
            else ""
        ),
    }


def _form_class(spec: Kind) -> Any:
    return kind_form(spec)


@requires(Capability.EDIT_RECORDS)
def record_create(request: HttpRequest, kind: str) -> HttpResponse:
    return _edit(request, kind_of(kind), None)


@requires(Capability.EDIT_RECORDS)
def record_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = kind_of(kind)
    return _edit(request, spec, spec.get(_user(request), pk))


def _edit(request: HttpRequest, spec: Kind, instance: Any) -> HttpResponse:
    if spec.model is Claim and instance is None:
        # A claim is made from the page of the record it is about (claim_create): on its own it
        # would support nothing.
        return redirect("documentation:list", kind="claims")
    user = _user(request)
    form_class = _form_class(spec)
    initial: dict[str, Any] = {**_picked(request, instance)}
    if spec.model is Relation and instance is None and request.method != "POST":
        # "Add relation" on a party's page: that party as the relation's subject or object.
        prefill = relating.prefill(request.GET, user)
        initial.update(prefill.initial)
        if prefill.refused:
            messages.warning(request, _("The record named in the address cannot be related here."))
    form = form_class(request.POST or None, instance=instance, user=user, initial=initial)
    revision = RevisionForm(request.POST or None, user=user, editing=instance is not None)
    if instance is not None and request.method != "POST":
        _audit_opening(instance, "edit")
    conflict = None
    # Both forms checked before anything is written, so each shows all its errors at once.
    if request.method == "POST" and all([form.is_valid(), revision.is_valid()]):
        with transaction.atomic(), revising(**revision.why()):
            if instance is not None:
                # Re-read under a lock: a save made since the page was opened is not overwritten.
                current = concurrency.locked(instance)
                conflict = concurrency.check(
                    request.POST, instance, [form], [form_class(instance=current, user=user)], user
                )
                concurrency.keep_unedited(form.instance, current, form.fields)
            if conflict is None:
                saved = form.save()
        if conflict is None:
            messages.success(request, _("Saved."))
            if isinstance(saved, Relation) and relating.repeating_deployments(saved, user).exists():
                messages.warning(
                    request,
                    _(
                        "Deployments already tell that this organisation sent workers there: "
                        "they are listed on this page. Keep a dispatch to a place and period on "
                        "its deployment, so that no fact is counted twice."
                    ),
                )
            return redirect("documentation:detail", kind=spec.slug, pk=saved.pk)
        # The merged form: the record as it is now, with the editor's own changes on top.
        form = form_class(instance=current, user=user, initial=conflict.initial_for(form))
        instance = current
    context = {
        "kind": spec,
        "form": form,
        "revision": revision,
        "record": instance,
        **_creations(form, request),
    }
    if instance is not None:
        context["edit_token"] = concurrency.page_token(
            request,
            conflict,
            lambda: concurrency.token_for(
                instance, [form_class(instance=instance, user=user)], user
            ),
        )
        context["conflict"] = conflict
        if spec.model is Claim:
            context.update(_claim_subject(instance, user))
        if isinstance(instance, Relation):
            context["repeated_by"] = relating.deployment_links(
                relating.repeating_deployments(instance, user)
            )
    if spec.model is Relation:
        # Which kinds of party each kind of relation takes, for the form's script.
        context["relation_ends"] = json.dumps(relating.allowed_kinds())
    return render(
        request,
        "documentation/record_form.html",
        context,
        status=409 if conflict else 200,
    )


def _picked(request: HttpRequest, instance: Any) -> dict[str, str]:
    """A new record's related records named in the address (`?organisation=12` from the
    organisation's page): only numbers, which the pickers show only if the user may read them."""
    if instance is not None or request.method == "POST":
        return {}
    return {name: str(value) for name, value in request.GET.items() if str(value).isdigit()}


def _creations(form: Any, request: HttpRequest) -> dict[str, Any]:
    """The "create new" dialogs of the form's pickers, each an empty form of its kind."""
    return {
        "creations": [
            (pickable, _creation_form(pickable, request, None))
            for pickable in pickers_creating(form)
        ]
    }


def _creation_form(pickable: Pickable, request: HttpRequest, data: Any) -> Any:
    form_class: Any = record_form(pickable.kind)  # a RecordForm, which takes the user
    return form_class(data, user=_user(request), prefix=creation_prefix(pickable))


def _pickable(kind: str) -> Pickable | None:
    return PICKABLE.get(kind)


def _no_such_kind() -> JsonResponse:
    return JsonResponse({"error": _("Records of this kind cannot be picked here.")}, status=404)


@requires(Capability.VIEW_RECORDS)
def suggestions(request: HttpRequest, kind: str) -> HttpResponse:
    """At most ten records of a kind matching ?q=, for a picker: only what the list page shows.

    Not audited per keystroke, unlike a list search: a picker asks on every pause in typing,
    and what it can find is what the list page finds (ADR 0017)."""
    pickable = _pickable(kind)
    if pickable is None:
        return _no_such_kind()
    text = request.GET.get("q", "")
    results = suggest(pickable, _user(request), text, unused_by=request.GET.get("unused_by", ""))
    # Korean names as themselves, not \u escapes: half the bytes of the escapes, and readable.
    response = JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


@requires(Capability.EDIT_RECORDS)
def quick_create(request: HttpRequest, kind: str) -> HttpResponse:
    """Make a record from a picker's dialog (a person, a source) and answer what it shows."""
    pickable = _pickable(kind)
    if pickable is None or not pickable.creatable:
        return _no_such_kind()
    if request.method != "POST":
        return JsonResponse({"error": _("Send the new record with POST.")}, status=405)
    form = _creation_form(pickable, request, request.POST)
    if not form.is_valid():
        errors = [
            f"{form.fields[name].label}: {message}" if name in form.fields else str(message)
            for name, messages_ in form.errors.items()
            for message in messages_
        ]
        return JsonResponse({"errors": errors}, status=400)
    with transaction.atomic():
        created = form.save()
    return JsonResponse(describe(created), status=201)


@requires(Capability.EDIT_RECORDS)
def claim_create(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Add a claim from a source to a record: the only way facts gain evidence in the app."""
    spec = kind_of(kind)
    subject = spec.get(_user(request), pk)
    form = ClaimForm(request.POST or None, user=_user(request))
    if request.method == "POST" and form.is_valid():
        claim = form.save(commit=False)
        claim.content_type = ContentType.objects.get_for_model(spec.model)
        claim.object_id = subject.pk
        with transaction.atomic():
            claim.save()
        messages.success(request, _("Claim added."))
        return redirect("documentation:detail", kind=spec.slug, pk=subject.pk)
    return render(
        request,
        "documentation/claim_form.html",
        {"kind": spec, "record": subject, "form": form, **_creations(form, request)},
    )


@requires(Capability.VIEW_RECORDS)
def search(request: HttpRequest) -> HttpResponse:
    """One query across every kind, with facets; only what the reader may open is found or
    counted (searching.run)."""
    user = _user(request)
    query = searching.parse(request.GET)
    results = searching.run(query, user)
    if not query.empty:
        # The length and counts, never the words: a search can name a person.
        record(
            Action.SEARCH,
            target_type="all",
            detail={
                "length": len(query.text),
                "filters": sorted(query.filters),
                "hits": results.total,
            },
        )
    return render(
        request,
        "documentation/search.html",
        {
            "q": query.text,
            "results": results,
            "save_query": request.GET.urlencode(),
            "may_search_names": user.can(Capability.READ_VAULT),
            "purpose": PurposeForm(),
        },
    )


@requires(Capability.EDIT_RECORDS)
def testimony_coding(request: HttpRequest, pk: int) -> HttpResponse:
    testimony = kind_of("testimonies").get(_user(request), pk)
    user = _user(request)

    def page_forms(on: Testimony, data: Any = None, initial: Any = None) -> list[Any]:
        # One form, in a list as the edit token wants them. The journey has its own page
        # (journeys:edit), one event at a time.
        initial = initial or {}
        return [CodingForm(data, testimony=on, prefix="coding", initial=initial.get("coding"))]

    (coding,) = page_forms(testimony, request.POST or None)
    revision = RevisionForm(request.POST or None, user=user, editing=True)
    if request.method != "POST":
        _audit_opening(testimony, "coding")
    conflict = None
    if request.method == "POST" and all([coding.is_valid(), revision.is_valid()]):
        with transaction.atomic(), revising(**revision.why()):
            current = cast(Testimony, concurrency.locked(testimony))
            conflict = concurrency.check(
                request.POST, testimony, [coding], page_forms(current), user
            )
            if conflict is None:
                coding.save(testimony)
        if conflict is None:
            messages.success(request, _("Coding saved."))
            return redirect("documentation:detail", kind="testimonies", pk=testimony.pk)
        mine = {"coding": conflict.initial_for(coding)}
        testimony = current
        (coding,) = page_forms(current, initial=mine)
    return render(
        request,
        "documentation/testimony_coding.html",
        {
            "testimony": testimony,
            "coding": coding,
            "revision": revision,
            "conflict": conflict,
            "panels": panels.coding_panels(testimony, user),
            "edit_token": concurrency.page_token(
                request,
                conflict,
                lambda: concurrency.token_for(testimony, page_forms(testimony), user),
            ),
        },
        status=409 if conflict else 200,
    )


@requires(Capability.VIEW_RECORDS)
def indicators(request: HttpRequest) -> HttpResponse:
    testimonies = kind_of("testimonies").visible(_user(request))
    return render(
        request, "documentation/indicators.html", {"matrix": indicator_matrix(testimonies)}
    )


@requires(Capability.IMPORT_RECORDS)
def import_upload(request: HttpRequest) -> HttpResponse:
    """The command-line importer behind a page: same checks, same messages, all or nothing."""
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = Path(upload.name).name
        if form.cleaned_data["kind"] == FTM:
            return _import_ftm(request, form, upload, name)
        with saved_upload(upload) as path:
            try:
                result = import_file(
                    path,
                    form.cleaned_data["kind"],
                    dry_run=form.cleaned_data["dry_run"],
                    limits=table_limits(),
                    origin=name,
                    user=_user(request),
                )
            except TableError as failure:
                errors = [error.format(name) for error in failure.errors]
            else:
                summary = ", ".join(f"{count} {what}" for what, count in result.created.items())
                if result.dry_run:
                    messages.info(
                        request,
                        ngettext(
                            "Checked %(rows)d row: nothing wrong, nothing written (%(summary)s).",
                            "Checked %(rows)d rows: nothing wrong, nothing written (%(summary)s).",
                            result.rows,
                        )
                        % {"rows": result.rows, "summary": summary},
                    )
                else:
                    messages.success(
                        request,
                        ngettext(
                            "Imported %(rows)d row: %(summary)s.",
                            "Imported %(rows)d rows: %(summary)s.",
                            result.rows,
                        )
                        % {"rows": result.rows, "summary": summary},
                    )
                if result.held_back:
                    messages.warning(
                        request,
                        ngettext(
                            "%(count)d row asked to be public: it was imported as internal. "
                            "Send it to review; once someone else has reviewed it, it may be "
                            "published.",
                            "%(count)d rows asked to be public: they were imported as internal. "
                            "Send them to review; once someone else has reviewed them, they may "
                            "be published.",
                            result.held_back,
                        )
                        % {"count": result.held_back},
                    )
                return redirect("documentation:import")
    return render(
        request,
        "documentation/import.html",
        {"form": form, "errors": errors, "kinds": IMPORT_KINDS},
    )


def _import_ftm(request: HttpRequest, form: ImportForm, upload: Any, name: str) -> HttpResponse:
    """The FtM import behind the page (`unseen import FILE --format ftm`), all or nothing."""
    data = form.cleaned_data
    with saved_upload(upload) as path:
        try:
            result = import_ftm(
                path,
                title=data["title"] or name,
                dataset_version=data["dataset_version"],
                access_level=data["access_level"] or AccessLevel.INTERNAL,
                dry_run=data["dry_run"],
                origin=name,
                max_entities=settings.UNSEEN_TABLE_MAX_ROWS,
            )
        except FtmErrors as failure:
            errors = [format_error(error, name) for error in failure.errors]
            return render(
                request,
                "documentation/import.html",
                {"form": form, "errors": errors, "kinds": IMPORT_KINDS},
            )
    summary = ", ".join(f"{count} {what}" for what, count in result.created.items())
    summary = summary or _("nothing new")
    if result.dry_run:
        messages.info(
            request,
            ngettext(
                "Checked %(count)d entity: nothing wrong, nothing written (%(summary)s).",
                "Checked %(count)d entities: nothing wrong, nothing written (%(summary)s).",
                result.entities,
            )
            % {"count": result.entities, "summary": summary},
        )
    else:
        messages.success(
            request,
            ngettext(
                "Imported %(count)d entity as the source “%(source)s”: %(summary)s.",
                "Imported %(count)d entities as the source “%(source)s”: %(summary)s.",
                result.entities,
            )
            % {"count": result.entities, "source": result.source_title, "summary": summary},
        )
    if result.updated:
        updated = ", ".join(f"{count} {what}" for what, count in result.updated.items())
        messages.info(request, _("Already imported, updated: %(updated)s.") % {"updated": updated})
    if result.skipped:
        left_out = "; ".join(f"{count} {why}" for why, count in result.skipped.items())
        messages.info(request, _("Left out: %(left_out)s.") % {"left_out": left_out})
    if result.held_back:
        messages.warning(
            request,
            _(
                "The records asked to be public: they were imported as internal. Send them to "
                "review; once someone else has reviewed them, they may be published."
            ),
        )
    return redirect("documentation:import")


@requires(Capability.IMPORT_RECORDS)
def import_columns(request: HttpRequest) -> HttpResponse:
    """The column reference, built from the schemas the importer checks files against."""
    return render(request, "documentation/import_columns.html", {"guide": guide()})


@requires(Capability.IMPORT_RECORDS)
def import_template(request: HttpRequest, kind: str, extension: str) -> HttpResponse:
    """An empty file with `kind`'s header row, as CSV or XLSX."""
    if kind not in IMPORT_KINDS or extension not in CONTENT_TYPES:
        raise Http404
    response = HttpResponse(template_file(kind, extension), content_type=CONTENT_TYPES[extension])
    response["Content-Disposition"] = f'attachment; filename="unseen-{kind}.{extension}"'
    return response
