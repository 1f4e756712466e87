"""A saved estimate run: frozen inputs, parameters, software version, results (design §2).

The design is docs/design.md.

NumPy, SciPy and the estimators are imported where a run computes or records them, not here:
every command loads the models, `unseen help` included, and SciPy alone takes seconds to import
(#16).
"""

import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from unseen import build
from unseen.accounts.models import AccessLevel, UserLike, visible_access_levels
from unseen.constraints import choices_constraint
from unseen.core.estimation.constants import CIS
from unseen.evidence.models import (
    DerivedRecord,
    RecordQuerySet,
    access_level_constraint,
    at_least_as_strict_constraint,
)

if TYPE_CHECKING:
    from unseen.core.estimation.histories import CaptureHistories
    from unseen.estimation.provenance import Staleness

#: The page runs estimates while the analyst waits; more replicates belong to `unseen mse`.
MAX_BOOTSTRAP = 2000
#: What the database accepts at all (the CLI and a future background job may go further).
MAX_STORED_BOOTSTRAP = 100_000
#: Revenue draws the page (and the database) accept: the model does 1,000,000 in about a second.
MAX_REVENUE_DRAWS = 1_000_000
#: Alternative linkages the page draws while the analyst waits (about a tenth of a second each
#: for the fast methods on 10,000 records); `unseen mse --linkage-run ID --draws M` for more.
MAX_LINKAGE_DRAWS = 200
#: Methods left out of the draws on the page: each is an MCMC run of seconds, times every draw.
SLOW_FOR_DRAWS = ("bayes-threshold", "lcmcr")
#: Methods the estimation page ticks unless the analyst changes them.
DEFAULT_METHODS = ("main-effects", "stepwise-aic", "stepwise-poisson", "M0", "Mt", "Mh-chao")


class RunKind(models.TextChoices):
    MSE = "mse", _("Multiple systems estimation")
    REVENUE = "revenue", _("Revenue to the state")


def software_version() -> dict[str, str]:
    """The code that decides the numbers: Unseen's version and source revision (see unseen.build),
    and the numerical libraries under it."""
    return build.software("numpy", "scipy")


def frozen_histories(histories: "CaptureHistories") -> dict[str, Any]:
    """The capture-history table as plain JSON: every observable pattern with its count."""
    return {
        "patterns": [[int(v) for v in pattern] for pattern in histories.patterns],
        "counts": [int(c) for c in histories.counts],
    }


def compute_results(
    histories: "CaptureHistories", parameters: dict[str, Any]
) -> list[dict[str, Any]]:
    """Run the chosen methods side by side; each result in `unseen mse --json` shape.

    Raises:
        mse.EstimationError: the request cannot be answered (too few informative lists, ...).
    """
    from unseen.core.estimation import mse, report

    estimates = mse.estimate_all(
        histories,
        ci=parameters["ci"],
        level=parameters["level"],
        bootstrap=parameters["bootstrap"],
        seed=parameters["seed"],
        methods=parameters["methods"],
    )
    # Through JSON and back: what is compared on a re-run is exactly what the database holds.
    document = _plain(report.document(histories, estimates)["results"])
    return list(json.loads(json.dumps(document, allow_nan=False)))


def compute_sensitivity(
    histories: "CaptureHistories",
    parameters: dict[str, Any],
    merges: Sequence[Sequence[str]] = (),
    strata: Mapping[str, "CaptureHistories"] | None = None,
    stratum: str = "",
) -> dict[str, Any]:
    """Drop each list, merge the chosen ones, per stratum: `core.estimation.sensitivity`.

    The inputs beyond the run's own table (the merges, the stratum column and each stratum's
    frozen table) are kept in the document under "inputs", so the page can say what was merged
    and the figures can be recomputed.

    Raises:
        sensitivity.MergeError: a merge names a list the table does not have.
    """
    from unseen.core.estimation import sensitivity

    document = sensitivity.sensitivity(
        histories,
        parameters["methods"],
        level=parameters["level"],
        seed=parameters["seed"],
        merges=merges,
        strata=strata,
    )
    document["inputs"] = {
        "merges": [list(group) for group in merges],
        "stratum": stratum,
        "strata": {name: frozen_histories(table) for name, table in (strata or {}).items()},
    }
    return dict(json.loads(json.dumps(_plain(document), allow_nan=False)))


