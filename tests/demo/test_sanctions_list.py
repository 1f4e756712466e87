"""The demo's sanctions list: compiled from cited sources, loaded as a list, cross-referenced."""

import pytest

from unseen.demo import sanctions
from unseen.demo.loading import DESIGNATED, load_designated_organisations
from unseen.registry.models import Organisation, PublicFigure
from unseen.sanctions.models import SanctionsList, XrefCandidate


def test_every_row_names_its_source_and_no_reference_is_made_up():
    rows = sanctions.rows()
    assert len(rows) >= 12
    for row in rows:
        assert row["source_title"] and row["source_url"].startswith("http"), row["name"]
        assert row["list"] in sanctions.AUTHORITIES
        assert row["schema"] in {"Company", "Organization", "Person"}
        # Our sources print no list reference for these designations: none is filled in.
        assert row["reference"] == "", row["name"]
        if row["aliases_hangul"]:
            assert row["hangul_note"], f"{row['name']}: say whose Hangul rendering it is"


def test_the_eight_designated_organisations_are_on_the_list():
    names = {row["name"] for row in sanctions.rows()}
    assert {name for name, *_ in DESIGNATED} <= names


@pytest.mark.django_db
def test_the_demo_loads_the_list_and_proposes_its_designated_organisations(db):
    load_designated_organisations()
    counts = sanctions.load_demo_sanctions()
    listed = SanctionsList.objects.get(code=sanctions.LIST_CODE)
    assert listed.entity_count == len(sanctions.rows())
    assert listed.source.access_level == "public"
    assert counts["designated parties added"] == 3
    # Latin letters only, as the designation prints the name.
    assert PublicFigure.objects.get(name="Jong Song Hwa").name_hangul == ""
    proposed = set(
        XrefCandidate.objects.filter(record_kind="organisation").values_list("record_id", flat=True)
    )
    for name, *_ in DESIGNATED:
        assert Organisation.objects.get(name=name).pk in proposed, name
    assert XrefCandidate.objects.filter(record_kind="public_figure").exists()
    # Loading again changes nothing.
    sanctions.load_list()
    assert SanctionsList.objects.count() == 1
