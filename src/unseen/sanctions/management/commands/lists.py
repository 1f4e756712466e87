import datetime as dt
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from unseen.accounts.models import AccessLevel
from unseen.audit.context import current_actor
from unseen.registry.models import IdentifierScheme
from unseen.sanctions.loading import ListRefused, load_file
from unseen.sanctions.models import SanctionsList


class Command(BaseCommand):
    help = (
        "Sanctions lists: `unseen lists load FILE --list CODE --title T --authority A --version V` "
        "loads one version from FollowTheMoney JSON lines (OpenSanctions' entities.ftm.json), all "
        "or nothing: a bad line is reported as 'error: FILE:LINE: reason' with exit 2 and nothing "
        "is written. `unseen lists show` lists the versions loaded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        load = commands.add_parser("load", help="load one version of a list")
        load.add_argument("file", type=Path)
        load.add_argument("--list", dest="code", required=True, help="e.g. un_sc_sanctions")
        load.add_argument("--title", required=True)
        load.add_argument("--authority", required=True)
        load.add_argument("--version", dest="list_version", required=True)
        load.add_argument("--published", type=dt.date.fromisoformat, help="YYYY-MM-DD")
        load.add_argument("--url", default="")
        load.add_argument(
            "--scheme",
            choices=IdentifierScheme.values,
            default="",
            help="identifier scheme of accepted matches (default: from the list's code)",
        )
        load.add_argument(
            "--access-level",
            choices=[AccessLevel.INTERNAL, AccessLevel.CONFIDENTIAL],
            default=AccessLevel.INTERNAL,
            help="of the list's source (a reviewer publishes it, ADR 0025)",
        )
        commands.add_parser("show", help="the versions loaded, newest first")

    def handle(self, *args: Any, **options: Any) -> None:
        current_actor.set("cli")
        if options["command"] == "show":
            for loaded in SanctionsList.objects.newest_first():
                self.stdout.write(
                    f"{loaded.code}\t{loaded.version}\t{loaded.entity_count} entities\t"
                    f"{loaded.title}"
                )
            return
        path: Path = options["file"]
        if not path.is_file():
            self.stderr.write(f"error: {path}: no such file")
            sys.exit(2)
        try:
            result = load_file(
                path,
                code=options["code"],
                title=options["title"],
                authority=options["authority"],
                version=options["list_version"],
                published_on=options["published"],
                url=options["url"],
                scheme=options["scheme"],
                access_level=options["access_level"],
                file_name=path.name,
            )
        except ListRefused as refusal:
            for error in refusal.errors:
                self.stderr.write(f"error: {path}:{error.removeprefix('line ')}")
            self.stderr.write(f"{len(refusal.errors)} error(s); nothing was loaded")
            sys.exit(2)
        loaded = result.sanctions_list
        if result.already_loaded:
            self.stdout.write(f"{loaded.code} version {loaded.version} was already loaded")
            return
        skipped = ", ".join(f"{n} {schema}" for schema, n in sorted(result.skipped.items()))
        self.stdout.write(
            f"loaded {loaded.code} version {loaded.version}: {result.entities} entities, "
            f"{result.sanctions} sanctions" + (f"; left out {skipped}" if skipped else "")
        )
