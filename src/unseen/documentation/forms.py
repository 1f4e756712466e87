import datetime as dt
import re
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from unseen.accounts.models import AccessLevel, UserLike, visible_access_levels
from unseen.core.dates import PartialDate, Precision
from unseen.core.places import country_choices
from unseen.evidence.models import (
    Claim,
    Record,
    Reliability,
    Source,
    SourceKind,
    tag_text,
    visible_related,
)
from unseen.registry.models import Designation, ExternalIdentifier, Organisation, PublicFigure
from unseen.ui.fields import CountryField, DayField, PartialDateField

from . import relating
from .browsing import Kind
from .filtering import (
    exit_kinds,
    resolve_access_level,
    resolve_country,
    resolve_exit_kind,
    resolve_reliability,
    resolve_sector,
    resolve_source_kind,
    resolve_year,
    unknown_value,
)
from .importing import KINDS as IMPORT_KINDS
from .importing_ftm import is_ftm_file
from .models import OBJECT_ENDS, SUBJECT_ENDS, Finding, Indicator, Relation, Testimony
from .sectors import BY_KEY
from .suggesting import ALIASES, Pickable, creation_prefix, describe, pickable_for

COUNTRY_FIELDS = {"country", "host_country", "interview_country"}


# Coarsest first: a date typed as a year is known to the year, whatever precision was chosen.
COARSENESS = [Precision.DAY, Precision.MONTH, Precision.YEAR]


def _blank(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


def _countries() -> list[tuple[str, str]]:
    return _blank(list(country_choices(get_language() or "en")))


def _sectors() -> list[tuple[str, Any]]:
    return _blank([(key, category.label) for key, category in BY_KEY.items()])


# The year menu starts at the division of Korea; a year before it can still be typed in the address.
FIRST_MENU_YEAR = 1945


def _years() -> list[tuple[str, Any]]:
    return _blank(
        [(str(year), str(year)) for year in range(dt.date.today().year, FIRST_MENU_YEAR - 1, -1)]
    )


class MenuField(forms.ChoiceField):
    """A filter chosen from a menu, labelled in the reader's language.

    In the address it takes the code or the label in either language (`?country=러시아`), read by
    the same resolver as the search (`filtering`); a value naming nothing is an error quoting it,
    so the list says so instead of listing everything as if unfiltered.
    """

    def __init__(self, *, resolve: Callable[[str], str | None], **kwargs: Any):
        super().__init__(**kwargs)
        self.resolve = resolve

    def to_python(self, value: Any) -> str:
        text = super().to_python(value).strip()
        if not text:
            return ""
        resolved = self.resolve(text)
        if resolved is None:
            raise forms.ValidationError(unknown_value(str(self.label), text), code="unknown")
        return resolved

    def validate(self, value: Any) -> None:
        # The resolver has decided; the menu need not list the value (a year before the menu's).
        forms.Field.validate(self, value)

    def prepare_value(self, value: Any) -> Any:
        # A label typed in the address shows as its entry chosen in the menu.
        if isinstance(value, str) and value:
            return self.resolve(value) or value
        return value


class FilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("Search"))
    country = MenuField(
        required=False, choices=_countries, resolve=resolve_country, label=_("Country")
    )
    sector = MenuField(required=False, choices=_sectors, resolve=resolve_sector, label=_("Sector"))
    year = MenuField(required=False, choices=_years, resolve=resolve_year, label=_("Year"))
    source_kind = MenuField(
        required=False,
        choices=_blank(SourceKind.choices),
        resolve=resolve_source_kind,
        label=_("Source kind"),
    )
    reliability = MenuField(
        required=False,
        choices=_blank(Reliability.choices),
        resolve=resolve_reliability,
        label=_("Reliability"),
    )
    access_level = MenuField(
        required=False,
        choices=_blank(AccessLevel.choices),
        resolve=resolve_access_level,
        label=_("Access"),
    )
    # A testimony's exit event (journeys): how its journey ended.
    exit = MenuField(
        required=False,
        choices=lambda: _blank(exit_kinds()),
        resolve=resolve_exit_kind,
        label=_("How it ended"),
    )
    merged = forms.BooleanField(required=False, label=_("Include merged records"))
    # Free text, not a menu: a menu of every tag would name those used only on records the
    # reader may not read.
    tag = forms.CharField(required=False, max_length=50, label=_("Tag"))

    def __init__(self, *args: Any, kind: Kind, **kwargs: Any):
        super().__init__(*args, **kwargs)
        allowed = {"q", *kind.filters}
        if kind.model is not Claim:
            allowed.add("tag")
        if kind.sector_field:
            allowed.add("sector")
        # A filter the kind has no field for would be offered and then do nothing.
        if not kind.country_field:
            allowed.discard("country")
        if not kind.year_field:
            allowed.discard("year")
        # Asked for in the address but not a filter of this kind: said, not dropped.
        self.inapplicable = [
            str(self.fields[name].label)
            for name in self.fields
            if name not in allowed and self.data.get(name)
        ]
        for name in list(self.fields):
            if name not in allowed:
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for label in self.inapplicable:
            self.add_error(
                None,
                gettext("These records cannot be filtered by %(filter)s.")
                % {"filter": label.lower()},
            )
        return cleaned


