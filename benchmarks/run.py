"""Run every benchmark (`benchmarks/bench_*.py`) and collect the figures into var/bench/latest.json.

Each script runs in its own process with the virtualenv's Python and writes its result to a JSON
file (see harness.py); this script adds when and where it ran, writes var/bench/latest.json (and a
copy under var/bench/history/), prints a table, and exits 1 if a benchmark failed or missed its
target.

    .venv/bin/python benchmarks/run.py [NAME ...] [--timeout SECONDS]

NAMEs pick benchmarks by name (`import` runs bench_import.py); by default all run. Environment
variables pass through, e.g. UNSEEN_BENCH_IMPORT_ROWS=10000 for a quick run.
"""

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
OUT_DIR = ROOT / "var" / "bench"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable
VERSIONS = (
    "import json, sqlite3, sys, importlib.metadata as m; "
    "print(json.dumps({'python': sys.version.split()[0], "
    "'implementation': sys.implementation.name, "
    "'django': m.version('django'), 'sqlite': sqlite3.sqlite_version}))"
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per benchmark")
    parser.add_argument("--out", type=Path, default=OUT_DIR / "latest.json")
    return parser.parse_args()


def discover(names: list[str]) -> list[Path]:
    scripts = sorted(BENCH_DIR.glob("bench_*.py"))
    if not names:
        return scripts
    chosen = [path for path in scripts if path.stem.removeprefix("bench_") in names]
    unknown = set(names) - {path.stem.removeprefix("bench_") for path in chosen}
    if unknown:
        known = ", ".join(path.stem.removeprefix("bench_") for path in scripts)
        raise SystemExit(f"no benchmark named {', '.join(sorted(unknown))}; there are: {known}")
    return chosen


def _output(args: list[str]) -> str:
    try:
        return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return ""


def git_info() -> dict[str, Any]:
    commit = _output(["git", "rev-parse", "HEAD"]).strip()
    return {
        "commit": commit or None,
        "branch": _output(["git", "rev-parse", "--abbrev-ref", "HEAD"]).strip() or None,
        "dirty": bool(_output(["git", "status", "--porcelain", "--untracked-files=no"]).strip())
        if commit
        else None,
    }


def _proc_field(path: str, name: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == name:
                return value.strip()
    except OSError:
        pass
    return None


def machine_info() -> dict[str, Any]:
    memory = _proc_field("/proc/meminfo", "MemTotal")
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    versions = _output([PYTHON, "-c", VERSIONS])
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "cpu_model": _proc_field("/proc/cpuinfo", "model name") or platform.processor() or None,
        "memory_gb": round(int(memory.split()[0]) / 1024**2, 1) if memory else None,
        "platform": platform.platform(),
        "hostname": platform.node(),
        "python_executable": PYTHON,
        **(json.loads(versions) if versions else {"python": platform.python_version()}),
    }


def run_one(script: Path, timeout: float) -> dict[str, Any]:
    """Run one benchmark script, letting its output through, and read back its JSON result."""
    name = script.stem.removeprefix("bench_")
    print(f"\n=== {name} ({script.relative_to(ROOT)}) ===", flush=True)
    with tempfile.TemporaryDirectory(prefix="unseen-bench-") as tmp:
        result_path = Path(tmp) / "result.json"
        start = time.perf_counter()
        try:
            completed = subprocess.run(
                [PYTHON, str(script), "--json", str(result_path)], cwd=ROOT, timeout=timeout
            )
            returncode, error = completed.returncode, None
        except subprocess.TimeoutExpired:
            returncode, error = None, f"timed out after {timeout:g} s"
        seconds = time.perf_counter() - start
        result = json.loads(result_path.read_text()) if result_path.exists() else {}
    if returncode not in (0, None) and error is None:
        error = f"exited {returncode}"
    return {
        "name": name,
        "script": str(script.relative_to(ROOT)),
        "returncode": returncode,
        "seconds": round(seconds, 3),
        "error": error,
        "figures": result.get("figures", []),
        "details": result.get("details", {}),
    }


def _value(figure: dict[str, Any]) -> str:
    value = figure["value"]
    text = (
        f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}" if value < 1 else f"{value:.2f}"
    )
    return f"{text} {figure.get('unit') or ''}".rstrip()


def table(benchmarks: list[dict[str, Any]]) -> str:
    rows = [("benchmark", "figure", "value", "target", "result")]
    for bench in benchmarks:
        for figure in bench["figures"]:
            target = figure.get("target")
            passed = figure.get("passed")
            rows.append(
                (
                    bench["name"],
                    figure["name"],
                    _value(figure),
                    "-" if target is None else f"< {target:g} {figure.get('unit') or ''}".rstrip(),
                    "info" if passed is None else "PASS" if passed else "FAIL",
                )
            )
        if bench["error"]:
            rows.append((bench["name"], "(benchmark)", "-", "-", f"ERROR: {bench['error']}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    right = {2, 3}  # numbers line up on the right

    def line(row: tuple[str, ...]) -> str:
        cells = (
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(rows[0]), rule, *(line(row) for row in rows[1:])])


def main() -> int:
    args = parse_args()
    args.out = args.out.resolve()
    scripts = discover(args.names)
    started = dt.datetime.now(dt.UTC)
    report: dict[str, Any] = {
        "timestamp": started.isoformat(timespec="seconds"),
        "machine": machine_info(),
        "git": git_info(),
        "benchmarks": [run_one(script, args.timeout) for script in scripts],
    }
    failures = [
        f"{bench['name']}: {figure['name']}"
        for bench in report["benchmarks"]
        for figure in bench["figures"]
        if figure.get("passed") is False
    ]
    errors = [bench["name"] for bench in report["benchmarks"] if bench["error"]]
    report["passed"] = not failures and not errors

    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2) + "\n"
    args.out.write_text(text)
    history = args.out.parent / "history" / f"{started:%Y%m%dT%H%M%SZ}.json"
    history.parent.mkdir(parents=True, exist_ok=True)
    history.write_text(text)

    machine, git = report["machine"], report["git"]
    commit = (git["commit"] or "unknown")[:12] + (" (uncommitted changes)" if git["dirty"] else "")
    print(
        f"\n{report['timestamp']}  commit {commit}  "
        f"{machine['cpu_count']} CPUs  Python {machine['python']}\n"
    )
    print(table(report["benchmarks"]))
    print(f"\nwrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    if failures or errors:
        print("FAILED: " + "; ".join(failures + [f"{name} did not finish" for name in errors]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
