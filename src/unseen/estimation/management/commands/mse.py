import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from unseen.core.estimation import mse, report
from unseen.core.estimation.reading import read_histories
from unseen.core.tables import TableError
from unseen.ui.uploads import table_limits


class Command(BaseCommand):
    help = (
        "Estimate a hidden population by multiple systems estimation from a CSV of capture "
        "histories. Bad input is reported as 'error: FILE:ROW:COLUMN: reason' with exit 2."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--method", default=mse.DEFAULT_METHOD, choices=[*mse.METHODS, "all"])
        parser.add_argument("--ci", choices=mse.CIS, help="default: the method's own")
        parser.add_argument("--level", type=float, default=mse.DEFAULT_LEVEL)
        parser.add_argument("--bootstrap", type=int, default=1000, help="BCa replicates")
        parser.add_argument("--seed", type=int, default=1234)
        parser.add_argument("--lists", help="comma-separated list columns; others are ignored")
        parser.add_argument("--json", action="store_true", help="print one JSON document")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        lists = [n for n in options["lists"].split(",") if n.strip()] if options["lists"] else None
        try:
            histories = read_histories(path, lists, table_limits(upload=False))
            results = report.run(
                histories,
                options["method"],
                ci=options["ci"],
                level=options["level"],
                bootstrap=options["bootstrap"],
                seed=options["seed"],
            )
        except TableError as failure:
            for error in failure.errors:
                self.stderr.write(f"error: {error.format(str(path))}")
            sys.exit(2)
        except mse.EstimationError as error:
            self.stderr.write(f"error: {path}: {error}")
            sys.exit(2)
        if options["json"]:
            self.stdout.write(json.dumps(report.document(histories, results), ensure_ascii=False))
        else:
            self.stdout.write(report.table(histories, results))
