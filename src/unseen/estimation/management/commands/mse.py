import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from unseen.core.estimation import mse, report, sensitivity
from unseen.core.estimation.reading import read_histories, read_strata
from unseen.core.tables import TableError
from unseen.estimation.models import SLOW_FOR_DRAWS
from unseen.ui.uploads import table_limits


class Command(BaseCommand):
    help = (
        "Estimate a hidden population by multiple systems estimation from a CSV of capture "
        "histories, or from a finished linkage run's clusters (--linkage-run ID), optionally "
        "over M alternative linkages drawn from its match probabilities (--draws M). Bad input "
        "is reported as 'error: FILE:ROW:COLUMN: reason' with exit 2."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument(
            "--linkage-run",
            type=int,
            metavar="ID",
            help="estimate from this finished linkage run's clusters instead of a file",
        )
        parser.add_argument(
            "--draws",
            type=int,
            default=0,
            metavar="M",
            help="with --linkage-run: also estimate over M alternative linkages (ADR 0037)",
        )
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
        path: Path | None = options["file"]
        linkage = options["linkage_run"]
        if (path is None) == (linkage is None):
            self.stderr.write("error: give a FILE or --linkage-run ID (one of them)")
            sys.exit(2)
        if options["draws"] < 0 or (options["draws"] and linkage is None):
            self.stderr.write("error: --draws M needs --linkage-run ID and M ≥ 0")
            sys.exit(2)
        if linkage is not None:
            if options["stratum"]:
                self.stderr.write("error: a linkage run's clusters carry no stratum column")
                sys.exit(2)
            self._linked(linkage, options)
            return
        assert path is not None
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
            results = _estimate(histories, options)
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

    def _linked(self, pk: int, options: dict[str, Any]) -> None:
        """From a linkage run: its clusters' table, and the draws when asked (operator access:
        every source's title, as `unseen linkage` shows them)."""
        from unseen.linkage.draws import NoDraws, estimate_over_draws
        from unseen.linkage.histories import NoHistories, capture_histories
        from unseen.linkage.models import LinkageRun

        run = LinkageRun.objects.filter(pk=pk).first()
        if run is None:
            self.stderr.write(f"error: no linkage run {pk}")
            sys.exit(2)
        name = f"linkage run {pk}"
        try:
            histories = capture_histories(run)
            results = _estimate(histories, options)
            checks = None
            if options["sensitivity"] or options["merge"]:
                checks = sensitivity.sensitivity(
                    histories,
                    [r.method for r in results],
                    level=options["level"],
                    seed=options["seed"],
                    merges=[sensitivity.parse_merge(t, histories.lists) for t in options["merge"]],
                    slow=True,
                )
            uncertainty = None
            if options["draws"]:
                methods = [r.method for r in results if r.method not in SLOW_FOR_DRAWS]
                if options["method"] != "all" and options["method"] in SLOW_FOR_DRAWS:
                    methods = [options["method"]]  # asked for by name: drawn, however slow
                with tqdm(
                    total=options["draws"], desc="draws", file=sys.stderr, disable=None
                ) as bar:
                    uncertainty = estimate_over_draws(
                        run,
                        histories.lists,
                        methods,
                        draws=options["draws"],
                        seed=options["seed"],
                        ci=options["ci"] or "profile",
                        level=options["level"],
                        progress=lambda done, total: bar.update(done - bar.n),
                    )
        except (NoHistories, NoDraws) as refused:
            self.stderr.write(f"error: {name}: {refused}")
            sys.exit(2)
        except mse.EstimationError as error:
            self.stderr.write(f"error: {name}: {error}")
            sys.exit(2)
        if options["json"]:
            document = report.document(histories, results)
            if uncertainty is not None:
                document["linkage_uncertainty"] = uncertainty
            if checks is not None:
                document["sensitivity"] = checks
            self.stdout.write(json.dumps(document, ensure_ascii=False, allow_nan=False))
            return
        self.stdout.write(report.table(histories, results))
        if checks is not None:
            self.stdout.write("\n" + report.sensitivity_table(checks))
        if uncertainty is not None:
            self.stdout.write(uncertainty_table(uncertainty))


def _estimate(histories: Any, options: dict[str, Any]) -> list[Any]:
    """The methods asked for, as the options ask, on one table (a file's or a linkage run's)."""
    return report.run(
        histories,
        options["method"],
        ci=options["ci"],
        level=options["level"],
        bootstrap=options["bootstrap"],
        seed=options["seed"],
    )


def uncertainty_table(found: dict[str, Any]) -> str:
    """The three intervals per method, and how much wider linkage makes the interval."""

    def limit(value: float | None) -> str:
        return "inf" if value is None else f"{value:,.1f}"

    level = f"{found['level']:.0%}"
    lines = [
        "",
        f"Over {found['draws']} alternative linkages (seed {found['seed']}; "
        f"{found['uncertain_pairs']} uncertain pairs; {level} {found['ci']} intervals):",
        f"{'method':<18} {'interval':<15} {'low':>12} {'high':>12} {'width':>12}",
    ]
    for entry in found["methods"]:
        if not entry.get("draws_used"):
            lines.append(f"{entry['method']:<18} no draw gave an estimate with an interval")
            continue
        for kind in ("sampling", "linkage", "combined"):
            low, high = entry[kind]
            width = entry["widths"][kind]
            lines.append(
                f"{entry['method']:<18} {kind + ' only' if kind != 'combined' else kind:<15} "
                f"{limit(low):>12} {limit(high):>12} {limit(width):>12}"
            )
        ratio = entry.get("combined_over_sampling")
        if ratio is not None:
            lines.append(
                f"{'':<18} linkage makes the interval {100 * (ratio - 1):+.0f}% wider than "
                f"sampling alone; {entry['failed_draws']} draw(s) without an estimate"
            )
    return "\n".join(lines) + "\n"
