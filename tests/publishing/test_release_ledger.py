"""Releases that cannot be joined into a re-identification (#15 item 1) and the export key (item 3).

Each test builds its persons, exports through the command and reads the files back as a
recipient would: nothing is taken from the export's own account of what it did.
"""

import csv
import io
import json
import os
import stat
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.core.privacy.pseudonyms import pseudonym, recipient_key
from unseen.evidence import reviewing
from unseen.publishing.exports import export_secret
from unseen.registry.models import Person


def run(*args, expect_exit=None):
    out, err = io.StringIO(), io.StringIO()
    if expect_exit is None:
        call_command("export", *args, stdout=out, stderr=err)
        return out.getvalue()
    with pytest.raises(SystemExit) as exited:
        call_command("export", *args, stdout=out, stderr=err)
    assert exited.value.code == expect_exit
    return err.getvalue()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def persons(*specs, access=AccessLevel.INTERNAL):
    """specs: (count, sex, province)."""
    for count, sex, province in specs:
        for _ in range(count):
            Person.objects.create(
                sex=sex, birth_year=1980, home_province=province, access_level=access
            )


def joined_on_the_pseudonym(*directories: Path) -> Counter:
    """What a recipient learns about each pseudonym from all the files together."""
    told: dict[str, list] = {}
    for index, directory in enumerate(directories):
        for row in read_csv(directory / "persons.csv"):
            values = tuple(sorted((c, v) for c, v in row.items() if c != "id"))
            told.setdefault(row["id"], [None] * len(directories))[index] = values
    return Counter(tuple(profile) for profile in told.values())


# Release 1 keeps sex and hides the province (to its region); with three more persons, release
# 2 keeps the province and hides sex. Joined on the pseudonym: sex and province, groups of two.
FIRST = ((2, "m", "North Hamgyong"), (2, "m", "South Hamgyong"))
FIRST += ((2, "f", "North Hamgyong"), (2, "f", "South Hamgyong"))
LATER = ((2, "m", "Chagang"), (1, "f", "Chagang"))
K = ("--k", "3")


def export_to(recipient: str, out: Path, *extra: str) -> str:
    return run("--level", "pseudonymised", "--recipient", recipient, *K, "--out", str(out), *extra)


def test_the_scenario_generalises_differently_from_one_export_to_the_next(db, export_key, tmp_path):
    persons(*FIRST)
    export_to("Seoul office", tmp_path / "one")
    persons(*LATER)
    export_to("Seoul office", tmp_path / "two")
    one, two = AuditEntry.objects.filter(action=Action.EXPORT).order_by("pk")
    assert one.detail["generalisation"]["sex"] == 0 < one.detail["generalisation"]["home_province"]
    assert two.detail["generalisation"]["sex"] == 1 > two.detail["generalisation"]["home_province"]


def test_two_exports_to_one_recipient_leave_no_group_under_k_joined_on_the_pseudonym(
    db, export_key, tmp_path
):
    persons(*FIRST)
    export_to("Seoul office", tmp_path / "one")
    persons(*LATER)
    export_to("Seoul office", tmp_path / "two")
    groups = joined_on_the_pseudonym(tmp_path / "one", tmp_path / "two")
    assert min(groups.values()) >= 3, groups
    # Per export: not one pseudonym of a person is found in both files.
    ids = [{row["id"] for row in read_csv(tmp_path / d / "persons.csv")} for d in ("one", "two")]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
    entry = AuditEntry.objects.filter(action=Action.EXPORT).latest("pk")
    assert entry.detail["pseudonyms"] == {"key": "recipient:seoul office", "per": "export"}


