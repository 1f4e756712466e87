from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from unseen.core.estimation import mse

from .models import DEFAULT_METHODS, MAX_BOOTSTRAP

UPLOAD_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
CI_CHOICES = [
    ("profile", _("Profile likelihood (default)")),
    ("bca", _("BCa bootstrap (reruns model selection on every replicate)")),
    ("wald", _("Wald (log scale)")),
]


class EstimateForm(forms.Form):
    """What `unseen mse` takes, as a page: a capture-history file, methods, interval, seed."""

    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("Capture histories"),
        help_text=_(
            "CSV or XLSX as for `unseen mse`: one 0/1 column per list and a `count` column, or "
            "one row per person without `count`."
        ),
    )
    lists = forms.CharField(
        label=_("Lists"),
        required=False,
        help_text=_(
            "The columns that act as lists, separated by commas; leave blank to use every "
            "column but `count`."
        ),
    )
    methods = forms.MultipleChoiceField(
        label=_("Methods"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    ci = forms.ChoiceField(label=_("Interval"), choices=CI_CHOICES, initial="profile")
    level = forms.FloatField(
        label=_("Level"), min_value=0.5, max_value=0.999, initial=mse.DEFAULT_LEVEL
    )
    bootstrap = forms.IntegerField(
        label=_("Bootstrap replicates (BCa)"),
        min_value=100,
        max_value=MAX_BOOTSTRAP,
        initial=1000,
        help_text=_(
            "At most 2,000 here: the run happens while you wait, and BCa with stepwise selection "
            "takes a few seconds per thousand replicates. Use `unseen mse --bootstrap` for more."
        ),
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=2**31 - 1,
        initial=1234,
        help_text=_("The same seed gives the same numbers on a re-run."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        available = mse.available_methods()
        field = self.fields["methods"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(name, name) for name in available]
        field.initial = [name for name in DEFAULT_METHODS if name in available]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(UPLOAD_SUFFIXES):
            raise forms.ValidationError(_("Upload a .csv, .tsv or .xlsx file."))
        return upload

    def clean_lists(self) -> list[str] | None:
        text = self.cleaned_data.get("lists", "")
        names = [name.strip() for name in text.split(",") if name.strip()]
        return names or None
