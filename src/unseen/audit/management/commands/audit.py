from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from unseen.audit.log import verify


class Command(BaseCommand):
    help = "Check the audit log: `unseen audit verify` reports the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify()
        if report.intact:
            self.stdout.write(f"audit log intact: {report.checked} entries checked")
            return
        raise CommandError(
            f"audit log broken at entry {report.first_broken_id}: {report.reason}", returncode=1
        )
