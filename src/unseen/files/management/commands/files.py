"""`unseen files add|verify|custody|ocr|proof|export|delete`: evidence files from the command line.

`add PATH... --source ID` (or --testimony, --incident, --sighting) stores files and attaches them
to one record, with a progress bar in bytes; every path is checked first (exists, a file, not
empty, within the size limit, room on the disk), and a bad one stops the command with
`error: PATH: reason` and exit 2 before anything is written. `verify` decrypts and re-hashes every
stored original and working copy and exits 1 naming each one that changed. `custody ID` prints a
file's custody report. `proof ID` and `export ID --out DIR --reason TEXT` give a file's inclusion
proof in a stamped checkpoint (`management/proofs.py`, ADR 0029). `ocr ID` reads a scan's or
photo's text (Korean and English) in this process, with a progress bar, as `unseen worker` would
(a job already queued is run here). `delete ID --confirm` (an administrator's) carries out a deletion someone
asked for on the file's page (`files.deleting`); without --confirm it shows what would go.
"""

import json
import re
import signal
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from unseen.accounts.models import AccessLevel
from unseen.audit.context import current_actor
from unseen.core import sealing
from unseen.core.media.errors import MediaError
from unseen.documentation.browsing import KINDS
from unseen.files import custody, deleting, reading, storing
from unseen.files.management import proofs
from unseen.files.models import EvidenceFile, Licence, WorkingCopy
from unseen.jobs.models import JobStatus

ACTOR = "cli"
RECORD_OPTIONS = {
    "source": "sources",
    "testimony": "testimonies",
    "incident": "incidents",
    "sighting": "sightings",
}
NEW_LEVELS = [level for level in AccessLevel.values if level != AccessLevel.PUBLIC]


PROOF_OPERATIONS = ("proof", "export")


