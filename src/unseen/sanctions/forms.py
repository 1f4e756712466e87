from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from unseen.accounts.models import AccessLevel
from unseen.registry.models import IdentifierScheme

from .models import DEFAULT_THRESHOLD, RecordKind


class LoadForm(forms.Form):
    """One version of a list, as `unseen lists load` takes it."""

    file = forms.FileField(
        label=_("FollowTheMoney JSON lines file"),
        help_text=_("One entity per line, e.g. OpenSanctions' entities.ftm.json."),
    )
    code = forms.SlugField(
        label=_("List code"),
        max_length=60,
        help_text=_("The same for every version of the list, e.g. un_sc_sanctions."),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    authority = forms.CharField(
        label=_("Authority"),
        max_length=200,
        help_text=_("Who publishes the list, e.g. UN Security Council 1718 Committee."),
    )
    version = forms.CharField(label=_("Version"), max_length=60)
    published_on = forms.DateField(
        label=_("Published on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    url = forms.URLField(label=_("URL"), required=False, max_length=500, assume_scheme="https")
    scheme = forms.ChoiceField(
        label=_("Identifier scheme"),
        choices=[("", _("From the list's code")), *IdentifierScheme.choices],
        required=False,
        help_text=_("Which kind of identifier an accepted match adds to our record."),
    )
    access_level = forms.ChoiceField(
        label=_("Access level of the list's source"),
        choices=[
            (AccessLevel.INTERNAL, AccessLevel.INTERNAL.label),
            (AccessLevel.CONFIDENTIAL, AccessLevel.CONFIDENTIAL.label),
        ],
        initial=AccessLevel.INTERNAL,
        help_text=_("A reviewer other than you may publish it later."),
    )


class StartForm(forms.Form):
    threshold = forms.FloatField(
        label=_("Threshold"),
        min_value=0.05,
        max_value=0.99,
        initial=DEFAULT_THRESHOLD,
        help_text=_("Pairs scoring at least this are proposed for review."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Compare"),
        choices=RecordKind.choices,
        initial=list(RecordKind.values),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["threshold"].widget.attrs["step"] = "0.05"
