"""Who may see or change an evidence file.

A file has its own access level, and it is seen through the records it stands behind: reading it
needs its level and the level of at least one record it is attached to (a file attached to
nothing yet is judged by its own level alone). Writing (uploading, attaching, describing) needs
the capability that editing records needs.
"""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from unseen.accounts.models import UserLike, visible_access_levels
from unseen.accounts.roles import Capability

from .models import Attachment, EvidenceFile

# The kinds of record a file may stand behind, by documentation's URL slug.
ATTACHABLE_SLUGS = ("sources", "testimonies", "incidents", "sightings")
ATTACHABLE_LABEL = "sources, testimonies, incidents and sightings"


def attachable_models() -> tuple[type[models.Model], ...]:
    from unseen.documentation.models import Incident, Sighting, Testimony
    from unseen.evidence.models import Source

    return (Source, Testimony, Incident, Sighting)


def may_write(user: UserLike | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.can(Capability.EDIT_RECORDS))


def may_view(user: UserLike | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.can(Capability.VIEW_RECORDS))


def _readable_attachments(user: UserLike | None) -> Q:
    """Attachments whose record `user` may read."""
    levels = visible_access_levels(user)
    readable = Q(pk__in=[])
    for model in attachable_models():
        readable |= Q(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=model._default_manager.filter(access_level__in=levels).values("pk"),
        )
    return readable


def visible_files(user: UserLike | None) -> models.QuerySet[EvidenceFile]:
    """Files `user` may read: their own level, and a readable record (or none attached yet)."""
    levels = visible_access_levels(user)
    through_records = Attachment.objects.filter(_readable_attachments(user)).values("file_id")
    return (
        EvidenceFile.objects.filter(access_level__in=levels)
        .filter(Q(pk__in=through_records) | Q(attachments__isnull=True))
        .distinct()
    )


def may_read(user: UserLike | None, file: EvidenceFile) -> bool:
    return may_view(user) and visible_files(user).filter(pk=file.pk).exists()


def files_of(record: Any, user: UserLike | None) -> models.QuerySet[EvidenceFile]:
    """The files standing behind `record` that `user` may read (never beyond their level)."""
    content_type = ContentType.objects.get_for_model(type(record))
    return EvidenceFile.objects.filter(
        access_level__in=visible_access_levels(user),
        attachments__content_type=content_type,
        attachments__object_id=record.pk,
    ).order_by("pk")


def readable_records(file: EvidenceFile, user: UserLike | None) -> list[Any]:
    """The records `file` stands behind that `user` may read, in the order they were attached."""
    levels = set(visible_access_levels(user))
    found = []
    for link in file.attachments.select_related("content_type"):
        model = link.content_type.model_class()
        if model is None:
            continue
        record = model._default_manager.filter(pk=link.object_id).first()
        if record is not None and getattr(record, "access_level", None) in levels:
            found.append(record)
    return found
