import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unseen.constraints import choices_constraint
from unseen.jobs.models import Job, job_constraints


class ExportApproval(models.Model):
    """An administrator's leave for one export at a given level to one recipient. Used once.

    Made directly in the admin (approved at once), or requested in the app by the person who
    will run the export (`requested_by`) and then approved or refused on the approvals page by
    another administrator: nobody approves their own request (ADR 0035).
    """

    LEVELS = (("full", _("Full")),)

    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Approved by"),
    )
    level = models.CharField(max_length=13, choices=LEVELS, default="full", verbose_name=_("Level"))
    recipient = models.CharField(
        max_length=200,
        help_text=_("Who receives the files: an organisation or a named role, not a witness."),
        verbose_name=_("Recipient"),
    )
    reason = models.TextField(blank=True, verbose_name=_("Reason"))
    # Set when approved: at creation for the admin's approvals, by the approvals page for requests.
    approved_at = models.DateTimeField(
        null=True, blank=True, default=timezone.now, verbose_name=_("Approved at")
    )
    used_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("Used at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Requested by"),
    )
    requested_at = models.DateTimeField(null=True, blank=True, verbose_name=_("Requested at"))
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Refused by"),
    )
    refused_at = models.DateTimeField(null=True, blank=True, verbose_name=_("Refused at"))

    class Meta:
        verbose_name = _("export approval")
        verbose_name_plural = _("export approvals")
        ordering = ["-approved_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="full"), name="export_approval_level_valid"
            ),
            # A decision is one or the other, never both.
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True) | models.Q(refused_by__isnull=True),
                name="export_approval_approved_or_refused",
            ),
        ]

    def __str__(self) -> str:
        state = "used" if self.used_at else self.state
        return f"#{self.pk} {self.level} export to {self.recipient} ({state})"

    @property
    def state(self) -> str:
        """pending, approved, refused or used."""
        if self.used_at is not None:
            return "used"
        if self.refused_by_id is not None:
            return "refused"
        if self.approved_by_id is not None:
            return "approved"
        return "pending"


class ReleaseLedger(models.Model):
    """One linkable release in a recipient's release ledger (docs/decisions/0008).

    A linkable export keeps the recipient's pseudonyms from one export to the next, so the
    recipient can join its files: each later linkable release to them must meet k on the join
    with every earlier one. Per person released, the ledger keeps their pseudonym and a digest
    of everything the release told about them (`kanonymity.digest`), never the values.
    """

    recipient = models.CharField(
        max_length=220,
        db_index=True,
        help_text=_(
            "Whose pseudonyms: 'recipient:' and the name as keyed (case-folded, spaces "
            "collapsed), or 'public-release'."
        ),
        verbose_name=_("Recipient"),
    )
    level = models.CharField(max_length=13, verbose_name=_("Level"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Approved by"),
    )
    released_at = models.DateTimeField(auto_now_add=True, verbose_name=_("Released at"))
    k = models.PositiveIntegerField(verbose_name=_("k asked for"))
    smallest_group = models.PositiveIntegerField(
        verbose_name=_("Smallest group on the join with earlier releases")
    )
    generalisation = models.JSONField(default=dict, verbose_name=_("Generalisation"))
    persons = models.JSONField(
        default=dict,
        help_text=_("Pseudonym of each person released: digest of what the release told."),
        verbose_name=_("Persons"),
    )

    class Meta:
        verbose_name = _("release ledger entry")
        verbose_name_plural = _("release ledger")
        ordering = ["recipient", "released_at", "pk"]

    def __str__(self) -> str:
        return f"#{self.pk} linkable {self.level} release to {self.recipient}"


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (one file per kind)")
    FTM = "ftm", _("FollowTheMoney JSON lines")
    GEOJSON = "geojson", _("GeoJSON (sites and sightings)")


class ExportLevel(models.TextChoices):
    PUBLIC = "public", _("Public")
    PSEUDONYMISED = "pseudonymised", _("Pseudonymised")
    FULL = "full", _("Full")


class ExportJob(Job):
    """An export asked for on the exports page, run by `unseen worker` (`publishing.exporting`).

    It writes through `exports.export` (the same checks, refusals and audit as `unseen export`)
    into a private folder, zips it there and keeps the zip until `expires_at`; only the person
    who asked may download it. The row holds counts, the k reached and the zip's SHA-256, never
    the recipient's files themselves nor where on the disk they are beyond their own name.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Requested by"),
    )
    created_at = models.DateTimeField(_("Requested at"), default=timezone.now)
    format = models.CharField(_("Format"), max_length=10, choices=ExportFormat.choices)
    level = models.CharField(_("Level"), max_length=13, choices=ExportLevel.choices)
    recipient = models.CharField(_("Recipient"), max_length=200, blank=True)
    k = models.PositiveIntegerField(_("k asked for"), default=5)
    override_k = models.BooleanField(_("k overridden by an administrator"), default=False)
    linkable = models.BooleanField(_("Linkable"), default=False)
    approval = models.ForeignKey(
        ExportApproval,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("Approval"),
    )
    # What the export gave back: rows per file, the smallest group, persons, suppressed, the
    # generalisation. Counts only.
    result = models.JSONField(_("Result"), default=dict, blank=True)
    file_name = models.CharField(_("File"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("Size in bytes"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    expires_at = models.DateTimeField(_("Download expires at"), null=True, blank=True)
    purged_at = models.DateTimeField(_("File deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            *job_constraints("exportjob"),
            choices_constraint("format", ExportFormat, "exportjob_format_valid"),
            choices_constraint("level", ExportLevel, "exportjob_level_valid"),
        ]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.level} {self.format})"

    @property
    def expired(self) -> bool:
        return self.purged_at is not None or (
            self.expires_at is not None and self.expires_at <= timezone.now()
        )

    @property
    def rows(self) -> int | None:
        """Rows written in every file together (evidence files counted as rows of theirs)."""
        files = self.result.get("files")
        return sum(files.values()) if files else None

    @property
    def downloadable(self) -> bool:
        return self.status == "done" and bool(self.file_name) and not self.expired

    def expiry_from(self, moment: dt.datetime) -> dt.datetime:
        return moment + dt.timedelta(hours=settings.UNSEEN_EXPORT_DOWNLOAD_HOURS)
