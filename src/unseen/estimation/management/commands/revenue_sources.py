"""`unseen revenue_sources load`: the revenue model's sources and published figures as records."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from unseen.audit.context import current_actor
from unseen.core.revenue import records


class Command(BaseCommand):
    help = (
        "Load the sources the revenue defaults and scenarios cite, and the revenue figures others "
        "published (unseen/core/revenue/data), as public records; loading twice changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load", "check"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "check":
            try:
                found = records.read_sources()
                defaults = records.read_defaults()
                scenarios, inputs = records.read_scenarios()
                figures = records.read_published()
            except records.RevenueDataError as error:
                raise CommandError("\n".join(error.errors)) from error
            self.stdout.write(
                f"{len(found)} sources, {len(defaults)} defaults, {len(scenarios)} scenarios "
                f"({len(inputs)} inputs), {len(figures)} published figures: every number cites "
                "a source"
            )
            return
        from unseen.estimation import revenue_sources

        current_actor.set("cli")
        try:
            made = revenue_sources.load()
        except records.RevenueDataError as error:
            raise CommandError("\n".join(error.errors)) from error
        for name, count in made.items():
            self.stdout.write(f"{count:>6} {name}")
