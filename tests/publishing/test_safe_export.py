"""Safe exports of the demo: k-anonymity, no vault value, per-recipient pseudonyms, approvals."""

import csv
import io
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.core.management import call_command

from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.core.privacy.generalise import on_grid
from unseen.demo.loading import load_demo
from unseen.publishing.models import ExportApproval
from unseen.registry.models import Person
from unseen.registry.vault import read_identity

# Every export here needs the export key, which no export creates.
pytestmark = pytest.mark.usefixtures("export_key")

QUASI = ("sex", "birth_year", "home_province", "host_country", "site_country", "period")


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


def everything(directory: Path) -> str:
    """Every table written, and the evidence files' manifest (the files themselves are the
    working copies a person released, tested in tests/publishing/test_export_files.py)."""
    texts = [p for p in sorted(directory.iterdir()) if p.is_file()]
    texts += sorted(directory.glob("files/manifest.csv"))
    return "\n".join(p.read_text(encoding="utf-8") for p in texts)


@pytest.fixture
def demo(db):
    load_demo()


def quasi_identifier_groups(directory: Path) -> Counter:
    """Recomputed from the files alone: each person's quasi-identifiers, joined to deployments."""
    deployments = defaultdict(list)
    for row in read_csv(directory / "deployments.csv"):
        if row["person_id"]:
            deployments[row["person_id"]].append(row)
    groups: Counter = Counter()
    for person in read_csv(directory / "persons.csv"):
        own = deployments[person["id"]]
        groups[
            (
                person["sex"],
                person["birth_year"],
                person["home_province"],
                tuple(sorted({d["host_country"] for d in own})),
                tuple(sorted({d["site_country"] for d in own})),
                tuple(sorted({d["period_start"] for d in own})),
            )
        ] += 1
    return groups


def test_it_exports_the_demo_pseudonymised_k_anonymous_without_vault_values(demo, rita, tmp_path):
    out = tmp_path / "seoul"
    report = run(
        "--format",
        "csv",
        "--level",
        "pseudonymised",
        "--recipient",
        "Seoul office",
        "--out",
        str(out),
    )
    groups = quasi_identifier_groups(out)
    assert groups and min(groups.values()) >= 5
    assert "k-anonymity: smallest group of persons" in report and "suppressed" in report

    persons = read_csv(out / "persons.csv")
    released = Person.objects.filter(access_level__in=[AccessLevel.PUBLIC, AccessLevel.INTERNAL])
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert len(persons) + entry.detail["suppressed"] == released.count()
    assert entry.detail["smallest_group"] >= 5 and entry.detail["level"] == "pseudonymised"

    text = everything(out)
    for person in Person.objects.all():
        identity = read_identity(person, user=rita, purpose="test: export leaks nothing")
        for value in (
            identity.full_name,
            identity.name_hangul,
            identity.given_name,
            identity.birth_date,
            identity.address,
            identity.phone,
        ):
            # As a whole word: a one-syllable given name (Su) is also part of others (Sukbakso).
            if value:
                assert not re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text), value
        assert person.pseudonym not in text  # internal ids are replaced too
    assert "confidential" not in text


def test_it_gives_two_recipients_different_pseudonyms_for_the_same_person(demo, alice, tmp_path):
    for recipient in ("Seoul office", "UN Panel of Experts"):
        run(
            "--level", "pseudonymised", "--recipient", recipient, "--out", str(tmp_path / recipient)
        )
    seoul = read_csv(tmp_path / "Seoul office" / "persons.csv")
    panel = read_csv(tmp_path / "UN Panel of Experts" / "persons.csv")
    assert len(seoul) == len(panel) > 0
    assert not {p["id"] for p in seoul} & {p["id"] for p in panel}
    # The same recipient gets fresh pseudonyms in every export, so its files do not join...
    run("--level", "pseudonymised", "--recipient", "Seoul office", "--out", str(tmp_path / "again"))
    again = read_csv(tmp_path / "again" / "persons.csv")
    assert len(again) == len(seoul) and not {p["id"] for p in again} & {p["id"] for p in seoul}
    # ...unless an administrator makes them linkable: then the same ones in every linkable export.
    for name in ("linked", "linked again"):
        run(
            *("--level", "pseudonymised", "--recipient", "Seoul office"),
            *("--out", str(tmp_path / name), "--linkable", "--approved-by", "alice"),
        )
    linked, linked_again = (
        read_csv(tmp_path / name / "persons.csv") for name in ("linked", "linked again")
    )
    assert {p["id"] for p in linked} == {p["id"] for p in linked_again}
    assert not {p["id"] for p in linked} & {p["id"] for p in seoul}


