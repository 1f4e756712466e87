"""`unseen import FILE --format ftm` and the import page reading FollowTheMoney JSON lines.

tests/data/ftm/fabricated-opensanctions.ftm.json is fabricated for the tests (its README says
so): shaped like OpenSanctions' entities.ftm.json, naming no real person or company.
"""

import datetime as dt
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.documentation.models import Relation
from unseen.evidence.models import Claim, Source, SourceKind
from unseen.registry.models import (
    Designation,
    ExternalIdentifier,
    Organisation,
    OrganisationAlias,
    Person,
    PublicFigure,
    PublicFigureAlias,
)

FIXTURE = Path(__file__).parent.parent / "data" / "ftm" / "fabricated-opensanctions.ftm.json"
MODELS = (
    Organisation,
    OrganisationAlias,
    PublicFigure,
    PublicFigureAlias,
    ExternalIdentifier,
    Relation,
    Designation,
    Source,
    Claim,
    Person,
)


@pytest.fixture
def rita_client(client, rita):
    client.force_login(rita)
    return client


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def run_import(path, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", str(path), *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exited:
        code = exited.code
    return code, out.getvalue(), err.getvalue()


def fixture_copy(tmp_path, name="fabricated-opensanctions.ftm.json"):
    path = tmp_path / name
    shutil.copy(FIXTURE, path)
    return path


def test_it_imports_an_opensanctions_style_file(tmp_path, db):
    path = fixture_copy(tmp_path)
    code, out, err = run_import(path, "--format", "ftm")
    assert code == 0, err
    assert "imported 8 entities" in out

    source = Source.objects.get()
    # The newest last_change or last_seen in the file is its version.
    assert source.title == "fabricated-opensanctions.ftm.json (version 2025-01-10T00:00:00)"
    assert source.kind == SourceKind.SANCTIONS_LIST
    assert (source.date, source.date_precision) == (dt.date(2025, 1, 10), "day")

    anvil = Organisation.objects.get(name="Fictional Anvil Trading Corporation")
    assert (anvil.country, anvil.kind, anvil.access_level) == ("KP", "other", "internal")
    assert {(a.name, a.script) for a in anvil.aliases.all()} == {
        ("가상모루무역회사", "Hang"),
        ("Fictional Anvil General Trading", "Latn"),
        ("FATC", "Latn"),
        ("Fictional Anvil Export Bureau", "Latn"),
    }
    assert {(i.scheme, i.value) for i in anvil.identifiers.all()} == {
        ("opensanctions", "fab-co-anvil"),
        ("company_register", "FAB-REG-0001"),
        ("other", "innCode:0000000001"),
    }
    # Published addresses, the entity's own and its Address entity's, are lines of the notes.
    assert anvil.notes.splitlines() == [
        "Address: 1 Imaginary Street, Testville",
        "Address: 2 Nowhere Road, Testville",
    ]
    bellows = Organisation.objects.get(name="Fictional Bellows Construction LLC")
    assert [(a.name, a.script) for a in bellows.aliases.all()] == [("Фиктивная Мехи Строй", "Cyrl")]

    # An FtM Person is a public figure, never a vault person.
    assert not Person.objects.exists()
    doe = PublicFigure.objects.get()
    assert (doe.name, doe.name_hangul, doe.nationality, doe.birth_year) == (
        "Testperson Fictional Doe",
        "가상 인물",
        "KP",
        1961,
    )
    assert doe.position.startswith("Fictional director")
    assert [a.name for a in doe.aliases.all()] == ["T. F. Doe"]

    owns = Relation.objects.get(kind="owns")
    assert (owns.subject_organisation, owns.object_organisation) == (anvil, bellows)
    assert owns.share_percent == Decimal("51.00")
    assert (owns.start, owns.start_precision, owns.end, owns.end_precision) == (
        dt.date(2016, 3, 1),
        "month",
        dt.date(2019, 1, 1),
        "year",
    )
    assert owns.role == "shareholder"
    director = Relation.objects.get(kind="director_of")
    assert (director.subject_figure, director.object_organisation) == (doe, anvil)
    assert (director.start, director.role) == (dt.date(2015, 1, 20), "general director")

    listed = Designation.objects.get(organisation=anvil)
    assert (listed.authority, listed.programme, listed.reference) == (
        "Fictional Sanctions Committee of Testland",
        "FAB-TEST",
        "XXe.999",
    )
    assert (listed.listed_on, listed.listed_on_precision) == (dt.date(2017, 8, 5), "day")
    assert listed.reason == "Fabricated reason for a test."
    assert Designation.objects.get(public_figure=doe).reference == "FAB-0042"

    # Every record created rests on a claim citing the file.
    for created in (anvil, bellows, doe, owns, director, listed):
        (claim,) = created.evidence_trail()
        assert claim.source == source
    assert "https://example.org/fabricated-register" in owns.evidence_trail()[0].statement
    entry = AuditEntry.objects.filter(action=Action.IMPORT).latest("id")
    assert entry.detail["created"]["relations"] == 2


def test_importing_the_same_file_again_updates_rather_than_duplicates(tmp_path, db):
    path = fixture_copy(tmp_path)
    assert run_import(path, "--format", "ftm")[0] == 0
    before = counts()
    code, out, err = run_import(path, "--format", "ftm")
    assert code == 0, err
    assert counts() == before
    assert "updated (already imported): 2 organisations, 1 public_figures" in out


def test_a_newer_version_adds_a_source_and_updates_the_records(tmp_path, db):
    path = fixture_copy(tmp_path)
    assert run_import(path, "--format", "ftm")[0] == 0
    code, _out, err = run_import(
        path, "--format", "ftm", "--title", "Fabricated list", "--dataset-version", "2026-01"
    )
    assert code == 0, err
    assert Organisation.objects.count() == 2
    newer = Source.objects.get(title="Fabricated list (version 2026-01)")
    anvil = Organisation.objects.get(name="Fictional Anvil Trading Corporation")
    assert newer.date == dt.date(2026, 1, 1) and newer.date_precision == "month"
    assert {claim.source for claim in anvil.evidence_trail()} == set(Source.objects.all())
    assert Source.objects.count() == 2


def test_a_malformed_line_is_refused_with_its_number_and_nothing_is_written(tmp_path, db):
    path = tmp_path / "broken.ftm.json"
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2][:40]  # cut short: not JSON
    lines[5] = lines[5].replace('"startDate": ["2015-01-20"]', '"startDate": ["2015-02-30"]')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = counts()
    code, _out, err = run_import(path, "--format", "ftm")
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors[0].startswith(f"error: {path}:3: not JSON")
    assert errors[1] == (
        f"error: {path}:6: Directorship.startDate: '2015-02-30' is not a valid date"
    )
    assert "2 error(s); nothing was imported" in err
    assert counts() == before


