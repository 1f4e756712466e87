"""`unseen.build`: the version and source revision runs and published figures record."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import unseen
from tests import checkout
from unseen import build


def test_it_gives_the_revision_of_the_checkout():
    assert build.revision() == checkout.revision()
    assert build.software("numpy")["numpy"] and build.software()["unseen"] == unseen.__version__


def installed_revision(tmp_path: Path, build_file: str | None = None, **env: str) -> str:
    """The revision `unseen.build` reports when the package sits outside any checkout, as a wheel
    installs it."""
    package = tmp_path / "site" / "unseen"
    package.mkdir(parents=True)
    for name in ("__init__.py", "build.py"):
        shutil.copy(Path(build.__file__).parent / name, package / name)
    if build_file is not None:
        (package / "BUILD").write_text(build_file)
    clean = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "UNSEEN_BUILD_ID"}}
    result = subprocess.run(
        [sys.executable, "-c", "from unseen import build; print(build.revision())"],
        env={**clean, "PYTHONPATH": str(tmp_path / "site"), **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_an_installed_package_reports_its_build_id_or_says_it_is_unknown(tmp_path):
    assert installed_revision(tmp_path / "a") == "unknown"
    assert installed_revision(tmp_path / "b", UNSEEN_BUILD_ID="ci-4711") == "ci-4711"
    assert (
        installed_revision(tmp_path / "c", "3f2a9c1b7e04\n", UNSEEN_BUILD_ID="x") == "3f2a9c1b7e04"
    )


def test_it_labels_a_recorded_version_for_a_page():
    assert build.label({"unseen": "0.1.0", "revision": "3f2a9c1b7e04"}) == "0.1.0+3f2a9c1b7e04"
    assert build.label({"unseen": "0.1.0"}) == "0.1.0"  # a run from before revisions were kept
