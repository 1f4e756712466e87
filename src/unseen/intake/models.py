"""What the public sent in, waiting for a moderator: no addresses, no user agents, no times of day."""

import secrets
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unseen.constraints import choices_constraint

from . import receipts

# Crockford's base32 without look-alikes: a receipt is read aloud or copied by hand.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_GROUPS = 3
RECEIPT_GROUP_LENGTH = 4


class Kind(models.TextChoices):
    SIGHTING = "sighting", _("Sighting")
    ADDITION = "addition", _("Addition to a sighting")
    COMMENT = "comment", _("Comment")


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SPAM = "spam", _("Spam")


class CommentPage(models.TextChoices):
    """Published pages that take comments (the allow-list: a comment names one of these)."""

    HOME = "home", _("Public home")
    ESTIMATES = "estimates", _("Published estimates")
    # One published finding; which one is the submission's `topic` (its slug).
    FINDING = "finding", _("A published finding")


def new_receipt() -> str:
    """A receipt code such as `R7KQ-2M9D-XW4T` (60 random bits)."""
    groups = [
        "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_GROUP_LENGTH))
        for _ in range(RECEIPT_GROUPS)
    ]
    return "-".join(groups)


def normalise_receipt(text: str) -> str:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    size = RECEIPT_GROUP_LENGTH
    return "-".join(cleaned[i : i + size] for i in range(0, len(cleaned), size))


def receipt_digest(receipt: str) -> str:
    """Only this digest is stored: the receipt itself is the reporter's secret. It is keyed with
    the receipt key outside the database (`receipts.py`), so a copy of the database does not
    let anyone search the codes."""
    return receipts.keyed_digest(receipts.plain_digest(normalise_receipt(receipt)))


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def pending(self) -> "SubmissionQuerySet":
        return self.filter(status=Status.PENDING)

    def newest_first(self) -> "SubmissionQuerySet":
        return self.order_by("-received_on", "-id")

    def published_comments(self, page: str, topic: str = "") -> "SubmissionQuerySet":
        return self.filter(
            kind=Kind.COMMENT, status=Status.APPROVED, page=page, topic=topic
        ).order_by("id")

    def purgeable(self, before: Any) -> "SubmissionQuerySet":
        """Rejected and spam submissions decided before the given day."""
        return self.filter(status__in=[Status.REJECTED, Status.SPAM], decided_on__lt=before)


class Submission(models.Model):
    """One sighting, addition or comment from the public, as sent (contact details excepted)."""

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SIGHTING)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The day only: a time of day could be matched against a border crossing or a phone log.
    received_on = models.DateField(default=timezone.localdate)
    decided_on = models.DateField(null=True, blank=True)
    receipt_digest = models.CharField(max_length=64, blank=True, default="", db_index=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="additions"
    )
    language = models.CharField(max_length=8, blank=True)

    description = models.TextField()
    place = models.CharField(max_length=300, blank=True)
    country = models.CharField(max_length=2, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    observed_from = models.DateField(null=True, blank=True)
    observed_to = models.DateField(null=True, blank=True)
    workers_low = models.PositiveIntegerField(null=True, blank=True)
    workers_high = models.PositiveIntegerField(null=True, blank=True)
    work_kind = models.CharField(max_length=200, blank=True)

    # Comments: the page they are about and the name to show (optional; e-mail goes to the vault).
    page = models.CharField(max_length=20, choices=CommentPage.choices, blank=True)
    display_name = models.CharField(max_length=80, blank=True)
    # A comment on one finding names it by slug (the page alone says "a finding"), and a reply
    # names the approved comment it answers: threads are drawn from these two.
    topic = models.CharField(max_length=120, blank=True, default="", db_index=True)
    in_reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )

    spam_score = models.FloatField(default=0.0)
    spam_reasons = models.JSONField(default=list, blank=True)
    has_contact = models.BooleanField(default=False)
    sighting = models.ForeignKey(
        "documentation.Sighting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="public_submissions",
    )

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            choices_constraint("kind", Kind, "submission_kind_valid"),
            choices_constraint("status", Status, "submission_status_valid"),
            choices_constraint("page", CommentPage, "submission_page_valid", allow_blank=True),
            models.CheckConstraint(
                condition=models.Q(spam_score__gte=0, spam_score__lte=1),
                name="submission_spam_score_0_to_1",
            ),
            # A finding's comment always says which finding; no other page has topics.
            models.CheckConstraint(
                condition=(models.Q(page=CommentPage.FINDING) & ~models.Q(topic=""))
                | (~models.Q(page=CommentPage.FINDING) & models.Q(topic="")),
                name="submission_topic_only_on_findings",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-received_on"], name="submission_queue_idx"),
            models.Index(fields=["status", "decided_on"], name="submission_purge_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.get_status_display()})"


def upload_path(instance: "Upload", filename: str) -> str:
    # Never the reporter's file name (it can name a phone, a person or a place).
    return f"intake/{secrets.token_hex(16)}{instance.extension}"


class Upload(models.Model):
    """A photo, re-encoded without metadata, stored encrypted (written and read by `attachments`)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="uploads")
    # Ciphertext only: the file's own key is in `sealed_key`, sealed under the vault's data key.
    file = models.FileField(upload_to=upload_path, max_length=200)
    sealed_key = models.TextField(blank=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Upload {self.pk} ({self.content_type})"

    @property
    def extension(self) -> str:
        return {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}.get(
            self.content_type, ".bin"
        )


class ReporterContact(models.Model):
    """How to reach a reporter, if they chose to say. Read and written only through `intake.vault`."""

    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, related_name="contact", primary_key=True
    )
    # Both sealed (AES-GCM ciphertext, see intake.vault), never the values themselves.
    contact = models.TextField(blank=True)
    email = models.TextField(blank=True)

    class Meta:
        verbose_name = "reporter contact"

    def __str__(self) -> str:
        return f"Contact for submission {self.submission_id}"
