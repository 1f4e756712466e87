"""Documentation that tests check (after datasette): what users can run or set must be documented."""

import re
from pathlib import Path

import pytest

from unseen.core import schemas
from unseen.documentation.importing import VOCABULARY

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
IMPORT_REFERENCE = (ROOT / "docs/reference/import.md").read_text(encoding="utf-8")
OUR_COMMANDS = sorted(
    p.stem for p in (ROOT / "src/unseen").glob("*/management/commands/*.py") if p.stem != "__init__"
)
SETTINGS = (ROOT / "src/unseen/config/settings.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", OUR_COMMANDS)
def test_it_documents_every_command_in_the_readme(command):
    assert f"unseen {command}" in README


@pytest.mark.parametrize(
    "variable", sorted(set(re.findall(r"\b((?:UNSEEN_[A-Z_0-9]+)|DATABASE_URL)\b", SETTINGS)))
)
def test_it_documents_every_environment_variable(variable):
    assert f"`{variable}`" in README


@pytest.mark.parametrize("kind", sorted(schemas.SCHEMAS))
def test_it_documents_every_import_column(kind):
    section = IMPORT_REFERENCE.split(f"`{kind}`", 1)
    assert len(section) == 2, f"no section for {kind}"
    for column in schemas.SCHEMAS[kind](VOCABULARY).names:
        assert f"`{column}`" in IMPORT_REFERENCE, f"{kind}.{column} undocumented"


def test_it_documents_every_app():
    for app in (ROOT / "src/unseen").iterdir():
        if (app / "apps.py").exists() or app.name == "core":
            assert (app / "README.md").exists(), f"{app.name} has no README"
