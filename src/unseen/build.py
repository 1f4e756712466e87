"""Which Unseen this is: the package version and the source revision it was built from.

A figure is reproducible only if one can get back the code that computed it, and the package
version alone (0.1.0 for every commit) does not say which. The revision is, in this order:

- in a git checkout (the package is imported from `src/unseen` beside a `.git`), the commit's
  short hash, with `-dirty` when tracked files differ from it;
- else the build id in the file `unseen/BUILD`, written before a wheel is built
  (`git rev-parse --short=12 HEAD > src/unseen/BUILD`; it ships as package data);
- else the environment's UNSEEN_BUILD_ID, for whoever deploys a wheel without one;
- else "unknown", which says honestly that the code cannot be traced.
"""

import functools
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import unseen

PACKAGE = Path(__file__).resolve().parent
#: The checkout, if this package is imported from one's `src/unseen`.
CHECKOUT = PACKAGE.parents[1]
UNKNOWN = "unknown"


def version() -> str:
    """The package version (from the installed metadata)."""
    return unseen.__version__


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            ["git", "-C", str(CHECKOUT), *args],  # noqa: S607 (git from PATH, as a developer has it)
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@functools.cache
def revision() -> str:
    """The source revision: commit (+ "-dirty"), build id, UNSEEN_BUILD_ID or "unknown"."""
    if (CHECKOUT / ".git").exists() and (CHECKOUT / "src" / "unseen") == PACKAGE:
        commit = _git("rev-parse", "--short=12", "HEAD")
        if commit:
            changes = _git("status", "--porcelain", "--untracked-files=no")
            return f"{commit}-dirty" if changes else commit
        return UNKNOWN
    build = PACKAGE / "BUILD"
    if build.is_file():
        return build.read_text().strip() or UNKNOWN
    return os.environ.get("UNSEEN_BUILD_ID", "").strip() or UNKNOWN


def software(*packages: str) -> dict[str, str]:
    """What a run records about the code that made it: Unseen's version and revision, the
    versions of the named packages it leans on, and Python's."""
    found = {"unseen": version(), "revision": revision()}
    for name in packages:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = UNKNOWN
    found["python"] = platform.python_version()
    return found


def label(recorded: dict[str, str]) -> str:
    """A recorded version as one word for a published page: `0.1.0+3f2a9c1b7e04` (runs made before
    revisions were recorded show their version alone)."""
    name = recorded.get("unseen", UNKNOWN)
    return f"{name}+{recorded['revision']}" if recorded.get("revision") else name
