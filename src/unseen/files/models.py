"""Evidence files: the bytes that stand behind records, kept as evidence (ADR 0028).

An `EvidenceFile` is one distinct content (its SHA-256 is unique): the original, the evidentiary
copy, stored encrypted and never altered. It may stand behind several records (`Attachment`).
`WorkingCopy` rows are what is made from it (thumbnails, previews, redacted copies), stripped of
metadata; the public side and pseudonymised exports only ever get those. Every read of the bytes
goes through `storing`, which writes a custody event into the audit chain (`custody`).
"""

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unseen.constraints import choices_constraint
from unseen.evidence.models import DatePrecision, Record, access_level_constraint
from unseen.evidence.revisions import history
from unseen.jobs.models import Job, job_constraints


class Licence(models.TextChoices):
    """SPDX identifiers (and two that SPDX does not name: all rights reserved, unknown)."""

    CC0 = "CC0-1.0", _("CC0 1.0 (public domain dedication)")
    CC_BY = "CC-BY-4.0", _("CC BY 4.0")
    CC_BY_SA = "CC-BY-SA-4.0", _("CC BY-SA 4.0")
    CC_BY_NC = "CC-BY-NC-4.0", _("CC BY-NC 4.0")
    CC_BY_NC_SA = "CC-BY-NC-SA-4.0", _("CC BY-NC-SA 4.0")
    CC_BY_ND = "CC-BY-ND-4.0", _("CC BY-ND 4.0")
    CC_BY_NC_ND = "CC-BY-NC-ND-4.0", _("CC BY-NC-ND 4.0")
    PDM = "PDM", _("Public domain mark")
    ALL_RIGHTS_RESERVED = "all-rights-reserved", _("All rights reserved")
    UNKNOWN = "unknown", _("Unknown")


class RedactionState(models.TextChoices):
    PENDING = "pending", _("Redaction not yet reviewed")
    REDACTED = "redacted", _("Redacted")
    NOT_NEEDED = "not_needed", _("No redaction needed")


class TextState(models.TextChoices):
    NONE = "none", _("No text")
    EXTRACTED = "extracted", _("Text extracted")
    OCR_QUEUED = "ocr_queued", _("Text recognition queued")
    OCR_DONE = "ocr_done", _("Text recognised")
    FAILED = "failed", _("Text recognition failed")


