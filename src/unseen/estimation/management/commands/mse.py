import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from unseen.core.estimation import mse, report, sensitivity
from unseen.core.estimation.reading import read_histories, read_strata
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
        parser.add_argument(
            "--sensitivity",
            action="store_true",
            help="also leave out each list in turn, merge lists (--merge), per stratum "
            "(--stratum), with estimate/observed; fast intervals, no bootstrap",
        )
        parser.add_argument(
            "--merge",
            action="append",
            default=[],
            metavar="A+B",
            help="count two lists as one in the sensitivity table (repeatable; implies "
            "--sensitivity)",
        )
        parser.add_argument(
            "--stratum",
            metavar="COLUMN",
            help="a column that splits the table into strata: each is estimated in the "
            "sensitivity table and the estimates added up (implies --sensitivity)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        lists = [n for n in options["lists"].split(",") if n.strip()] if options["lists"] else None
        merges = options["merge"]
        wanted = options["sensitivity"] or bool(merges) or bool(options["stratum"])
        strata = None
        try:
            if options["stratum"]:
                strata = read_strata(path, options["stratum"], lists, table_limits(upload=False))
                histories = sensitivity.pooled(strata)
            else:
                histories = read_histories(path, lists, table_limits(upload=False))
            groups = [sensitivity.parse_merge(text, histories.lists) for text in merges]
            results = report.run(
                histories,
                options["method"],
                ci=options["ci"],
                level=options["level"],
                bootstrap=options["bootstrap"],
                seed=options["seed"],
            )
            checks = None
            if wanted:
                methods = [r.method for r in results]
                checks = sensitivity.sensitivity(
                    histories,
                    methods,
                    level=options["level"],
                    seed=options["seed"],
                    merges=groups,
                    strata=strata,
                    slow=True,
                )
        except TableError as failure:
            for error in failure.errors:
                self.stderr.write(f"error: {error.format(str(path))}")
            sys.exit(2)
        except mse.EstimationError as error:
            self.stderr.write(f"error: {path}: {error}")
            sys.exit(2)
        if options["json"]:
            document = report.document(histories, results)
            if checks is not None:
                document["sensitivity"] = checks
            self.stdout.write(json.dumps(document, ensure_ascii=False, allow_nan=False))
        else:
            self.stdout.write(report.table(histories, results))
            if checks is not None:
                self.stdout.write("\n" + report.sensitivity_table(checks))
