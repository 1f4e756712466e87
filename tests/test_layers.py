"""Templates keep the layers of the import-linter contract (#16 item 4).

Python imports are checked by `lint-imports`; templates are not Python, so this walks them. An app's
template may include or extend a template of its own app or of an app below it, never one above:
otherwise a page of a lower app breaks, or changes, when a higher app does.
"""

import re
from pathlib import Path

import pytest

from tests.test_docs import contract_layers

ROOT = Path(__file__).resolve().parents[1]
APPS = ROOT / "src/unseen"
TAG = re.compile(r"""{%-?\s*(include|extends)\s+["']([^"']+)["']""")


def app_layers() -> list[str]:
    return contract_layers()


def owners() -> dict[str, str]:
    """Template name → the app whose `templates/` folder holds it."""
    found: dict[str, str] = {}
    for path in sorted(APPS.glob("*/templates/**/*.html")):
        app = path.relative_to(APPS).parts[0]
        name = path.relative_to(APPS / app / "templates").as_posix()
        assert name not in found, f"{name} is in both {found[name]} and {app}"
        found[name] = app
    return found


def references() -> list[tuple[str, str, str]]:
    """(app, template file, template it includes or extends) for every template of ours."""
    found = []
    for path in sorted(APPS.glob("*/templates/**/*.html")):
        app = path.relative_to(APPS).parts[0]
        for _, name in TAG.findall(path.read_text(encoding="utf-8")):
            found.append((app, path.relative_to(ROOT).as_posix(), name))
    return found


def upward_references(
    layers: list[str], owner_of: dict[str, str], refs: list[tuple[str, str, str]]
) -> list[str]:
    upward = []
    for app, where, name in refs:
        owner = owner_of.get(name)
        if owner is None or owner == app:
            continue  # Django's own (admin) or the app's own template
        if layers.index(owner) < layers.index(app):
            upward.append(f"{where} ({app}) uses {name} of {owner}, a higher layer")
    return upward


def test_it_knows_the_layer_of_every_app_with_templates():
    layers = app_layers()
    assert set(owners().values()) <= set(layers)


def test_it_finds_the_templates_it_checks():
    refs = references()
    assert len(refs) > 50
    assert any(name == "ui/base.html" for _, _, name in refs)


def test_it_never_has_a_lower_app_include_a_higher_apps_template():
    upward = upward_references(app_layers(), owners(), references())
    assert not upward, "\n".join(upward)


@pytest.mark.parametrize(
    ("app", "name", "upward"),
    [
        ("accounts", "documentation/_x.html", True),
        ("publishing", "documentation/_x.html", False),
        ("documentation", "documentation/_x.html", False),
        ("documentation", "admin/base_site.html", False),
    ],
)
def test_it_tells_an_upward_include_from_a_downward_one(app, name, upward):
    layers = ["publishing", "documentation", "accounts"]
    owner_of = {"documentation/_x.html": "documentation"}
    found = upward_references(layers, owner_of, [(app, "t.html", name)])
    assert bool(found) == upward


def test_it_keeps_partials_that_several_apps_share_in_ui():
    # Navigation, form and error partials every part of the workspace uses belong to the look of
    # the site, not to one context that the others then depend on.
    owner_of = owners()
    users: dict[str, set[str]] = {}
    for app, _, name in references():
        owner = owner_of.get(name)
        if owner is not None and owner != app:
            users.setdefault(name, set()).add(app)
    shared = {name: apps for name, apps in users.items() if len(apps) > 1}
    misplaced = [
        f"{name} ({owner_of[name]}) is used by {', '.join(sorted(apps))}: move it to ui"
        for name, apps in sorted(shared.items())
        if owner_of[name] != "ui"
    ]
    assert not misplaced, "\n".join(misplaced)
