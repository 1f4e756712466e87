"""Sanctions lists as loaded, their entities, and the cross-reference of our records against them.

A list's entities are the list's, not our records: they are kept as the list published them (one
`SanctionsList` row per version, its file's hash and the evidence `Source` that cites it), and
become part of our records only when an analyst accepts a match (`accepting.py`). A candidate
names our record by kind and primary key, and a remembered verdict (`XrefDecision`) names the
list by its code and the entity by its list id, so that it outlives the version it was given on.
"""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unseen.accounts.models import UserLike, visible_access_levels
from unseen.constraints import choices_constraint
from unseen.evidence.models import DatePrecision, Source
from unseen.jobs.models import Job, JobStatus, job_constraints
from unseen.linkage.models import ReviewStatus
from unseen.registry.models import (
    IdentifierScheme,
    MergeableRecord,
    Organisation,
    PublicFigure,
    Site,
)

#: The xref job's default: candidates scoring below this are not kept.
DEFAULT_THRESHOLD = 0.5


def _by(verbose_name: Any, related_name: str = "+") -> Any:
    """Who did something: kept as empty when the account is deleted, so the row stays."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name,
    )


class SanctionsListQuerySet(models.QuerySet["SanctionsList"]):
    def visible_to(self, user: UserLike) -> "SanctionsListQuerySet":
        """Lists whose source (the list at its version) `user` may read."""
        return self.filter(source__access_level__in=visible_access_levels(user))

    def newest_first(self) -> "SanctionsListQuerySet":
        return self.order_by("code", "-id")


class SanctionsList(models.Model):
    """One version of one designation list, as loaded from its file."""

    code = models.SlugField(
        _("code"),
        max_length=60,
        help_text=_("The list's short name, the same for every version, e.g. un_sc_sanctions."),
    )
    title = models.CharField(_("title"), max_length=300)
    authority = models.CharField(
        _("authority"),
        max_length=200,
        help_text=_("Who publishes the list, e.g. UN Security Council 1718 Committee."),
    )
    version = models.CharField(
        _("version"), max_length=60, help_text=_("The publisher's version or date stamp.")
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)
    scheme = models.CharField(
        _("identifier scheme"),
        max_length=20,
        choices=IdentifierScheme.choices,
        help_text=_("Which kind of identifier an accepted match adds to our record."),
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="sanctions_lists", verbose_name=_("source")
    )
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    entity_count = models.PositiveIntegerField(_("entities"), default=0)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)
    loaded_by = _by(_("loaded by"))

    objects: ClassVar[models.Manager["SanctionsList"]] = SanctionsListQuerySet.as_manager()

    class Meta:
        verbose_name = _("sanctions list")
        verbose_name_plural = _("sanctions lists")
        ordering = ["code", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="sanctionslist_one_version"),
            choices_constraint("scheme", IdentifierScheme, "sanctionslist_scheme_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    def is_visible_to(self, user: UserLike) -> bool:
        return self.source.access_level in visible_access_levels(user)

    def previous_version(self) -> "SanctionsList | None":
        """The version of the same list loaded before this one, if any (in the order loaded)."""
        earlier = SanctionsList.objects.filter(code=self.code, pk__lt=self.pk)
        return earlier.order_by("-pk").first()


class ListedEntity(models.Model):
    """One entity (a company, an organisation, a person) as a list version names it."""

    sanctions_list = models.ForeignKey(
        SanctionsList, on_delete=models.CASCADE, related_name="entities", verbose_name=_("list")
    )
    entity_id = models.CharField(_("list entity ID"), max_length=200)
    schema = models.CharField(_("FtM schema"), max_length=40)
    caption = models.CharField(_("name"), max_length=500)
    names = models.JSONField(_("names"), default=list, help_text=_("Name and aliases."))
    countries = models.JSONField(_("countries"), default=list)
    addresses = models.JSONField(_("addresses"), default=list)
    identifiers = models.JSONField(
        _("identifiers"), default=list, help_text=_("[property, value] pairs, e.g. unscId.")
    )
    reference = models.CharField(
        _("reference"), max_length=200, blank=True, help_text=_("The list's own reference.")
    )
    authority = models.CharField(_("designated by"), max_length=200, blank=True)
    programme = models.CharField(_("programme"), max_length=200, blank=True)
    listed_on = models.DateField(_("listed on"), null=True, blank=True)
    listed_on_precision = models.CharField(
        _("listing date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        default="",
    )
    reason = models.TextField(_("reason"), blank=True)
    properties = models.JSONField(_("properties as published"), default=dict)

    class Meta:
        verbose_name = _("listed entity")
        verbose_name_plural = _("listed entities")
        ordering = ["sanctions_list", "caption", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sanctions_list", "entity_id"], name="listedentity_once_per_list"
            ),
            choices_constraint(
                "listed_on_precision",
                DatePrecision,
                "listedentity_precision_valid",
                allow_blank=True,
            ),
        ]

    def __str__(self) -> str:
        return self.caption

    @property
    def aliases(self) -> list[str]:
        return [name for name in self.names if name != self.caption]


class RecordKind(models.TextChoices):
    """Which of our records the cross-reference compares with list entities."""

    ORGANISATION = "organisation", _("Organisation")
    PUBLIC_FIGURE = "public_figure", _("Public figure")
    SITE = "site", _("Site")


RECORD_MODELS: dict[str, type[MergeableRecord]] = {
    RecordKind.ORGANISATION: Organisation,
    RecordKind.PUBLIC_FIGURE: PublicFigure,
    RecordKind.SITE: Site,
}
#: The documentation app's slug for each kind's record pages.
RECORD_SLUGS: dict[str, str] = {
    RecordKind.ORGANISATION: "organisations",
    RecordKind.PUBLIC_FIGURE: "public-figures",
    RecordKind.SITE: "sites",
}


class XrefRun(Job):
    """One cross-reference of our records against one list version, and what it found.

    The job reads every record of the chosen kinds, whatever their level (it runs as the system):
    what it found is then shown to each reader only for the records they may open, so a run's page
    differs by reader and its stored counts are never shown as they are.
    """

    sanctions_list = models.ForeignKey(
        SanctionsList, on_delete=models.CASCADE, related_name="runs", verbose_name=_("list")
    )
    threshold = models.FloatField(_("threshold"), default=DEFAULT_THRESHOLD)
    kinds = models.JSONField(_("record kinds"), default=list)
    counts = models.JSONField(_("counts"), default=dict)
    changes = models.JSONField(
        _("changes since the previous version"),
        default=dict,
        help_text=_("For our matched records: new designations, removed ones, changed aliases."),
    )
    previous_list = models.ForeignKey(
        SanctionsList,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compared with version"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_by = _by(_("started by"), related_name="xref_runs")

    class Meta:
        verbose_name = _("cross-reference run")
        verbose_name_plural = _("cross-reference runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            *job_constraints("xrefrun"),
            models.CheckConstraint(
                condition=Q(threshold__gt=0, threshold__lt=1), name="xrefrun_threshold_0_to_1"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.sanctions_list_id}"


#: A cross-reference run's status is a job's (queued, running, done, failed, cancelled).
XrefStatus = JobStatus


class XrefCandidate(models.Model):
    """A record of ours and a list entity the run found alike, waiting for (or given) a verdict."""

    run = models.ForeignKey(XrefRun, on_delete=models.CASCADE, related_name="candidates")
    record_kind = models.CharField(_("record kind"), max_length=14, choices=RecordKind.choices)
    record_id = models.PositiveBigIntegerField(_("record ID"))
    listed_entity = models.ForeignKey(
        ListedEntity, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("entity")
    )
    entity_id = models.CharField(_("list entity ID"), max_length=200)
    score = models.FloatField(_("score"))
    explanation = models.JSONField(
        _("explanation"),
        default=list,
        help_text=_("What agreed and what did not, and by how much."),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    decided_by = _by(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["run", "-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "record_kind", "record_id", "listed_entity"],
                name="xrefcandidate_once_per_run",
            ),
            choices_constraint("record_kind", RecordKind, "xrefcandidate_kind_valid"),
            choices_constraint("status", ReviewStatus, "xrefcandidate_status_valid"),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=1), name="xrefcandidate_score_0_to_1"
            ),
        ]
        indexes = [
            models.Index(fields=["record_kind", "record_id"], name="xrefcandidate_record_idx")
        ]

    def __str__(self) -> str:
        return f"run {self.run_id}: {self.record_kind} {self.record_id} ~ {self.entity_id}"

    @property
    def model(self) -> type[MergeableRecord]:
        return RECORD_MODELS[self.record_kind]

    @property
    def slug(self) -> str:
        return RECORD_SLUGS[self.record_kind]


class XrefDecisionQuerySet(models.QuerySet["XrefDecision"]):
    def active(self) -> "XrefDecisionQuerySet":
        """The verdicts in force: the newest per pair, not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class XrefDecision(models.Model):
    """An analyst's verdict on a record of ours and a list entity, kept across list versions.

    Keyed by the list's code and the entity's list id, not by a version: a rejected pair is not
    proposed again when the next version is loaded, and an accepted one stays accepted. One
    verdict per pair is in force; a new one withdraws the old, which is kept (as
    `linkage.LinkDecision`).
    """

    record_kind = models.CharField(_("record kind"), max_length=14, choices=RecordKind.choices)
    record_id = models.PositiveBigIntegerField(_("record ID"))
    list_code = models.CharField(_("list"), max_length=60)
    entity_id = models.CharField(_("list entity ID"), max_length=200)
    is_match = models.BooleanField(_("the same"))
    decided_by = _by(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    candidate = models.ForeignKey(
        XrefCandidate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    added = models.JSONField(
        _("what accepting added"),
        default=dict,
        help_text=_("Primary keys of the identifier, designation and claims written."),
    )

    objects: ClassVar[models.Manager["XrefDecision"]] = XrefDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            choices_constraint("record_kind", RecordKind, "xrefdecision_kind_valid"),
            models.UniqueConstraint(
                fields=["record_kind", "record_id", "list_code", "entity_id"],
                condition=Q(withdrawn_at__isnull=True),
                name="xrefdecision_one_in_force_per_pair",
            ),
        ]
        indexes = [
            models.Index(
                fields=["list_code", "record_kind", "record_id"], name="xrefdecision_pair_idx"
            )
        ]

    def __str__(self) -> str:
        verdict = "same" if self.is_match else "not the same"
        return f"{self.record_kind} {self.record_id} ~ {self.list_code}/{self.entity_id}: {verdict}"


class XrefSkip(models.Model):
    """A reviewer unsure of a candidate: it goes to the back of their queue, and is no verdict
    (ADR 0020, as `linkage.PairSkip`)."""

    candidate = models.ForeignKey(XrefCandidate, on_delete=models.CASCADE, related_name="skips")
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
            models.UniqueConstraint(fields=["candidate", "user"], name="xrefskip_once_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"candidate {self.candidate_id} skipped by {self.user_id}"
