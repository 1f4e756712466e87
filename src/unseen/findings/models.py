"""Findings: public articles, their reviews and the corrections appended after publication.

A finding's text is written once for the public: drafts change freely, but once published the
title, summary and body are frozen (`reviewing` refuses edits); what was wrong is said in a dated
`Correction` below the article, never by rewriting it (ADR 0034).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from unseen.constraints import choices_constraint


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve and publish")
    REQUEST_CHANGES = "request_changes", _("Ask for changes")


class FindingQuerySet(models.QuerySet["Finding"]):
    def on_public_site(self) -> "FindingQuerySet":
        """Published and withdrawn findings: a withdrawn one keeps its page, saying why."""
        return self.filter(status__in=[Status.PUBLISHED, Status.WITHDRAWN]).order_by(
            "-published_at", "-id"
        )


class Finding(models.Model):
    slug = models.SlugField(_("address"), max_length=120, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_ko = models.CharField(_("title (Korean)"), max_length=200, blank=True)
    summary_en = models.TextField(_("summary (English)"), max_length=400, blank=True)
    summary_ko = models.TextField(_("summary (Korean)"), max_length=400, blank=True)
    body_en = models.TextField(_("text (English, Markdown)"), blank=True)
    body_ko = models.TextField(_("text (Korean, Markdown)"), blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="findings_written",
        verbose_name=_("author"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings_reviewed",
        verbose_name=_("reviewer"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason_en = models.TextField(_("why it was withdrawn (English)"), blank=True)
    withdrawal_reason_ko = models.TextField(_("why it was withdrawn (Korean)"), blank=True)

    # Revisions of drafts are cheap and show what the reviewer was shown against what was written.
    history = HistoricalRecords()
    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            choices_constraint("status", Status, "finding_status_valid"),
            models.CheckConstraint(
                condition=Q(status__in=[Status.DRAFT, Status.IN_REVIEW])
                | Q(published_at__isnull=False, reviewer__isnull=False),
                name="finding_published_has_reviewer_and_date",
            ),
            # Two people: whoever published it did not write it.
            models.CheckConstraint(
                condition=Q(reviewer__isnull=True) | ~Q(reviewer=models.F("author")),
                name="finding_reviewer_is_not_author",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.WITHDRAWN) | Q(withdrawn_at__isnull=False),
                name="finding_withdrawn_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title_en or self.title_ko or self.slug

    def text(self, field: str, language: str) -> str:
        """`field` ("title", "summary", "body", "withdrawal_reason") in the reader's language,
        or in the other one when that is blank."""
        korean = str(getattr(self, f"{field}_ko"))
        english = str(getattr(self, f"{field}_en"))
        if (language or "").startswith("ko"):
            return korean or english
        return english or korean

    @property
    def is_public(self) -> bool:
        return self.status in (Status.PUBLISHED, Status.WITHDRAWN)

    @property
    def is_frozen(self) -> bool:
        """Published or withdrawn: what the public read stays as it was read."""
        return self.is_public


class Review(models.Model):
    """One reviewer's decision on one submitted version of a finding."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="finding_reviews"
    )
    decision = models.CharField(max_length=16, choices=Decision.choices)
    comment = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(auto_now_add=True)
    # Which revision was read: a change after the review is a different text.
    revision = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["reviewed_at", "id"]
        constraints = [choices_constraint("decision", Decision, "review_decision_valid")]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} on {self.finding_id}"


class Correction(models.Model):
    """A dated note appended below a published finding: what was wrong and what is right."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="corrections")
    text_en = models.TextField(_("correction (English)"), blank=True)
    text_ko = models.TextField(_("correction (Korean)"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="finding_corrections"
    )
    corrected_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["corrected_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text_en="") | ~Q(text_ko=""), name="correction_has_text"
            )
        ]

    def __str__(self) -> str:
        return f"Correction {self.pk} of finding {self.finding_id}"

    def text(self, language: str) -> str:
        if (language or "").startswith("ko"):
            return self.text_ko or self.text_en
        return self.text_en or self.text_ko
