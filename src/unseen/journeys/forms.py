"""The journey editor's forms: one event of one stage, an indicator at it, and the stage to add.

An event's form shows only the fields of its stage (`FIELDS_BY_STAGE`) beside the common ones
(dates, place, organisation, notes). A posted value for a field outside the stage is refused,
naming it, rather than dropped: a hand-made or stale page must not seem to have saved it.
"""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from unseen.accounts.models import UserLike
from unseen.documentation.forms import RecordForm, _formfield
from unseen.documentation.models import Indicator

from .models import FIELDS_BY_STAGE, STAGE_FIELDS, JourneyEvent, JourneyIndicator, Stage

# Every stage has these, in this order; its own fields come after the organisation.
WHEN = ("date_start", "date_start_precision", "date_end", "date_end_precision")
WHERE = ("country", "place", "place_precision", "site", "latitude", "longitude")
WHO = ("organisation", "organisation_role")
# The stage's own fields in a stable order (FIELDS_BY_STAGE holds sets).
STAGE_ORDER = tuple(STAGE_FIELDS)
ALL_FIELDS = (*WHEN, *WHERE, *WHO, *STAGE_ORDER, "notes")


def label_of(name: str) -> str:
    """A JourneyEvent field's label in the active language."""
    return str(getattr(JourneyEvent._meta.get_field(name), "verbose_name", name))


def fields_of(stage: str) -> list[str]:
    """The fields an event of `stage` shows, in the order of the form."""
    own = FIELDS_BY_STAGE.get(stage, frozenset())
    return [name for name in ALL_FIELDS if name not in STAGE_FIELDS or name in own]


class EventForm(RecordForm):
    """One event: the common fields and those of its stage. Built by `event_form`."""

    GROUPS = (
        (_("When"), WHEN),
        (_("Where"), WHERE),
        (_("Who"), WHO),
        (_("What happened"), (*STAGE_ORDER, "notes")),
    )

    def __init__(self, *args: Any, user: UserLike, stage: str, **kwargs: Any):
        super().__init__(*args, user=user, **kwargs)
        self.stage = stage
        self.instance.stage = stage
        self.fields["notes"].widget = forms.Textarea(attrs={"rows": 2})
        # Plainer than the model's "From"/"Until", which also read as a range's bounds.
        for name, label in (
            ("date_start", _("Start date")),
            ("date_start_precision", _("Start: precision")),
            ("date_end", _("End date")),
            ("date_end_precision", _("End: precision")),
        ):
            self.fields[name].label = label
        if "route" in self.fields:
            self.fields["route"].widget = forms.Textarea(attrs={"rows": 2})
        if "deployment" in self.fields:
            # By number, as a picker without script would: deployments are too many for a menu.
            self.fields["deployment"].widget = forms.TextInput(
                attrs={"inputmode": "numeric", "size": 8}
            )
            self.fields["deployment"].help_text = _(
                "Optional: the deployment record's number, as in its page's address."
            )
        self.fields["country"].help_text = ""
        self.fields["longitude"].help_text = _(
            "Latitude and longitude: optional, and only as precise as the testimony allows."
        )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields under their headings, for the template; empty groups left out."""
        shown = [
            (str(legend), [self[name] for name in names if name in self.fields])
            for legend, names in self.GROUPS
        ]
        return [(legend, fields) for legend, fields in shown if fields]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.is_bound:
            misplaced = [
                name
                for name in STAGE_FIELDS
                if name not in self.fields and str(self.data.get(self.add_prefix(name)) or "")
            ]
            for name in misplaced:
                label = label_of(name)
                self.add_error(
                    None,
                    _("“%(field)s” is not part of the stage “%(stage)s”.")
                    % {"field": label, "stage": Stage(self.stage).label},
                )
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        return cleaned


def event_form(stage: str) -> type[EventForm]:
    """The form class for an event of `stage`."""
    return forms.modelform_factory(  # type: ignore[return-value]
        JourneyEvent, form=EventForm, fields=fields_of(stage), formfield_callback=_formfield
    )


def make_event_form(
    stage: str, user: UserLike, data: Any = None, instance: JourneyEvent | None = None
) -> EventForm:
    prefix = f"event-{instance.pk}" if instance is not None and instance.pk else "new"
    return event_form(stage)(data, instance=instance, user=user, stage=stage, prefix=prefix)


class StageForm(forms.Form):
    """Which stage to add: asked first, so the event's form shows only that stage's fields."""

    # `add`, as the page's address says it: /journey/?add=transit shows a transit step's form.
    add = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)


class IndicatorForm(forms.ModelForm):
    """An ILO indicator found at an event, with the passage that says so (required)."""

    class Meta:
        model = JourneyIndicator
        fields = ["indicator", "passage"]
        widgets = {"passage": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, event: JourneyEvent, **kwargs: Any):
        kwargs.setdefault("prefix", f"indicator-{event.pk}")
        super().__init__(*args, **kwargs)
        self.instance.event = event
        self.fields["passage"].error_messages["required"] = _(
            "Cite the passage: an indicator without it is an assertion, not a coding."
        )
        cast(forms.ChoiceField, self.fields["indicator"]).choices = [("", "—"), *Indicator.choices]

    def clean_passage(self) -> str:
        passage = str(self.cleaned_data.get("passage") or "").strip()
        if not passage:
            raise forms.ValidationError(self.fields["passage"].error_messages["required"])
        return passage

    def clean_indicator(self) -> str:
        indicator = str(self.cleaned_data.get("indicator") or "")
        if JourneyIndicator.objects.filter(event=self.instance.event, indicator=indicator).exists():
            raise forms.ValidationError(_("This indicator is already noted at this stage."))
        return indicator
