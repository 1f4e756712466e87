from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from unseen.audit.context import current_actor
from unseen.publishing.exporting import purge_expired


class Command(BaseCommand):
    help = (
        "Exports made from the web: `unseen exports purge` deletes the zips whose download time "
        "(UNSEEN_EXPORT_DOWNLOAD_HOURS) is over. The exports page and a download purge too; run "
        "this from cron so a file nobody asks for again does not wait. See docs/reference/export.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["purge"])

    def handle(self, *args: Any, **options: Any) -> None:
        current_actor.set("cli")
        count = purge_expired()
        self.stdout.write(f"{count} expired export file(s) deleted")