class Picker(forms.TextInput):
    """A type-ahead picker for one related record (see ui/static/ui/picker.js).

    Without JavaScript it is a plain text box taking the record's number (the one in its page's
    address). The script turns it into a search box (an ARIA combobox) that asks the suggestions
    endpoint as the user types and keeps the number in a hidden input; where the kind can be made
    on the spot it also offers "create new", which opens the kind's dialog on the page.
    """

    template_name = "documentation/widgets/picker.html"

    def __init__(self, pickable: Pickable, *, unused_by: str = "", attrs: Any = None):
        super().__init__(attrs={"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})
        self.pickable = pickable
        self.unused_by = unused_by

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen = None
        queryset = getattr(getattr(self, "choices", None), "queryset", None)
        if value not in (None, "") and queryset is not None and str(value).isdigit():
            # The field's queryset holds only what the user may read: a number posted for
            # anything else shows as itself, never as that record's name.
            chosen = queryset.filter(pk=value).first()
        url = reverse("documentation:suggest", args=[self.pickable.slug])
        context["picker"] = {
            "url": f"{url}?unused_by={self.unused_by}" if self.unused_by else url,
            "chosen": describe(chosen) if chosen is not None else None,
            "create": creation_prefix(self.pickable) if self.pickable.creatable else "",
            "kind": self.pickable.kind.singular,
        }
        return context


class MultiPicker(Picker):
    """A picker for several records (an incident's victims): each chosen one a removable chip.

    Without JavaScript it is a text box of record numbers separated by commas.
    """

    def __init__(self, pickable: Pickable, **kwargs: Any):
        super().__init__(pickable, **kwargs)
        self.attrs.pop("inputmode")  # commas need the full keyboard

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name) or ""]
        return [part for value in values for part in re.split(r"[\s,;]+", value or "") if part]

    def format_value(self, value: Any) -> str:
        if not value:
            return ""
        if isinstance(value, str):
            return value
        return ", ".join(str(getattr(item, "pk", item)) for item in value)

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, None, attrs)
        context["widget"]["value"] = self.format_value(value)
        queryset = getattr(getattr(self, "choices", None), "queryset", None)
        numbers = [n for n in re.split(r"[\s,;]+", self.format_value(value)) if n.isdigit()]
        chosen = list(queryset.filter(pk__in=numbers)) if queryset is not None and numbers else []
        context["picker"]["multiple"] = True
        context["picker"]["chosen_all"] = [describe(record) for record in chosen]
        return context


def use_pickers(form: forms.BaseForm) -> None:
    """Give every related record of a pickable kind a picker instead of a <select>.

    Call before the field's queryset is narrowed: setting a queryset hands its choices to the
    widget, which the picker reads to show the chosen records' names.
    """
    for form_field in form.fields.values():
        if not isinstance(form_field, forms.ModelChoiceField):
            continue
        pickable = pickable_for(form_field.queryset.model)  # type: ignore[union-attr]
        if pickable is None or isinstance(form_field.widget, Picker):
            continue
        if isinstance(form_field, forms.ModelMultipleChoiceField):
            form_field.widget = MultiPicker(pickable)
        else:
            form_field.widget = Picker(pickable)
        form_field.widget.is_required = form_field.required


