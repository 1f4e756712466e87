"""On the pages of an organisation, a site and a person: "Make a dossier (PDF)" (registered with
documentation.panels, which cannot link up to this app itself)."""

from typing import Any

from unseen.accounts.models import UserLike
from unseen.accounts.roles import Capability

from .forms import default_language
from .models import Language
from .subjects import RECORD_MODELS, subject_of


def context(kind: Any, record: Any, user: UserLike) -> dict[str, Any]:
    shown = (
        isinstance(record, tuple(RECORD_MODELS.values()))
        and user.is_authenticated
        and user.can(Capability.VIEW_RECORDS)
    )
    if not shown:
        return {"shown": False}
    subject = subject_of(record)
    return {
        "shown": True,
        "kind": subject.kind,
        "key": subject.key,
        "language": default_language(),
        "dossier_languages": Language.choices,
    }