def test_linkable_exports_keep_pseudonyms_and_never_go_below_k_on_the_join(
    db, alice, export_key, tmp_path
):
    persons(*FIRST)
    linkable = ("--linkable", "--approved-by", "alice")
    export_to("Seoul office", tmp_path / "one", *linkable)
    persons(*LATER)
    report = export_to("Seoul office", tmp_path / "two", *linkable)
    ids = [{row["id"] for row in read_csv(tmp_path / d / "persons.csv")} for d in ("one", "two")]
    assert len(ids[0] & ids[1]) == 8  # linkable: the same persons, the same pseudonyms
    groups = joined_on_the_pseudonym(tmp_path / "one", tmp_path / "two")
    assert min(groups.values()) >= 3, groups
    assert "1 earlier linkable release" in report
    from unseen.publishing.models import ReleaseLedger

    entry = AuditEntry.objects.filter(action=Action.EXPORT).latest("pk")
    assert entry.detail["linkable"] == {"approved_by": "alice", "earlier_releases": 1}
    assert ReleaseLedger.objects.filter(recipient="recipient:seoul office").count() == 2
    # Another recipient's ledger is its own: the same data goes out finest to them.
    export_to("UN Panel", tmp_path / "panel", *linkable)
    panel = AuditEntry.objects.filter(action=Action.EXPORT).latest("pk")
    assert panel.detail["generalisation"]["sex"] == 1
    assert panel.detail["generalisation"]["home_province"] == 0


def test_it_refuses_a_linkable_release_that_would_split_earlier_groups_and_says_why(
    db, alice, export_key, tmp_path
):
    persons((5, "m", "Chagang"), (5, "f", "Chagang"))
    linkable = ("--linkable", "--approved-by", "alice")
    run("--level", "pseudonymised", "--recipient", "X", "--out", str(tmp_path / "a"), *linkable)
    # Five become public: three men, two women. Alone this release hides sex and meets k = 5
    # on the access level; joined with the first, which told the sex, groups of two and three.
    for person in [*Person.objects.filter(sex="m")[:3], *Person.objects.filter(sex="f")[:2]]:
        reviewing.approve(person, alice)  # the two-person rule (ADR 0025)
        person.access_level = AccessLevel.PUBLIC
        person.save()
    out = tmp_path / "b"
    err = run(
        *("--level", "pseudonymised", "--recipient", "X", "--out", str(out), *linkable),
        expect_exit=2,
    )
    assert "earlier linkable release" in err and "smallest group" in err and "k=5" in err
    from unseen.publishing.models import ReleaseLedger

    assert not out.exists() and ReleaseLedger.objects.count() == 1
    run("--level", "pseudonymised", "--recipient", "X", "--out", str(out))  # per export: fine
    assert len(read_csv(out / "persons.csv")) == 10


def test_a_linkable_export_needs_an_administrators_approval(db, rita, export_key, tmp_path):
    persons((5, "m", "Chagang"))
    base = ("--level", "pseudonymised", "--recipient", "X", "--out", str(tmp_path / "o"))
    assert "needs --approved-by" in run(*base, "--linkable", expect_exit=2)
    err = run(*base, "--linkable", "--approved-by", "rita", expect_exit=2)
    assert "not an active administrator" in err and not (tmp_path / "o").exists()


def test_two_recipients_files_cannot_be_lined_up_row_by_row(db, alice, export_key, tmp_path):
    persons(*[(1, sex, "Chagang") for sex in "mf" * 15])
    for recipient in ("A", "B"):
        run(
            *("--level", "pseudonymised", "--recipient", recipient, "--k", "1"),
            *("--out", str(tmp_path / recipient), "--linkable", "--approved-by", "alice"),
        )
    pks = {}
    for recipient in ("A", "B"):
        key = recipient_key(export_secret(), recipient)
        pks[recipient] = {pseudonym(key, "person", p.pk): p.pk for p in Person.objects.all()}
    rows = {r: [pks[r][row["id"]] for row in read_csv(tmp_path / r / "persons.csv")] for r in "AB"}
    assert sorted(rows["A"]) == sorted(rows["B"]) == sorted(pks["A"].values())
    assert rows["A"] != sorted(rows["A"]) and rows["A"] != rows["B"]  # not in creation order