def test_it_releases_only_public_records_at_the_public_level(demo, tmp_path):
    run("--level", "public", "--out", str(tmp_path))
    assert read_csv(tmp_path / "persons.csv") == []
    assert read_csv(tmp_path / "sites.csv") == []
    deployments = read_csv(tmp_path / "deployments.csv")
    assert deployments and {d["access_level"] for d in deployments} == {"public"}
    assert all(len(d["period_start"]) in (0, 4, 7) for d in deployments)


def few_persons(count):
    for _ in range(count):
        Person.objects.create(sex="m", birth_year=1980, home_province="Chagang")


def test_it_refuses_when_k_is_not_met_and_writes_nothing(db, tmp_path):
    few_persons(3)
    out = tmp_path / "out"
    err = run("--level", "pseudonymised", "--recipient", "X", "--out", str(out), expect_exit=2)
    assert err.startswith("error: k-anonymity not met")
    assert not out.exists()
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_it_releases_small_groups_on_an_administrators_override_and_audits_it(
    db, alice, rita, tmp_path
):
    few_persons(3)
    err = run(
        "--level",
        "pseudonymised",
        "--recipient",
        "X",
        "--out",
        str(tmp_path / "no"),
        "--override-k",
        "--approved-by",
        "rita",
        expect_exit=2,
    )
    assert "not an active administrator" in err
    report = run(
        "--level",
        "pseudonymised",
        "--recipient",
        "X",
        "--out",
        str(tmp_path / "yes"),
        "--override-k",
        "--approved-by",
        "alice",
    )
    assert "override" in report
    assert len(read_csv(tmp_path / "yes" / "persons.csv")) == 3
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.detail["override"] == {"approved_by": "alice", "smallest_group": 3, "k": 5}


def test_it_refuses_a_full_export_without_approval_and_allows_it_once_with_one(alice, tmp_path):
    err = run("--level", "full", "--out", str(tmp_path / "a"), expect_exit=2)
    assert "approval" in err and not (tmp_path / "a").exists()
    approval = ExportApproval.objects.create(approved_by=alice, recipient="Court")
    run("--level", "full", "--approval", str(approval.pk), "--out", str(tmp_path / "b"))
    assert (tmp_path / "b" / "persons.csv").exists()
    approval.refresh_from_db()
    assert approval.used_at is not None
    assert AuditEntry.objects.get(action=Action.EXPORT).detail["approval"] == approval.pk
    err = run(
        "--level",
        "full",
        "--approval",
        str(approval.pk),
        "--out",
        str(tmp_path / "c"),
        expect_exit=2,
    )
    assert "used already" in err and not (tmp_path / "c").exists()


def test_it_writes_geojson_on_the_grid(demo, tmp_path):
    run(
        "--format",
        "geojson",
        "--level",
        "pseudonymised",
        "--recipient",
        "X",
        "--out",
        str(tmp_path),
    )
    for name in ("sites", "sightings"):
        collection = json.loads((tmp_path / f"{name}.geojson").read_text(encoding="utf-8"))
        assert collection["type"] == "FeatureCollection" and collection["features"]
        for feature in collection["features"]:
            assert feature["type"] == "Feature"
            lon, lat = feature["geometry"]["coordinates"]
            assert on_grid(lat, lon)
            assert (
                "description" not in feature["properties"] and "name" not in feature["properties"]
            )


def test_it_writes_followthemoney_lines_that_validate(demo, tmp_path):
    from unseen.publishing.exports.ftm import load_model, validate_entity

    run("--format", "ftm", "--level", "pseudonymised", "--recipient", "X", "--out", str(tmp_path))
    model = load_model()
    lines = (tmp_path / "entities.ftm.json").read_text(encoding="utf-8").splitlines()
    schemata: Counter[str] = Counter()
    for line in lines:
        data = json.loads(line)
        validate_entity(model, data)
        assert "summary" not in data["properties"] and "description" not in data["properties"]
        schemata[data["schema"]] += 1
    assert {"UnseenWorkSite", "UnseenSighting", "UnseenDeployment", "UnseenPerson"} <= set(schemata)


