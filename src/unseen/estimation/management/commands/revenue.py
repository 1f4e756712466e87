import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from unseen.core import revenue
from unseen.core.revenue import report as revenue_report
from unseen.core.tables import TableError
from unseen.ui.uploads import table_limits


def _distributions(values: list[str]) -> str | dict[str, str] | None:
    """`--distribution log-uniform` for every input, or `--distribution workers=log-uniform`."""
    if not values:
        return None
    if len(values) == 1 and "=" not in values[0]:
        return values[0]
    chosen = {}
    for value in values:
        family, _sep, name = value.partition("=")
        if not name:
            raise CommandError(f"--distribution {value}: give NAME or INPUT=NAME", returncode=2)
        chosen[family.strip()] = name.strip()
    return chosen


class Command(BaseCommand):
    help = (
        "Annual revenue to the state from workers abroad, as a distribution, from a file with the "
        "columns of nk-deployments.csv (or, without FILE, the platform's deployment records). "
        "Bad input is reported as 'error: FILE:ROW:COLUMN: reason' with exit 2."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--year", type=int, help="default: the latest with a headcount")
        parser.add_argument("--draws", type=int, default=revenue.DEFAULT_DRAWS)
        parser.add_argument("--seed", type=int, default=revenue.DEFAULT_SEED)
        parser.add_argument("--combine", choices=revenue.COMBINE, default=revenue.DEFAULT_COMBINE)
        parser.add_argument("--include-proxies", action="store_true", help="count entries/plans")
        parser.add_argument(
            "--distribution",
            action="append",
            default=[],
            metavar="[INPUT=]NAME",
            help=f"{', '.join(revenue.DISTRIBUTIONS)}; INPUT is one of {', '.join(revenue.FAMILIES)}",
        )
        parser.add_argument(
            "--borrow-years",
            type=int,
            default=0,
            help="a country with rows but no headcount in the year borrows the nearest "
            "whole-country headcount within N years",
        )
        parser.add_argument(
            "--target", type=float, action="append", default=[], help="USD a year, e.g. 1.2e9"
        )
        parser.add_argument(
            "--scenario",
            action="append",
            default=[],
            help=f"{', '.join(revenue.SCENARIOS)} or all (repeatable)",
        )
        parser.add_argument(
            "--correlation",
            type=float,
            default=0.0,
            metavar="RHO",
            help="Spearman rank correlation of wage and share within each cell, -1 to 1 "
            "(normal copula); default 0: independent",
        )
        parser.add_argument(
            "--sobol-samples",
            type=int,
            default=revenue.SOBOL_SAMPLES,
            metavar="N",
            help="rows of each Sobol' matrix for the variance-based indices (a power of 2; "
            "0 leaves them out)",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON document")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options["file"]
        name = str(path) if path else "deployment records"
        settings = {
            "combine": options["combine"],
            "include_proxies": options["include_proxies"],
            "distributions": _distributions(options["distribution"]),
            "borrow_years": options["borrow_years"],
        }
        try:
            if path is None:
                # Imported here: reading a file needs no database.
                from unseen.documentation.revenue_inputs import deployment_inputs

                rows = deployment_inputs()
            else:
                rows = revenue.read_inputs(path, table_limits(upload=False))
            plan = revenue.plan(rows, options["year"], **settings)
            correlation = options["correlation"]
            result = revenue.simulate(
                plan, draws=options["draws"], seed=options["seed"], correlation=correlation
            )
            tornado = revenue.tornado(plan.cells)
            sobol = (
                revenue.sobol(
                    plan.cells,
                    samples=options["sobol_samples"],
                    seed=options["seed"],
                    correlation=correlation,
                )
                if options["sobol_samples"]
                else None
            )
            shapes = revenue.shapes(result)
            required = [revenue.required_for(t, plan) for t in options["target"]]
            scenarios = revenue.run_scenarios(
                options["scenario"],
                plan,
                draws=options["draws"],
                seed=options["seed"],
                correlation=correlation,
            )
        except TableError as failure:
            for error in failure.errors:
                self.stderr.write(f"error: {error.format(name)}")
            sys.exit(2)
        except revenue.RevenueError as error:
            self.stderr.write(f"error: {name}: {error}")
            sys.exit(2)
        if options["json"]:
            document = revenue_report.document(
                result,
                tornado=tornado,
                required=required,
                scenarios=scenarios,
                shapes=shapes,
                sobol=sobol,
            )
            self.stdout.write(json.dumps(document, ensure_ascii=False))
        else:
            self.stdout.write(
                revenue_report.table(
                    result,
                    tornado=tornado,
                    required=required,
                    scenarios=scenarios,
                    shapes=shapes,
                    sobol=sobol,
                )
            )