def pickers_creating(form: forms.BaseForm) -> list[Pickable]:
    """The kinds the form's pickers can create, once each: their dialogs go on the page."""
    found: dict[str, Pickable] = {}
    for form_field in form.fields.values():
        widget = form_field.widget
        if isinstance(widget, Picker) and widget.pickable.creatable:
            found[widget.pickable.slug] = widget.pickable
    return list(found.values())


class RecordForm(forms.ModelForm):
    """Edit form for any record kind; built per kind by `record_form`.

    Related-record fields offer only what the user may read, so posting the id of anything else
    is a form error ("not one of the available choices"). A link the user cannot see is kept as
    it is: it is neither shown nor dropped when they save.
    """

    def __init__(self, *args: Any, user: UserLike, **kwargs: Any):
        super().__init__(*args, **kwargs)
        levels = visible_access_levels(user)
        if "access_level" in self.fields:
            # Nobody may file a record where they themselves could no longer see it.
            access = cast(forms.ChoiceField, self.fields["access_level"])
            access.choices = [c for c in AccessLevel.choices if c[0] in levels]
        self.unseen_links: dict[str, Any] = {}
        use_pickers(self)
        for name, form_field in self.fields.items():
            queryset = getattr(form_field, "queryset", None)
            if queryset is not None and issubclass(queryset.model, Record):
                form_field.queryset = visible_related(queryset, user)  # type: ignore[attr-defined]
                self._keep_unseen_link(name, form_field, user)
            if name in COUNTRY_FIELDS:
                self.fields[name] = CountryField(
                    required=form_field.required,
                    label=form_field.label,
                    help_text=form_field.help_text,
                    initial=self.initial.get(name),
                )
        # Date fields whose precision is on the form too: typed as 2024, 2024-06 or a day.
        self.partial_dates = [
            name
            for name, form_field in self.fields.items()
            if isinstance(form_field, forms.DateField) and f"{name}_precision" in self.fields
        ]
        for name in self.partial_dates:
            self.fields[name] = PartialDateField(
                required=self.fields[name].required, label=self.fields[name].label
            )
            day, precision = self.initial.get(name), self.initial.get(f"{name}_precision")
            if isinstance(day, dt.date):
                self.initial[name] = str(PartialDate(day, Precision(precision or "day")))

    def _fold_precision(self, name: str, cleaned: dict[str, Any]) -> None:
        """Store a partial date as its first day, known to the coarser of typed and chosen."""
        typed = cleaned.get(name)
        if not isinstance(typed, PartialDate):
            return
        chosen = cleaned.get(f"{name}_precision") or typed.precision
        precision = max(typed.precision, Precision(chosen), key=COARSENESS.index)
        day = typed.value
        if precision is not Precision.DAY:
            day = (
                day.replace(day=1) if precision is Precision.MONTH else day.replace(month=1, day=1)
            )
        cleaned[name] = day
        cleaned[f"{name}_precision"] = precision.value

    def _keep_unseen_link(self, name: str, form_field: forms.Field, user: UserLike) -> None:
        if self.instance.pk is None or name not in (self._meta.fields or ()):
            # A form field of its own (a testimony's "existing source") links nothing yet.
            return
        current = getattr(self.instance, name)
        if isinstance(form_field, forms.ModelMultipleChoiceField):
            everything = list(current.all())
            seen = [record for record in everything if record.is_visible_to(user)]
            if len(seen) < len(everything):
                self.unseen_links[name] = [r for r in everything if not r.is_visible_to(user)]
            self.initial[name] = [record.pk for record in seen]
        elif current is not None and not current.is_visible_to(user):
            self.unseen_links[name] = current
            self.initial[name] = None

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for name in self.partial_dates:
            self._fold_precision(name, cleaned)
        for name, unseen in self.unseen_links.items():
            if name not in cleaned:
                continue
            if isinstance(unseen, list):
                cleaned[name] = [*cleaned[name], *unseen]
            elif cleaned[name] is None:
                # The field looked empty to this user; empty means "leave it", not "unlink".
                cleaned[name] = unseen
        return cleaned