def test_it_gives_a_persons_deployments_and_incidents_no_finer_detail_than_the_person(db, tmp_path):
    import datetime as dt

    from unseen.documentation.models import Act, Deployment, Incident
    from unseen.registry.models import Site

    site = Site.objects.create(
        name="Camp 7", kind="logging_camp", country="RU", latitude=55.15, longitude=124.72
    )
    for _ in range(5):
        person = Person.objects.create(sex="m", birth_year=1981, home_province="Chagang")
        Deployment.objects.create(
            person=person,
            site=site,
            period_start=dt.date(2010, 1, 1),
            period_end=dt.date(2012, 1, 1),
        )
        incident = Incident.objects.create(
            act=Act.BEATING, date=dt.date(2011, 5, 1), site=site, country="RU", place="Camp 7"
        )
        incident.victims.add(person)
    run("--level", "pseudonymised", "--recipient", "X", "--out", str(tmp_path / "out"))
    deployments = read_csv(tmp_path / "out" / "deployments.csv")
    assert {(d["site_id"], d["site_country"], d["period_start"]) for d in deployments} == {
        ("", "RU", "2010-2012")
    }
    incidents = read_csv(tmp_path / "out" / "incidents.csv")
    assert {(i["site_id"], i["date"], i["country"]) for i in incidents} == {("", "2011", "RU")}
    assert all(i["victims"].startswith("person-") for i in incidents)
    assert "Camp 7" not in everything(tmp_path / "out")
    sites = read_csv(tmp_path / "out" / "sites.csv")
    assert (float(sites[0]["latitude"]), float(sites[0]["longitude"])) == (55.125, 124.625)


def test_it_lets_an_administrator_record_an_approval_in_the_admin(client, alice):
    client.force_login(alice)
    response = client.post(
        "/admin/publishing/exportapproval/add/",
        {"level": "full", "recipient": "Court", "reason": "evidence for a case"},
    )
    assert response.status_code == 302, response.content[:500]
    approval = ExportApproval.objects.get()
    assert approval.approved_by == alice and approval.used_at is None


def test_followthemoney_leaves_out_a_country_withheld_by_k_anonymity(db, tmp_path):
    import datetime as dt

    from unseen.documentation.models import Deployment
    from unseen.publishing.exports.ftm import load_model, validate_entity

    for index in range(6):
        person = Person.objects.create(sex="m", birth_year=1981, home_province="Chagang")
        # One person's host country would single them out: k-anonymity withholds it as "*".
        Deployment.objects.create(
            person=person,
            host_country="CN" if index == 0 else "RU",
            period_start=dt.date(2010, 1, 1),
            period_end=dt.date(2012, 1, 1),
        )
    run("--level", "pseudonymised", "--recipient", "X", "--out", str(tmp_path / "csv"))
    withheld = [d for d in read_csv(tmp_path / "csv" / "deployments.csv") if "*" in d.values()]
    assert withheld, "the test needs a withheld value to be meaningful"
    run("--format", "ftm", "--level", "pseudonymised", "--recipient", "X", "--out", str(tmp_path))
    model = load_model()
    lines = (tmp_path / "entities.ftm.json").read_text(encoding="utf-8").splitlines()
    for line in lines:
        validate_entity(model, json.loads(line))
    assert "CN" not in (tmp_path / "entities.ftm.json").read_text(encoding="utf-8")


FORMULA = '=HYPERLINK("http://evil","x")'


def test_it_neutralises_formula_cells_in_csv_but_keeps_them_raw_in_json_and_ftm(alice, tmp_path):
    import datetime as dt

    from unseen.documentation.models import Sighting

    Sighting.objects.create(
        description=FORMULA,
        place="@SUM(A1:A9)",
        work_kind="\tcmd",
        country="ES",
        latitude=40.4,
        longitude=-3.5,  # a genuine negative number: it stays a number
        observed_from=dt.date(2024, 5, 1),
    )
    for format in ("csv", "geojson", "ftm"):
        approval = ExportApproval.objects.create(approved_by=alice, recipient="Court")
        run(
            *("--format", format, "--level", "full", "--approval", str(approval.pk)),
            *("--out", str(tmp_path / format)),
        )
    (row,) = read_csv(tmp_path / "csv" / "sightings.csv")
    assert row["description"] == "'" + FORMULA
    assert row["place"] == "'@SUM(A1:A9)" and row["work_kind"] == "'\tcmd"
    assert row["longitude"] == "-3.5" and row["latitude"] == "40.4"

    (feature,) = json.loads((tmp_path / "geojson" / "sightings.geojson").read_text())["features"]
    assert feature["properties"]["description"] == FORMULA
    assert feature["geometry"]["coordinates"] == [-3.5, 40.4]
    (line,) = [
        json.loads(line)
        for line in (tmp_path / "ftm" / "entities.ftm.json").read_text().splitlines()
        if json.loads(line)["schema"] == "UnseenSighting"
    ]
    assert line["properties"]["description"] == [FORMULA]


