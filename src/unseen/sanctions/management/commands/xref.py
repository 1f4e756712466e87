import json
import signal
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from unseen.audit.context import current_actor
from unseen.sanctions.models import DEFAULT_THRESHOLD, RecordKind, XrefStatus
from unseen.sanctions.presenting import change_lines
from unseen.sanctions.xref import execute, newest_versions, start_run


class Command(BaseCommand):
    help = (
        "Cross-reference our organisations, public figures and sites against the newest version "
        "of each loaded sanctions list (or of --list CODE): writes candidates for review and "
        "prints what changed for our matched records since the version before. Exits 1 if a run "
        "failed, 2 if there is no such list."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", dest="code", help="the list's code (default: every list)")
        parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
        parser.add_argument(
            "--kind",
            dest="kinds",
            action="append",
            choices=RecordKind.values,
            help="record kinds to compare (repeat; default: all)",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON document")

    def handle(self, *args: Any, **options: Any) -> None:
        current_actor.set("cli")
        threshold = options["threshold"]
        if not 0 < threshold < 1:
            self.fail(f"--threshold {threshold}: must be between 0 and 1")
        lists = newest_versions(options["code"])
        if not lists:
            self.fail(f"no list {options['code']!r} is loaded" if options["code"] else "no list")
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        documents, failed = [], False
        for sanctions_list in lists:
            run = start_run(
                sanctions_list,
                user=None,
                threshold=threshold,
                kinds=options["kinds"] or RecordKind.values,
                queue=False,
            )
            with tqdm(
                total=100,
                desc=sanctions_list.code,
                file=sys.stderr,
                disable=None,
                bar_format="{l_bar}{bar}| {elapsed}",
            ) as bar:

                def report(
                    stage: str, fraction: float, bar: Any = bar, code: str = sanctions_list.code
                ) -> None:
                    bar.set_description(f"{code}: {stage}")
                    bar.update(round(fraction * 100) - bar.n)

                run = execute(run.pk, report=report)
            failed |= run.status != XrefStatus.DONE
            documents.append(
                {
                    "run": run.pk,
                    "list": sanctions_list.code,
                    "version": sanctions_list.version,
                    "status": run.status,
                    "error": run.error,
                    "counts": run.counts,
                    "changes": run.changes,
                }
            )
            if not options["json"]:
                self.print_run(run)
        if options["json"]:
            self.stdout.write(json.dumps(documents, ensure_ascii=False, default=str))
        if failed:
            sys.exit(1)

    def print_run(self, run: Any) -> None:
        counts = run.counts
        if run.status != XrefStatus.DONE:
            self.stderr.write(f"error: xref run {run.pk}: {run.status} {run.error}")
            return
        compared = ", ".join(f"{n} {kind}" for kind, n in sorted(counts["records"].items()))
        self.stdout.write(
            f"xref run {run.pk} against {run.sanctions_list.code} version "
            f"{run.sanctions_list.version}: {compared or 'no records'} compared with "
            f"{counts['entities']} entities; {counts['candidates']} candidates "
            f"({counts['pending']} to review, {counts['accepted_before']} accepted before) in "
            f"{counts['seconds']['total']} s"
        )
        for line in change_lines(run.changes):
            self.stdout.write(f"  {line}")

    def fail(self, message: str) -> None:
        self.stderr.write(f"error: {message}")
        sys.exit(2)