@pytest.mark.parametrize("format", ["csv", "ftm", "geojson"])
def test_it_writes_rows_in_the_order_of_their_pseudonyms(db, export_key, tmp_path, format):
    from tests import factories

    persons((6, "m", "Chagang"))
    for index in range(6):
        factories.deployment()
        factories.site(f"Site {index}")
    from unseen.documentation.models import Sighting

    for index in range(6):
        Sighting.objects.create(
            description="crew", country="RU", latitude=55.0 + index, longitude=100.0
        )
    out = tmp_path / format
    run("--format", format, "--level", "pseudonymised", "--recipient", "X", "--out", str(out))
    if format == "csv":
        for path in out.glob("*.csv"):
            ids = [row["id"] for row in read_csv(path)]
            assert ids == sorted(ids), path.name
    elif format == "geojson":
        for path in out.glob("*.geojson"):
            features = json.loads(path.read_text())["features"]
            ids = [f["properties"]["id"] for f in features]
            assert len(ids) > 1 and ids == sorted(ids), path.name
    else:
        lines = [json.loads(line) for line in (out / "entities.ftm.json").read_text().splitlines()]
        by_schema: dict[str, list[str]] = {}
        for line in lines:
            by_schema.setdefault(line["schema"], []).append(line["id"])
        assert len(by_schema["UnseenPerson"]) == 6
        for schema, ids in by_schema.items():
            assert ids == sorted(ids), schema


def test_the_public_release_and_a_recipient_named_public_get_different_pseudonyms(
    db, alice, export_key, tmp_path
):
    persons((5, "m", "Chagang"), access=AccessLevel.PUBLIC)
    linkable = ("--linkable", "--approved-by", "alice")
    run("--level", "public", "--out", str(tmp_path / "release"), *linkable)
    run("--level", "public", "--recipient", "public", "--out", str(tmp_path / "named"), *linkable)
    release = {row["id"] for row in read_csv(tmp_path / "release" / "persons.csv")}
    named = {row["id"] for row in read_csv(tmp_path / "named" / "persons.csv")}
    assert len(release) == len(named) == 5 and not release & named
    from unseen.core.privacy.pseudonyms import public_release_key

    key = public_release_key(export_secret())
    assert release == {pseudonym(key, "person", p.pk) for p in Person.objects.all()}
    keys = [
        e.detail["pseudonyms"]["key"]
        for e in AuditEntry.objects.filter(action=Action.EXPORT).order_by("pk")
    ]
    assert keys == ["public-release", "recipient:public"]


# ---------------------------------------------------------------------------------------------
# The export key.


def test_a_missing_export_key_stops_the_export_and_creates_nothing(db, settings, tmp_path):
    settings.UNSEEN_EXPORT_KEY = ""
    persons((5, "m", "Chagang"))
    out = tmp_path / "out"
    err = run("--level", "pseudonymised", "--recipient", "X", "--out", str(out), expect_exit=2)
    assert "no export key" in err and "UNSEEN_EXPORT_KEY" in err and "--init-key" in err
    assert str(Path(settings.VAR_DIR) / "keys" / "export_key") in err
    assert not (Path(settings.VAR_DIR) / "keys" / "export_key").exists()
    assert not out.exists() and not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_it_creates_the_export_key_only_when_asked_and_never_over_one(db, settings):
    settings.UNSEEN_EXPORT_KEY = ""
    path = Path(settings.VAR_DIR) / "keys" / "export_key"
    report = run("--init-key")
    assert str(path) in report
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    secret = path.read_text()
    assert len(secret) >= 40
    err = run("--init-key", expect_exit=2)
    assert "already exists" in err and path.read_text() == secret


def test_it_refuses_an_export_key_file_others_may_read(db, settings, export_key, tmp_path):
    settings.UNSEEN_EXPORT_KEY = ""
    persons((5, "m", "Chagang"))
    os.chmod(export_key, 0o640)
    out = tmp_path / "out"
    err = run("--level", "pseudonymised", "--recipient", "X", "--out", str(out), expect_exit=2)
    assert "group or others" in err and "chmod 600" in err and not out.exists()
