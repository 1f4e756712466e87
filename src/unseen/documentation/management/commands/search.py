import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from unseen.documentation import indexing


class Command(BaseCommand):
    help = "The search index: `unseen search rebuild` writes every record's entry anew."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"])

    def handle(self, *args: Any, **options: Any) -> None:
        total = indexing.records_to_index()
        with tqdm(
            total=total, desc="indexing", unit=" records", file=sys.stderr, disable=None
        ) as bar:
            written = indexing.rebuild(progress=bar.update)
        self.stdout.write(f"indexed {written} records")
