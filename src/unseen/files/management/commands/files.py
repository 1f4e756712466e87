from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from unseen.audit.context import current_actor
from unseen.files.management import proofs


class Command(BaseCommand):
    help = (
        "Evidence files: `unseen files proof ID` prints a file's inclusion proof in a stamped "
        "checkpoint; `unseen files export ID --out DIR --reason TEXT` writes the original, its "
        "manifest and its proof."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        proofs.add_parsers(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        token = current_actor.set(proofs.ACTOR)
        try:
            proofs.run(self, options["operation"], options)
        finally:
            current_actor.reset(token)
