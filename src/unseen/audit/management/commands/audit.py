from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from unseen.audit import anchors
from unseen.audit.log import verify
from unseen.audit.reports import UnknownPerson, person_access


class Command(BaseCommand):
    help = (
        "The audit log: `unseen audit verify` checks the keyed chain against the last anchor; "
        "`unseen audit anchor` appends an anchor (run it from cron and copy the file off the "
        "machine); `unseen audit report P-00042` lists every entry about one person."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("operation", choices=["verify", "anchor", "report"])
        parser.add_argument("pseudonym", nargs="?", help="with `report`: the person, e.g. P-00042")
        parser.add_argument(
            "--anchor-file",
            type=Path,
            help="with `verify`: check against this copy of the anchor file (e.g. the off-site "
            "one) instead of the configured one",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "report":
            self.report(options["pseudonym"] or "")
            return
        if options["operation"] == "anchor":
            # The line alone on stdout, so cron can pipe it on (`| logger -t unseen-audit`).
            self.stdout.write(anchors.line(anchors.write("command")))
            return
        source = Path(options["anchor_file"]) if options["anchor_file"] else None
        if source is not None and not source.is_file():
            raise CommandError(f"no anchor file at {source}", returncode=2)
        report = verify(anchor_file=source)
        if not report.intact:
            where = f" at entry {report.first_broken_id}" if report.first_broken_id else ""
            raise CommandError(f"audit log broken{where}: {report.reason}", returncode=1)
        self.stdout.write(f"audit log intact: {report.checked} entries checked")
        if report.anchor is None:
            self.stdout.write(
                f"no anchor to check against in {source or anchors.anchor_path()}: entries cut "
                "off the end would go unnoticed (run `unseen audit anchor`)"
            )
        else:
            self.stdout.write(
                f"anchor matched: entry {report.anchor.id} as of {report.anchor.at} "
                f"({report.anchors_checked} anchors checked)"
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