def joined_groups(directory: Path) -> Counter:
    """Each person with every row a recipient joins to their pseudonym, all columns but the ids."""
    ids = {"id", "person_id", "interviewee_id", "victims", "testimony_id"}

    def values(row: dict[str, str]) -> tuple:
        return tuple(sorted((c, v) for c, v in row.items() if c not in ids))

    joined: dict[str, list] = defaultdict(list)
    for row in read_csv(directory / "deployments.csv"):
        if row["person_id"]:
            joined[row["person_id"]].append(("deployment", values(row)))
    for row in read_csv(directory / "incidents.csv"):
        for victim in filter(None, row["victims"].split(";")):
            joined[victim].append(("incident", values(row)))
    codings = defaultdict(list)
    for row in read_csv(directory / "indicator_codings.csv"):
        codings[row["testimony_id"]].append(values(row))
    for row in read_csv(directory / "testimonies.csv"):
        if row["interviewee_id"]:
            joined[row["interviewee_id"]].append(
                ("testimony", values(row), tuple(sorted(codings[row["id"]])))
            )
    return Counter(
        (values(person), tuple(sorted(joined[person["id"]])))
        for person in read_csv(directory / "persons.csv")
    )


def test_it_computes_k_over_everything_joined_to_a_person_and_drops_free_text(db, tmp_path):
    """k is 5 on the persons alone and 1 once their deployments are joined: one is suppressed."""
    import datetime as dt
    from decimal import Decimal

    from unseen.documentation.models import Act, Deployment, Incident, Testimony
    from unseen.evidence.models import Source, SourceKind
    from unseen.publishing.exports.ftm import load_model, validate_entity

    foreman = "Site of foreman Pak's brigade, Tynda"
    people = [("m", 1981, "Chagang")] * 6 + [("f", 1975, "Ryanggang")] * 5
    for index, (sex, year, province) in enumerate(people):
        person = Person.objects.create(sex=sex, birth_year=year, home_province=province)
        rare = index == 0
        Deployment.objects.create(
            person=person,
            host_country="RU",
            host_region=foreman if rare else "",
            sector="logging" if rare else "construction",
            period_start=dt.date(2010, 3, 14) if rare else dt.date(2010, 1, 1),
            period_start_precision="day" if rare else "year",
            period_end=dt.date(2012, 1, 1),
            period_end_precision="year",
            monthly_wage_usd_low=Decimal("137.50") if rare else Decimal(300),
            monthly_wage_usd_high=Decimal("137.50") if rare else Decimal(400),
            hours_per_day=Decimal("13.5") if rare else Decimal(10),
        )
        source = Source.objects.create(kind=SourceKind.INTERVIEW, title=f"Interview {index}")
        Testimony.objects.create(
            source=source,
            interviewee=person,
            interview_date=dt.date(2015, 2, 9),
            interview_date_precision="day",
            interview_country="KR",
            summary="Told of foreman Pak" if rare else "",
        )
        incident = Incident.objects.create(
            act=Act.PASSPORT_CONFISCATION,
            date=dt.date(2010, 6, 2),
            date_precision="day",
            country="RU",
            place=foreman,
        )
        incident.victims.add(person)
        if index == 1:
            # A citation is free text too, and a claim would set it beside the pseudonym.
            report = Source.objects.create(
                kind=SourceKind.DOCUMENT, title="Brigade roll, Skovorodino"
            )
            person.add_claim(report, 2, "on the roll")
    own = Counter((p.sex, p.birth_year, p.home_province) for p in Person.objects.all())
    assert min(own.values()) == 5  # k on the persons alone

    out = tmp_path / "out"
    report = run("--level", "pseudonymised", "--recipient", "X", "--out", str(out))
    groups = joined_groups(out)
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.detail["suppressed"] == 1 and sum(groups.values()) == 10
    # The k reported is the k a recipient measures on the join.
    assert entry.detail["smallest_group"] == min(groups.values()) == 5
    assert "smallest group of persons 5" in report and "1 of 11 persons suppressed" in report

    text = everything(out)
    assert "Tynda" not in text and "Pak" not in text and "137.5" not in text
    claims = read_csv(out / "claims.csv")
    assert not [c for c in claims if c["subject_kind"] in ("person", "deployment", "testimony")]
    deployments = read_csv(out / "deployments.csv")
    assert {d["host_region"] for d in deployments} == {""}
    for row in deployments + read_csv(out / "testimonies.csv"):
        for column, value in row.items():
            if column.endswith("_precision") and value:
                # A precision describes the value beside it, as released.
                assert value == "year", (column, row)
    assert {t["interview_date"] for t in read_csv(out / "testimonies.csv")} == {"2015"}
    assert all(d["period_start"] == "2010-2012" for d in deployments)
    incidents = read_csv(out / "incidents.csv")
    assert len(incidents) == 10
    assert {(i["date"], i["date_precision"], i["country"]) for i in incidents} == {
        ("2010", "year", "RU")
    }

    run("--format", "ftm", "--level", "pseudonymised", "--recipient", "X", "--out", str(tmp_path))
    model = load_model()
    for line in (tmp_path / "entities.ftm.json").read_text(encoding="utf-8").splitlines():
        validate_entity(model, json.loads(line))


