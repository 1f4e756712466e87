"""The revision of the checkout the suite runs from, asked of git itself."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def revision() -> str:
    """`git rev-parse --short=12 HEAD`, with "-dirty" when `git diff HEAD` finds tracked changes."""
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    clean = subprocess.run(["git", "-C", str(ROOT), "diff", "--quiet", "HEAD"], check=False)
    return commit if clean.returncode == 0 else f"{commit}-dirty"
