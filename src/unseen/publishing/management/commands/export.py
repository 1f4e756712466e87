import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from unseen.accounts.models import User
from unseen.accounts.roles import Role
from unseen.audit.context import current_actor
from unseen.publishing.exporting import (
    DEFAULT_K,
    EXPORTED,
    FORMATS,
    LEVELS,
    ExportRefused,
    export,
)
from unseen.publishing.models import ExportApproval


class Command(BaseCommand):
    help = (
        "Export records to files (csv, FollowTheMoney JSON lines or GeoJSON) at the public, "
        "pseudonymised or full level; see docs/reference/export.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--level", choices=LEVELS, required=True)
        parser.add_argument("--out", type=Path, required=True, help="directory to write into")
        parser.add_argument(
            "--recipient",
            default="",
            help="who receives the files: pseudonyms are keyed per recipient "
            "(required for pseudonymised; public defaults to 'public')",
        )
        parser.add_argument(
            "--k", type=int, default=DEFAULT_K, help="smallest group of persons released"
        )
        parser.add_argument(
            "--override-k",
            action="store_true",
            help="release groups smaller than k (needs --approved-by; audited)",
        )
        parser.add_argument("--approved-by", default="", help="administrator's username")
        parser.add_argument(
            "--approval", type=int, default=None, help="id of an unused export approval (full)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        current_actor.set("cli")
        try:
            override_by = self._override(options)
            approval = self._approval(options)
        except ExportRefused as refusal:
            self._refuse(str(refusal))
        total = len(EXPORTED) if options["format"] != "geojson" else 2
        with tqdm(
            total=total, desc="exporting", unit=" files", file=sys.stderr, disable=None
        ) as bar:
            try:
                result = export(
                    options["out"],
                    format=options["format"],
                    level=options["level"],
                    recipient=options["recipient"],
                    k=options["k"],
                    override_by=override_by,
                    approval=approval,
                    progress=bar.update,
                )
            except ExportRefused as refusal:
                bar.close()
                self._refuse(str(refusal))
        for name, count in result.files.items():
            self.stdout.write(f"{count:>8} {name}")
        if options["level"] != "full" and not result.persons:
            self.stdout.write("k-anonymity: no persons at this level")
        elif result.k is not None and options["level"] != "full":
            self.stdout.write(
                f"k-anonymity: smallest group of persons {result.k} (k={options['k']}); "
                f"{result.suppressed} of {result.persons} persons suppressed; generalisation "
                + ", ".join(f"{name} level {lvl}" for name, lvl in result.generalisation.items())
            )
            if result.overridden:
                self.stdout.write(
                    "groups smaller than k released by administrator override (audited)"
                )
        self.stdout.write(f"written to {result.directory}")

    def _refuse(self, reason: str) -> None:
        self.stderr.write(f"error: {reason}")
        sys.exit(2)

    def _override(self, options: dict[str, Any]) -> User | None:
        if not options["override_k"]:
            if options["approved_by"]:
                raise ExportRefused("--approved-by goes with --override-k")
            return None
        if options["level"] == "full":
            raise ExportRefused("--override-k applies to the public and pseudonymised levels")
        if not options["approved_by"]:
            raise ExportRefused("--override-k needs --approved-by USERNAME (an administrator)")
        user = User.objects.filter(username=options["approved_by"], is_active=True).first()
        if user is None or user.role != Role.ADMINISTRATOR:
            raise ExportRefused(f"{options['approved_by']!r} is not an active administrator")
        return user

    def _approval(self, options: dict[str, Any]) -> ExportApproval | None:
        if options["approval"] is None:
            return None
        if options["level"] != "full":
            raise ExportRefused("--approval is for --level full")
        approval = (
            ExportApproval.objects.select_related("approved_by")
            .filter(pk=options["approval"])
            .first()
        )
        if approval is None:
            raise ExportRefused(f"no export approval #{options['approval']}")
        if approval.used_at is not None:
            raise ExportRefused(f"approval #{approval.pk} has been used already")
        if approval.approved_by.role != Role.ADMINISTRATOR:
            raise ExportRefused(f"approval #{approval.pk} was not given by an administrator")
        return approval
