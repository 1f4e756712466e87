"""The record page's part for working together (registered with documentation.panels)."""

from typing import Any

from unseen.accounts.models import UserLike
from unseen.accounts.roles import Capability
from unseen.documentation.browsing import Kind

from .models import Assignment, Watch
from .records import colleagues_who_may_read
from .working import thread


def context(kind: Kind, record: Any, user: UserLike) -> dict[str, Any]:
    # The record page calls this only for a record its reader may read (404 otherwise); the
    # comments are exactly those of this record, so a reader of the record may read them all.
    can_assign = user.is_authenticated and user.can(Capability.EDIT_RECORDS)
    return {
        "assignment": Assignment.about(record).select_related("assignee").first(),
        "colleagues": colleagues_who_may_read(kind, record) if can_assign else [],
        "can_assign": can_assign,
        "watching": user.is_authenticated and Watch.about(record).filter(user=user).exists(),
        "comments": thread(record),
    }
