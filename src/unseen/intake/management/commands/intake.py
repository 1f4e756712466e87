"""`unseen intake purge [--days N]`: delete rejected and spam submissions and their uploads."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from unseen.audit.context import current_actor
from unseen.intake.moderating import purge


class Command(BaseCommand):
    help = "Public intake upkeep: `purge` deletes rejected and spam submissions after N days."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        purging = sub.add_parser("purge", help="delete rejected and spam submissions and uploads")
        purging.add_argument(
            "--days",
            type=int,
            default=None,
            help="older than this many days after the decision (default UNSEEN_INTAKE_RETENTION_DAYS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options.get("days")
        days = settings.UNSEEN_INTAKE_RETENTION_DAYS if days is None else days
        if days < 0:
            raise CommandError("--days must be 0 or more")
        token = current_actor.set("cli")
        try:
            removed = purge(days=days)
        finally:
            current_actor.reset(token)
        self.stdout.write(
            f"purged {removed['submissions']} submissions and {removed['files']} files "
            f"decided more than {days} days ago"
        )
