"""Comments as entries of a record's history timeline (documentation/revising.py)."""

from typing import Any

from unseen.accounts.models import UserLike
from unseen.documentation import revising
from unseen.documentation.browsing import Kind

from .models import Comment


def comment_entries(spec: Kind, record: Any, user: UserLike) -> list[revising.Entry]:
    # The timeline view has already found the record readable by `user` (404 otherwise), and
    # a comment is readable by exactly those who may read its record.
    comments = Comment.about(record).select_related("author").order_by("-created_at")[:200]
    return [
        revising.Entry(
            when=c.created_at,
            actor=c.author.get_username(),
            reason="",
            kind="comment",
            action="replied" if c.parent_id else "commented",
            text=c.text,
        )
        for c in comments
    ]


def connect() -> None:
    revising.register(comment_entries)
