"""Linkage runs, their clusters and review queue, and the decisions and merges analysts make.

Records are named by their primary key within the run's entity (a person, site or organisation
id), never by anything identifying: a decision or a queue row holds two ids and a probability.
"""

import math
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unseen.constraints import choices_constraint
from unseen.evidence.models import (
    DerivedRecord,
    Source,
    access_level_constraint,
    at_least_as_strict_constraint,
)
from unseen.jobs.models import Job, JobStatus, job_constraints
from unseen.registry.models import MergeableRecord, Organisation, Person, Site

#: At most this many uncertain pairs go to the review queue of one run, the closest to the
#: threshold first: beyond a few thousand the queue says more about the threshold than the pairs.
MAX_REVIEWS = 2000
#: The review band is this far either side of the threshold in match weight (log2 of the odds):
#: pairs whose odds are within a factor of 8 of the threshold's.
REVIEW_BAND_BITS = 3.0


def _by(verbose_name: Any, related_name: str = "+") -> Any:
    """Who did something: kept as empty when the account is deleted, so the record stays."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name,
    )


class Entity(models.TextChoices):
    PERSON = "person", _("Persons")
    SITE = "site", _("Sites")
    ORGANISATION = "organisation", _("Organisations")


ENTITY_MODELS: dict[str, type[MergeableRecord]] = {
    Entity.PERSON: Person,
    Entity.SITE: Site,
    Entity.ORGANISATION: Organisation,
}
#: The documentation app's slug for each entity's record pages.
ENTITY_SLUGS: dict[str, str] = {
    Entity.PERSON: "persons",
    Entity.SITE: "sites",
    Entity.ORGANISATION: "organisations",
}


#: A linkage run's status is a job's (queued, running, done, failed, cancelled).
RunStatus = JobStatus


def review_band(threshold: float, bits: float = REVIEW_BAND_BITS) -> tuple[float, float]:
    """Probabilities whose match weight lies within `bits` of the threshold's."""
    clipped = min(max(threshold, 1e-6), 1 - 1e-6)
    weight = math.log2(clipped / (1 - clipped))

    def probability(w: float) -> float:
        return round(1 / (1 + 2 ** (-w)), 4)

    return probability(weight - bits), probability(weight + bits)


class LinkageRun(DerivedRecord, Job):
    """One linkage job: which records of which sources, at what threshold, and what it found.

    Its access level is the most restricted of the sources and records it read (`DerivedRecord`),
    from the moment it is queued, whether it then fails or finishes, so that only users who may
    read every one of them see its sources, pairs and clusters.
    """

    entity = models.CharField(_("entity"), max_length=12, choices=Entity.choices)
    sources = models.ManyToManyField(
        Source, related_name="linkage_runs", verbose_name=_("sources (the lists)")
    )
    threshold = models.FloatField(_("threshold"))
    review_low = models.FloatField(_("review from"))
    review_high = models.FloatField(_("review up to"))
    counts = models.JSONField(_("counts"), default=dict)
    parameters = models.JSONField(
        _("parameters"),
        default=dict,
        help_text=_("Frozen settings and trained m and u probabilities."),
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reruns",
        verbose_name=_("re-run of"),
    )
    started_by = _by(_("started by"), related_name="linkage_runs")

    class Meta:
        verbose_name = _("linkage run")
        verbose_name_plural = _("linkage runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            choices_constraint("entity", Entity, "linkagerun_entity_valid"),
            *job_constraints("linkagerun"),
            access_level_constraint("linkagerun"),
            at_least_as_strict_constraint("linkagerun"),
            models.CheckConstraint(
                condition=Q(threshold__gt=0, threshold__lt=1),
                name="linkagerun_threshold_probability",
            ),
            models.CheckConstraint(
                condition=Q(
                    review_low__gte=0,
                    review_low__lte=F("threshold"),
                    review_high__gte=F("threshold"),
                    review_high__lte=1,
                ),
                name="linkagerun_review_band_around_threshold",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_entity_display()}"

    @property
    def model(self) -> type[MergeableRecord]:
        return ENTITY_MODELS[self.entity]

    @property
    def slug(self) -> str:
        return ENTITY_SLUGS[self.entity]

    def lists(self) -> list[Source]:
        """The chosen sources in a fixed order: the columns of the capture histories."""
        return list(self.sources.order_by("pk"))

    def list_name(self, source: Source) -> str:
        return f"S{source.pk}"


class ClusterMember(models.Model):
    """One input record of a run, the cluster (entity) it was put in and the lists it is on."""

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="members")
    record_id = models.PositiveBigIntegerField(_("record ID"))
    cluster = models.PositiveIntegerField()
    lists = models.JSONField(default=list, help_text=_("Primary keys of the chosen sources."))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "record_id"], name="clustermember_once_per_run")
        ]
        indexes = [models.Index(fields=["run", "cluster"], name="clustermember_cluster_idx")]

    def __str__(self) -> str:
        return f"run {self.run_id} record {self.record_id} in cluster {self.cluster}"


