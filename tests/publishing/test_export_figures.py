"""Public figures and designations in the exports (#20): every level writes their tables, and a
controlled level releases a figure only at its level and a designation only with its holder."""

import csv
from pathlib import Path

import pytest
from django.core.management import call_command

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.publishing.models import ExportApproval
from unseen.registry.models import (
    ExternalIdentifier,
    IdentifierScheme,
    Organisation,
    PublicFigureAlias,
    Script,
)

pytestmark = pytest.mark.usefixtures("export_key")

PUBLIC, INTERNAL, CONFIDENTIAL = AccessLevel.PUBLIC, AccessLevel.INTERNAL, AccessLevel.CONFIDENTIAL


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def records(db):
    shown = factories.public_figure(access_level=INTERNAL)
    PublicFigureAlias.objects.create(figure=shown, name="Chong Song-hwa", script=Script.LATIN)
    ExternalIdentifier.objects.create(
        public_figure=shown, scheme=IdentifierScheme.OFAC_SDN, value="24384"
    )
    shown.add_claim(factories.source("OFAC press release", access_level=INTERNAL), 1, "CEO")
    hidden = factories.public_figure(
        "Ri Secretname", name_hangul="리비밀", access_level=CONFIDENTIAL
    )
    PublicFigureAlias.objects.create(figure=hidden, name="Rhee Secretname")
    hidden_company = Organisation.objects.create(
        name="Hidden Trading Co", kind="front_company", access_level=CONFIDENTIAL
    )
    return {
        "shown": shown,
        "hidden": hidden,
        "designation": factories.designation(shown, access_level=INTERNAL),
        # Internal designations of confidential holders: left out with their holders.
        "orphans": [
            factories.designation(hidden, access_level=INTERNAL, programme="DPRK-HIDDEN"),
            factories.designation(hidden_company, access_level=INTERNAL, programme="DPRK-HIDDEN"),
        ],
    }


def test_the_full_export_writes_figures_their_aliases_and_designations(tmp_path, alice, records):
    approval = ExportApproval.objects.create(approved_by=alice, recipient="Court")
    call_command(
        "export",
        *("--format", "csv", "--level", "full", "--approval", str(approval.pk)),
        *("--out", str(tmp_path)),
    )
    figures = read_csv(tmp_path / "public_figures.csv")
    assert {row["name"] for row in figures} == {"Jong Song Hwa", "Ri Secretname"}
    aliases = read_csv(tmp_path / "public_figure_aliases.csv")
    assert {row["name"] for row in aliases} == {"Chong Song-hwa", "Rhee Secretname"}
    assert len(read_csv(tmp_path / "designations.csv")) == 3
    [identifier] = read_csv(tmp_path / "external_identifiers.csv")
    assert identifier["public_figure_id"] == str(records["shown"].pk)


def test_a_pseudonymised_export_releases_figures_at_its_level_and_designations_with_them(
    tmp_path, db, records
):
    call_command(
        "export", *("--level", "pseudonymised", "--recipient", "NGO", "--out", str(tmp_path))
    )
    [figure] = read_csv(tmp_path / "public_figures.csv")
    assert figure["name"] == "Jong Song Hwa" and figure["id"] != str(records["shown"].pk)
    [alias] = read_csv(tmp_path / "public_figure_aliases.csv")
    assert alias["name"] == "Chong Song-hwa" and alias["figure_id"] == figure["id"]
    [designation] = read_csv(tmp_path / "designations.csv")
    assert designation["public_figure_id"] == figure["id"] and not designation["organisation_id"]
    [identifier] = read_csv(tmp_path / "external_identifiers.csv")
    assert identifier["public_figure_id"] == figure["id"] and identifier["value"] == "24384"
    claims = read_csv(tmp_path / "claims.csv")
    assert [c["subject_kind"] for c in claims] == ["publicfigure"]
    assert claims[0]["subject_id"] == figure["id"]
    text = "".join(p.read_text(encoding="utf-8") for p in tmp_path.iterdir() if p.is_file())
    for hidden in ("Secretname", "리비밀", "DPRK-HIDDEN", "Hidden Trading"):
        assert hidden not in text
    # The public level holds none of them: all are internal.
    out = tmp_path / "public"
    call_command("export", "--level", "public", "--out", str(out))
    for table in ("public_figures", "public_figure_aliases", "designations"):
        assert read_csv(out / f"{table}.csv") == [], table