def test_values_it_cannot_keep_refuse_the_file_by_line(tmp_path, db):
    entities = [
        {"id": "a", "schema": "Company", "properties": {"name": ["Fictional A"]}},
        {"id": "b", "schema": "Company", "properties": {"name": ["Fictional B"]}},
        {
            "id": "o1",
            "schema": "Ownership",
            "properties": {
                "owner": ["a"],
                "asset": ["b"],
                "startDate": ["2019"],
                "endDate": ["2016"],
            },
        },
        {
            "id": "o2",
            "schema": "Ownership",
            "properties": {"owner": ["a"], "asset": ["b"], "percentage": ["150"]},
        },
    ]
    path = tmp_path / "bad.json"
    path.write_text("\n".join(json.dumps(e) for e in entities), encoding="utf-8")
    before = counts()
    code, _out, err = run_import(path)  # .json without --kind: read as FtM
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {path}:3: Ownership o1: endDate 2016 is before startDate 2019 (dates are kept "
        "at the start of their precision)",
        f"error: {path}:4: Ownership o2: percentage '150' is not a share between 0 and 100",
    ]
    assert counts() == before


def test_it_keeps_what_it_does_not_model_out_and_says_so(tmp_path, db):
    entities = [
        {"id": "p", "schema": "UnseenPerson", "properties": {"name": ["P-00001"]}},
        {"id": "s", "schema": "UnseenWorkSite", "properties": {"name": ["restaurant in X"]}},
        {"id": "c", "schema": "Company", "properties": {"name": ["Fictional C"]}},
        {
            "id": "e",
            "schema": "Employment",
            "properties": {"employer": ["c"], "employee": ["p"]},
        },
        {
            "id": "d",
            "schema": "Directorship",
            "properties": {"director": ["c"], "organization": ["c2"]},
        },
        {"id": "c2", "schema": "Organization", "properties": {"name": ["Fictional C2"]}},
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in entities), encoding="utf-8")
    code, out, err = run_import(path, "--format", "ftm")
    assert code == 0, err
    assert not Person.objects.exists() and not PublicFigure.objects.exists()
    assert "left out: 1 UnseenPerson (Unseen's pseudonymous persons are never imported)" in out
    assert "left out: 1 UnseenWorkSite (not imported)" in out
    assert "left out: 1 Employment (an end is neither in the file nor known)" in out
    # A company as a director: kept as an unknown link that says what the file said.
    (link,) = Relation.objects.all()
    assert (link.kind, link.role) == ("unknown_link", "Directorship")
    assert Source.objects.get().kind == SourceKind.DATASET


def test_public_records_wait_for_review_and_a_dry_run_writes_nothing(tmp_path, db):
    path = fixture_copy(tmp_path)
    before = counts()
    code, out, _err = run_import(path, "--format", "ftm", "--dry-run")
    assert code == 0 and "would import 8 entities" in out
    assert counts() == before
    code, out, _err = run_import(path, "--format", "ftm", "--access-level", "public")
    assert code == 0
    assert "imported as internal until someone other than the importer reviews them" in out
    assert set(Organisation.objects.values_list("access_level", flat=True)) == {
        AccessLevel.INTERNAL
    }


def test_the_import_page_reads_an_ftm_file_by_its_name(rita_client):
    upload = io.BytesIO(FIXTURE.read_bytes())
    upload.name = "entities.ftm.json"
    response = rita_client.post(
        "/app/import/", {"file": upload, "kind": "sources", "title": "Fabricated list"}, follow=True
    )
    page = response.content.decode()
    assert "Imported 8 entities" in page
    assert Organisation.objects.count() == 2
    assert Source.objects.get().title.startswith("Fabricated list (version ")


def test_the_import_page_lists_every_bad_line(rita_client):
    upload = io.BytesIO(b'{"id": "x", "schema": "Spaceship"}\nnot json\n')
    upload.name = "entities.jsonl"
    response = rita_client.post("/app/import/", {"file": upload, "kind": "ftm"})
    page = response.content.decode()
    assert "entities.jsonl:1: unknown schema &#x27;Spaceship&#x27;" in page
    assert "entities.jsonl:2: not JSON" in page
    assert "nothing was imported" in page
    assert not Source.objects.exists()


@pytest.mark.parametrize("name", ["entities.csv", "entities.xlsx"])
def test_a_table_chosen_as_ftm_is_refused(rita_client, name):
    upload = io.BytesIO(b"title\nx\n")
    upload.name = name
    response = rita_client.post("/app/import/", {"file": upload, "kind": "ftm"})
    assert "FollowTheMoney" in response.content.decode()
    assert not Source.objects.exists()
