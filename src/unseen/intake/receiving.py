"""Storing what the public sends: one small transaction per submission, nothing about the sender."""

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import attachments, spam
from .images import CleanImage
from .models import Kind, Submission, Upload, new_receipt, receipt_digest
from .vault import Contact, store_contact

SIGHTING_FIELDS = (
    "description",
    "place",
    "country",
    "latitude",
    "longitude",
    "observed_from",
    "observed_to",
    "workers_low",
    "workers_high",
    "work_kind",
)


@dataclass(frozen=True)
class Received:
    submission: Submission
    receipt: str


def _store_photos(submission: Submission, photos: list[CleanImage]) -> None:
    midnight = dt.datetime.combine(submission.received_on, dt.time()).timestamp()
    for photo in photos:
        upload = Upload(
            submission=submission,
            content_type=photo.content_type,
            size=len(photo.data),
            width=photo.width,
            height=photo.height,
        )
        attachments.store(upload, photo.data)
        # The file's own times would say when it arrived to the second: set them to the day.
        os.utime(upload.file.path, (midnight, midnight))
        upload.save()


def receive_sighting(
    data: dict[str, Any],
    *,
    photos: list[CleanImage] | None = None,
    honeypot: str = "",
    seconds: float | None = None,
    language: str = "",
) -> Received:
    """A new sighting in the queue, scored for spam; returns it with its receipt code."""
    values = {name: data.get(name) for name in SIGHTING_FIELDS}
    for name in ("description", "place", "country", "work_kind"):
        values[name] = (values[name] or "").strip()
    text = " ".join(
        str(values[name]) for name in ("description", "place", "work_kind") if values[name]
    )
    scored = spam.score(text, honeypot=honeypot, seconds=seconds, language=language)
    receipt = new_receipt()
    with transaction.atomic():
        submission = Submission.objects.create(
            kind=Kind.SIGHTING,
            receipt_digest=receipt_digest(receipt),
            language=language[:8],
            spam_score=scored.value,
            spam_reasons=scored.reasons,
            has_contact=bool((data.get("contact") or "").strip()),
            **values,
        )
        if submission.has_contact:
            store_contact(submission, Contact(contact=data["contact"]))
        if photos:
            _store_photos(submission, photos)
    return Received(submission, receipt)


def find_by_receipt(receipt: str) -> Submission | None:
    return (
        Submission.objects.filter(receipt_digest=receipt_digest(receipt), parent__isnull=True)
        .exclude(kind=Kind.COMMENT)
        .first()
    )


def receive_addition(
    original: Submission,
    description: str,
    *,
    photos: list[CleanImage] | None = None,
    honeypot: str = "",
    seconds: float | None = None,
    language: str = "",
) -> Submission:
    scored = spam.score(description, honeypot=honeypot, seconds=seconds, language=language)
    with transaction.atomic():
        addition = Submission.objects.create(
            kind=Kind.ADDITION,
            parent=original,
            description=description.strip(),
            country=original.country,
            language=language[:8],
            spam_score=scored.value,
            spam_reasons=scored.reasons,
        )
        if photos:
            _store_photos(addition, photos)
    return addition


class ReplyRefused(Exception):
    """A reply must answer an approved comment on the same page (and the same finding)."""


def receive_comment(
    page: str,
    body: str,
    *,
    topic: str = "",
    in_reply_to: int | None = None,
    name: str = "",
    email: str = "",
    honeypot: str = "",
    seconds: float | None = None,
    language: str = "",
) -> Submission:
    """A comment in the moderation queue. A reply names the comment it answers, which must be
    published on the same page and topic: a reply to a comment nobody can read, or to another
    article's, would publish a thread that makes no sense (raises `ReplyRefused`)."""
    parent = None
    if in_reply_to is not None:
        parent = Submission.objects.published_comments(page, topic).filter(pk=in_reply_to).first()
        if parent is None:
            raise ReplyRefused(in_reply_to)
    scored = spam.score(
        f"{name} {body}", honeypot=honeypot, seconds=seconds, kind="comment", language=language
    )
    with transaction.atomic():
        comment = Submission.objects.create(
            kind=Kind.COMMENT,
            page=page,
            topic=topic,
            in_reply_to=parent,
            description=body.strip(),
            display_name=name.strip(),
            language=language[:8],
            spam_score=scored.value,
            spam_reasons=scored.reasons,
        )
        store_contact(comment, Contact(email=email))
    return comment


def today() -> dt.date:
    return timezone.localdate()
