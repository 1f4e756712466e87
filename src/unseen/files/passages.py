"""Passages: where in a file an ILO indicator was found, cited from a testimony's coding.

A passage is a file attached to the testimony, a page (a document) or a time range (a
recording), and a note. It hangs on the testimony's coding of the indicator (`IndicatorCoding`;
citing a passage for an indicator not yet coded codes it "unknown", leaving the finding to the
coder). The coding page and the testimony's page show them beside the coding, each linking to
the file page at that page or time; a reader sees only passages of files they may open.

Documentation cannot import this app: the coding page's part is registered with
`documentation.panels.register_coding`, the testimony page's with `documentation.panels.register`.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from unseen.accounts.models import UserLike
from unseen.core.media import timecodes
from unseen.documentation.browsing import Kind
from unseen.documentation.models import Finding, Indicator, IndicatorCoding, Testimony

from . import access, reading
from .models import Attachment, EvidenceFile, Passage


@dataclass(frozen=True)
class Cited:
    """A passage as a page shows it: where, and the link to the file page there."""

    passage: Passage

    @property
    def where(self) -> str:
        passage = self.passage
        if passage.page is not None:
            return str(_("p. %(page)s") % {"page": passage.page})
        if passage.start_seconds is not None:
            start = timecodes.clock(passage.start_seconds)
            if passage.end_seconds is not None and passage.end_seconds > passage.start_seconds:
                return f"{start} – {timecodes.clock(passage.end_seconds)}"
            return start
        return ""

    @property
    def url(self) -> str:
        passage = self.passage
        base = reverse("files:detail", args=[passage.file_id])
        anchor = reading.anchor_for(passage.file, passage.page, passage.start_seconds)
        return f"{base}#{anchor}" if anchor else base

    @property
    def indicator(self) -> str:
        return str(self.passage.coding.get_indicator_display())


def files_of_testimony(testimony: Testimony, user: UserLike) -> list[EvidenceFile]:
    """The files attached to `testimony` that `user` may open."""
    readable = access.visible_files(user).values("pk")
    return list(access.files_of(testimony, user).filter(pk__in=readable))


def cited(testimony: Testimony, user: UserLike) -> list[Cited]:
    """The passages cited in `testimony`'s coding, of files `user` may open, by indicator."""
    readable = access.visible_files(user).values("pk")
    passages = (
        Passage.objects.filter(coding__testimony=testimony, file__in=readable)
        .select_related("coding", "file")
        .order_by("coding__indicator", "file", "page", "start_seconds", "pk")
    )
    return [Cited(passage) for passage in passages]


class PassageForm(forms.Form):
    """Cite a passage: an indicator, a file of the testimony, a page or a time range, a note."""

    indicator = forms.ChoiceField(label=_("Indicator"), choices=Indicator.choices)
    file = forms.ModelChoiceField(label=_("File"), queryset=EvidenceFile.objects.none())
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1)
    start = forms.CharField(
        label=_("From (mm:ss)"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"placeholder": "01:05", "inputmode": "numeric"}),
    )
    end = forms.CharField(
        label=_("To (mm:ss)"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"placeholder": "01:40", "inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, testimony: Testimony, user: UserLike, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "passage")
        super().__init__(*args, **kwargs)
        files = files_of_testimony(testimony, user)
        field = self.fields["file"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = EvidenceFile.objects.filter(pk__in=[f.pk for f in files])

    def _seconds(self, name: str) -> float | None:
        value = self.cleaned_data.get(name, "")
        if not value:
            return None
        try:
            return timecodes.parse_clock(value)
        except ValueError:
            self.add_error(name, _("Write a time as mm:ss or h:mm:ss, e.g. 01:05."))
            return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = self._seconds("start"), self._seconds("end")
        if self.errors:
            return data
        file = data.get("file")
        page = data.get("page")
        if page is not None and start is not None:
            raise forms.ValidationError(_("Give a page or a time range, not both."))
        if page is None and start is None:
            raise forms.ValidationError(
                _("Say where in the file: a page of a document, or a time in a recording.")
            )
        if end is not None and start is None:
            self.add_error("start", _("Give the time the passage starts."))
        if end is not None and start is not None and end < start:
            self.add_error("end", _("The passage cannot end before it starts."))
        if file is not None and start is not None and not reading.is_recording(file):
            self.add_error("start", _("Only a recording has times; give a page for a document."))
        if file is not None and page is not None and reading.is_recording(file):
            self.add_error("page", _("A recording has no pages; give a time range."))
        data["start_seconds"], data["end_seconds"] = start, end
        return data


def cite(
    testimony: Testimony,
    *,
    indicator: str,
    file: EvidenceFile,
    page: int | None = None,
    start_seconds: float | None = None,
    end_seconds: float | None = None,
    note: str = "",
) -> Passage:
    """Cite a passage of `file` as where `indicator` was found in `testimony`.

    Raises:
        ValueError: the file is not attached to the testimony.
    """
    attached = Attachment.objects.filter(
        file=file, content_type=ContentType.objects.get_for_model(Testimony), object_id=testimony.pk
    )
    if not attached.exists():
        raise ValueError("the file is not attached to this testimony")
    with transaction.atomic():
        coding, _created = IndicatorCoding.objects.get_or_create(
            testimony=testimony, indicator=indicator, defaults={"finding": Finding.UNKNOWN}
        )
        passage = Passage(
            coding=coding,
            file=file,
            page=page,
            start_seconds=start_seconds,
            end_seconds=end_seconds,
            note=note,
        )
        passage.save()
    return passage


def coding_context(testimony: Testimony, user: UserLike) -> dict[str, Any]:
    """The coding page's part (documentation.panels.register_coding)."""
    may_cite = access.may_write(user)
    return {
        "testimony": testimony,
        "cited": cited(testimony, user),
        "form": PassageForm(testimony=testimony, user=user) if may_cite else None,
        "has_files": bool(files_of_testimony(testimony, user)),
    }


def record_context(kind: Kind, record: Any, user: UserLike) -> dict[str, Any]:
    """The testimony page's part (documentation.panels.register): passages beside the coding."""
    if not isinstance(record, Testimony):
        return {"shown": False}
    return {"shown": True, "testimony": record, "cited": cited(record, user)}