class ScoredPairs(models.Model):
    """A finished run's scored pairs and their match probabilities, for estimates over draws.

    One compressed NumPy archive (`.npz`) per run, not a row per pair: a million records give
    millions of pairs. It holds `records` (the run's record primary keys, ascending), `left` and
    `right` (positions in `records`) and `probability` (float32), for every pair scored at or
    above `floor`; never a value from a record. See `unseen.linkage.draws`.
    """

    run = models.OneToOneField(
        LinkageRun, on_delete=models.CASCADE, primary_key=True, related_name="scored_pairs"
    )
    floor = models.FloatField(_("lowest probability kept"))
    count = models.PositiveBigIntegerField(_("pairs"))
    one_to_one = models.BooleanField(
        _("clustered one-to-one"),
        default=False,
        help_text=_(
            "Each source lists an entity at most once: a cluster holds one record per source."
        ),
    )
    data = models.BinaryField(_("pairs (.npz)"))

    class Meta:
        verbose_name = _("scored pairs of a run")
        verbose_name_plural = _("scored pairs of runs")
        constraints = [
            models.CheckConstraint(
                condition=Q(floor__gte=0, floor__lt=1), name="scoredpairs_floor_probability"
            )
        ]

    def __str__(self) -> str:
        return f"run {self.run_id}: {self.count} pairs ≥ {self.floor}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted: the same")
    REJECTED = "rejected", _("Rejected: not the same")


def ordered_pair_constraint(model: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(record_a__lt=F("record_b")), name=f"{model}_pair_ordered"
    )


class PairReview(models.Model):
    """A pair the model was unsure of, waiting for (or given) an analyst's verdict."""

    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="reviews")
    record_a = models.PositiveBigIntegerField(_("record A"))
    record_b = models.PositiveBigIntegerField(_("record B"))
    probability = models.FloatField(_("match probability"))
    agreement = models.JSONField(
        default=dict, help_text=_("Comparison level per field: how the two records agree.")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    decided_by = _by(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "record_a", "record_b"], name="pairreview_once_per_run"
            ),
            ordered_pair_constraint("pairreview"),
            choices_constraint("status", ReviewStatus, "pairreview_status_valid"),
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=1),
                name="pairreview_probability_0_to_1",
            ),
        ]

    def __str__(self) -> str:
        return f"run {self.run_id}: {self.record_a} ~ {self.record_b} ({self.probability:.2f})"


class Merge(models.Model):
    """Records merged into one surviving record; undone by clearing their `merged_into`."""

    run = models.ForeignKey(
        LinkageRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="merges"
    )
    entity = models.CharField(_("entity"), max_length=12, choices=Entity.choices)
    survivor = models.PositiveBigIntegerField(_("surviving record"))
    absorbed = models.JSONField(_("merged records"), default=list)
    merged_by = _by(_("merged by"))
    merged_at = models.DateTimeField(_("merged at"), default=timezone.now)
    undone_by = _by(_("undone by"))
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        constraints = [choices_constraint("entity", Entity, "merge_entity_valid")]

    def __str__(self) -> str:
        return f"{self.entity} {self.absorbed} into {self.survivor}"

    @property
    def undone(self) -> bool:
        return self.undone_at is not None


class LinkDecisionQuerySet(models.QuerySet["LinkDecision"]):
    def active(self) -> "LinkDecisionQuerySet":
        """The verdicts in force: the newest per pair, not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class LinkDecision(models.Model):
    """An analyst's verdict on two records: the same entity or not. It wins over the model.

    One decision per pair is in force; a new verdict withdraws the old one, which is kept.
    """

    entity = models.CharField(_("entity"), max_length=12, choices=Entity.choices)
    record_a = models.PositiveBigIntegerField(_("record A"))
    record_b = models.PositiveBigIntegerField(_("record B"))
    is_match = models.BooleanField(_("the same"))
    decided_by = _by(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    review = models.ForeignKey(
        PairReview, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    merge = models.ForeignKey(
        Merge, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects: ClassVar[models.Manager["LinkDecision"]] = LinkDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            choices_constraint("entity", Entity, "linkdecision_entity_valid"),
            ordered_pair_constraint("linkdecision"),
            models.UniqueConstraint(
                fields=["entity", "record_a", "record_b"],
                condition=Q(withdrawn_at__isnull=True),
                name="linkdecision_one_in_force_per_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["entity", "record_a", "record_b"], name="linkdecision_pair_idx")
        ]

    def __str__(self) -> str:
        verdict = "same" if self.is_match else "not the same"
        return f"{self.entity} {self.record_a} ~ {self.record_b}: {verdict}"


class PairSkip(models.Model):
    """A reviewer unsure of a pair: it goes to the back of their queue, and is no verdict.

    It is the reviewer's own: the pair stays pending, other reviewers see it where it was, and the
    clusters (so the capture histories and the estimates made from them) never read it. Skipping
    again moves it to the back again.
    """

    review = models.ForeignKey(PairReview, on_delete=models.CASCADE, related_name="skips")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("skipped by"),
    )
    skipped_at = models.DateTimeField(_("skipped at"), default=timezone.now)

    class Meta:
        ordering = ["skipped_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="pairskip_once_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"review {self.review_id} skipped by {self.user_id}"
