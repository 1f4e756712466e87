"""Making a dossier: compose what the reader may see, render it offline, record what came out.

One path for the web and the command line: `make` resolves the subject for the reader, asks
`composing.compose` for the document and `unseen.core.pdf.render_pdf` for the bytes, so the same
reader and the same data give the same PDF wherever it is made. `audit_made` writes the
SHA-256 and a digest of the recipe to the audit log (kind, key and level only: never a name).

The web puts every dossier on the queue (`start`, then `tasks.render_dossier` → `execute`): even
a small one takes a second or two of WeasyPrint, too long for a request to hold a worker, and a
large one reports its progress on its page.
"""

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from unseen.accounts.models import User, UserLike
from unseen.accounts.roles import Capability
from unseen.audit.context import current_actor
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.jobs.models import JobStatus
from unseen.jobs.queue import Cancelled, Progress, claim, end, enqueue_after_commit
from unseen.private_files import private_folder, replace

from .models import Dossier, folder
from .subjects import Subject, resolve

logger = logging.getLogger(__name__)

#: Share of the progress bar composing takes; WeasyPrint's layout and writing take the rest.
COMPOSED_AT = 0.3
#: Archival PDF (ISO 19005-2, level U: every glyph maps to Unicode, so Korean text can be searched
#: and copied): an ICC output intent and XMP metadata, for ~3 KB and no measurable time (ADR 0033).
PDF_VARIANT = "pdf/a-2u"


def compose(subject: Subject, reader: UserLike, language: str, progress: Any = None) -> Any:
    """The composition of `subject` for `reader` (dossiers.composing, written beside this)."""
    from .composing import compose as composing

    return composing(subject, reader, language, progress)


@dataclass(frozen=True)
class Made:
    """One rendered dossier, as the web's job and the command line both get it."""

    pdf: bytes
    sha256: str
    pages: int
    highest_level: str
    recipe: dict[str, Any]

    @property
    def recipe_digest(self) -> str:
        return recipe_digest(self.recipe)