class EvidenceFile(Record):
    """One distinct content: the original as it arrived, encrypted on disk, never altered."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True, editable=False)
    size = models.BigIntegerField(_("Size (bytes)"), editable=False)
    content_type = models.CharField(
        _("Type"), max_length=100, editable=False, help_text=_("Detected from the content.")
    )
    name = models.CharField(
        _("Name it arrived with"),
        max_length=255,
        blank=True,
        help_text=_("Shown only; never used as a path."),
    )
    # Storage name of the encrypted original under UNSEEN_FILES_DIR: a random token, never
    # derived from the name or the hash.
    blob = models.CharField(max_length=64, unique=True, editable=False)
    # The file's own key, sealed under the vault's data key, bound to the sha256.
    sealed_key = models.TextField(editable=False)
    title_en = models.CharField(_("Title (English)"), max_length=300, blank=True)
    title_ko = models.CharField(_("Title (Korean)"), max_length=300, blank=True)
    description_en = models.TextField(_("Description (English)"), blank=True)
    description_ko = models.TextField(_("Description (Korean)"), blank=True)
    creator = models.CharField(
        _("Creator"), max_length=200, blank=True, help_text=_("Who made the photo or document.")
    )
    credit = models.CharField(
        _("Credit line"),
        max_length=300,
        blank=True,
        help_text=_("Shown next to the file wherever it is published."),
    )
    licence = models.CharField(
        _("Licence"), max_length=20, choices=Licence.choices, default=Licence.UNKNOWN
    )
    capture_date = models.DateField(_("Capture date"), null=True, blank=True)
    capture_date_precision = models.CharField(
        _("Capture date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        default="",
    )
    capture_place = models.CharField(_("Capture place"), max_length=300, blank=True)
    capture_country = models.CharField(_("Capture country"), max_length=2, blank=True)
    # What the file claims about itself (EXIF/XMP, PDF info, duration): shown as a claim only.
    embedded_metadata = models.JSONField(
        _("Embedded metadata"), default=dict, blank=True, editable=False
    )
    redaction_state = models.CharField(
        _("Redaction"),
        max_length=10,
        choices=RedactionState.choices,
        default=RedactionState.PENDING,
    )
    text_state = models.CharField(
        _("Text"), max_length=10, choices=TextState.choices, default=TextState.NONE
    )
    # Pages of a PDF that are pictures with no text layer (what OCR would read), counted when its
    # text layer is read; null for other files and before that.
    scanned_pages = models.PositiveIntegerField(
        _("Scanned pages"), null=True, blank=True, editable=False
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("Uploaded by"),
    )

    # The sealed file key stays out of the revisions: a rotation re-wraps the key in the row only,
    # and a copy left in a revision would open the blob with a retired data key.
    history = history(excluded_fields=["sealed_key"])

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["-id"]
        constraints = [
            access_level_constraint("evidencefile"),
            choices_constraint("licence", Licence, "evidencefile_licence_valid"),
            choices_constraint(
                "redaction_state", RedactionState, "evidencefile_redaction_state_valid"
            ),
            choices_constraint("text_state", TextState, "evidencefile_text_state_valid"),
            choices_constraint(
                "capture_date_precision",
                DatePrecision,
                "evidencefile_date_precision_valid",
                allow_blank=True,
            ),
            models.CheckConstraint(condition=models.Q(size__gte=0), name="evidencefile_size"),
        ]

    def clean(self) -> None:
        """Public needs a redaction decision (`files.publishing`) and a colleague's review
        (`evidence.reviewing`); both refusals are given at once, the redaction's first (it
        comes first: confirming one edits the file, which is then reviewed)."""
        from django.core.exceptions import ValidationError

        from .publishing import publication_refusal  # it imports this module

        refusals = [refusal] if (refusal := publication_refusal(self)) else []
        try:
            super().clean()
        except ValidationError as error:
            if not refusals or not hasattr(error, "error_dict"):
                raise
            refusals += error.message_dict.get("access_level", [])
            others = {k: v for k, v in error.message_dict.items() if k != "access_level"}
            raise ValidationError({**others, "access_level": refusals}) from error
        if refusals:
            raise ValidationError({"access_level": refusals})

    @property
    def code(self) -> str:
        return f"F-{self.pk:05d}" if self.pk else "F-?"

    @property
    def title(self) -> str:
        return self.title_en or self.title_ko

    def __str__(self) -> str:
        title = self.title
        return f"{self.code} {title}"[:160] if title else self.code


class Attachment(models.Model):
    """One file standing behind one record (a source, testimony, incident or sighting)."""

    # FILE_ATTACH in the custody log says it (with the file's hash).
    audit_exempt = True

    file = models.ForeignKey(
        EvidenceFile,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("File"),
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Attached by"),
    )
    attached_at = models.DateTimeField(_("Attached at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["attached_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["file", "content_type", "object_id"], name="attachment_once_per_record"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="attachment_record_idx")]

    def __str__(self) -> str:
        return f"{self.file.code} → {self.content_type.model} {self.object_id}"


class CopyKind(models.TextChoices):
    THUMBNAIL = "thumbnail", _("Thumbnail")
    PREVIEW = "preview", _("Preview")
    REDACTED = "redacted", _("Redacted copy")
    # The whole file without its metadata, for a file a person judged to need no redaction.
    STRIPPED = "stripped", _("Copy without metadata")


class WorkingCopy(models.Model):
    """A derivative of an original, stripped of metadata, encrypted on disk like originals."""

    # FILE_DERIVE in the custody log says it.
    audit_exempt = True

    file = models.ForeignKey(
        EvidenceFile,
        on_delete=models.CASCADE,
        related_name="working_copies",
        verbose_name=_("Original"),
    )
    kind = models.CharField(_("Kind"), max_length=10, choices=CopyKind.choices)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.BigIntegerField(_("Size (bytes)"))
    content_type = models.CharField(_("Type"), max_length=100)
    blob = models.CharField(max_length=64, unique=True)
    sealed_key = models.TextField()
    tool = models.CharField(_("Tool"), max_length=100)
    tool_version = models.CharField(_("Tool version"), max_length=200, blank=True)
    parameters = models.JSONField(_("Parameters"), default=dict, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Made by"),
    )
    made_at = models.DateTimeField(_("Made at"), default=timezone.now)
    page = models.PositiveIntegerField(
        _("Page"), null=True, blank=True, help_text=_("Empty: the whole file.")
    )
    # The working copy this one was made from (a thumbnail of a redacted copy), or None: made from
    # the original. What the public side shows of a file is only ever the copy a redaction
    # decision names and what was made from it (`files.publishing`).
    derived_from = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="derived",
        verbose_name=_("Made from"),
    )

    class Meta:
        verbose_name = _("working copy")
        verbose_name_plural = _("working copies")
        ordering = ["file", "kind", "page", "id"]
        constraints = [
            choices_constraint("kind", CopyKind, "workingcopy_kind_valid"),
            models.CheckConstraint(condition=models.Q(size__gte=0), name="workingcopy_size"),
        ]

    def __str__(self) -> str:
        return f"{self.file.code} {self.kind}" + (f" p.{self.page}" if self.page else "")


class RedactionDecision(models.TextChoices):
    REDACTED = "redacted", _("Redacted")
    NOT_NEEDED = "not_needed", _("No redaction needed")


class Redaction(models.Model):
    """A person's decision on what of a file must not be seen: the boxes, or that none is needed.

    `boxes` is a list of {page, x, y, w, h, style: blur|fill, origin: detector|person};
    `proposed` what the detector offered, with its name, version and threshold. `working_copy`
    is the copy the decision lets out: the redacted copy, or (no redaction needed) the original
    without its metadata or a picture of it; None when there is nothing to show.
    """

    file = models.ForeignKey(
        EvidenceFile, on_delete=models.CASCADE, related_name="redactions", verbose_name=_("File")
    )
    working_copy = models.ForeignKey(
        WorkingCopy,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="redactions",
        verbose_name=_("Redacted copy"),
    )
    decision = models.CharField(_("Decision"), max_length=10, choices=RedactionDecision.choices)
    boxes = models.JSONField(_("Boxes"), default=list, blank=True)
    proposed = models.JSONField(_("Proposed boxes"), default=list, blank=True)
    detector = models.CharField(_("Detector"), max_length=100, blank=True)
    detector_version = models.CharField(_("Detector version"), max_length=200, blank=True)
    threshold = models.FloatField(_("Threshold"), null=True, blank=True)
    # Why a person judged the file to need no redaction (decision not_needed).
    reason = models.TextField(_("Why no redaction is needed"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("Confirmed at"), default=timezone.now)

    class Meta:
        verbose_name = _("redaction")
        verbose_name_plural = _("redactions")
        ordering = ["file", "-confirmed_at", "-id"]
        constraints = [
            choices_constraint("decision", RedactionDecision, "redaction_decision_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.file.code} {self.decision}"


class TextOrigin(models.TextChoices):
    PDF_TEXT = "pdf_text", _("PDF text layer")
    OCR = "ocr", _("Text recognition (OCR)")
    TRANSCRIPT = "transcript", _("Transcript")


class TextSegment(models.Model):
    """A piece of a file's text: a page of a PDF or a scan, or a timed line of a transcript."""

    # Derived text, often thousands of rows: the file's custody log says how it was made.
    audit_exempt = True

    file = models.ForeignKey(
        EvidenceFile,
        on_delete=models.CASCADE,
        related_name="text_segments",
        verbose_name=_("File"),
    )
    origin = models.CharField(_("Origin"), max_length=10, choices=TextOrigin.choices)
    page = models.PositiveIntegerField(_("Page"), null=True, blank=True)
    start_seconds = models.FloatField(_("From (seconds)"), null=True, blank=True)
    end_seconds = models.FloatField(_("To (seconds)"), null=True, blank=True)
    language = models.CharField(_("Language"), max_length=8, blank=True)
    text = models.TextField(_("Text"))

    class Meta:
        verbose_name = _("text segment")
        verbose_name_plural = _("text segments")
        ordering = ["file", "page", "start_seconds", "id"]
        constraints = [choices_constraint("origin", TextOrigin, "textsegment_origin_valid")]

    def __str__(self) -> str:
        return f"{self.file.code} {self.origin} {self.page or self.start_seconds or ''}".strip()