def _plain(value: Any) -> Any:
    """JSON-safe: ∞ and NaN (an unbounded limit, a failed method) become null, as in `--json`."""
    import numpy as np

    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def readable_sources(user: UserLike, pks: Any) -> set[int]:
    """Which of the sources `pks` `user` may read."""
    from unseen.accounts.models import visible_access_levels
    from unseen.evidence.models import Source

    levels = visible_access_levels(user)
    found = Source.objects.filter(pk__in=list(pks), access_level__in=levels)
    return set(found.values_list("pk", flat=True))


class EstimateRunQuerySet(RecordQuerySet):
    def visible_to(self, user: UserLike) -> "EstimateRunQuerySet":
        """Runs `user` may read: by their level, and, for a run made from a linkage run, only
        while they may read that run too (ADR 0041). A run takes its linkage run's level when
        made; this keeps it closed to those who lost the linkage run since (raised by hand)."""
        levels = visible_access_levels(user)
        return self.filter(access_level__in=levels).filter(
            Q(linkage_run__isnull=True) | Q(linkage_run__access_level__in=levels)
        )

    def on_public_site(self, kind: str = RunKind.MSE) -> "EstimateRunQuerySet":
        """Published runs of one kind, newest publication first: what /estimates/ and the home
        page show (MSE), or /revenue/ (revenue). A run made from a linkage run stays only while
        that run passes on a public level (internal itself, over public inputs: ADR 0008)."""
        return (
            self.filter(published=True, access_level=AccessLevel.PUBLIC, kind=kind)
            .filter(
                Q(linkage_run__isnull=True)
                | Q(
                    linkage_run__access_level=AccessLevel.INTERNAL,
                    linkage_run__input_access_level=AccessLevel.PUBLIC,
                )
            )
            .order_by("-published_at", "-id")
        )


