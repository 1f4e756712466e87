import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from unseen.audit.context import current_actor
from unseen.core.tables import TableError
from unseen.documentation.importing import KINDS, import_file
from unseen.ui.uploads import table_limits


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file, all or nothing. Bad cells are reported as "
        "'error: FILE:ROW:COLUMN: reason' and the command exits 2 without writing anything."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", required=True, choices=KINDS)
        parser.add_argument(
            "--dry-run", action="store_true", help="check and rehearse, then write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        current_actor.set("cli")
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
