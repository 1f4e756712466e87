"""The forms of evidence files: what an upload states for all its files, a file's description,
and the reason a download of an original gives."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from unseen.accounts.models import AccessLevel, UserLike, visible_access_levels
from unseen.documentation.forms import RecordForm
from unseen.ui.fields import CountryField

from .models import EvidenceFile, Licence

FILES_FIELD = "files"
METADATA_FIELDS = [
    "title_en",
    "title_ko",
    "description_en",
    "description_ko",
    "creator",
    "credit",
    "licence",
    "capture_date",
    "capture_date_precision",
    "capture_place",
    "capture_country",
]


def _levels_for(user: UserLike) -> list[tuple[str, Any]]:
    """The levels a new file may get: never public (a file is published once reviewed and
    redacted), never one its uploader could not read."""
    levels = visible_access_levels(user)
    return [c for c in AccessLevel.choices if c[0] in levels and c[0] != AccessLevel.PUBLIC]


class UploadForm(forms.Form):
    """What an upload states for every file it carries (each can be described later)."""

    access_level = forms.ChoiceField(
        label=_("Access level of the files"),
        help_text=_(
            "Each file keeps its own level; a record never shows a file beyond its reader's."
        ),
    )
    credit = forms.CharField(label=_("Credit line"), max_length=300, required=False)
    licence = forms.ChoiceField(
        label=_("Licence"), choices=Licence.choices, initial=Licence.UNKNOWN
    )

    def __init__(self, *args: Any, user: UserLike, record: Any = None, **kwargs: Any):
        kwargs.setdefault("prefix", "upload")  # the record page has forms of its own
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["access_level"])
        field.choices = _levels_for(user)
        # A file is at least as restricted as the record it is uploaded to, by default.
        level = getattr(record, "access_level", "")
        field.initial = level if level != AccessLevel.PUBLIC else AccessLevel.INTERNAL


class FileForm(RecordForm):
    """A file's description: bilingual titles and descriptions, credit, licence, capture."""

    capture_country = CountryField(label=_("Capture country"), required=False)

    class Meta:
        model = EvidenceFile
        fields = METADATA_FIELDS
        widgets = {
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "description_ko": forms.Textarea(attrs={"rows": 3}),
        }


class AccessForm(RecordForm):
    """A file's access level alone, in the publication part of its page: the two-person rule lets
    a reviewed file become public only when nothing else changes with it."""

    class Meta:
        model = EvidenceFile
        fields = ["access_level"]

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("prefix", "access")  # the file page's description form has its own
        super().__init__(*args, **kwargs)


class DownloadForm(forms.Form):
    """Why the original is taken off the platform: kept in the file's custody report."""

    reason = forms.CharField(
        label=_("Why do you need the original?"),
        max_length=500,
        help_text=_("Kept in the file's custody report with your name and the time."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise forms.ValidationError(_("Say why you need the original."))
        return reason


class DeletionRequestForm(forms.Form):
    """Why a file should be deleted: an administrator decides, the reason stays in its custody."""

    reason = forms.CharField(
        label=_("Why should this file be deleted?"),
        max_length=500,
        error_messages={"required": _("Say why the file should be deleted.")},
        help_text=_(
            "Nothing is deleted now: an administrator carries out the request. The request and "
            "its reason stay in the file's custody report."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_reason(self) -> str:
        reason = " ".join(str(self.cleaned_data.get("reason") or "").split())
        if not reason:
            raise forms.ValidationError(_("Say why the file should be deleted."))
        return reason