class Passage(models.Model):
    """Where in a file an ILO indicator coding was found: a page, or a time range."""

    coding = models.ForeignKey(
        "documentation.IndicatorCoding",
        on_delete=models.CASCADE,
        related_name="passages",
        verbose_name=_("Indicator coding"),
    )
    file = models.ForeignKey(
        EvidenceFile, on_delete=models.CASCADE, related_name="passages", verbose_name=_("File")
    )
    page = models.PositiveIntegerField(_("Page"), null=True, blank=True)
    start_seconds = models.FloatField(_("From (seconds)"), null=True, blank=True)
    end_seconds = models.FloatField(_("To (seconds)"), null=True, blank=True)
    note = models.TextField(_("Note"), blank=True)

    class Meta:
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        ordering = ["coding", "file", "page", "start_seconds", "id"]

    def __str__(self) -> str:
        return f"{self.file.code} p.{self.page}" if self.page else self.file.code


class Checkpoint(models.Model):
    """A Merkle root over every file's hash and the audit chain's head, with its RFC 3161 stamp."""

    # CHECKPOINT in the audit log says it.
    audit_exempt = True

    made_at = models.DateTimeField(_("Made at"), default=timezone.now)
    merkle_root = models.CharField(_("Merkle root"), max_length=64)
    # Ordered list of [file_id, sha256]: the leaves, in the order they were hashed.
    leaves = models.JSONField(_("Leaves"), default=list)
    audit_entry_id = models.BigIntegerField(_("Audit entry"), null=True, blank=True)
    audit_hash = models.CharField(_("Audit chain head"), max_length=64, blank=True)
    request_der = models.BinaryField(_("Timestamp request (DER)"))
    token_der = models.BinaryField(_("Timestamp token (DER)"), null=True, blank=True)
    tsa_url = models.CharField(_("Timestamp authority"), max_length=500, blank=True)
    stamped_at = models.DateTimeField(_("Stamped at"), null=True, blank=True)
    stamped_time = models.DateTimeField(_("Time the authority stated"), null=True, blank=True)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["-made_at", "-id"]

    def __str__(self) -> str:
        return f"Checkpoint {self.pk} {self.merkle_root[:12]}"


