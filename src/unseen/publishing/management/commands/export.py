import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from unseen.accounts.models import User
from unseen.accounts.roles import Role
from unseen.audit.context import current_actor
from unseen.publishing.exports import (
    DEFAULT_K,
    FORMATS,
    LEVELS,
    ExportRefused,
    export,
    init_export_key,
    steps,
)
from unseen.publishing.models import ExportApproval


class Command(BaseCommand):
    help = (
        "Export records to files (csv, FollowTheMoney JSON lines or GeoJSON) at the public, "
        "pseudonymised or full level; --init-key creates the export key once. See "
        "docs/reference/export.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--level", choices=LEVELS, help="required unless --init-key")
        parser.add_argument(
            "--out", type=Path, help="directory to write into (required unless --init-key)"
        )
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
        parser.add_argument(
            "--linkable",
            action="store_true",
            help="keep the recipient's pseudonyms from earlier linkable exports, and meet k on "
            "the join with them (needs --approved-by; audited). Without it every export gets "
            "fresh pseudonyms",
        )
        parser.add_argument(
            "--approved-by",
            default="",
            help="administrator's username (for --override-k or --linkable)",
        )
        parser.add_argument(
            "--init-key",
            action="store_true",
            help="create the export key (var/keys/export_key, 0600) and export nothing; "
            "refused when it exists",
        )
        parser.add_argument(
            "--approval", type=int, default=None, help="id of an unused export approval (full)"
        )
        parser.add_argument(
            "--as",
            dest="as_user",
            default="",
            metavar="USERNAME",
            help="export for this user: refused unless they hold export_records (and a full "
            "export's approval must be theirs or the admin's). Without it the operator exports",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        current_actor.set("cli")
        if options["init_key"]:
            self._init_key(options)
            return
        try:
            if options["level"] is None or options["out"] is None:
                raise ExportRefused("--level and --out are required (or --init-key alone)")
            override_by = self._override(options)
            linkable_by = self._linkable(options)
            approval = self._approval(options)
            requested_by = self._as(options)
        except ExportRefused as refusal:
            self._refuse(str(refusal))
        with tqdm(
            total=steps(options["format"]),
            desc="exporting",
            unit=" files",
            file=sys.stderr,
            disable=None,
        ) as bar:
            try:
                result = export(
                    options["out"],
                    format=options["format"],
                    level=options["level"],
                    recipient=options["recipient"],
                    k=options["k"],
                    override_by=override_by,
                    linkable_by=linkable_by,
                    approval=approval,
                    progress=bar.update,
                    requested_by=requested_by,
                )
            except ExportRefused as refusal:
                bar.close()
                self._refuse(str(refusal))
        for name, count in result.files.items():
            self.stdout.write(f"{count:>8} {name}")
        if result.evidence_withheld:
            self.stdout.write(
                f"{result.evidence_withheld} evidence file(s) withheld: no person has confirmed "
                "their redaction (or marked it as not needed) on the file's page"
            )
        unit = result.unit
        k = result.k_required or options["k"]
        if options["level"] != "full" and not result.persons:
            self.stdout.write(f"k-anonymity: no {unit} at this level")
        elif result.k is not None and options["level"] != "full":
            if k != options["k"]:
                self.stdout.write(
                    f"k raised to {k} for a public {options['format']} export (CTDC's practice)"
                )
            self.stdout.write(
                f"k-anonymity: smallest group of {unit} {result.k} (k={k}); "
                f"{result.suppressed} of {result.persons} {unit} suppressed; generalisation "
                + ", ".join(f"{name} level {lvl}" for name, lvl in result.generalisation.items())
            )
            if result.linkable:
                self.stdout.write(
                    "linkable: the recipient's own pseudonyms; k measured on the join with "
                    f"{result.earlier_releases} earlier linkable release(s) (audited)"
                )
            else:
                self.stdout.write("pseudonyms: fresh for this export (cannot be joined to others)")
            if result.overridden:
                self.stdout.write(
                    "groups smaller than k released by administrator override (audited)"
                )
        self.stdout.write(f"written to {result.directory}")

    def _refuse(self, reason: str) -> None:
        self.stderr.write(f"error: {reason}")
        sys.exit(2)

    def _init_key(self, options: dict[str, Any]) -> None:
        if options["level"] is not None or options["out"] is not None:
            self._refuse("--init-key creates the export key and exports nothing: give it alone")
        try:
            path = init_export_key()
        except ExportRefused as refusal:
            self._refuse(str(refusal))
        self.stdout.write(
            f"export key created: {path} (mode 0600). Back it up with the database: every "
            "pseudonym derives from it, and it is never re-created"
        )

    def _administrator(self, options: dict[str, Any], option: str) -> User:
        if not options["approved_by"]:
            raise ExportRefused(f"{option} needs --approved-by USERNAME (an administrator)")
        user = User.objects.filter(username=options["approved_by"], is_active=True).first()
        if user is None or user.role != Role.ADMINISTRATOR:
            raise ExportRefused(f"{options['approved_by']!r} is not an active administrator")
        return user

    def _override(self, options: dict[str, Any]) -> User | None:
        if not options["override_k"]:
            if options["approved_by"] and not options["linkable"]:
                raise ExportRefused("--approved-by goes with --override-k or --linkable")
            return None
        if options["level"] == "full":
            raise ExportRefused("--override-k applies to the public and pseudonymised levels")
        return self._administrator(options, "--override-k")

    def _linkable(self, options: dict[str, Any]) -> User | None:
        if not options["linkable"]:
            return None
        if options["level"] == "full":
            raise ExportRefused("--linkable applies to the public and pseudonymised levels")
        return self._administrator(options, "--linkable")

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
        return approval  # `export` checks it is approved, unused and (with --as) theirs

    def _as(self, options: dict[str, Any]) -> User | None:
        if not options["as_user"]:
            return None
        user = User.objects.filter(username=options["as_user"]).first()
        if user is None:
            raise ExportRefused(f"no user {options['as_user']!r}")
        return user  # `export` refuses one who may not export records
