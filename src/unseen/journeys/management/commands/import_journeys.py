import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from unseen.audit.context import current_actor
from unseen.core import htcds
from unseen.journeys.importing import JourneyImportError, import_journeys
from unseen.ui.uploads import table_limits


class Command(BaseCommand):
    help = (
        "Import testimonies' journeys from CSV or XLSX in the layout of the HTCDS export "
        "(docs/reference/htcds.md): an export folder, or an events file with --indicators. All "
        "or nothing: bad cells are reported as 'error: FILE:ROW:COLUMN: reason' and the command "
        "exits 2 without writing anything."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            type=Path,
            help=f"a folder holding {htcds.EVENTS_FILE} (and {htcds.INDICATORS_FILE}), "
            "or the events file itself",
        )
        parser.add_argument(
            "--indicators", type=Path, help="the indicators file, with the passages"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace the journeys of the testimonies named (their events are deleted first)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and rehearse, then write nothing"
        )
        parser.add_argument(
            "--new-testimonies",
            action="store_true",
            help=f"every case of the cases file ({htcds.CASES_FILE} in the folder, or --cases) "
            "becomes a new testimony with its own interview source; case_id is the partner's "
            "own case id",
        )
        parser.add_argument("--cases", type=Path, help="the cases file, with --new-testimonies")
        parser.add_argument(
            "--level",
            choices=["public", "internal", "confidential"],
            default="confidential",
            help="the access level of the new testimonies and their sources (default confidential)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        current_actor.set("cli")
        path: Path = options["path"]
        indicators: Path | None = options["indicators"]
        if path.is_dir():
            events = path / htcds.EVENTS_FILE
            if indicators is None and (path / htcds.INDICATORS_FILE).exists():
                indicators = path / htcds.INDICATORS_FILE
        else:
            events = path
        if options["new_testimonies"] and options["replace"]:
            raise CommandError("--replace cannot be used with --new-testimonies")
        if not events.exists():
            raise CommandError(f"{events} does not exist")
        cases: Path | None = options["cases"]
        if options["new_testimonies"]:
            if cases is None:
                cases = (path if path.is_dir() else events.parent) / htcds.CASES_FILE
            if not cases.exists():
                raise CommandError(f"{cases} does not exist (give the cases file with --cases)")
        elif cases is not None:
            raise CommandError("--cases is read only with --new-testimonies")
        with tqdm(desc="importing journeys", unit=" events", file=sys.stderr, disable=None) as bar:
            try:
                result = import_journeys(
                    events,
                    indicators,
                    replace=options["replace"],
                    dry_run=options["dry_run"],
                    progress=bar.update,
                    limits=table_limits(upload=False),
                    cases_path=cases,
                    level=options["level"],
                )
            except JourneyImportError as failure:
                bar.close()
                for line in failure.lines():
                    self.stderr.write(f"error: {line}")
                self.stderr.write(f"{len(failure.errors)} error(s); nothing was imported")
                sys.exit(2)
        verb = "would import" if result.dry_run else "imported"
        self.stdout.write(
            f"{verb} {result.events} journey events and {result.indicators} indicators "
            f"for {result.testimonies} testimonies from {events}"
        )
        if result.new_testimonies:
            made = ", ".join(f"{case} → {pk}" for case, pk in result.new_testimonies.items())
            verb = "would create" if result.dry_run else "created"
            self.stdout.write(
                f"{verb} {len(result.new_testimonies)} {options['level']} testimonies "
                f"(case id → testimony id): {made}"
            )
        if result.replaced:
            self.stdout.write(f"replaced {result.replaced} earlier journey events")
