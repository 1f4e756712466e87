from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from unseen.core import sealing
from unseen.registry import backup
from unseen.registry.management.passphrase import add_passphrase_argument, passphrase


class Command(BaseCommand):
    help = (
        "`unseen backup FILE`: an encrypted archive (AES-256-GCM, passphrase from "
        "UNSEEN_BACKUP_PASSPHRASE or --passphrase-file) of the database and uploaded files. "
        "The master key is not included: back it up separately."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        add_passphrase_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        target: Path = options["file"]
        if target.exists():
            raise CommandError(f"{target} exists: choose a new file name")
        try:
            summary = backup.create(target, passphrase(options))
        except (backup.BackupError, sealing.SealingError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"backup written to {target}: {summary.records} records, {summary.files} files. "
            f"Restoring it needs the passphrase and master key "
            f"{', '.join(summary.master_key_ids) or '(no vault yet)'}, which is not in the backup."
        )
