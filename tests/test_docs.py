"""Documentation that tests check (after datasette): what users can run or set must be documented."""

import re
import tomllib
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
    "path",
    [
        "docs/design.md",
        "docs/facts/nk-facts.md",
        "docs/facts/mse-oracles.md",
        "docs/facts/sensitivity-oracles.md",
    ],
)
def test_it_keeps_the_facts_it_relies_on_with_where_they_came_from(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    assert text.startswith("> **Provenance.**"), f"{path} does not say where it came from"


# --- one map (#16 item 1): every app, in the order of the import-linter contract -----------------

ARCHITECTURE = (ROOT / "docs/architecture.md").read_text(encoding="utf-8")
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


APP_CONTRACT = "Django apps are layered"


def contract_layers() -> list[str]:
    """The apps from top to bottom, as the import-linter contract of the apps lists them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layered,) = [c for c in contracts if c["name"] == APP_CONTRACT]
    return [module.removeprefix("unseen.") for module in layered["layers"]]


# Every package under src/unseen: the Django apps, the settings package (config) and the core.
APPS = sorted(app.parent.name for app in (ROOT / "src/unseen").glob("*/__init__.py"))


def section(text: str, heading: str) -> str:
    """The text under a markdown heading, up to the next heading of any level."""
    after = text.split(f"\n{heading}\n", 1)
    assert len(after) == 2, f"no heading {heading!r}"
    return re.split(r"\n#+ ", after[1], maxsplit=1)[0]


def first_code_block(text: str) -> str:
    return text.split("```", 2)[1]


def readme_layout() -> list[str]:
    block = first_code_block(section(README, "## Layout"))
    folders = re.findall(r"^  ([a-z_]+)/ ", block, flags=re.MULTILINE)
    return [folder for folder in folders if folder in APPS]  # not locale/


def context_map() -> list[str]:
    block = first_code_block(section(ARCHITECTURE, "## Context map"))
    return re.findall(r"^\s+([a-z_]+)  \(", block, flags=re.MULTILINE)


def context_table() -> list[str]:
    return re.findall(r"^\| `([a-z_]+)` \|", section(ARCHITECTURE, "## Context map"), re.MULTILINE)


def architecture_layers() -> list[str]:
    block = first_code_block(section(ARCHITECTURE, "## Layers"))
    return re.findall(r"^\s*unseen\.([a-z_]+)\s*$", block, flags=re.MULTILINE)


def contributing_layers() -> list[str]:
    sentence = CONTRIBUTING.split("From top to bottom:", 1)[1].split(".", 1)[0]
    return re.findall(r"`([a-z_]+)`", sentence)


def test_it_layers_every_app_in_the_import_linter_contract():
    assert sorted(contract_layers()) == APPS


@pytest.mark.parametrize(
    "documented",
    [readme_layout, context_map, architecture_layers, contributing_layers],
    ids=["README layout", "architecture context map", "architecture layers", "CONTRIBUTING layers"],
)
def test_it_documents_every_app_in_the_order_of_the_contract(documented):
    found = documented()
    missing = sorted(set(APPS) - set(found))
    assert not missing, f"{documented.__name__} leaves out {', '.join(missing)}"
    assert found == contract_layers(), f"{documented.__name__} differs from the contract"


def test_it_describes_every_app_in_one_sentence():
    assert sorted(context_table()) == APPS


def test_it_lists_as_not_yet_built_only_what_does_not_exist():
    # The only items today: testimony transcripts and evidence files. When one is built, it
    # leaves the list (and this test changes with it).
    not_built = section(ARCHITECTURE, "### Not yet built")
    assert "transcript" in not_built
    from unseen.documentation.models import Testimony

    assert not any("transcript" in field.name for field in Testimony._meta.get_fields())


DECISIONS = sorted((ROOT / "docs/decisions").glob("[0-9][0-9][0-9][0-9]-*.md"))


@pytest.mark.parametrize("decision", DECISIONS, ids=lambda path: path.stem[:4])
def test_it_points_a_superseded_decision_at_its_successor(decision):
    text = decision.read_text(encoding="utf-8")
    assert text.startswith(f"# {decision.stem[:4]}. "), "the heading carries the number"
    for successor in re.findall(r"^Superseded by \[(\d{4})\]\(([^)]+)\)", text, re.MULTILINE):
        number, link = successor
        assert (decision.parent / link).exists() and link.startswith(number), link
        assert f"Supersedes: [{decision.stem[:4]}]" in (decision.parent / link).read_text("utf-8")
