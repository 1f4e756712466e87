"""The record page's part for evidence files (registered with documentation.panels)."""

from typing import Any

from django.conf import settings

from unseen.accounts.models import UserLike
from unseen.documentation.browsing import Kind

from . import access
from .forms import UploadForm


def context(kind: Kind, record: Any, user: UserLike) -> dict[str, Any]:
    # The record page calls this only for a record its reader may read; the files shown are those
    # of the record at the reader's level, never beyond it.
    if kind.slug not in access.ATTACHABLE_SLUGS:
        return {"attachable": False}
    can_upload = access.may_write(user)
    return {
        "attachable": True,
        "files": list(access.files_of(record, user)),
        "can_upload": can_upload,
        "form": UploadForm(user=user, record=record) if can_upload else None,
        "max_mb": settings.UNSEEN_FILES_MAX_MB,
        "per_upload": settings.UNSEEN_FILES_PER_UPLOAD,
    }
