"""`/api/v1/<kind>/`: every documented record kind, read and written as its pages do.

One declaration per kind (`documentation.browsing.KINDS`) drives the pages and these endpoints
alike: the same visible queryset (anything beyond the caller's level is a 404, never a 403), the
same filters (`listing.listed`), the same form for every write (`kind_form`), the same capability.
Each write is one transaction with a revision and an audit entry (the models' save signals), and
an update must name the version it changes (`If-Match` with the record's ETag): a stale one is
412 and changes nothing.
"""

import base64
import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Body, Query, Router, Schema
from pydantic import Field, create_model

from unseen.accounts.models import User, UserLike
from unseen.accounts.roles import Capability, Scope
from unseen.audit.log import record as audit
from unseen.audit.log import record_many
from unseen.audit.models import Action
from unseen.audit.signals import AUDITED_BY_WRITER
from unseen.documentation import concurrency
from unseen.documentation.browsing import KINDS, Kind, slug_for
from unseen.documentation.forms import RevisionForm, kind_form
from unseen.documentation.importing import ANALYZE_AFTER_ROWS, refresh_planner_statistics
from unseen.documentation.indexing import INDEXED_BY_WRITER, index_many
from unseen.documentation.listing import listed
from unseen.documentation.models import Relation, Testimony
from unseen.documentation.relating import OBJECT_FIELD, SUBJECT_FIELD
from unseen.evidence.models import Claim, Record
from unseen.evidence.revisions import record_created, revising
from unseen.registry.models import Person

from . import shapes
from .service import (
    Error,
    ValidationErrors,
    error_response,
    errors_response,
    operation,
)

router = Router()

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_BULK = 10_000
# Reading a witness's record through the API is audited as opening its page is (kind, id, who).
OPENINGS_AUDITED = (Person, Testimony)
ERRORS = {401: Error, 403: Error, 404: Error}

# Fields a kind adds to its single-record answer (a testimony's coding and journey): name ->
# (annotation, reader(record, user)). Registered by the modules that know them.
DETAIL_EXTRAS: dict[str, dict[str, tuple[Any, Any]]] = {}


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the operation's guard let only signed-in users through
    return user


# --- reading -------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def represent(record: Any, kind: Kind, user: UserLike) -> dict[str, Any]:
    """`record` as the API shows it to `user`: a related record they may not read is null (or
    missing from a list), exactly as on its page."""
    shown: dict[str, Any] = {"id": record.pk}
    for name in shapes.read_fields(kind):
        field = kind.model._meta.get_field(name)
        if field.many_to_many:
            shown[name] = [
                related.pk
                for related in getattr(record, name).all()
                if not isinstance(related, Record) or related.is_visible_to(user)
            ]
        elif field.is_relation:
            related = getattr(record, name)
            visible = (
                related
                if related is None or not isinstance(related, Record)
                else (related if related.is_visible_to(user) else None)
            )
            shown[name] = visible.pk if visible is not None else None
        else:
            shown[name] = _plain(getattr(record, name))
    if isinstance(record, Claim):
        subject = record.subject
        slug = slug_for(type(subject)) if subject is not None else None
        readable = subject is not None and slug and subject.is_visible_to(user)
        shown["subject"] = {"kind": slug, "id": subject.pk} if readable and subject else None
    return shown


