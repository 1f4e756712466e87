"""What the benchmark scripts share: timing a command, and the result file `run.py` collects.

A benchmark script (`bench_*.py`) is run as `python benchmarks/bench_x.py --json PATH`; it prints
its figures as it goes and writes `{"benchmark", "figures": [...], "details": {...}}` to PATH.
"""

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def unseen_command() -> str:
    """The `unseen` console script beside the running Python (the venv's, under `make bench`)."""
    for candidate in (Path(sys.executable).with_name("unseen"), ROOT / ".venv" / "bin" / "unseen"):
        if candidate.exists():
            return str(candidate)
    raise FileNotFoundError("no `unseen` console script; run `make venv-dev` first")


@dataclass
class Figure:
    """One measured number; `target` is an upper bound (lower is better), or None: just reported."""

    name: str
    value: float
    unit: str = ""
    target: float | None = None

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else self.value < self.target

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


@dataclass
class Run:
    """A finished command: its exit code, wall-clock seconds, peak memory and output."""

    args: list[str]
    returncode: int
    seconds: float
    max_rss_mb: float
    stdout: str
    stderr: str

    def check(self) -> "Run":
        """Raise with the command's stderr unless it exited 0."""
        if self.returncode != 0:
            raise RuntimeError(
                f"{' '.join(self.args)} exited {self.returncode}:\n{self.stderr[-4000:]}"
            )
        return self


def run_timed(args: list[str], env: dict[str, str], cwd: Path, output_dir: Path) -> Run:
    """Run a command to completion, timing it by wall clock; its output goes to files, not pipes."""
    output_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = output_dir / "stdout.txt", output_dir / "stderr.txt"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(args, env=env, cwd=cwd, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        args=args,
        returncode=process.returncode,
        seconds=seconds,
        max_rss_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
        stdout=out_path.read_text(errors="replace"),
        stderr=err_path.read_text(errors="replace"),
    )


@dataclass
class Result:
    benchmark: str
    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        target = "" if figure.target is None else f"  (target < {figure.target:g})"
        print(f"{figure.name}: {figure.value:.3f} {figure.unit}{target}".rstrip(), flush=True)
        return figure

    def write(self, path: Path | None) -> None:
        document = {
            "benchmark": self.benchmark,
            "figures": [figure.as_dict() for figure in self.figures],
            "details": self.details,
        }
        text = json.dumps(document, indent=2, default=str)
        if path is None:
            print(text)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text + "\n")
