import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from unseen.core.linkage import ENTITIES
from unseen.core.tables import TableError


class Command(BaseCommand):
    help = (
        "Link records with Splink: one CSV is deduplicated, two are linked; writes "
        "record_id,cluster_id (one row per input record) to --out. Bad input is reported as "
        "'error: FILE:ROW:COLUMN: reason' with exit 2, and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", type=Path, nargs="+", metavar="FILE.csv")
        parser.add_argument("--out", type=Path, required=True, metavar="CLUSTERS.csv")
        parser.add_argument("--entity", choices=ENTITIES, default="person")
        parser.add_argument(
            "--threshold",
            type=float,
            help="match probability at which records join one entity "
            "(default: the entity's, chosen from measured precision and recall)",
        )
        parser.add_argument("--backend", choices=["duckdb", "spark"], default="duckdb")
        parser.add_argument(
            "--memory-limit", help="DuckDB's memory limit, e.g. 4GB (it spills to disk beyond)"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON document")

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["files"]
        if len(paths) > 2:
            self.fail("give one file to deduplicate or two to link")
        threshold = options["threshold"]
        if threshold is not None and not 0 < threshold < 1:
            self.fail(f"--threshold {threshold}: must be between 0 and 1")
        if options["backend"] == "spark":
            try:
                import pyspark  # noqa: F401
            except ImportError:
                self.fail("--backend spark needs pyspark: pip install 'unseen[spark]'")
        with tqdm(
            total=100,
            desc="linking",
            file=sys.stderr,
            disable=None,
            bar_format="{l_bar}{bar}| {elapsed}",
        ) as bar:

            def progress(stage: str, fraction: float) -> None:
                bar.set_description(stage)
                bar.update(round(fraction * 100) - bar.n)

            # Splink is loaded when a run starts: `unseen link --help` needs none of it.
            from unseen.core.linkage import DuckDB, Spark, link_files

            backend = Spark() if options["backend"] == "spark" else DuckDB(options["memory_limit"])
            try:
                summary = link_files(
                    paths,
                    options["out"],
                    entity=options["entity"],
                    threshold=threshold,
                    backend=backend,
                    progress=progress,
                )
            except TableError as failure:
                bar.close()
                path = getattr(failure, "path", paths[0])
                for error in failure.errors:
                    self.stderr.write(f"error: {error.format(str(path))}")
                self.stderr.write(f"{len(failure.errors)} error(s); nothing was written")
                sys.exit(2)
            except ValueError as refusal:  # a setting the run cannot take (e.g. --memory-limit)
                bar.close()
                self.fail(str(refusal))
        for warning in summary["warnings"]:
            self.stderr.write(f"warning: {warning}")
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self.stdout.write(
                f"{summary['records']} records in {summary['clusters']} clusters "
                f"({summary['linked_clusters']} with more than one record) at threshold "
                f"{summary['threshold']:g}; written to {summary['out']}"
            )

    def fail(self, message: str) -> None:
        self.stderr.write(f"error: {message}")
        sys.exit(2)
