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


# --- self-contained (#16): nothing points at files outside the repository -----------------------

TEXT_SUFFIXES = {".py", ".md", ".html", ".txt", ".toml", ".po", ".js", ".css", ".json", ".csv"}
# Built from parts so that this file does not match itself.
OUTSIDE = re.compile("|".join([r"\.\./" + "shared", r"\b" + "shared" + "/data", "/work" + "/"]))


def repository_text_files():
    for folder in ("src", "docs", "tests"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in TEXT_SUFFIXES and "__pycache__" not in path.parts:
                yield path


def test_it_refers_to_no_file_outside_the_repository():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in repository_text_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "path", ["docs/design.md", "docs/facts/nk-facts.md", "docs/facts/mse-oracles.md"]
)
def test_it_keeps_the_facts_it_relies_on_with_where_they_came_from(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    assert text.startswith("> **Provenance.**"), f"{path} does not say where it came from"
