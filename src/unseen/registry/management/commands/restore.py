from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from unseen.core import sealing
from unseen.registry import backup
from unseen.registry.management.passphrase import add_passphrase_argument, passphrase


class Command(BaseCommand):
    help = (
        "`unseen restore FILE`: load an encrypted backup into an empty, migrated database "
        "(the master key it names must be configured first)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        add_passphrase_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["file"]
        if not source.is_file():
            raise CommandError(f"no backup at {source}")
        try:
            summary = backup.restore(source, passphrase(options), say=self.stdout.write)
        except (backup.BackupError, sealing.SealingError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"restored {summary.records} records and {summary.files} files")