def attached_to(record: Any) -> models.QuerySet[EvidenceFile]:
    """Every file standing behind `record` (no access check: see `storing.files_for`)."""
    content_type = ContentType.objects.get_for_model(type(record))
    return EvidenceFile.objects.filter(
        attachments__content_type=content_type, attachments__object_id=record.pk
    ).distinct()


class TextJob(Job):
    """Reading a file's text in the background: OCR of a scan or photo (`files.reading`).

    Its row is what the file page polls (progress, failure). `failure` keeps the reason as a
    message template and its parameters, so the page shows it in the reader's language; `error`
    (from `Job`) the same in English for logs and the command line.
    """

    file = models.ForeignKey(
        EvidenceFile, on_delete=models.CASCADE, related_name="text_jobs", verbose_name=_("File")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Requested by"),
    )
    created_at = models.DateTimeField(_("Requested at"), default=timezone.now)
    languages = models.CharField(_("Languages"), max_length=40, default="kor+eng")
    pages = models.PositiveIntegerField(_("Pages read"), null=True, blank=True)
    segments = models.PositiveIntegerField(_("Pieces of text"), null=True, blank=True)
    tool_version = models.CharField(_("Tool version"), max_length=200, blank=True)
    failure = models.JSONField(_("Why it failed"), default=dict, blank=True)

    class Meta:
        verbose_name = _("text recognition job")
        verbose_name_plural = _("text recognition jobs")
        ordering = ["-created_at", "-id"]
        constraints = [*job_constraints("textjob")]

    def __str__(self) -> str:
        return f"{self.file.code} OCR {self.pk}"
