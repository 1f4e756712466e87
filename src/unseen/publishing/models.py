from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportApproval(models.Model):
    """An administrator's leave for one export at a given level to one recipient. Used once."""

    LEVELS = (("full", _("Full")),)

    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
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
    approved_at = models.DateTimeField(auto_now_add=True, verbose_name=_("Approved at"))
    used_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("Used at"))

    class Meta:
        verbose_name = _("export approval")
        verbose_name_plural = _("export approvals")
        ordering = ["-approved_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="full"), name="export_approval_level_valid"
            )
        ]

    def __str__(self) -> str:
        state = "used" if self.used_at else "unused"
        return f"#{self.pk} {self.level} export to {self.recipient} ({state})"
