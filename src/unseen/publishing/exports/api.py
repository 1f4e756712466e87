"""`export`: checks what is asked, has the level's tables made, one writer write them, and audits.

The tables come from selection.py (full) or disclosure.py (public, pseudonymised), and for the
HTCDS format from cases.py (journeys, k-anonymous per testimony below full); the writers (csv.py,
ftm.py, geojson.py, htcds.py) only ever see those tables.
"""

from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from unseen import build
from unseen.accounts.roles import Capability, Role
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.private_files import private_output

from ..models import ExportApproval, ReleaseLedger
from .cases import controlled_case_tables, full_case_tables
from .csv import CsvWriter
from .disclosure import controlled_tables
from .files import FilesWritten, write_files
from .ftm import FtmWriter
from .geojson import GeoJsonWriter
from .htcds import HtcdsWriter
from .keys import ledger_name
from .results import ExportRefused, ExportResult
from .selection import EXPORTED, full_tables
from .tables import Progress, Writer

WRITERS: dict[str, Writer] = {
    w.format: w for w in (CsvWriter(), FtmWriter(), GeoJsonWriter(), HtcdsWriter())
}
FORMATS = tuple(WRITERS)
LEVELS = ("public", "pseudonymised", "full")
DEFAULT_K = 5


def steps(format: str) -> int:
    """How many steps an export in `format` reports to its `progress` (a table each, and the
    evidence files)."""
    writer = WRITERS[format]
    return len(writer.reads or EXPORTED) + (1 if writer.with_files else 0)


