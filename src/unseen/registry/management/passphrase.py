from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser


def add_passphrase_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--passphrase-file",
        type=Path,
        help="Read the passphrase from this file (else from UNSEEN_BACKUP_PASSPHRASE or its _FILE).",
    )


def passphrase(options: dict[str, Any]) -> str:
    """The backup passphrase: never a command-line value (it would show in `ps` and shell history)."""
    if options.get("passphrase_file"):
        value = Path(options["passphrase_file"]).read_text().strip("\n")
    else:
        value = str(getattr(settings, "UNSEEN_BACKUP_PASSPHRASE", ""))
    if not value:
        raise CommandError(
            "give the passphrase in UNSEEN_BACKUP_PASSPHRASE(_FILE) or --passphrase-file"
        )
    return value
