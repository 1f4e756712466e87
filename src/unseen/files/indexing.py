"""Evidence files in the app's search: found by their titles, description, credit and text.

Registered with `documentation.indexing` (which cannot import this app) as another kind,
"files": an entry per file whose body holds its code, titles and descriptions in both languages,
creator, credit, the name it arrived with, the place it was taken and every segment of its text
(PDF text layer, OCR, transcripts), with the Korean bigrams that find 임금 inside 임금체불.

The entry's access level is the level a reader needs to open the file (`access.visible_files`):
the file's own level and, when it stands behind records, that of the least restricted of them,
whichever is stricter. So a hit, and every facet count, is there only for readers who may open
the file. Saving a file, attaching it, and saving or deleting a record it stands behind (its level
may change) re-index it; `reading` re-indexes it when its text changes.
"""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from unseen.accounts.models import UserLike
from unseen.documentation import indexing
from unseen.evidence.models import ACCESS_ORDER, strictest_access_level

from . import access
from .models import Attachment, EvidenceFile

SLUG = "files"


def entry_level(file: EvidenceFile) -> str:
    """The level a reader needs to open `file` (see the module's docstring)."""
    levels = []
    for link in file.attachments.all():
        model = link.content_type.model_class()
        if model is None:
            continue
        level = (
            model._default_manager.filter(pk=link.object_id)
            .values_list("access_level", flat=True)
            .first()
        )
        if level is not None:
            levels.append(level)
    if not file.attachments.all():
        return strictest_access_level([file.access_level])
    if not levels:  # attached to records that are gone: no reader reaches it through them
        return strictest_access_level(["missing"])
    loosest = min(
        levels, key=lambda level: ACCESS_ORDER.index(level) if level in ACCESS_ORDER else 99
    )
    return strictest_access_level([file.access_level, loosest])


def entry(file: EvidenceFile) -> Any:
    """The search entry of one file (not saved)."""
    parts = [
        file.code,
        file.title_en,
        file.title_ko,
        file.description_en,
        file.description_ko,
        file.creator,
        file.credit,
        file.name,
        file.capture_place,
        indexing.country_names(file.capture_country.upper()),
    ]
    parts += [segment.text for segment in file.text_segments.all()]
    title = f"{file.code} {file.title or file.name}".strip()
    return indexing.make_entry(
        SLUG,
        file,
        access_level=entry_level(file),
        title=title,
        parts=parts,
        country=file.capture_country,
        year=file.capture_date.year if file.capture_date else None,
    )


def url(pk: int) -> str:
    return reverse("files:detail", args=[pk])


def visible(user: UserLike) -> models.QuerySet[EvidenceFile]:
    return access.visible_files(user)


def prepared(queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    return queryset.prefetch_related("attachments__content_type", "text_segments")


def dependents(model: type[models.Model], pks: list[int]) -> list[models.QuerySet[Any]]:
    """The files standing behind records of `model` (a record's level decides who finds them)."""
    if model not in access.attachable_models():
        return []
    content_type = ContentType.objects.get_for_model(model)
    return [
        EvidenceFile.objects.filter(
            attachments__content_type=content_type, attachments__object_id__in=pks
        ).distinct()
    ]


def _on_link(sender: Any, instance: Attachment, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    file = EvidenceFile.objects.filter(pk=instance.file_id).first()
    if file is not None:
        indexing.index_record(file)


def register() -> None:
    """Put evidence files into the search (FilesConfig.ready)."""
    indexing.register(
        indexing.OtherKind(
            slug=SLUG,
            model=EvidenceFile,
            entry=entry,
            url=url,
            visible=visible,
            prepared=prepared,
            dependents=dependents,
        )
    )
    models.signals.post_save.connect(_on_link, sender=Attachment, dispatch_uid="search-file-link")
    models.signals.post_delete.connect(
        _on_link, sender=Attachment, dispatch_uid="search-file-unlink"
    )
