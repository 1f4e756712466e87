"""The pydantic types of each record kind, made from the declarations that already check it.

A kind's *write* type is made from the fields of the form its edit page uses (`kind_form`): their
types, limits and choices. The request is checked against that type first (which is what the
OpenAPI document shows), then by the form itself, whose own rules (a low not above a high, a
designation naming one holder, a related record the caller may read) answer 400 in the same
shape. A kind's *read* type is made from its model fields, named per kind in `READ_FIELDS`: what
the API shows is chosen, never "every column" (a person's identity is in the vault, and no
vault field is ever listed here).
"""

import datetime as dt
import re
from functools import cache
from typing import Annotated, Any, Literal, cast

from django import forms
from django.db import models
from ninja import Schema
from pydantic import ConfigDict, Field, create_model

from unseen.documentation.browsing import Kind
from unseen.documentation.forms import COUNTRY_FIELDS, kind_form
from unseen.evidence.models import Claim

NO_NUL = r"^[^\x00]*$"  # Django refuses NUL characters in text
# The largest id a database keeps (a signed 64-bit integer): a larger one is refused as invalid
# (400), not passed to the database, which would fail with a server error.
MAX_ID = 2**63 - 1
PARTIAL_DATE = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"

# Fields every documented record shows besides its form's: who may read it, and its history.
RECORD_META = ("access_level", "is_synthetic", "review_state", "created_at", "updated_at")
# What a kind shows beyond its form fields and list columns.
EXTRA_READ: dict[str, tuple[str, ...]] = {
    "persons": ("pseudonym", "merged_into"),
    "organisations": ("merged_into",),
    "public-figures": ("merged_into",),
    "sites": ("merged_into",),
    "testimonies": ("source",),
    "claims": ("created_at",),
}
# Never shown, whatever a form or a list column says.
NEVER_READ = frozenset({"source_record_id"})


class Strict(Schema):
    """Unknown fields are refused by name, not ignored: a misspelt field must not vanish."""

    model_config = ConfigDict(extra="forbid")


class Revision(Strict):
    """Why a record changes, kept with the revision the change makes (required on updates)."""

    reason: Annotated[str, Field(min_length=1, max_length=1000, pattern=NO_NUL)]
    source: int | None = Field(
        None, ge=1, le=MAX_ID, description="A source that justifies the change."
    )
    claim: int | None = Field(
        None, ge=1, le=MAX_ID, description="A claim (its number) that justifies it."
    )


class Subject(Schema):
    kind: str
    id: int = Field(le=MAX_ID)


def _choices(form_field: forms.ChoiceField) -> list[Any]:
    """The values a choice field takes, as JSON gives them: numbers stay numbers (a claim's
    credibility), text stays text."""
    values: list[Any] = []
    for value, label in cast(Any, form_field.choices):
        if isinstance(label, list | tuple):  # an option group
            values.extend(inner for inner, _label in label)
        elif value not in ("", None):
            values.append(value)
    return [value if isinstance(value, int) else str(value) for value in values]


def _write_type(name: str, form_field: forms.Field, fields: dict[str, forms.Field]) -> Any:
    """The pydantic type (with its limits) of one form field."""
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        return list[Annotated[int, Field(ge=1, le=MAX_ID)]]
    if isinstance(form_field, forms.ModelChoiceField):
        return Annotated[int, Field(ge=1, le=MAX_ID, description="The related record's id.")]
    if name in COUNTRY_FIELDS:
        return Annotated[
            str,
            Field(
                max_length=100,
                pattern=NO_NUL,
                description="ISO 3166 alpha-2 code (a Korean or English name also works).",
            ),
        ]
    if isinstance(form_field, forms.DateField):
        if f"{name}_precision" in fields:
            return Annotated[
                str, Field(pattern=PARTIAL_DATE, description="A year, a month or a day.")
            ]
        return dt.date
    if isinstance(form_field, forms.ChoiceField):
        values = _choices(form_field)
        if not form_field.required:
            values.append("")  # "not known", as the page's blank choice
        return Literal[tuple(values)] if values else str
    if isinstance(form_field, forms.BooleanField):
        return bool
    limits = cast(Any, form_field)
    # Before IntegerField: Django's decimal and float fields are kinds of it.
    if isinstance(form_field, forms.DecimalField | forms.FloatField):
        return Annotated[float, Field(ge=limits.min_value, le=limits.max_value)]
    if isinstance(form_field, forms.IntegerField):
        return Annotated[int, Field(ge=limits.min_value, le=limits.max_value)]
    if isinstance(form_field, forms.CharField):
        return Annotated[str, Field(max_length=form_field.max_length, pattern=NO_NUL)]
    return str