def export(
    directory: Path,
    *,
    format: str = "csv",
    level: str = "full",
    recipient: str = "",
    k: int = DEFAULT_K,
    override_by: Any = None,
    linkable_by: Any = None,
    approval: ExportApproval | None = None,
    progress: Progress | None = None,
    requested_by: Any = None,
    dry_run: bool = False,
    job: int | None = None,
) -> ExportResult:
    """Write one file per record kind into `directory` (nothing at all when refused).

    `requested_by`: the user the export is made for (the exports page, `unseen export --as`);
    refused unless they hold `export_records`, and a full export's approval must then be one
    they asked for or one made in the admin. Without it the operator exports, as at the command
    line. `dry_run` makes every check the export would make, k-anonymity included, and writes,
    marks and audits nothing: the exports page refuses on the form what the job would refuse.
    `job` is the exports page's job id, written into the audit entry.

    At the controlled levels pseudonyms are fresh for every export, unless `linkable_by` (an
    administrator) makes it linkable: then they are the recipient's stable ones, and the
    release must meet k on its join with every earlier linkable release to that recipient.
    A `public` export without `recipient` is the public release, keyed apart from any recipient.
    """
    if format not in FORMATS or level not in LEVELS:
        raise ExportRefused(f"unknown format {format!r} or level {level!r}")
    writer = WRITERS[format]
    if reason := writer.unavailable():
        raise ExportRefused(reason)
    if requested_by is not None and not (
        getattr(requested_by, "is_active", False) and requested_by.can(Capability.EXPORT_RECORDS)
    ):
        raise ExportRefused(
            f"{requested_by.get_username()!r} may not export records (needs export_records)"
        )
    if k < 1:
        raise ExportRefused("--k must be at least 1")
    if override_by is not None and getattr(override_by, "role", "") != Role.ADMINISTRATOR:
        raise ExportRefused("only an administrator may override the k-anonymity check")
    if linkable_by is not None:
        if getattr(linkable_by, "role", "") != Role.ADMINISTRATOR:
            raise ExportRefused("only an administrator may make an export linkable")
        if level == "full":
            raise ExportRefused("--linkable applies to the public and pseudonymised levels")
        if not writer.with_files:
            raise ExportRefused(
                f"--linkable is not offered for {format}: its cases are keyed per export"
            )
        if override_by is not None:
            # An override releases groups under k on this export alone; the ledger would then
            # hold a release below k that every later one is measured against.
            raise ExportRefused("--linkable and --override-k cannot be combined")
    if level == "full":
        if approval is None:
            raise ExportRefused(
                "a full export needs an administrator's approval: --approval ID "
                "(create one in the admin under Export approvals)"
            )
        _check_approval(approval, requested_by)
        recipient = recipient or approval.recipient
        if (
            " ".join(recipient.split()).casefold()
            != " ".join(approval.recipient.split()).casefold()
        ):
            raise ExportRefused(f"approval #{approval.pk} is for another recipient")
        if dry_run:
            return ExportResult(directory, {})
        tables = full_tables() if writer.with_files else full_case_tables(requested_by)
        result = ExportResult(directory, {})
        ledger: ReleaseLedger | None = None
        key_name = ""
        ref = pid = None
    else:
        if level == "pseudonymised" and not recipient.strip():
            raise ExportRefused("a pseudonymised export needs --recipient NAME")
        recipient = recipient.strip()
        key_name = ledger_name(recipient)
        if writer.with_files:
            controlled = controlled_tables(level, recipient, k, override_by, linkable_by, directory)
            tables, result, ledger = controlled.tables, controlled.result, controlled.ledger
            ref, pid = controlled.ref, controlled.pid
        else:
            cases = controlled_case_tables(
                level, recipient, k, override_by, directory, reader=requested_by
            )
            tables, result, ledger, ref, pid = cases.tables, cases.result, None, None, None
        if dry_run:
            return result
        # The audit keeps naming the public release's recipient "public", as it always has;
        # `pseudonyms.key` tells it from a recipient of that name.
        recipient = recipient or "public"

    with transaction.atomic():
        if result.linkable:
            assert ledger is not None
            earlier = ReleaseLedger.objects.filter(recipient=ledger.recipient).count()
            if earlier != result.earlier_releases:
                raise ExportRefused(
                    "another linkable export to this recipient was made meanwhile; nothing "
                    "written: run the export again"
                )
        if approval is not None:
            used = ExportApproval.objects.filter(
                pk=approval.pk, used_at__isnull=True, level=level
            ).update(used_at=timezone.now())
            if not used:
                raise ExportRefused(f"approval #{approval.pk} has been used already")
        # Exports carry testimony: the files (and a folder made for them) are the operator's alone.
        with private_output(directory):
            # Each file read is a FILE_EXPORT custody event, in this transaction with the export's.
            evidence = FilesWritten()
            if writer.with_files:
                evidence = write_files(
                    directory, level=level, format=format, recipient=recipient, ref=ref, pid=pid
                )
                if progress:
                    progress(1)
            files = writer.write(tables, directory, progress)
        if evidence.count or evidence.withheld:
            files["evidence_files"] = evidence.count
        detail: dict[str, Any] = {
            "format": format,
            "level": level,
            "recipient": recipient,
            "files": files,
            "software": {"unseen": build.version(), "revision": build.revision()},
        }
        if level != "full":
            detail.update(
                k=result.k_required or k,
                unit=result.unit,
                smallest_group=result.k,
                persons=result.persons,
                suppressed=result.suppressed,
                generalisation=result.generalisation,
                pseudonyms={
                    "key": key_name,
                    "per": "recipient" if result.linkable else "export",
                },
            )
        if evidence.withheld:
            detail["evidence_files_withheld"] = evidence.withheld
        if result.linkable:
            assert ledger is not None
            ledger.save()
            detail["linkable"] = {
                "approved_by": linkable_by.get_username(),
                "earlier_releases": result.earlier_releases,
            }
        if result.overridden:
            detail["override"] = {
                "approved_by": override_by.get_username(),
                "smallest_group": result.k,
                "k": k,
            }
        if approval is not None:
            detail["approval"] = approval.pk
        if job is not None:
            detail["job"] = job
        if requested_by is not None:
            detail["requested_by"] = requested_by.get_username()
        record(Action.EXPORT, target_type="all", detail=detail)
    return ExportResult(
        directory,
        files,
        k=result.k,
        persons=result.persons,
        suppressed=result.suppressed,
        generalisation=result.generalisation,
        overridden=result.overridden,
        linkable=result.linkable,
        earlier_releases=result.earlier_releases,
        evidence_files=evidence.count,
        evidence_withheld=evidence.withheld,
        unit=result.unit,
        k_required=result.k_required,
    )


def _check_approval(approval: ExportApproval, requested_by: Any) -> None:
    """Refuse an approval that is not (or no longer) leave for this export."""
    if approval.used_at is not None:
        raise ExportRefused(f"approval #{approval.pk} has been used already")
    if approval.refused_by_id is not None:
        raise ExportRefused(f"approval #{approval.pk} was refused")
    if approval.approved_by is None:
        raise ExportRefused(f"approval #{approval.pk} has not been approved yet")
    if approval.approved_by.role != Role.ADMINISTRATOR:
        raise ExportRefused(f"approval #{approval.pk} was not given by an administrator")
    if (
        requested_by is not None
        and approval.requested_by_id is not None
        and approval.requested_by_id != requested_by.pk
    ):
        raise ExportRefused(f"approval #{approval.pk} was requested by someone else")
