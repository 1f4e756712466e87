"""Who works on which record, what the team says about it, and what each member is told.

Every row points at a documented record by content type and id, as claims do: one table serves
every kind. None of it is ever public; readers are checked against the record each time.
"""

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unseen.constraints import choices_constraint


class OnRecord(models.Model):
    """A row about one documented record."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()

    class Meta:
        abstract = True

    @classmethod
    def about(cls, record: Any) -> "models.QuerySet[Any]":
        return cls.objects.filter(  # type: ignore[attr-defined]
            content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
        )


class Assignment(OnRecord):
    """The one colleague a record is assigned to; reassigning changes the row, unassigning
    deletes it (each audited with the fields it changed)."""

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("assigned to"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    due = models.DateField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="teamwork_one_assignee"
            )
        ]

    def __str__(self) -> str:
        return f"assignment {self.pk}"

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < timezone.localdate()


class Comment(OnRecord):
    """A staff comment on a record; `parent` makes it a reply."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    text = models.TextField(_("comment"))
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"comment {self.pk}"


class Watch(OnRecord):
    """A member follows a record: its edits, comments and assignments notify them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="teamwork_watch_once"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"watch {self.pk}"


class Reason(models.TextChoices):
    ASSIGNED = "assigned", _("assigned to you")
    MENTIONED = "mentioned", _("mentioned you")
    REPLIED = "replied", _("replied to your comment")
    ACTIVITY = "activity", _("activity on a record you watch")


class Notification(OnRecord):
    """Something a member is told in the app (and by e-mail where configured). It holds no
    record content: the reason, who, and which record; the page checks the record again."""

    # Read marks change at every visit of the notifications page: not worth an audit entry each.
    audit_exempt = True

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [choices_constraint("reason", Reason, name="teamwork_notification_reason")]

    def __str__(self) -> str:
        return f"notification {self.pk}"
