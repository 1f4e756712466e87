import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from unseen.audit.context import current_actor
from unseen.publishing.exporting import EXPORTED, FORMATS, LEVELS, ExportRefused, export


class Command(BaseCommand):
    help = "Export records to files: one CSV per record kind (`--format csv --level full`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--level", choices=LEVELS, required=True)
        parser.add_argument("--out", type=Path, required=True, help="directory to write into")

    def handle(self, *args: Any, **options: Any) -> None:
        current_actor.set("cli")
        with tqdm(
            total=len(EXPORTED), desc="exporting", unit=" kinds", file=sys.stderr, disable=None
        ) as bar:
            try:
                result = export(
                    options["out"],
                    format=options["format"],
                    level=options["level"],
                    progress=bar.update,
                )
            except ExportRefused as refusal:
                bar.close()
                self.stderr.write(f"error: {refusal}")
                sys.exit(2)
        for name, count in result.files.items():
            self.stdout.write(f"{count:>8} {name}.csv")
        self.stdout.write(f"written to {result.directory}")
