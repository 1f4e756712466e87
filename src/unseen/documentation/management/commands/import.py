import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from unseen.accounts.models import AccessLevel
from unseen.audit.context import current_actor
from unseen.core.ftm_reading import FtmErrors
from unseen.core.tables import TableError
from unseen.documentation.importing import KINDS, import_file
from unseen.documentation.importing_ftm import format_error, import_ftm, is_ftm_file
from unseen.ui.uploads import table_limits


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file (--kind), or FollowTheMoney JSON lines (--format ftm, or a "
        ".json/.jsonl file without --kind), all or nothing. Bad cells are reported as "
        "'error: FILE:ROW:COLUMN: reason', bad FtM lines as 'error: FILE:LINE: reason', and the "
        "command exits 2 without writing anything."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", choices=KINDS, help="the records in a CSV or XLSX file")
        parser.add_argument(
            "--format",
            choices=("table", "ftm"),
            help="table (CSV or XLSX, with --kind) or ftm (FollowTheMoney JSON lines); "
            "by default from the file's name",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and rehearse, then write nothing"
        )
        ftm = parser.add_argument_group("FollowTheMoney")
        ftm.add_argument("--title", default="", help="the source's title (default: file name)")
        ftm.add_argument(
            "--dataset-version",
            default="",
            help="the dataset's version (default: the newest last_change or last_seen in it)",
        )
        ftm.add_argument(
            "--access-level",
            choices=AccessLevel.values,
            default=AccessLevel.INTERNAL,
            help="of every record created (public ones wait for review as internal)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        current_actor.set("cli")
        form = options["format"] or (
            "ftm" if options["kind"] is None and is_ftm_file(path.name) else "table"
        )
        if form == "ftm":
            self._ftm(path, options)
            return
        if options["kind"] is None:
            raise CommandError("--kind is required for a CSV or XLSX file")
        with tqdm(
            desc=f"importing {options['kind']}", unit=" rows", file=sys.stderr, disable=None
        ) as bar:
            try:
                result = import_file(
                    path,
                    options["kind"],
                    dry_run=options["dry_run"],
                    progress=bar.update,
                    limits=table_limits(upload=False),
                )
            except TableError as failure:
                bar.close()
                for error in failure.errors:
                    self.stderr.write(f"error: {error.format(str(path))}")
                self.stderr.write(f"{len(failure.errors)} error(s); nothing was imported")
                sys.exit(2)
        summary = ", ".join(f"{count} {name}" for name, count in result.created.items())
        verb = "would import" if result.dry_run else "imported"
        self.stdout.write(f"{verb} {result.rows} rows from {path}: {summary}")
        if result.held_back:
            self.stdout.write(
                f"{result.held_back} row(s) asked to be public: imported as internal until "
                "someone other than the importer reviews them (ADR 0025)"
            )

    def _ftm(self, path: Path, options: dict[str, Any]) -> None:
        try:
            result = import_ftm(
                path,
                title=options["title"],
                dataset_version=options["dataset_version"],
                access_level=options["access_level"],
                dry_run=options["dry_run"],
            )
        except FtmErrors as failure:
            for error in failure.errors:
                self.stderr.write(f"error: {format_error(error, str(path))}")
            more = " (the first ones)" if failure.truncated else ""
            self.stderr.write(f"{len(failure.errors)} error(s){more}; nothing was imported")
            sys.exit(2)
        except OSError as failure:
            self.stderr.write(f"error: {path}: {failure.strerror or failure}")
            sys.exit(2)
        verb = "would import" if result.dry_run else "imported"
        created = ", ".join(f"{count} {name}" for name, count in result.created.items())
        self.stdout.write(
            f"{verb} {result.entities} entities from {path} as source "
            f"{result.source_title!r}: {created or 'nothing new'}"
        )
        if result.updated:
            updated = ", ".join(f"{count} {name}" for name, count in result.updated.items())
            self.stdout.write(f"updated (already imported): {updated}")
        for why, count in result.skipped.items():
            self.stdout.write(f"left out: {count} {why}")
        if result.held_back:
            self.stdout.write(
                "asked to be public: imported as internal until someone other than the "
                "importer reviews them (ADR 0025)"
            )