class EstimateRun(DerivedRecord):
    """One saved run of one or more estimation methods on a frozen table of capture histories.

    Everything needed to repeat it is stored with it: the lists, the table, the method(s),
    interval, level, replicates and seed, and the software versions that computed it. Its access
    level is derived from its inputs (`DerivedRecord`): the uploaded table at the level its
    uploader declared, or the linkage run and sources its table came from; the revenue rows.
    """

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=RunKind.choices, default=RunKind.MSE)
    lists = models.JSONField(_("lists"), default=list, help_text=_("List names, in column order."))
    histories = models.JSONField(
        _("capture histories"),
        default=dict,
        help_text=_("The frozen input: every observable pattern and its count."),
    )
    parameters = models.JSONField(
        _("parameters"),
        default=dict,
        help_text=_("methods, ci, level, bootstrap, seed"),
    )
    inputs = models.JSONField(
        _("revenue inputs"),
        default=list,
        help_text=_(
            "Revenue runs: the frozen input rows (ranges, source, evidence, access level)."
        ),
    )
    software_version = models.JSONField(_("software version"), default=dict)
    results = models.JSONField(_("results"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="estimate_runs",
        verbose_name=_("run by"),
    )
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Issue 22: where a run's lists came from, and what it adds beyond one table's estimate.
    linkage_run = models.ForeignKey(
        "linkage.LinkageRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="estimate_runs",
        verbose_name=_("linkage run"),
        help_text=_("The linkage run whose clusters made the lists, if any."),
    )
    list_records = models.JSONField(
        _("records on each list"),
        default=dict,
        blank=True,
        help_text=_(
            "Runs made from a linkage run: the entity kind and, per list position, the primary "
            "keys of the records the list held when the run was made."
        ),
    )
    baseline_change = models.BigIntegerField(
        _("newest change read"),
        null=True,
        blank=True,
        help_text=_(
            "The newest audit entry when the run was made: a later change to a record in "
            "list_records makes the run stale."
        ),
    )
    sensitivity = models.JSONField(
        _("sensitivity"),
        default=dict,
        blank=True,
        help_text=_("Drop-one-list, merged lists, strata and estimate/observed, per method."),
    )
    linkage_uncertainty = models.JSONField(
        _("linkage uncertainty"),
        default=dict,
        blank=True,
        help_text=_(
            "Estimates over alternative clusterings drawn from the linkage run's match "
            "probabilities: draws, seed, and the linkage, sampling and combined intervals."
        ),
    )

    objects: ClassVar[models.Manager["EstimateRun"]] = EstimateRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            choices_constraint("kind", RunKind, "estimaterun_kind_valid"),
            access_level_constraint("estimaterun"),
            at_least_as_strict_constraint("estimaterun"),
            models.CheckConstraint(
                condition=Q(
                    kind=RunKind.MSE,
                    parameters__has_keys=["methods", "ci", "level", "bootstrap", "seed"],
                    parameters__ci__in=list(CIS),
                    parameters__level__gt=0,
                    parameters__level__lt=1,
                    parameters__bootstrap__gte=0,
                    parameters__bootstrap__lte=MAX_STORED_BOOTSTRAP,
                    parameters__seed__gte=0,
                )
                | Q(
                    kind=RunKind.REVENUE,
                    parameters__has_keys=["year", "scenarios", "draws", "seed", "combine"],
                    parameters__draws__gte=1,
                    parameters__draws__lte=MAX_REVENUE_DRAWS,
                    parameters__seed__gte=0,
                ),
                name="estimaterun_parameters_sane",
            ),
            models.CheckConstraint(
                condition=Q(kind=RunKind.MSE, histories__has_keys=["patterns", "counts"])
                | Q(kind=RunKind.REVENUE),
                name="estimaterun_histories_frozen",
            ),
            # Published means public, with the moment it happened.
            models.CheckConstraint(
                condition=Q(published=False)
                | Q(published_at__isnull=False, access_level=AccessLevel.PUBLIC),
                name="estimaterun_published_is_public",
            ),
        ]
        indexes = [
            models.Index(fields=["published", "-published_at"], name="estimaterun_published_idx")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def software_label(self) -> str:
        """The version and revision that computed this run, as published pages show it."""
        return build.label(self.software_version)

    @property
    def methods(self) -> list[str]:
        return list(self.parameters.get("methods", []))

    def capture_histories(self) -> "CaptureHistories":
        """The frozen table, rebuilt exactly as it was estimated."""
        from unseen.core.estimation.histories import CaptureHistories

        rows = zip(self.histories["patterns"], self.histories["counts"], strict=True)
        return CaptureHistories.from_counts(self.lists, rows)

    @property
    def observed(self) -> int:
        return int(sum(self.histories.get("counts", [])))

    def rerun(self) -> list[dict[str, Any]]:
        """Recompute from the frozen inputs and parameters; nothing is saved.

        With the same software versions, the results equal `self.results` number for number
        (the seed fixes every bootstrap and sampler draw).
        """
        return compute_results(self.capture_histories(), self.parameters)

    def stale_changes(self, user: UserLike | None = None) -> "Staleness":
        """What changed, since the run was made, in the records its lists held, as `user` may
        know it (None: everything). Empty (false) for a run not made from a linkage run."""
        from .provenance import stale_changes

        return stale_changes(self, user)

    @property
    def is_stale(self) -> bool:
        """Whether the records behind its lists changed since it was made (any reader)."""
        return bool(self.stale_changes())

    def list_sources(self) -> dict[int, int]:
        """List position -> the source it was made from (runs made from a linkage run)."""
        return {e["list"]: e["pk"] for e in self.derived_from if "list" in e and e.get("pk")}

    def list_names(self, user: UserLike, readable: set[int] | None = None) -> list[str]:
        """The lists' names as `user` may see them: a list made from a source the user may not
        read (now) is named by its position, never by the source's title.

        `readable`: the sources the user may read, when the caller has looked them up already.
        """
        at = self.list_sources()
        if readable is None:
            readable = readable_sources(user, at.values())
        return [
            name if i not in at or at[i] in readable else str(_("List %(n)s") % {"n": i + 1})
            for i, name in enumerate(self.lists)
        ]

    def shown_to(self, user: UserLike, value: Any) -> Any:
        """`value` (results, warnings, model terms) with every list name `user` may not see
        replaced by its neutral name: model terms and warnings quote the lists."""
        hidden = {
            old: new
            for old, new in zip(self.lists, self.list_names(user), strict=True)
            if old != new
        }
        if not hidden:
            return value
        text = json.dumps(value)
        # Longest first, so that a name that starts another is not replaced inside it.
        for old in sorted(hidden, key=len, reverse=True):
            text = text.replace(json.dumps(old)[1:-1], json.dumps(hidden[old])[1:-1])
        return json.loads(text)

    def overlaps(self, names: list[str] | None = None) -> list[tuple[str, list[int]]]:
        """Each list with how many it shares with every list (its own total on the diagonal)."""
        import numpy as np

        patterns = np.asarray(self.histories["patterns"], dtype=int)
        counts = np.asarray(self.histories["counts"], dtype=int)
        shared = patterns.T @ (patterns * counts[:, None])
        names = self.lists if names is None else names
        return [(name, [int(v) for v in row]) for name, row in zip(names, shared, strict=True)]

    def history_rows(self) -> list[tuple[list[int], int]]:
        """The full capture-history table, zero cells included."""
        return list(zip(self.histories["patterns"], self.histories["counts"], strict=True))

    def interval_results(self) -> list[dict[str, Any]]:
        """Results that have both an estimate and an interval: the only ones fit to publish."""
        return [
            r
            for r in self.results
            if r.get("estimate") is not None and r.get("ci") and r["ci"].get("low") is not None
        ]

    def linkage_draw_rows(self) -> list[dict[str, Any]]:
        """Per method, the sampling-only, linkage-only and combined intervals of the draws over
        alternative linkages (ADR 0037), with how much wider linkage makes the interval and the
        bars of a small chart (x and width on a 0–400 axis, one scale per method)."""
        found = self.linkage_uncertainty or {}
        rows = []
        for entry in found.get("methods", []):
            if not entry.get("draws_used"):
                continue
            kinds = [
                ("sampling", _("sampling only (the run’s clustering)")),
                ("linkage", _("linkage only (spread of the draws)")),
                ("combined", _("combined")),
            ]
            ends = [entry[k] for k, _label in kinds]
            lows = [e[0] for e in ends if e[0] is not None]
            highs = [e[1] for e in ends if e[1] is not None]
            start = min(lows) if lows else 0.0
            stop = max(highs + lows) if highs or lows else 1.0
            span = stop - start or 1.0
            bars = []
            for i, ((kind, label), (low, high)) in enumerate(zip(kinds, ends, strict=True)):
                left = 0.0 if low is None else (low - start) / span
                right = 1.0 if high is None else (high - start) / span
                bars.append(
                    {
                        "kind": kind,
                        "label": label,
                        "low": low,
                        "high": high,
                        "y": 4 + 22 * i,
                        "x": round(150 + 240 * left, 1),
                        "width": round(max(240 * (right - left), 1.0), 1),
                        "open": high is None,
                        "span": None if high is None or low is None else high - low,
                    }
                )
            ratio = entry.get("combined_over_sampling")
            share = entry.get("linkage_share_of_variance")
            rows.append(
                {
                    "method": entry["method"],
                    "estimate": entry.get("estimate"),
                    "draws_used": entry["draws_used"],
                    "failed_draws": entry.get("failed_draws", 0),
                    "draws_median": entry.get("draws_median"),
                    "bars": bars,
                    "wider_percent": None if ratio is None else round(100 * (ratio - 1)),
                    "share_percent": None if share is None else round(100 * share),
                }
            )
        return rows

    def forest(self) -> list[dict[str, Any]]:
        """What the forest plot draws: one point and interval per method that has both."""
        return [
            {
                "method": r["method"],
                "model": r["model"],
                "estimate": r["estimate"],
                "low": r["ci"]["low"],
                "high": r["ci"]["high"],
                "kind": r["ci"]["kind"],
                "level": r["ci"]["level"],
            }
            for r in self.interval_results()
        ]