def _formfield(field: "models.Field[Any, Any]", **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        kwargs["form_class"] = DayField
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


def record_form(
    kind: Kind, extra_base: type[forms.ModelForm] = RecordForm
) -> type[forms.ModelForm]:
    return forms.modelform_factory(
        kind.model, form=extra_base, fields=list(kind.form_fields), formfield_callback=_formfield
    )


class DesignationForm(RecordForm):
    """A designation names exactly one holder: the organisation or the public figure picked here."""

    HOLDERS = ("organisation", "public_figure")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        chosen = [name for name in self.HOLDERS if cleaned.get(name) is not None]
        if len(chosen) != 1 and not any(name in self.errors for name in self.HOLDERS):
            raise forms.ValidationError(
                _("Choose the one organisation or public figure this designation names."),
                code="one_holder",
            )
        return cleaned


IDENTIFIER_KEYS: dict[type[Any], str] = {
    Organisation: "organisation",
    PublicFigure: "public_figure",
}


def names_formsets(
    record: Any, data: Any = None
) -> tuple[forms.BaseInlineFormSet, forms.BaseInlineFormSet]:
    """The aliases (each with its script) and the external identifiers of an organisation or a
    public figure, as two formsets: a blank row to add one, a box to remove each."""
    model = type(record)
    alias_model, alias_key = ALIASES[model]
    aliases = forms.inlineformset_factory(
        model, alias_model, fk_name=alias_key, fields=["name", "script"], extra=1, can_delete=True
    )
    identifiers = forms.inlineformset_factory(
        model,
        ExternalIdentifier,
        fk_name=IDENTIFIER_KEYS[model],
        fields=["scheme", "value"],
        extra=1,
        can_delete=True,
    )
    return (
        aliases(data, instance=record, prefix="aliases", queryset=_ordered(alias_model)),
        identifiers(
            data, instance=record, prefix="identifiers", queryset=_ordered(ExternalIdentifier)
        ),
    )


def _ordered(model: type[models.Model]) -> models.QuerySet[Any]:
    return model._default_manager.order_by("pk")


class SourceChoice(models.TextChoices):
    NEW = "new", _("A new interview source")
    EXISTING = "existing", _("An existing source")


class TestimonyForm(RecordForm):
    """A new testimony cites its interview source: one made here, titled here, or one already
    entered (the interview's recording or transcript), which is then used, not copied."""

    source_choice = forms.ChoiceField(
        label=_("Source of this testimony"),
        choices=SourceChoice.choices,
        initial=SourceChoice.NEW,
        widget=forms.RadioSelect,
    )
    existing_source = forms.ModelChoiceField(
        label=_("Existing source"),
        queryset=Source.objects.filter(testimony__isnull=True),
        required=False,
        help_text=_("A source that is not yet the source of another testimony."),
    )
    title = forms.CharField(
        label=_("Source title"),
        max_length=500,
        required=False,
        help_text=_(
            "How this interview is cited, e.g. 'Interview T-21, Seoul, 2025-04' (no names)."
        ),
    )

    # Only a new testimony chooses its source; an existing one keeps it.
    NEW_ONLY = ("source_choice", "existing_source", "title")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in self.NEW_ONLY:
                del self.fields[name]
            return
        picker = self.fields["existing_source"].widget
        if isinstance(picker, Picker):
            # Only sources free to cite: a source is the source of one testimony at most.
            picker.unused_by = "testimony"
        self.order_fields(["source_choice", "existing_source", "title"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk:
            return cleaned
        choice = cleaned.get("source_choice")
        if choice == SourceChoice.EXISTING:
            if cleaned.get("existing_source") is None and "existing_source" not in self.errors:
                self.add_error("existing_source", _("Choose the source this testimony is from."))
        elif choice == SourceChoice.NEW and not cleaned.get("title"):
            self.add_error("title", _("Give the new interview source a title."))
        return cleaned

    def save(self, commit: bool = True) -> Testimony:
        testimony: Testimony = super().save(commit=False)
        if not testimony.pk:
            if self.cleaned_data["source_choice"] == SourceChoice.EXISTING:
                testimony.source = self.cleaned_data["existing_source"]
            else:
                testimony.source = Source.objects.create(
                    kind=SourceKind.INTERVIEW,
                    title=self.cleaned_data["title"],
                    access_level=testimony.access_level,
                    language=testimony.interview_language,
                )
        if commit:
            testimony.save()
            self.save_m2m()
        return testimony


class ClaimForm(forms.ModelForm):
    class Meta:
        model = Claim
        fields = ["source", "credibility", "field", "statement"]

    def __init__(self, *args: Any, user: UserLike, **kwargs: Any):
        super().__init__(*args, **kwargs)
        use_pickers(self)
        self.fields["source"].queryset = Source.objects.visible_to(user).order_by("-created_at")  # type: ignore[attr-defined]


class CodingForm(forms.Form):
    """The 11 ILO indicators, each present / absent / unknown with a note."""

    def __init__(self, *args: Any, testimony: Testimony, **kwargs: Any):
        super().__init__(*args, **kwargs)
        notes = dict(testimony.codings.values_list("indicator", "note"))
        for indicator, finding in testimony.indicator_profile().items():
            self.fields[f"indicator_{indicator}"] = forms.ChoiceField(
                label=Indicator(indicator).label,
                choices=Finding.choices,
                initial=finding,
                widget=forms.RadioSelect,
            )
            self.fields[f"note_{indicator}"] = forms.CharField(
                required=False,
                initial=notes.get(indicator, ""),
                label=_("Where and why"),
                widget=forms.TextInput(
                    attrs={"placeholder": _("e.g. p. 4: minder kept passports")}
                ),
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"indicator_{i}"], self[f"note_{i}"]) for i in Indicator.values]

    def save(self, testimony: Testimony) -> None:
        for indicator in Indicator.values:
            testimony.code(
                Indicator(indicator),
                Finding(self.cleaned_data[f"indicator_{indicator}"]),
                self.cleaned_data[f"note_{indicator}"],
            )


FTM = "ftm"


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV, XLSX or FollowTheMoney file"))
    kind = forms.ChoiceField(
        choices=[(kind, kind) for kind in IMPORT_KINDS]
        + [(FTM, _("FollowTheMoney entities (JSON lines)"))],
        label=_("Records in the file"),
        help_text=_("A .json, .jsonl or .ftm.json file is read as FollowTheMoney entities."),
    )
    dry_run = forms.BooleanField(required=False, label=_("Check only (write nothing)"))
    title = forms.CharField(
        required=False,
        max_length=400,
        label=_("Source title (FollowTheMoney)"),
        help_text=_("The file becomes a source under this title; by default its file name."),
    )
    dataset_version = forms.CharField(
        required=False,
        max_length=60,
        label=_("Dataset version (FollowTheMoney)"),
        help_text=_("By default the newest date the file's entities were changed or seen."),
    )
    access_level = forms.ChoiceField(
        choices=AccessLevel.choices,
        initial=AccessLevel.INTERNAL,
        required=False,
        label=_("Access level of the records (FollowTheMoney)"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload is not None:
            if is_ftm_file(upload.name):
                cleaned["kind"] = FTM
            elif cleaned.get("kind") == FTM:
                self.add_error(
                    "file",
                    _(
                        "A FollowTheMoney file is JSON lines, named .json, .jsonl or .ftm.json; "
                        "choose the kind of records for a CSV or XLSX file."
                    ),
                )
        return cleaned


class RevisionForm(forms.Form):
    """Why a record is changed, and what justifies it: kept with the revision the save makes.

    Required when editing (a reader of the history must be able to tell why a value changed),
    optional when creating, where the record's claims say where it came from.
    """

    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    justifying_source = forms.ModelChoiceField(
        label=_("Source that justifies it"), queryset=Source.objects.all(), required=False
    )
    justifying_claim = forms.IntegerField(
        label=_("Claim that justifies it (number)"), required=False, min_value=1
    )

    def __init__(self, *args: Any, user: UserLike, editing: bool, **kwargs: Any):
        kwargs.setdefault("prefix", "revision")
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["reason"].required = editing
        use_pickers(self)
        source = cast(forms.ModelChoiceField, self.fields["justifying_source"])
        source.queryset = Source.objects.visible_to(user).order_by("-created_at")

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data.get("reason") or "").strip()
        if self.fields["reason"].required and not reason:
            raise forms.ValidationError(_("Say why you make this change."))
        return reason

    def clean_justifying_claim(self) -> Claim | None:
        number = self.cleaned_data.get("justifying_claim")
        if number is None:
            return None
        # A claim the editor may not read is refused as if it did not exist.
        claim = Claim.objects.visible_to(self.user).filter(pk=number).first()
        if claim is None:
            raise forms.ValidationError(_("There is no claim with this number."))
        return claim

    def why(self) -> dict[str, Any]:
        """Keyword arguments for `revisions.revising`."""
        return {
            "reason": self.cleaned_data["reason"],
            "source": self.cleaned_data.get("justifying_source"),
            "claim": self.cleaned_data.get("justifying_claim"),
        }


class BulkForm(forms.Form):
    """A bulk action on a list's selection: which action, its value, and (to confirm) why."""

    ACCESS_LEVEL = "access_level"
    TAG = "tag"

    BUILT_IN = [(ACCESS_LEVEL, _("Change access level")), (TAG, _("Add a tag"))]

    action = forms.ChoiceField(label=_("Action"), choices=BUILT_IN)
    level = forms.ChoiceField(label=_("New access level"), choices=AccessLevel.choices)
    tag = forms.CharField(label=_("Tag"), max_length=50, required=False)
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, user: UserLike, **kwargs: Any):
        # Registered by apps above this one (bulk_editing imports this module: import here).
        from .bulk_editing import registered

        super().__init__(*args, **kwargs)
        chosen = self.data.get("action")
        # Nobody files a record where they themselves could no longer read it.
        levels = visible_access_levels(user)
        level = cast(forms.ChoiceField, self.fields["level"])
        level.choices = [(value, label) for value, label in AccessLevel.choices if value in levels]
        level.required = chosen in (None, self.ACCESS_LEVEL)
        action = cast(forms.ChoiceField, self.fields["action"])
        action.choices = [*self.BUILT_IN, *((a.name, a.label) for a in registered())]
        self.extra_names: list[str] = []
        for extra in registered():
            if extra.field and extra.make_field is not None and extra.field not in self.fields:
                made = extra.make_field(user)
                # Only the chosen action's value is required.
                made.required = chosen == extra.name
                self.fields[extra.field] = made
                self.extra_names.append(extra.field)

    def extra_fields(self) -> list[forms.BoundField]:
        """The value fields of registered actions, for the list's form."""
        return [self[name] for name in self.extra_names]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == self.TAG and not tag_text(cleaned.get("tag") or ""):
            self.add_error("tag", _("Write the tag to add."))
        return cleaned

    def reason_given(self) -> str:
        """The reason, required to confirm; an error on the form if missing."""
        reason = str(self.cleaned_data.get("reason") or "").strip()
        if not reason:
            self.add_error("reason", _("Say why you make this change."))
        return reason


class RelationForm(RecordForm):
    """A relation: its kind, then each end as a kind of party and a picker for it.

    The model keeps each end in one of several foreign keys (an organisation, a public figure, a
    person or a site); the form asks which kind of party first and shows that kind's picker (the
    script hides the others; without it every picker shows and only the chosen kind's is read).
    The rules of which kind takes which ends, shares and dates are `Relation.clean`'s: its errors
    come back on the picker the editor used.
    """

    subject_type = forms.ChoiceField(label=_("Kind of party"), choices=relating.SUBJECT_KINDS)
    object_type = forms.ChoiceField(label=_("Kind of party"), choices=relating.OBJECT_KINDS)

    GROUPS = (
        (_("Relation"), ("kind",)),
        (_("From (subject)"), ("subject_type", *SUBJECT_ENDS)),
        (_("To (object)"), ("object_type", *OBJECT_ENDS)),
        (_("Dates"), ("start", "start_precision", "end", "end_precision")),
        (_("Details"), ("share_percent", "role", "description", "access_level")),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for end, fields in (("subject", relating.SUBJECT_FIELD), ("object", relating.OBJECT_FIELD)):
            chosen = relating.end_kind(self.instance, end) if self.instance.pk else ""
            self.fields[f"{end}_type"].initial = (
                self.initial.get(f"{end}_type") or chosen or relating.PartyKind.ORGANISATION
            )
            for kind, name in fields.items():
                picker = self.fields[name]
                # The party kind says what it is: "Organisation" under "From (subject)".
                picker.label = relating.PartyKind(kind).label
                picker.required = False
                picker.widget.is_required = False
        self.fields["kind"].widget.attrs["data-relation-kind"] = ""
        self.fields["description"].widget = forms.Textarea(attrs={"rows": 3})

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields under their headings, for the relation form's template."""
        return [
            (str(legend), [self[name] for name in names if name in self.fields])
            for legend, names in self.GROUPS
        ]

    def _chosen_kind(self, end: str) -> str:
        """The kind of party chosen at `end`, as posted (the pickers are read by it)."""
        posted = str(self.data.get(self.add_prefix(f"{end}_type")) or "") if self.is_bound else ""
        fields = relating.SUBJECT_FIELD if end == "subject" else relating.OBJECT_FIELD
        return posted if posted in fields else relating.PartyKind.ORGANISATION

    def chosen_end(self, end: str) -> str:
        """The foreign key the chosen kind of party fills at `end`."""
        fields = relating.SUBJECT_FIELD if end == "subject" else relating.OBJECT_FIELD
        return fields[self._chosen_kind(end)]

    def full_clean(self) -> None:
        if self.is_bound:
            # Only the chosen kind's picker counts: another may still hold a choice made before
            # the kind of party was changed, even one that no longer reads as a record.
            data = cast(Any, self.data).copy()  # a QueryDict from a request
            for end, ends in (("subject", SUBJECT_ENDS), ("object", OBJECT_ENDS)):
                chosen = self.chosen_end(end)
                for name in ends:
                    if name != chosen:
                        data[self.add_prefix(name)] = ""
            self.data = data
        super().full_clean()

    def add_error(self, field: str | None, error: Any) -> None:
        # The model names the first foreign key of an end when none is set ("choose exactly
        # one"); the editor chose a kind of party, whose picker is the one on screen.
        if (
            field is None
            and isinstance(error, forms.ValidationError)
            and hasattr(error, "error_dict")
        ):
            error = forms.ValidationError(self._on_chosen_pickers(error.error_dict))
        super().add_error(field, error)

    def _on_chosen_pickers(self, errors: dict[str, list[Any]]) -> dict[str, list[Any]]:
        chosen = {"subject": self.chosen_end("subject"), "object": self.chosen_end("object")}
        placed: dict[str, list[Any]] = {}
        for name, found in errors.items():
            end = "subject" if name in SUBJECT_ENDS else "object" if name in OBJECT_ENDS else ""
            target = chosen[end] if end else name
            texts = {str(message) for message in placed.get(target, [])}
            placed.setdefault(target, []).extend(m for m in found if str(m) not in texts)
        return placed


# Kinds whose form checks more than its fields one by one.
FORM_BASES: dict[type[Any], type[RecordForm]] = {
    Testimony: TestimonyForm,
    Designation: DesignationForm,
    Relation: RelationForm,
}


def kind_form(kind: Kind) -> type[RecordForm]:
    """The form that checks a record of `kind`, on its edit page and in the API alike."""
    return cast(type[RecordForm], record_form(kind, FORM_BASES.get(kind.model, RecordForm)))
