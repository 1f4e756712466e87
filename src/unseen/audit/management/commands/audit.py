from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from unseen.audit.log import verify
from unseen.audit.reports import UnknownPerson, person_access


class Command(BaseCommand):
    help = (
        "The audit log: `unseen audit verify` reports the first broken link; "
        "`unseen audit report P-00042` lists every entry about one person."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["verify", "report"])
        parser.add_argument("pseudonym", nargs="?", help="with `report`: the person, e.g. P-00042")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "report":
            self.report(options["pseudonym"] or "")
            return
        report = verify()
        if report.intact:
            self.stdout.write(f"audit log intact: {report.checked} entries checked")
            return
        raise CommandError(
            f"audit log broken at entry {report.first_broken_id}: {report.reason}", returncode=1
        )

    def report(self, pseudonym: str) -> None:
        if not pseudonym:
            raise CommandError("name the person: unseen audit report P-00042")
        try:
            lines = person_access(pseudonym)
        except UnknownPerson:
            raise CommandError(f"no person {pseudonym}") from None
        self.stdout.write(f"{len(lines)} audit entries about {pseudonym.upper()}")
        for line in lines:
            entry = line.entry
            purpose = f'  purpose: "{line.purpose}"' if line.purpose else ""
            self.stdout.write(
                f"#{entry.pk}\t{entry.at:%Y-%m-%d %H:%M:%S}\t{entry.actor}\t{entry.action}"
                f"\t{line.about}{purpose}"
            )