def recipe_digest(recipe: dict[str, Any]) -> str:
    """SHA-256 of the recipe as canonical JSON: the audit log keeps this, not the ids it lists."""
    text = json.dumps(
        recipe, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()


def page_count(pdf: bytes) -> int:
    # WeasyPrint writes compressed object streams, so the page tree is read with PyMuPDF.
    import pymupdf

    with pymupdf.open(stream=pdf, filetype="pdf") as document:
        return int(document.page_count)


def reader_or_public(reader: User | None) -> UserLike:
    """`reader`, or the anonymous visitor (public records only) when no one is named."""
    return reader if reader is not None else AnonymousUser()


def make(
    subject: Subject,
    reader: User | None,
    language: str,
    progress: Callable[[str, float], None] | None = None,
) -> Made:
    """The dossier of `subject` as `reader` may see it (None: what is public only).

    Raises:
        NotReadable: the subject is missing or beyond the reader.
        RemoteFetchRefused: the composition referred to something outside itself.
    """
    from unseen.core.pdf import render_pdf

    report = progress or (lambda stage, fraction: None)
    who = reader_or_public(reader)
    resolve(subject, who)
    report("composing", 0.0)
    composition = compose(
        subject, who, language, lambda fraction: report("composing", COMPOSED_AT * fraction)
    )
    report("rendering", COMPOSED_AT)
    pdf = render_pdf(composition.html, assets=composition.assets, pdf_variant=PDF_VARIANT)
    report("saving", 0.95)
    return Made(
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        pages=page_count(pdf),
        highest_level=str(composition.highest_level),
        recipe=dict(composition.recipe),
    )


def audit_made(made: Made, subject: Subject, language: str, dossier: Dossier | None) -> None:
    """The audit entry of a made dossier: what identifies the document, nothing it says."""
    detail = {
        "kind": "dossier",
        "step": "made",
        "via": "web" if dossier is not None else "cli",
        "sha256": made.sha256,
        "subject_kind": subject.kind,
        "subject_key": subject.key,
        "language": language,
        "highest_level": made.highest_level,
        "pages": made.pages,
        "recipe": made.recipe_digest,
    }
    if dossier is not None:
        record(Action.EXPORT, dossier, detail=detail)
    else:
        record(Action.EXPORT, target_type="dossiers.dossier", detail=detail)


def audit_downloaded(dossier: Dossier) -> None:
    record(
        Action.EXPORT,
        dossier,
        detail={"kind": "dossier", "step": "downloaded", "sha256": dossier.sha256},
    )


def start(subject: Subject, reader: User, language: str) -> Dossier:
    """Queue a dossier of `subject` for `reader` (who must be able to read it: NotReadable)."""
    from .tasks import render_dossier

    resolve(subject, reader)
    with transaction.atomic():
        dossier = Dossier.objects.create(
            requested_by=reader,
            subject_kind=subject.kind,
            subject_key=subject.key,
            language=language,
        )
        record(
            Action.CREATE,
            dossier,
            detail={"kind": "dossier", "subject_kind": subject.kind, "language": language},
        )
        enqueue_after_commit(
            render_dossier,
            dossier.pk,
            refused=lambda error: end(
                Dossier, dossier.pk, JobStatus.FAILED, "the job queue refused the dossier"
            ),
        )
    return dossier


def execute(dossier_id: int) -> Dossier:
    """Render a queued dossier to the end (done, failed or cancelled); what the worker runs."""
    from unseen.core.pdf import RemoteFetchRefused

    from .subjects import NotReadable

    claimed = False
    stage = "composing"
    token = None
    expire()  # the worker sweeps too, so old PDFs go even when no one opens a dossier page
    try:
        claimed = claim(Dossier, dossier_id)
        dossier = Dossier.objects.select_related("requested_by").get(pk=dossier_id)
        if not claimed:
            return dossier
        reader = dossier.requested_by
        token = current_actor.set(reader.get_username())
        progress = Progress(Dossier, dossier.pk)

        def report(at: str, fraction: float) -> None:
            nonlocal stage
            if at != stage:
                progress.check()
            stage = at
            progress(at, fraction)

        # Access is the requester's as the job runs, not as it was queued: one who has lost
        # the right to view records since gets no dossier (not even a public-only one).
        if not reader.can(Capability.VIEW_RECORDS):
            raise NotReadable(dossier.subject.slug)
        made = make(dossier.subject, reader, dossier.language, report)
        progress.check()
        _keep(dossier, made)
    except Cancelled:
        end(Dossier, dossier_id, JobStatus.CANCELLED)
    except NotReadable:
        end(Dossier, dossier_id, JobStatus.FAILED, "the subject is no longer readable")
    except RemoteFetchRefused:
        end(Dossier, dossier_id, JobStatus.FAILED, "the document referred to a remote address")
    except (KeyboardInterrupt, SystemExit):
        if claimed:
            end(Dossier, dossier_id, JobStatus.FAILED, f"stopped while {stage}")
        raise
    except Exception as error:
        # The message may quote a record; the stage and the kind of error may not.
        logger.error("dossier %s failed while %s: %s", dossier_id, stage, type(error).__name__)
        end(Dossier, dossier_id, JobStatus.FAILED, f"failed while {stage}: {type(error).__name__}")
    finally:
        if token is not None:
            current_actor.reset(token)
    return Dossier.objects.get(pk=dossier_id)


def _keep(dossier: Dossier, made: Made) -> None:
    """Write the PDF (0600, 0700 folder) and the row's results, and audit it, together."""
    private_folder(folder())
    replace(dossier.path, made.pdf)
    now = timezone.now()
    with transaction.atomic():
        Dossier.objects.filter(pk=dossier.pk).update(
            status=JobStatus.DONE,
            stage="saving",
            fraction=1.0,
            finished_at=now,
            heartbeat_at=now,
            expires_at=now + lifetime(),
            sha256=made.sha256,
            pages=made.pages,
            highest_level=made.highest_level,
            recipe=made.recipe,
        )
        audit_made(made, dossier.subject, dossier.language, dossier)


def lifetime() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.UNSEEN_DOSSIER_HOURS))


def expire() -> int:
    """Delete the PDFs of dossiers past their time; the rows stay, saying they expired."""
    deleted = 0
    for dossier in Dossier.objects.expired().filter(deleted_at__isnull=True):
        dossier.path.unlink(missing_ok=True)
        Dossier.objects.filter(pk=dossier.pk).update(deleted_at=timezone.now())
        deleted += 1
    return deleted
