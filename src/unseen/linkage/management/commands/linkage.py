import signal
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from unseen.linkage.models import LinkageRun, RunStatus
from unseen.linkage.running import execute


class Command(BaseCommand):
    help = (
        "Run a queued linkage run by hand, in this process (`unseen worker` runs the runs the "
        "pages queue): `unseen linkage run RUN_ID`. Exits 1 if the run failed, 2 if there is no "
        "such run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        run = commands.add_parser("run", help="run a queued linkage run to the end")
        run.add_argument("run_id", type=int)
        run.add_argument("--backend", choices=["duckdb", "spark"], default="duckdb")

    def handle(self, *args: Any, **options: Any) -> None:
        if not LinkageRun.objects.filter(pk=options["run_id"]).exists():
            self.stderr.write(f"error: no linkage run {options['run_id']}")
            sys.exit(2)
        # A stop request (a shutdown, `kill`) ends the run as failed instead of leaving it running.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        run = execute(options["run_id"], backend=options["backend"])
        if run.status == RunStatus.FAILED:
            self.stderr.write(f"error: linkage run {run.pk}: {run.error}")
            sys.exit(1)
        self.stdout.write(
            f"linkage run {run.pk}: {run.status}, {run.counts.get('clusters', 0)} clusters"
        )