@pytest.mark.parametrize(
    ("level", "hidden"),
    [("public", AccessLevel.INTERNAL), ("pseudonymised", AccessLevel.CONFIDENTIAL)],
)
def test_it_leaves_related_records_beyond_the_level_out_of_every_file(
    db, alice, tmp_path, level, hidden
):
    import datetime as dt

    from unseen.core.privacy.pseudonyms import pseudonym, recipient_key
    from unseen.documentation.models import Act, Deployment, Incident, Sighting, Testimony
    from unseen.evidence.models import Source, SourceKind
    from unseen.publishing.exports import export_secret
    from unseen.registry.models import Organisation, Site

    shown = AccessLevel.PUBLIC if level == "public" else AccessLevel.INTERNAL
    person = Person.objects.create(sex="m", birth_year=1980, access_level=hidden)
    site = Site.objects.create(
        name="Hidden camp", kind="logging_camp", country="RU", access_level=hidden
    )
    organisation = Organisation.objects.create(
        name="Hidden Trading Co", kind="front_company", access_level=hidden
    )
    public_site = Site.objects.create(
        name="Shown camp", kind="logging_camp", country="RU", access_level=shown
    )
    public_site.merged_into = site
    public_site.save()
    Deployment.objects.create(person=person, host_country="RU", access_level=shown)
    Deployment.objects.create(
        site=site,
        dispatcher=organisation,
        employer=organisation,
        workers_low=10,
        workers_high=20,
        access_level=shown,
    )
    incident = Incident.objects.create(
        act=Act.BEATING, date=dt.date(2011, 5, 1), site=site, access_level=shown
    )
    incident.victims.add(person)
    incident.perpetrator_organisations.add(organisation)
    Sighting.objects.create(description="crew", site=site, access_level=shown)
    interview = Source.objects.create(
        kind=SourceKind.INTERVIEW, title="Interview with Kim", access_level=hidden
    )
    testimony = Testimony.objects.create(source=interview, access_level=hidden)
    report = Source.objects.create(
        kind=SourceKind.DOCUMENT, title="Shown report", access_level=shown
    )
    testimony.add_claim(report, 2, "confidential testimony")
    public_site.add_claim(report, 2, "shown site")
    Testimony.objects.create(
        source=Source.objects.create(kind=SourceKind.INTERVIEW, title="Other", access_level=hidden),
        interviewee=person,
        access_level=shown,
    )

    out = tmp_path / "out"
    # Linkable, so that the pseudonyms that must not appear can be computed here.
    run(
        *("--level", level, "--recipient", "X", "--out", str(out)),
        *("--linkable", "--approved-by", "alice"),
    )
    text = everything(out)
    key = recipient_key(export_secret(), "X")
    for kind, record in [
        ("person", person),
        ("site", site),
        ("organisation", organisation),
        ("testimony", testimony),
        ("source", interview),
    ]:
        assert pseudonym(key, kind, record.pk) not in text, kind
    for name in ("Hidden camp", "Hidden Trading Co", "Interview with Kim", hidden):
        assert name not in text
    assert read_csv(out / "deployments.csv"), "the shown records are exported"
    assert read_csv(out / "sightings.csv") and read_csv(out / "incidents.csv")
    (claim,) = read_csv(out / "claims.csv")
    assert claim["subject_id"] == pseudonym(key, "site", public_site.pk)
    for path in out.glob("*.csv"):
        assert all(row["id"] for row in read_csv(path)), path.name
