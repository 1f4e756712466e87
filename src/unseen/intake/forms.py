"""What the public may send, and what moderators decide. One form checks both the page and the API."""

import datetime as dt
import re
import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from unseen.core.purposes import PURPOSE_LENGTH
from unseen.registry.forms import PurposeForm as StatedPurposeForm
from unseen.ui.fields import CountryField, DayField

from .images import CleanImage, ImageRefused, clean
from .models import CommentPage

TIMING_SALT = "unseen.intake.form-started"
DESCRIPTION_MAX = 5000
COMMENT_MAX = 3000
WORKERS_MAX = 100_000
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def started_token() -> str:
    """When the form was shown, signed; sent back with the form, never stored."""
    return signing.dumps(int(time.time()), salt=TIMING_SALT)


def seconds_since(token: str) -> float | None:
    try:
        started = signing.loads(token, salt=TIMING_SALT, max_age=2 * 86400)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return max(0.0, time.time() - float(started))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Zero or more photos; each is checked by content and re-encoded without metadata."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[CleanImage]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > settings.UNSEEN_INTAKE_MAX_PHOTOS:
            raise forms.ValidationError(
                ngettext(
                    "Send at most %(count)d photo.",
                    "Send at most %(count)d photos.",
                    settings.UNSEEN_INTAKE_MAX_PHOTOS,
                )
                % {"count": settings.UNSEEN_INTAKE_MAX_PHOTOS}
            )
        cleaned, errors = [], []
        for number, upload in enumerate(files, start=1):
            limit = settings.UNSEEN_INTAKE_MAX_UPLOAD_MB * 1024 * 1024
            if upload.size > limit:
                errors.append(
                    _("Photo %(n)d is %(size).1f MB; each photo may be at most %(limit)g MB.")
                    % {
                        "n": number,
                        "size": upload.size / 1024 / 1024,
                        "limit": settings.UNSEEN_INTAKE_MAX_UPLOAD_MB,
                    }
                )
                continue
            try:
                cleaned.append(clean(upload.read()))
            except ImageRefused as refused:
                errors.append(_("Photo %(n)d: %(reason)s") % {"n": number, "reason": refused})
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class Honeypot(forms.CharField):
    """A field people never see (hidden by CSS and from screen readers); robots fill it."""

    def __init__(self) -> None:
        super().__init__(
            required=False,
            max_length=200,
            label=_("Leave this field empty"),
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )


class SightingForm(forms.Form):
    description = forms.CharField(
        max_length=DESCRIPTION_MAX,
        label=_("What did you see?"),
        help_text=_("Who, what work, what you noticed. Please do not name yourself."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    place = forms.CharField(
        max_length=300,
        required=False,
        label=_("Where?"),
        help_text=_("A town, a road, a building site: as precise or as vague as you like."),
    )
    country = CountryField(required=False, max_length=80, label=_("Country"))
    latitude = forms.FloatField(
        required=False, min_value=-90, max_value=90, label=_("Latitude (optional pin)")
    )
    longitude = forms.FloatField(
        required=False, min_value=-180, max_value=180, label=_("Longitude (optional pin)")
    )
    observed_from = DayField(required=False, label=_("Seen on, or from"))
    observed_to = DayField(required=False, label=_("Until (if over several days)"))
    workers_low = forms.IntegerField(
        required=False, min_value=1, max_value=WORKERS_MAX, label=_("How many workers: at least")
    )
    workers_high = forms.IntegerField(
        required=False, min_value=1, max_value=WORKERS_MAX, label=_("at most")
    )
    work_kind = forms.CharField(
        max_length=200,
        required=False,
        label=_("Kind of work"),
        help_text=_("Construction, logging, a restaurant, a factory…"),
    )
    contact = forms.CharField(
        max_length=500,
        required=False,
        label=_("How could we reach you? (optional)"),
        help_text=_(
            "Only if you want us to. Kept apart from your report, seen only by the few staff "
            "allowed to, and deleted with rejected reports."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photos = PhotosField(
        label=_("Photos (optional)"),
        help_text=_(
            "JPEG, PNG or WebP. Location and camera details are removed from every photo before "
            "it is stored."
        ),
    )
    website = Honeypot()
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    # JSON names the API accepts (docs/design.md §5, `api/intake.py`); anything else is refused
    # by name.
    API_FIELDS = (
        "description",
        "place",
        "country",
        "latitude",
        "longitude",
        "observed_from",
        "observed_to",
        "workers_low",
        "workers_high",
        "work_kind",
        "contact",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if (latitude is None) != (longitude is None) and not (
            self.has_error("latitude") or self.has_error("longitude")
        ):
            self.add_error(
                "longitude" if latitude is not None else "latitude",
                _("Give both latitude and longitude for a pin, or neither."),
            )
        start, end = data.get("observed_from"), data.get("observed_to")
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        for name in ("observed_from", "observed_to"):
            value = data.get(name)
            if value is not None and value > tomorrow:
                self.add_error(name, _("This date is in the future."))
            if value is not None and value.year < 1950:
                self.add_error(name, _("This date is too long ago."))
        if start and end and start > end:
            self.add_error("observed_to", _("The end of the range comes before its start."))
        low, high = data.get("workers_low"), data.get("workers_high")
        if low is not None and high is not None and low > high:
            self.add_error("workers_high", _("The highest count is below the lowest."))
        return data


class AdditionForm(forms.Form):
    receipt = forms.CharField(
        max_length=40,
        label=_("Receipt code"),
        help_text=_("The code you were given when you sent your report, e.g. R7KQ-2M9D-XW4T."),
    )
    description = forms.CharField(
        max_length=DESCRIPTION_MAX,
        label=_("What would you like to add?"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    photos = PhotosField(label=_("More photos (optional)"))
    website = Honeypot()
    started = forms.CharField(required=False, widget=forms.HiddenInput)


class CommentForm(forms.Form):
    # A finding's comments come through the finding's own form (unseen.findings), which knows
    # whether the finding is published; this one takes the pages without topics.
    page = forms.ChoiceField(
        choices=[(v, label) for v, label in CommentPage.choices if v != CommentPage.FINDING],
        widget=forms.HiddenInput,
    )
    body = forms.CharField(
        max_length=COMMENT_MAX,
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    name = forms.CharField(max_length=80, required=False, label=_("Name to show (optional)"))
    email = forms.EmailField(
        max_length=254,
        required=False,
        label=_("E-mail (optional, never shown)"),
        help_text=_("Only if you want a reply; kept apart from your comment."),
    )
    website = Honeypot()
    started = forms.CharField(required=False, widget=forms.HiddenInput)


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        label=_("Status"),
        choices=[
            ("pending", _("Waiting")),
            ("approved", _("Approved")),
            ("rejected", _("Rejected")),
            ("spam", _("Spam")),
            ("all", _("All")),
        ],
    )
    kind = forms.ChoiceField(
        required=False,
        label=_("Kind"),
        choices=[
            ("", "—"),
            ("sighting", _("Sightings")),
            ("addition", _("Additions")),
            ("comment", _("Comments")),
        ],
    )
    min_score = forms.FloatField(
        required=False, min_value=0, max_value=1, label=_("Spam score from")
    )
    max_score = forms.FloatField(required=False, min_value=0, max_value=1, label=_("to"))
    country = CountryField(required=False, label=_("Country"))


class BulkForm(forms.Form):
    ACTIONS = [("reject", _("Reject")), ("spam", _("Reject as spam"))]
    action = forms.ChoiceField(choices=ACTIONS)
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[])

    def __init__(self, *args: Any, ids: list[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["ids"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(pk, str(pk)) for pk in ids]


GRID_CHOICES = [(10, "10 km"), (25, "25 km"), (50, "50 km"), (100, "100 km")]
DATE_PRECISION_CHOICES = [
    ("month", _("Month (e.g. November 2026)")),
    ("year", _("Year only")),
    ("day", _("Day, as reported")),
]
# A settlement or a region has no house numbers, entrances or coordinates.
NOT_COARSE = re.compile(r"\d")


class ApproveForm(forms.Form):
    """What the public will see of a report: only what the moderator writes or chooses here.

    Nothing is prefilled from the reporter's free text (their place and description may name a
    doorstep or a neighbour): the moderator reads it above the form and writes for the public.
    """

    public_place_label = forms.CharField(
        max_length=120,
        label=_("Place shown to the public"),
        help_text=_(
            "A settlement or a region, e.g. Vladivostok or Primorsky Krai. No streets, "
            "buildings or coordinates."
        ),
        error_messages={"required": _("Write the place as the public will see it.")},
    )
    public_description = forms.CharField(
        max_length=2000,
        label=_("Description shown to the public"),
        help_text=_(
            "Write it yourself from the report: what was seen, without names, addresses or "
            "anything that could point to the reporter or to anyone else."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the description the public will read.")},
    )
    work_kind = forms.CharField(
        max_length=200,
        required=False,
        label=_("Kind of work shown to the public"),
        help_text=_("As reported; edit it if it says more than the kind of work."),
    )
    observed_precision = forms.ChoiceField(
        initial="month",
        label=_("Precision of the dates shown to the public"),
        choices=DATE_PRECISION_CHOICES,
        widget=forms.RadioSelect,
    )
    grid_km = forms.TypedChoiceField(
        coerce=int,
        initial=10,
        label=_("Precision of the place on the public map"),
        help_text=_(
            "The pin is moved to the centre of a square this wide, and the public map says the "
            "place is known to within this distance."
        ),
        choices=GRID_CHOICES,
        widget=forms.RadioSelect,
    )
    publish = forms.BooleanField(
        required=False,
        initial=False,
        label=_("Publish on the public map and pages"),
        help_text=_("Left unticked, the sighting is kept for the team only."),
    )

    def __init__(
        self,
        *args: Any,
        precise_allowed: bool = False,
        new_sighting: bool = True,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        if precise_allowed:
            field = self.fields["grid_km"]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = [
                *GRID_CHOICES,
                (0, _("As reported: administrators only, never published")),
            ]
        if not new_sighting:
            # An addition to a sighting already made: only a public account of what it adds.
            for name in ("public_place_label", "work_kind", "observed_precision", "grid_km"):
                del self.fields[name]
            self.fields["public_description"].label = _("What it adds, as the public will read it")

    def clean_public_place_label(self) -> str:
        label: str = self.cleaned_data["public_place_label"].strip()
        if NOT_COARSE.search(label):
            raise forms.ValidationError(
                _("Give a settlement or a region only: no numbers, streets or coordinates.")
            )
        return label

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("publish") and data.get("grid_km") == 0:
            self.add_error(
                "grid_km",
                _(
                    "A published place is moved to a square of at least 10 km (the privacy notice "
                    "promises it). Choose a square, or do not publish."
                ),
            )
        return data


class PurposeForm(StatedPurposeForm):
    """Why a moderator opens a reporter's contact details: bounded, and no one's name (#15)."""

    purpose = forms.CharField(
        max_length=PURPOSE_LENGTH,
        label=_("Why do you need the contact details?"),
        help_text=_("Kept for good in the audit log: say why, never whom."),
    )
