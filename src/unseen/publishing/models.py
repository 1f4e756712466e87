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