def _encoded(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def etag_of(shown: dict[str, Any]) -> str:
    """A strong validator of what the caller sees: any change they could see changes it."""
    text = json.dumps(shown, sort_keys=True, default=_encoded, ensure_ascii=False)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def _related_names(kind: Kind) -> tuple[list[str], list[str]]:
    single, many = [], []
    for name in shapes.read_fields(kind):
        field = kind.model._meta.get_field(name)
        if field.many_to_many:
            many.append(name)
        elif field.is_relation:
            single.append(name)
    return single, many


def _cursor(last: int) -> str:
    return base64.urlsafe_b64encode(f"id<{last}".encode()).decode().rstrip("=")


def _after(cursor: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return int(text.removeprefix("id<")) if text.startswith("id<") else None
    except (ValueError, UnicodeDecodeError):
        return None


def _page_url(request: HttpRequest, cursor: str) -> str:
    query = request.GET.copy()
    query["cursor"] = cursor
    return f"{request.path}?{query.urlencode()}"


def list_records(request: HttpRequest, kind: Kind, params: dict[str, Any]) -> Any:
    user = user_of(request)
    filters = {k: v for k, v in params.items() if k not in ("cursor", "limit") and v is not None}
    form, records = listed(kind, filters, user)
    if form.is_bound and not form.is_valid():
        return errors_response({k: [str(m) for m in v] for k, v in form.errors.items()})
    if filters.get("q"):
        audit(
            Action.SEARCH,
            target_type=kind.model._meta.label_lower,
            detail={"length": len(filters["q"]), "api": True},
        )
    limit = params.get("limit") or DEFAULT_LIMIT
    if params.get("cursor"):
        last = _after(params["cursor"])
        if last is None:
            return errors_response({"cursor": [_("This cursor is not one the API gave.")]})
        records = records.filter(pk__lt=last)
    single, many = _related_names(kind)
    page = list(
        records.select_related(*single).prefetch_related(*many).order_by("-pk")[: limit + 1]
    )
    more = len(page) > limit
    page = page[:limit]
    return {
        "results": [represent(record, kind, user) for record in page],
        "next": _page_url(request, _cursor(page[-1].pk)) if more and page else None,
    }


def detail(kind: Kind, record: Any, user: UserLike) -> dict[str, Any]:
    shown = represent(record, kind, user)
    for name, (_annotation, reader) in DETAIL_EXTRAS.get(kind.slug, {}).items():
        shown[name] = reader(record, user)
    return shown


def _with_etag(shown: dict[str, Any], kind: Kind, status: int = 200) -> JsonResponse:
    """`shown` (a `detail`) with its ETag: of everything in it, its DETAIL_EXTRAS too, so a
    change to a testimony's coding or journey is a new version of the testimony."""
    response = JsonResponse(
        shown,
        status=status,
        json_dumps_params={"ensure_ascii": False, "default": _encoded},
    )
    response["ETag"] = etag_of(shown)
    return response


def missing_if_match(request: HttpRequest) -> HttpResponse | None:
    """428 when the request names no version (If-Match), else None."""
    if request.headers.get("If-Match", "").strip():
        return None
    return error_response(
        "precondition_required",
        _("Send the record's ETag in If-Match: an update must name the version it changes."),
        428,
    )


def stale(request: HttpRequest, shown: dict[str, Any]) -> HttpResponse | None:
    """412 when If-Match names neither `*` nor the ETag of `shown` (a locked `detail`)."""
    named = {tag.strip() for tag in request.headers.get("If-Match", "").split(",")}
    if "*" in named or etag_of(shown) in named:
        return None
    return error_response(
        "precondition_failed",
        _("The record changed since you read it: read it again, then update."),
        412,
    )


def read_record(request: HttpRequest, kind: Kind, pk: int) -> HttpResponse:
    user = user_of(request)
    record = kind.get(user, pk)
    if isinstance(record, OPENINGS_AUDITED):
        audit(Action.VIEW, record, detail={"page": "api"})
    return _with_etag(detail(kind, record, user), kind)


# --- writing -------------------------------------------------------------------------------------


def completed(kind: Kind, values: dict[str, Any], *, new: bool) -> dict[str, Any]:
    """`values` with what the edit page would have filled in: a new record's defaults, and a
    relation's kind of party at each end, read from the end given."""
    values = dict(values)
    if new:
        for name, default in shapes.defaults(kind).items():
            values.setdefault(name, default)
    if kind.model is Relation:
        for end, fields in (("subject", SUBJECT_FIELD), ("object", OBJECT_FIELD)):
            if values.get(f"{end}_type"):
                continue
            given = [party for party, name in fields.items() if values.get(name) is not None]
            if len(given) == 1:
                values[f"{end}_type"] = given[0]
    return values


def form_data(values: dict[str, Any]) -> QueryDict:
    """A JSON body as the form data the edit page would post."""
    data = QueryDict(mutable=True)
    for name, value in values.items():
        if isinstance(value, list):
            data.setlist(name, [str(item) for item in value])
        elif value is None:
            data[name] = ""
        elif isinstance(value, bool):
            data[name] = "true" if value else ""
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


def _current_values(form: Any) -> dict[str, Any]:
    """A record's values as its edit form shows them to this user (hidden links left empty)."""
    values: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list | tuple):
            value = [getattr(item, "pk", item) for item in value]
        elif isinstance(value, models.Model):
            value = value.pk
        values[name] = value
    return values


def _form_errors(form: Any, prefix: str = "") -> dict[str, list[str]]:
    return {
        f"{prefix}{field}": [str(message) for message in messages]
        for field, messages in form.errors.items()
    }


def _revision_form(user: User, revision: dict[str, Any] | None, *, editing: bool) -> RevisionForm:
    revision = revision or {}
    return RevisionForm(
        {
            "revision-reason": revision.get("reason") or "",
            "revision-justifying_source": revision.get("source") or "",
            "revision-justifying_claim": revision.get("claim") or "",
        },
        user=user,
        editing=editing,
    )


def _revision_errors(form: RevisionForm) -> dict[str, list[str]]:
    names = {"reason": "reason", "justifying_source": "source", "justifying_claim": "claim"}
    return {
        f"revision.{names.get(field, field)}": [str(m) for m in messages]
        for field, messages in form.errors.items()
    }


def _subject(kind: Kind, values: dict[str, Any], user: User) -> tuple[Any, dict[str, list[str]]]:
    """The record a new claim is about, or the reason it cannot be (as if it did not exist)."""
    subject = values.pop("subject", None) or {}
    target = KINDS.get(str(subject.get("kind", "")))
    if target is None or target.model is Claim:
        return None, {"subject.kind": [_("Name the kind of record, as in the app's addresses.")]}
    found = target.visible(user).filter(pk=subject.get("id")).first()
    if found is None:
        return None, {"subject.id": [_("There is no such record.")]}
    return found, {}


def rebind(form: Any, data: QueryDict, instance: models.Model) -> Any:
    """`form` ready to check another new record: a bulk create checks every item with one form.

    Making a form copies each of its fields deeply (a menu of 250 countries, every related
    record's queryset); at 10,000 items that was most of the time. What belongs to one item is
    only its data, its instance and the outcome of its check, all replaced here.
    """
    form.data = data
    form.instance = instance
    form._errors = None
    form.__dict__.pop("cleaned_data", None)
    return form


def prepare_new(
    kind: Kind, values: dict[str, Any], user: User, form: Any = None
) -> tuple[Any, dict[str, list[str]]]:
    """A valid, unsaved form for a new record of `kind` (`form` rebound, if given), or the
    errors that stop it."""
    values = dict(values)
    subject = None
    if kind.model is Claim:
        subject, errors = _subject(kind, values, user)
        if errors:
            return None, errors
    data = form_data(completed(kind, values, new=True))
    if form is None:
        form = kind_form(kind)(data, user=user)
    else:
        rebind(form, data, kind.model())
    if not form.is_valid():
        return None, _form_errors(form)
    if subject is not None:
        form.instance.content_type = ContentType.objects.get_for_model(type(subject))
        form.instance.object_id = subject.pk
    return form, {}


def create_record(request: HttpRequest, kind: Kind, payload: Schema) -> HttpResponse:
    user = user_of(request)
    values = payload.model_dump(exclude_unset=True)
    form, errors = prepare_new(kind, values, user)
    if errors:
        return errors_response(errors)
    with transaction.atomic(), revising(_("Created through the API")):
        saved = form.save()
    response = _with_etag(detail(kind, saved, user), kind, status=201)
    response["Location"] = reverse(f"api:{kind.slug.replace('-', '_')}_detail", args=[saved.pk])
    return response


def update_record(
    request: HttpRequest, kind: Kind, pk: int, payload: Schema, *, partial: bool
) -> HttpResponse:
    user = user_of(request)
    record = kind.get(user, pk)  # 404 before anything else: a 412 would confirm it exists
    missing = missing_if_match(request)
    if missing is not None:
        return missing
    values = payload.model_dump(exclude_unset=True)
    revision = _revision_form(user, values.pop("revision", None), editing=True)
    form_class = kind_form(kind)
    with transaction.atomic():
        current = concurrency.locked(record)
        refusal = stale(request, detail(kind, current, user))
        if refusal is not None:
            return refusal
        if partial:
            values = {**_current_values(form_class(instance=current, user=user)), **values}
        form = form_class(
            form_data(completed(kind, values, new=False)), instance=current, user=user
        )
        valid = [form.is_valid(), revision.is_valid()]
        if not all(valid):
            return errors_response({**_form_errors(form), **_revision_errors(revision)})
        with revising(**revision.why()):
            saved = form.save()
    return _with_etag(detail(kind, saved, user), kind)


def _without_row_constraints(kind: Kind) -> type[Any]:
    """`kind`'s form without the database constraints checked row by row (a query each, most of
    a bulk create's time): the database enforces them on insert, and a refusal is traced back to
    its items by the full form (`bulk_create`)."""
    base = kind_form(kind)

    def _post_clean(self: Any) -> None:
        # The model's own checks and clean() still run; only its database constraints wait.
        self.instance.validate_constraints = lambda exclude=None: None
        try:
            cast(Any, base)._post_clean(self)
        finally:
            del self.instance.validate_constraints

    return type(
        f"{base.__name__}InBulk",
        (base,),
        {"validate_unique": lambda self: None, "_post_clean": _post_clean},
    )


def _written_by_batch(instance: Any) -> Any:
    # Revisions, search entries and audit entries are written for the whole batch afterwards,
    # one entry per record still, without a query per row each.
    instance.skip_history_when_saving = True
    setattr(instance, AUDITED_BY_WRITER, True)
    setattr(instance, INDEXED_BY_WRITER, True)
    return instance


@dataclass
class Checked:
    """One bulk item that passed its check: what its form would save."""

    instance: models.Model
    cleaned_data: dict[str, Any]


def _check_items(
    kind: Kind, items: list[dict[str, Any]], user: User, form: Any
) -> tuple[list[Checked], dict[str, list[str]]]:
    checked, errors = [], {}
    for index, values in enumerate(items):
        valid, item_errors = prepare_new(kind, values, user, form)
        errors.update({f"{index}.{field}": reasons for field, reasons in item_errors.items()})
        if valid is not None:
            checked.append(Checked(valid.instance, dict(valid.cleaned_data)))
    return checked, errors


def _save_checked(form: Any, item: Checked) -> models.Model:
    """Save one checked item through the form that checked it (its own save rules apply)."""
    form.instance, form.cleaned_data, form._errors = item.instance, item.cleaned_data, ErrorDict()
    instance = _written_by_batch(form.save(commit=False))
    instance.save()
    form.save_m2m()
    return instance


def bulk_create(request: HttpRequest, kind: Kind, items: list[Schema]) -> HttpResponse:
    """All or nothing: every item is checked before any is written; errors name item and field.

    Each record is saved as its form saves it (its model's own rules on save run); its revision,
    search entry and audit entry are written for the batch at the end, one per record.
    """
    user = user_of(request)
    values = [item.model_dump(exclude_unset=True) for item in items]
    form = _without_row_constraints(kind)(form_data({}), user=user)
    checked, errors = _check_items(kind, values, user, form)
    if errors:
        return errors_response(errors)
    reason = _("Created through the API (bulk)")
    try:
        with transaction.atomic(), revising(reason):
            saved = [_save_checked(form, item) for item in checked]
            record_created(kind.model, saved, reason)
            index_many(kind.model, [record.pk for record in saved])
            record_many(Action.CREATE, ((record, {"bulk": len(saved)}) for record in saved))
    except IntegrityError:
        # A constraint the row-by-row check left to the database: find the items it refuses.
        _checked, errors = _check_items(
            kind, values, user, kind_form(kind)(form_data({}), user=user)
        )
        return errors_response(
            errors or {"__all__": [_("The database refused these records; nothing was written.")]}
        )
    if len(saved) >= ANALYZE_AFTER_ROWS:
        refresh_planner_statistics()  # as after an import of as many rows
    return JsonResponse({"created": [record.pk for record in saved]}, status=201)


# --- the operations of every kind ----------------------------------------------------------------


class Page(Schema):
    next: str | None = Field(description="The next page's address, or null on the last page.")


class Created(Schema):
    created: list[int] = Field(description="The new records' ids, in the order of the items.")


# What each list filter takes, as the list page's menus and boxes read it.
FILTER_HELP = {
    "q": "Words to find in the record's text fields (parts of words too: 벌목 finds 벌목농장).",
    "country": "A country: its ISO 3166 code or its name in English or Korean.",
    "sector": "A sector of the vocabulary, by its key or its name.",
    "year": "A year: records dated in it (a deployment: whose period covers it).",
    "source_kind": "A kind of source, among the sources behind the record's claims.",
    "reliability": "A source's reliability (A to F), among the sources behind its claims.",
    "access_level": "public, internal or confidential (only levels you may read find anything).",
    "exit": "How a testimony's journey ended (its exit event).",
    "merged": "true: list records merged into another too (left out by default).",
    "tag": "A tag given to the record.",
}


def _filters_schema(kind: Kind) -> type[Schema]:
    definitions: dict[str, Any] = {}
    for name in shapes.filter_fields(kind):
        annotation: Any = bool if name == "merged" else str
        definitions[name] = (annotation | None, Field(None, description=FILTER_HELP.get(name)))
    definitions["cursor"] = (str | None, Field(None, description="From a page's `next`."))
    definitions["limit"] = (
        int | None,
        Field(None, ge=1, le=MAX_LIMIT, description=f"Records a page (default {DEFAULT_LIMIT})."),
    )
    return create_model(shapes._model_name(kind, "Filters"), __base__=Schema, **definitions)


@functools.cache
def detail_schema(kind: Kind) -> type[Schema]:
    """The type of one record of `kind` with its DETAIL_EXTRAS: one class, however many
    operations answer with it (their modules register the extras before `register_all`)."""
    extras = {
        field: (annotation, ...)
        for field, (annotation, _reader) in DETAIL_EXTRAS.get(kind.slug, {}).items()
    }
    if not extras:
        return shapes.read_schema(kind)
    return shapes.read_schema(kind, extras, suffix="Detail")


def register(kind: Kind) -> None:
    """The list, detail, create, update, patch and bulk operations of one kind."""
    name = kind.slug.replace("-", "_")
    item = shapes.read_schema(kind)
    single = detail_schema(kind)
    page = create_model(
        shapes._model_name(kind, "Page"),
        __base__=Page,
        results=(list[item], ...),  # type: ignore[valid-type]
    )
    filters = _filters_schema(kind)
    create = shapes.write_schema(kind)
    update = shapes.write_schema(kind, revision=True)
    patch = shapes.write_schema(kind, partial=True, revision=True)
    bulk = create_model(
        shapes._model_name(kind, "Bulk"),
        __base__=shapes.Strict,
        items=(list[create], Field(..., min_length=1, max_length=MAX_BULK)),  # type: ignore[valid-type]
    )
    label = kind.label
    tags = [kind.slug]
    read: dict[str, Any] = {
        "capability": Capability.VIEW_RECORDS,
        "scope": Scope.READ,
        "tags": tags,
    }
    write: dict[str, Any] = {
        "capability": Capability.EDIT_RECORDS,
        "scope": Scope.WRITE,
        "tags": tags,
    }
    invalid = {400: ValidationErrors}
    conflict = {412: Error, 428: Error}

    @operation(
        router,
        "GET",
        f"/{kind.slug}/",
        response={200: page, **invalid, **ERRORS},
        name=f"{name}_list",
        summary=f"List {label}",
        description="Newest first, with the list page's filters; follow `next` for more.",
        **read,
    )
    def list_view(request: HttpRequest, filters: Query[filters]) -> Any:  # type: ignore[valid-type]
        return list_records(request, kind, filters.model_dump())  # type: ignore[attr-defined]

    @operation(
        router,
        "GET",
        f"/{kind.slug}/{{int:id}}/",
        response={200: single, **ERRORS},
        name=f"{name}_detail",
        summary=f"One of the {label}",
        description="404 for a record beyond your access level. Its ETag is in the header.",
        **read,
    )
    def detail_view(request: HttpRequest, id: int) -> Any:
        return read_record(request, kind, id)

    @operation(
        router,
        "POST",
        f"/{kind.slug}/",
        response={201: single, **invalid, **ERRORS},
        name=f"{name}_create",
        summary=f"Create one of the {label}",
        **write,
    )
    def create_view(request: HttpRequest, payload: Body[create]) -> Any:  # type: ignore[valid-type]
        return create_record(request, kind, payload)

    @operation(
        router,
        "PUT",
        f"/{kind.slug}/{{int:id}}/",
        response={200: single, **invalid, **ERRORS, **conflict},
        name=f"{name}_update",
        summary=f"Replace one of the {label}",
        description="Needs `If-Match` with the ETag you read; fields left out are emptied.",
        **write,
    )
    def update_view(request: HttpRequest, id: int, payload: Body[update]) -> Any:  # type: ignore[valid-type]
        return update_record(request, kind, id, payload, partial=False)

    @operation(
        router,
        "PATCH",
        f"/{kind.slug}/{{int:id}}/",
        response={200: single, **invalid, **ERRORS, **conflict},
        name=f"{name}_patch",
        summary=f"Change some fields of one of the {label}",
        description="Needs `If-Match` with the ETag you read; fields left out stay as they are.",
        **write,
    )
    def patch_view(request: HttpRequest, id: int, payload: Body[patch]) -> Any:  # type: ignore[valid-type]
        return update_record(request, kind, id, payload, partial=True)

    @operation(
        router,
        "POST",
        f"/{kind.slug}/bulk/",
        response={201: Created, **invalid, **ERRORS},
        name=f"{name}_bulk",
        summary=f"Create many {label} at once",
        description=(
            "All or nothing: if any item is invalid nothing is written, and the errors name each "
            "item by its position and field (`3.workers_low`)."
        ),
        **write,
    )
    def bulk_view(request: HttpRequest, payload: Body[bulk]) -> Any:  # type: ignore[valid-type]
        return bulk_create(request, kind, payload.items)  # type: ignore[attr-defined]


def register_all() -> None:
    for kind in KINDS.values():
        register(kind)