class Command(BaseCommand):
    help = (
        "Evidence files: `add PATH... --source ID` stores files (hashed, encrypted) and attaches "
        "them to a record; `verify` re-hashes every stored file and exits 1 naming any that "
        "changed; `custody F-00012` prints who held or saw a file, when and why."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        add = sub.add_parser("add", help="store files and attach them to one record")
        add.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        target = add.add_mutually_exclusive_group(required=True)
        for option in RECORD_OPTIONS:
            target.add_argument(f"--{option}", type=int, metavar="ID")
        add.add_argument(
            "--access-level",
            choices=NEW_LEVELS,
            default=AccessLevel.INTERNAL,
            help="the files' own level (default internal; a file is made public by review)",
        )
        add.add_argument("--credit", default="", help="credit line shown with the files")
        add.add_argument(
            "--licence", choices=Licence.values, default=Licence.UNKNOWN, help="SPDX identifier"
        )
        sub.add_parser(
            "verify", help="decrypt and re-hash every stored file; exit 1 if any changed"
        )
        report = sub.add_parser("custody", help="a file's custody report")
        report.add_argument("file", metavar="ID", help="F-00012, or 12")
        report.add_argument("--json", action="store_true", help="one JSON document on stdout")
        proofs.add_parsers(sub)
        ocr = sub.add_parser(
            "ocr",
            help="read a scan's or photo's text (Korean and English) now, with a progress bar",
        )
        ocr.add_argument("file", metavar="ID", help="F-00012, or 12")
        delete = sub.add_parser(
            "delete",
            help="delete a file someone asked to delete (its original, working copies and row)",
        )
        delete.add_argument("file", metavar="ID", help="F-00012, or 12")
        delete.add_argument(
            "--confirm", action="store_true", help="delete it (without: show what would go)"
        )
        delete.add_argument("--reason", default="", help="kept in the audit log with the deletion")

    def handle(self, *args: Any, **options: Any) -> None:
        current_actor.set(ACTOR)
        if options["operation"] in PROOF_OPERATIONS:
            proofs.run(self, options["operation"], options)
            return
        getattr(self, options["operation"])(**options)

    def fail(self, message: str) -> NoReturn:
        self.stderr.write(f"error: {message}")
        sys.exit(2)

    # --- add -------------------------------------------------------------------------------------

    def add(self, **options: Any) -> None:
        record = self._record(options)
        paths: list[Path] = options["paths"]
        sizes = [self._checked_size(path) for path in paths]
        try:
            storing.check_room(sum(sizes))
        except storing.Refused as refusal:
            self.fail(f"{len(paths)} file(s): {refusal}")
        metadata = {
            "access_level": options["access_level"],
            "credit": options["credit"],
            "licence": options["licence"],
        }
        added = 0
        with tqdm(
            total=sum(sizes),
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc="storing",
            file=sys.stderr,
            disable=None,
        ) as bar:
            for path in paths:
                try:
                    received = storing.receive_path(
                        path, user=None, progress=bar.update, **metadata
                    )
                except (storing.Refused, OSError) as refusal:
                    bar.close()
                    kept = f"; the {added} file(s) before it were kept" if added else ""
                    self.fail(f"{path}: {refusal}{kept}")
                storing.attach(received.file, record, ACTOR)
                added += 1
                file = received.file
                note = (
                    f"\talready held as {file.code}; linked here too" if received.duplicate else ""
                )
                with tqdm.external_write_mode(file=sys.stderr):
                    self.stdout.write(
                        f"{file.code}\t{file.sha256}\t{file.content_type}\t{file.size}\t{path}"
                        f"{note}"
                    )
        self.stderr.write(f"{added} file(s) attached to {record._meta.verbose_name} {record.pk}")

    def _record(self, options: dict[str, Any]) -> Any:
        for option, slug in RECORD_OPTIONS.items():
            pk = options.get(option)
            if pk is None:
                continue
            model = KINDS[slug].model
            record = model._default_manager.filter(pk=pk).first()
            if record is None:
                self.fail(f"--{option} {pk}: no such {model._meta.verbose_name}")
            return record
        self.fail("name the record: --source, --testimony, --incident or --sighting ID")

    def _checked_size(self, path: Path) -> int:
        if not path.exists():
            self.fail(f"{path}: no such file")
        if not path.is_file():
            self.fail(f"{path}: not a regular file")
        size = path.stat().st_size
        if not size:
            self.fail(f"{path}: the file is empty")
        try:
            storing.check_size(size)
        except storing.Refused as refusal:
            self.fail(f"{path}: {refusal}")
        return size

    # --- verify ----------------------------------------------------------------------------------

    def verify(self, **options: Any) -> None:
        files = EvidenceFile.objects.count()
        copies = WorkingCopy.objects.count()
        total = sum(EvidenceFile.objects.values_list("size", flat=True)) + sum(
            WorkingCopy.objects.values_list("size", flat=True)
        )
        try:
            with tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc="verifying",
                file=sys.stderr,
                disable=None,
            ) as bar:
                problems = storing.verify_all(progress=bar.update)
        except sealing.SealingError as error:  # the vault's key itself is unusable
            self.fail(str(error))
        for problem in problems:
            self.stderr.write(f"changed: {problem}")
        if problems:
            self.stderr.write(
                f"{len(problems)} problem(s) in {files} file(s) and {copies} working copies"
            )
            sys.exit(1)
        self.stdout.write(
            f"{files} file(s) and {copies} working copies verified: every SHA-256 holds"
        )

    # --- custody ---------------------------------------------------------------------------------

    def _file(self, given: str) -> EvidenceFile:
        match = re.fullmatch(r"(?:F-?)?0*(\d+)", given.strip(), flags=re.IGNORECASE)
        file = EvidenceFile.objects.filter(pk=int(match.group(1))).first() if match else None
        if file is None:
            self.fail(f"no evidence file {given}")
        return file

    def custody(self, **options: Any) -> None:
        file = self._file(options["file"])
        lines = custody.report_lines(file)
        if options["json"]:
            document = {"file": file.code, "sha256": file.sha256, "events": lines}
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{file.code}\tsha256 {file.sha256}\t{len(lines)} event(s)")
        for line in lines:
            matches = {True: "hash ok", False: "HASH DIFFERS", None: ""}[line["matches"]]
            reason = f'\treason: "{line["reason"]}"' if line["reason"] else ""
            self.stdout.write(
                f"#{line['id']}\t{line['at']}\t{line['actor']}\t{line['action']}\t{matches}{reason}"
            )

    # --- ocr -------------------------------------------------------------------------------------

    def ocr(self, **options: Any) -> None:
        file = self._file(options["file"])
        try:
            job, _created = reading.new_ocr_job(file, None)
        except MediaError as refusal:
            self.fail(f"{file.code}: {refusal}")
        if job.status != JobStatus.QUEUED:
            self.fail(f"{file.code}: text recognition is running already (job {job.pk})")
        # A stop request (a shutdown, `kill`) ends the job as failed instead of leaving it running.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        with tqdm(
            total=100,
            desc="OCR",
            file=sys.stderr,
            disable=None,
            bar_format="{l_bar}{bar}| {elapsed}",
        ) as bar:

            def progress(stage: str, fraction: float) -> None:
                bar.set_description(stage)
                bar.update(round(fraction * 100) - bar.n)

            job = reading.execute_ocr(job.pk, bar=progress)
        if job.status != JobStatus.DONE:
            self.stderr.write(f"error: {file.code}: {job.error or job.get_status_display()}")
            sys.exit(1)
        self.stdout.write(
            f"{file.code}: {job.segments} piece(s) of text from {job.pages} page(s) "
            f"(tesseract {job.tool_version}, {job.languages})"
        )

    # --- delete ----------------------------------------------------------------------------------

    def delete(self, **options: Any) -> None:
        file = self._file(options["file"])
        asked = deleting.requests(file)
        if not asked:
            self.fail(
                f"nobody has asked for {file.code} to be deleted: ask on the file's page first "
                "(with a reason); a deletion carries out a request, never one alone"
            )
        for entry in asked:
            reason = entry.detail.get("reason", "") if isinstance(entry.detail, dict) else ""
            self.stdout.write(
                f'requested #{entry.pk}\t{entry.at.isoformat()}\t{entry.actor}\treason: "{reason}"'
            )
        copies = file.working_copies.count()
        what = f"{file.code}\tsha256 {file.sha256}\t{file.size} bytes\t{copies} working copies"
        if not options["confirm"]:
            self.stdout.write(f"would delete {what}")
            self.fail("nothing deleted: add --confirm to delete the original for good")
        try:
            deleted = deleting.delete(file, actor=ACTOR, reason=options["reason"])
        except deleting.DeletionRefused as refusal:
            self.fail(str(refusal))
        self.stdout.write(
            f"deleted {deleted.code}\tsha256 {deleted.sha256}\t{deleted.copies} working copies"
            f"\tcarrying out request #{deleted.request}"
        )
