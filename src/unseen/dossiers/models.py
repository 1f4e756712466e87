"""A dossier: one reader's PDF of one subject, made in the background and kept for a while.

The row says what was asked (subject, language), for whom (`requested_by`: the reader whose access
decides what the dossier holds, and the only person who may see the row or fetch the file), how
the job went (`unseen.jobs.models.Job`) and what came out (SHA-256, pages, highest level, the
recipe). The PDF itself is a private file (0600 in a 0700 folder under VAR_DIR), deleted once the
dossier expires (`UNSEEN_DOSSIER_HOURS`, 24 by default): a dossier may carry confidential
material, and a copy nobody fetched should not linger.
"""

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unseen.constraints import choices_constraint
from unseen.jobs.models import Job, JobStatus, job_constraints

from .subjects import COUNTRY, ORGANISATION, PERSON, SAVED_SEARCH, SITE, Subject


class SubjectKind(models.TextChoices):
    ORGANISATION = ORGANISATION, _("Organisation")
    SITE = SITE, _("Site")
    COUNTRY = COUNTRY, _("Host country")
    PERSON = PERSON, _("Person")
    SAVED_SEARCH = SAVED_SEARCH, _("Saved search")


class Language(models.TextChoices):
    KOREAN = "ko", _("Korean")
    ENGLISH = "en", _("English")


class DossierQuerySet(models.QuerySet["Dossier"]):
    def of(self, user: object) -> "DossierQuerySet":
        """The dossiers `user` asked for: no one else's, whatever their role."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(requested_by=user)

    def expired(self) -> "DossierQuerySet":
        return self.filter(expires_at__lte=timezone.now())


class Dossier(Job):
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="dossiers",
        verbose_name=_("Requested by"),
    )
    subject_kind = models.CharField(_("subject"), max_length=20, choices=SubjectKind.choices)
    subject_key = models.CharField(_("subject key"), max_length=20)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    highest_level = models.CharField(_("highest level included"), max_length=20, blank=True)
    recipe = models.JSONField(_("recipe"), default=dict, blank=True)
    deleted_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at", "-id"]
        constraints = [
            *job_constraints("dossier"),
            choices_constraint("subject_kind", SubjectKind, "dossier_subject_kind_valid"),
            choices_constraint("language", Language, "dossier_language_valid"),
        ]

    def __str__(self) -> str:
        # Audit entries and logs name the row by number only; the subject's name is the reader's.
        return f"Dossier {self.pk}"

    @property
    def subject(self) -> Subject:
        return Subject(self.subject_kind, self.subject_key)

    @property
    def expired(self) -> bool:
        return self.deleted_at is not None or (
            self.expires_at is not None and self.expires_at <= timezone.now()
        )

    @property
    def downloadable(self) -> bool:
        return self.status == JobStatus.DONE and not self.expired and self.path.exists()

    @property
    def path(self) -> Path:
        return folder() / f"{self.pk}.pdf"

    @property
    def file_name(self) -> str:
        return f"dossier-{self.subject.slug}-{self.language}.pdf"


def folder() -> Path:
    """Where dossiers' PDFs are kept until they expire (private: see unseen.private_files)."""
    return Path(settings.VAR_DIR) / "dossiers"