def _model_name(kind: Kind, suffix: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[-_]", kind.slug)) + suffix


@cache
def write_fields(kind: Kind, *, new: bool = True) -> dict[str, forms.Field]:
    """The fields of `kind`'s form: of a new record's form, or (`new=False`) of an existing one's,
    without those only a new record takes (a testimony's choice of source)."""
    form_class = kind_form(kind)
    leave_out = () if new else getattr(form_class, "NEW_ONLY", ())
    return {n: f for n, f in form_class.base_fields.items() if n not in leave_out}


# A relation's form asks which kind of party each end is before showing its picker; the API reads
# it from the end that is given.
INFERRED = frozenset({"subject_type", "object_type"})


@cache
def defaults(kind: Kind) -> dict[str, Any]:
    """The model's default of each form field that has one (an access level, a flag): a body may
    leave such a field out, as the edit page starts from it."""
    columns = {field.name: field for field in kind.model._meta.concrete_fields}
    return {
        name: columns[name].get_default()
        for name in write_fields(kind)
        if name in columns and columns[name].has_default()
    }


def write_schema(kind: Kind, *, partial: bool = False, revision: bool = False) -> type[Schema]:
    """The body that creates (or, with `partial`, patches) a record of `kind`."""
    fields = write_fields(kind, new=not revision)
    # A new record may leave out what has a default; a replacement names every required field
    # (leaving out an access level must never quietly lower it to the default).
    optional = {*INFERRED, *(() if revision else defaults(kind))}
    definitions: dict[str, Any] = {}
    for name, form_field in fields.items():
        annotation = _write_type(name, form_field, fields)
        description = str(form_field.help_text or "") or None
        if (
            form_field.required
            and not partial
            and not isinstance(form_field, forms.BooleanField)
            and name not in optional
        ):
            definitions[name] = (annotation, Field(..., description=description))
        else:
            definitions[name] = (annotation | None, Field(None, description=description))
    if kind.model is Claim and not revision:
        # A claim is about one record, named when it is made (by its kind and id, as in the app's
        # URLs) and never changed, as on its page.
        definitions["subject"] = (Subject, Field(..., description="The record it is about."))
    if revision:
        definitions["revision"] = (Revision, Field(..., description=Revision.__doc__))
    suffix = ("Patch" if partial else "Update") if revision else "Create"
    return create_model(_model_name(kind, suffix), __base__=Strict, **definitions)


@cache
def read_fields(kind: Kind) -> tuple[str, ...]:
    """The model fields the API shows for `kind`, in a stable order (asked once per record shown,
    so worked out once per kind)."""
    names: list[str] = []
    model_fields = {f.name for f in kind.model._meta.get_fields()}
    for name in (*EXTRA_READ.get(kind.slug, ()), *kind.columns, *kind.form_fields, *RECORD_META):
        if name in model_fields and name not in names and name not in NEVER_READ:
            if name == "content_type":
                continue  # a claim's subject is shown as {kind, id}
            names.append(name)
    return tuple(names)


def _read_type(field: Any) -> Any:
    if field.many_to_many:
        return list[int]
    if field.is_relation:
        return int | None
    if isinstance(field, models.BooleanField):
        kind: Any = bool
    elif isinstance(field, models.IntegerField):
        kind = int
    elif isinstance(field, models.DecimalField | models.FloatField):
        kind = float
    elif isinstance(field, models.DateTimeField):
        kind = dt.datetime
    elif isinstance(field, models.DateField):
        kind = dt.date
    else:
        kind = str
    return kind | None if field.null else kind


def read_schema(kind: Kind, extra: dict[str, Any] | None = None, suffix: str = "") -> type[Schema]:
    """A record of `kind` as the API shows it; `extra` adds (annotation, default) fields."""
    definitions: dict[str, Any] = {"id": (int, ...)}
    for name in read_fields(kind):
        definitions[name] = (_read_type(kind.model._meta.get_field(name)), ...)
    if kind.model is Claim:
        definitions["subject"] = (Subject | None, ...)
    definitions.update(extra or {})
    return create_model(_model_name(kind, suffix or ""), __base__=Schema, **definitions)


def filter_fields(kind: Kind) -> list[str]:
    """The list page's filters of `kind`, which its list endpoint takes as query parameters."""
    from unseen.documentation.forms import FilterForm

    return list(FilterForm(kind=kind).fields)
