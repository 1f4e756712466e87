from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from unseen.accounts.models import AccessLevel
from unseen.core import revenue
from unseen.core.estimation.constants import DEFAULT_LEVEL

from .models import DEFAULT_METHODS, MAX_BOOTSTRAP, MAX_LINKAGE_DRAWS, MAX_REVENUE_DRAWS

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
    access_level = forms.ChoiceField(
        label=_("Access level of the table"),
        choices=AccessLevel.choices,
        initial=AccessLevel.INTERNAL,
        required=False,
        help_text=_(
            "As restricted as the most restricted record the table was counted from. The run "
            "takes this level; only a run on a public table can be published."
        ),
    )
    methods = forms.MultipleChoiceField(
        label=_("Methods"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    ci = forms.ChoiceField(label=_("Interval"), choices=CI_CHOICES, initial="profile")
    level = forms.FloatField(
        label=_("Level"), min_value=0.5, max_value=0.999, initial=DEFAULT_LEVEL
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
    merges = forms.CharField(
        label=_("Lists to merge (sensitivity)"),
        required=False,
        help_text=_(
            "Pairs of lists to count as one, each estimated on its own beside the full table, "
            "e.g. “PF+NCA, LA+GO”. Every run also leaves out each list in turn."
        ),
    )
    stratum = forms.CharField(
        label=_("Stratum column (optional)"),
        required=False,
        max_length=100,
        help_text=_(
            "A column that splits the table (region, year…): each stratum is estimated on its "
            "own and the estimates added up, beside the pooled table. A stratum whose lists "
            "barely overlap is refused."
        ),
    )

    draws = forms.IntegerField(
        label=_("Alternative linkages (draws)"),
        min_value=0,
        max_value=MAX_LINKAGE_DRAWS,
        initial=0,
        required=False,
        help_text=_(
            "0 = off. Each draw links every scored pair with its match probability (your "
            "verdicts always hold), estimates again, and the page shows the interval with and "
            "without linkage uncertainty. At most 200 here, about a second per ten draws on "
            "10,000 records while you wait; lcmcr and bayes-threshold are left out of the draws. "
            "Use `unseen mse --linkage-run ID --draws M` for more."
        ),
    )

    def __init__(
        self,
        *args: Any,
        linked: bool = False,
        list_names: Sequence[str] = (),
        drawable: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if linked:  # the table comes from a linkage run's clusters, not from a file
            del self.fields["file"]
            del self.fields["lists"]
            del self.fields["access_level"]  # the run takes the linkage run's and its sources'
            del self.fields["stratum"]  # a linkage run's clusters carry no stratum
            # The lists are known: offer every pair to tick.
            pairs = [
                (f"{a}+{b}", f"{a} + {b}")
                for i, a in enumerate(list_names)
                for b in list_names[i + 1 :]
            ]
            self.fields["merges"] = forms.MultipleChoiceField(
                label=_("Lists to merge (sensitivity)"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=pairs,
                help_text=_(
                    "Each pair ticked is counted as one list and estimated beside the full "
                    "table. Every run also leaves out each list in turn."
                ),
            )
        if not drawable:  # an upload, or a linkage run that kept no match probabilities
            del self.fields["draws"]
        # Here, not at the top: finding the installed methods loads SciPy, which every command
        # and web worker would otherwise pay for on start-up (#16).
        from unseen.core.estimation import mse

        available = mse.available_methods()
        field = self.fields["methods"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(name, name) for name in available]
        field.initial = [name for name in DEFAULT_METHODS if name in available]

    def clean_draws(self) -> int:
        return int(self.cleaned_data.get("draws") or 0)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(UPLOAD_SUFFIXES):
            raise forms.ValidationError(_("Upload a .csv, .tsv or .xlsx file."))
        return upload

    def clean_access_level(self) -> str:
        # Left blank (a client that predates the field): the default every record has.
        return self.cleaned_data.get("access_level") or AccessLevel.INTERNAL

    def clean_lists(self) -> list[str] | None:
        text = self.cleaned_data.get("lists", "")
        names = [name.strip() for name in text.split(",") if name.strip()]
        return names or None

    def clean_merges(self) -> list[list[str]]:
        """Each merge as its list names; checked against the table when it is read."""
        value = self.cleaned_data.get("merges") or []
        texts = value if isinstance(value, list) else value.replace(";", ",").split(",")
        groups = []
        for text in texts:
            names = [name.strip() for name in text.split("+") if name.strip()]
            if not names:
                continue
            if len(names) < 2:
                raise forms.ValidationError(
                    _("Name two lists joined by “+”, e.g. PF+NCA; separate pairs by commas.")
                )
            groups.append(names)
        return groups

    def clean_stratum(self) -> str:
        return str(self.cleaned_data.get("stratum") or "").strip()


INPUT_CHOICES = [
    ("records", _("The deployment records I may read")),
    ("upload", _("An uploaded file with the columns of nk-deployments.csv")),
]


class RevenueForm(forms.Form):
    """What `unseen revenue` takes, as a page: a year, scenarios, draws, seed and the input rows."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave blank for “Revenue to the state, YEAR”."),
    )
    year = forms.IntegerField(label=_("Year"), min_value=1950, max_value=2100, initial=2017)
    scenarios = forms.MultipleChoiceField(
        label=_("Scenarios side by side"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        choices=[(s.name, f"{s.name}: {s.title}") for s in revenue.SCENARIOS.values()],
        initial=list(revenue.SCENARIOS),
        help_text=_("“sourced-ranges” (the input rows) is always run."),
    )
    source = forms.ChoiceField(
        label=_("Input rows"),
        choices=INPUT_CHOICES,
        initial="records",
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_(
            "CSV or XLSX with the columns of nk-deployments.csv (optionally months_low/high and "
            "access_level). The whole file is checked; nothing is saved if a cell is wrong."
        ),
    )
    file_access_level = forms.ChoiceField(
        label=_("Access level of the file's rows"),
        choices=AccessLevel.choices,
        initial=AccessLevel.INTERNAL,
        help_text=_(
            "For rows without an access_level cell. Only a run whose every row is public can be "
            "published."
        ),
    )
    draws = forms.IntegerField(
        label=_("Draws"),
        min_value=1000,
        max_value=MAX_REVENUE_DRAWS,
        initial=revenue.DEFAULT_DRAWS,
        help_text=_("At most 1,000,000 (about a second per scenario)."),
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=2**31 - 1,
        initial=revenue.DEFAULT_SEED,
        help_text=_("The same seed gives the same numbers on a re-run."),
    )
    combine = forms.ChoiceField(
        label=_("Rows reporting the same input of one cell"),
        choices=[
            ("pooled", _("pooled: each draw picks one row's range (default)")),
            ("widest", _("widest: the envelope of the rows' ranges")),
            ("most-reliable", _("most-reliable: the highest-confidence rows only")),
        ],
        initial=revenue.DEFAULT_COMBINE,
    )
    distribution = forms.ChoiceField(
        label=_("Distribution within each range"),
        choices=[(name, name) for name in revenue.DISTRIBUTIONS],
        initial=revenue.DEFAULT_DISTRIBUTION,
    )
    include_proxies = forms.BooleanField(
        label=_("Count entries and planned dispatches as workers (not advised)"), required=False
    )
    correlation = forms.FloatField(
        label=_("Rank correlation of wage and share withheld"),
        min_value=-1.0,
        max_value=1.0,
        initial=0.0,
        required=False,
        help_text=_(
            "From -1 to 1, within each host and sector (a normal copula). 0, the default, draws "
            "them independently. Positive: where pay is high, more of it is taken."
        ),
    )

    def clean_correlation(self) -> float:
        value = self.cleaned_data.get("correlation")
        return 0.0 if value is None else float(value)

    def clean_scenarios(self) -> list[str]:
        chosen = self.cleaned_data.get("scenarios") or []
        return ["sourced-ranges", *(name for name in chosen if name != "sourced-ranges")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if data.get("source") == "upload":
            if not upload:
                self.add_error("file", _("Choose a file to upload."))
            elif not upload.name.lower().endswith(UPLOAD_SUFFIXES):
                self.add_error("file", _("Upload a .csv, .tsv or .xlsx file."))
        return data
