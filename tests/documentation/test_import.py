import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from tests import spreadsheets
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.documentation.models import Deployment
from unseen.evidence.models import Claim, Source
from unseen.registry.models import Organisation, Person, Site
from unseen.registry.vault import read_identity

HEADER = (
    "host_country,year,sector,workers_low,workers_high,monthly_wage_usd_low,monthly_wage_usd_high,"
    "state_share_low,state_share_high,source,confidence\n"
)
GOOD_ROWS = [
    'Russia,2017,construction,30023,30023,,,,,"Russia report to the 1718 Committee, Mar 2019",high\n',
    "Mongolia,2016,construction,1200,1500,600,800,0.6,0.9,Mongolian labour ministry,medium\n",
    "ALL,2019,mixed,80000,100000,,,,,Senior US official via Reuters,medium\n",
]
BAD_ROWS = [
    'Russia,17,construction,30023,30023,,,,,"Russia report to the 1718 Committee, Mar 2019",high\n',
    "Narnia,2016,construction,1200,1500,600,800,0.6,0.9,Mongolian labour ministry,medium\n",
    "ALL,2019,mixed,-80000,100000,,,,,Senior US official via Reuters,medium\n",
]


def table_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Deployment, Source, Claim, AuditEntry, Person)
    }


def run_import(path, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", str(path), *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exited:
        code = exited.code
    return code, out.getvalue(), err.getvalue()


def test_it_reports_every_bad_cell_exits_2_and_writes_nothing(tmp_path, db):
    path = tmp_path / "deployments.csv"
    path.write_text(HEADER + "".join(BAD_ROWS), encoding="utf-8")
    before = table_counts()
    code, _out, err = run_import(path, "--kind", "deployments")
    assert code == 2
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert lines == [
        f"error: {path}:2:year: '17' is not a year (use four digits, e.g. 2017)",
        f"error: {path}:3:host_country: unknown country 'Narnia' (use an ISO 3166 code or an English or Korean name)",
        f"error: {path}:4:workers_low: -80000 is negative; counts cannot be",
    ]
    assert table_counts() == before


def test_it_imports_the_fixed_file_with_sources_and_claims(tmp_path, db):
    path = tmp_path / "deployments.csv"
    path.write_text(HEADER + "".join(GOOD_ROWS), encoding="utf-8")
    code, out, _err = run_import(path, "--kind", "deployments")
    assert code == 0, out
    assert "imported 3 rows" in out
    russia = Deployment.objects.get(host_country="RU")
    assert (russia.workers_low, russia.period_start.year, russia.period_start_precision) == (
        30023,
        2017,
        "year",
    )
    assert russia.access_level == AccessLevel.INTERNAL
    (claim,) = russia.evidence_trail()
    assert claim.credibility == 2 and claim.source.reliability == "B"
    assert Deployment.objects.get(host_region="World").workers_high == 100000
    mongolia = Deployment.objects.get(host_country="MN")
    assert str(mongolia.state_share_high) == "0.900" and mongolia.monthly_wage_usd_low == 600
    assert AuditEntry.objects.filter(action=Action.IMPORT, target_type="deployments").count() == 1


def test_it_rehearses_a_dry_run_without_writing(tmp_path, db):
    path = tmp_path / "deployments.csv"
    path.write_text(HEADER + "".join(GOOD_ROWS), encoding="utf-8")
    before = table_counts()
    code, out, _err = run_import(path, "--kind", "deployments", "--dry-run")
    assert code == 0 and "would import 3 rows" in out
    assert table_counts() == before


def test_it_reuses_a_source_cited_by_many_rows(tmp_path, db):
    path = tmp_path / "d.csv"
    path.write_text(HEADER + GOOD_ROWS[0] + GOOD_ROWS[0].replace("2017", "2018"), encoding="utf-8")
    assert run_import(path, "--kind", "deployments")[0] == 0
    assert Source.objects.count() == 1 and Claim.objects.count() == 2


def test_it_marks_entry_counts_and_plans_as_proxies(tmp_path, db):
    path = tmp_path / "d.csv"
    path.write_text(
        HEADER
        + 'Russia,2024,"entries: all purposes (proxy, not workers)",13221,13221,,,,,FSB,low\n',
        encoding="utf-8",
    )
    assert run_import(path, "--kind", "deployments")[0] == 0
    assert Deployment.objects.get().is_proxy
    assert not Deployment.objects.headcounts().exists()


def test_it_imports_the_shipped_sourced_deployments(db):
    shipped = Path(__file__).resolve().parents[2] / "src/unseen/demo/data/nk-deployments.csv"
    code, _out, err = run_import(shipped, "--kind", "deployments")
    assert code == 0, err
    rows = shipped.read_text(encoding="utf-8").count("\n") - 1
    assert Deployment.objects.count() == rows == Claim.objects.count()
    assert Deployment.objects.filter(is_proxy=True).count() == 9


def test_it_imports_persons_with_identities_only_in_the_vault(tmp_path, rita):
    path = tmp_path / "persons.csv"
    path.write_text(
        "record_id,source,full_name,name_hangul,sex,birth_date,country,site,employer,first_seen,last_seen\n"
        "r1,Leaked roster (synthetic),Ri Chol Su,리철수,male,1984-03,Russia,Camp 2,Tynda-Les,2016,2018-06\n"
        "r2,Leaked roster (synthetic),Pak Yong Ho,,m,,,,,,\n",
        encoding="utf-8",
    )
    code, out, err = run_import(path, "--kind", "persons")
    assert code == 0, err
    first = Person.objects.get(source_record_id="r1")
    assert (first.sex, first.birth_year, first.access_level) == (
        "m",
        1984,
        AccessLevel.CONFIDENTIAL,
    )
    assert read_identity(first, user=rita, purpose="test").name_hangul == "리철수"
    deployment = first.deployments.get()
    assert (deployment.host_country, deployment.site.name, deployment.employer.name) == (
        "RU",
        "Camp 2",
        "Tynda-Les",
    )
    assert (deployment.period_start.isoformat(), deployment.period_end_precision) == (
        "2016-01-01",
        "month",
    )
    assert "Ri Chol Su" not in out + err


def test_a_synthetic_import_marks_every_record_and_never_points_at_a_real_one(db):
    from unseen.core.tables import Table
    from unseen.documentation.importing import import_table

    real_source = Source.objects.create(title="Leaked roster", kind="document")
    real_site = Site.objects.create(name="Camp 2", kind="other", country="RU")
    real_employer = Organisation.objects.create(name="Tynda-Les", kind="host_employer")
    row = {"record_id": "r1", "source": "Leaked roster", "full_name": "Ri Chol Su"}
    row |= {"country": "RU", "site": "Camp 2", "employer": "Tynda-Les", "sex": "m"}
    result = import_table(Table(list(row), [(2, row)]), "persons", synthetic=True)
    assert result.created["persons"] == 1 and result.created["sources"] == 1
    person = Person.objects.get(source_record_id="r1")
    deployment = person.deployments.get()
    claim = Claim.objects.get(object_id=person.pk)
    assert person.is_synthetic and deployment.is_synthetic
    assert deployment.site != real_site and deployment.site.is_synthetic
    assert deployment.employer != real_employer and deployment.employer.is_synthetic
    assert claim.source != real_source and claim.source.is_synthetic
    assert AuditEntry.objects.get(action=Action.IMPORT).detail["synthetic"] is True
    # ... and a real import of the same row finds the real records again.
    import_table(Table(list(row), [(2, {**row, "record_id": "r2"})]), "persons")
    real = Person.objects.get(source_record_id="r2")
    assert not real.is_synthetic and real.deployments.get().site == real_site
    assert Claim.objects.get(object_id=real.pk).source == real_source


def test_it_refuses_repeated_record_ids(tmp_path, db):
    path = tmp_path / "persons.csv"
    path.write_text("record_id,sex\nr1,f\nr1,m\n", encoding="utf-8")
    code, _out, err = run_import(path, "--kind", "persons")
    assert code == 2 and f"{path}:3:record_id: 'r1' repeats row 2" in err
    assert not Person.objects.exists()


def test_it_imports_organisations_sites_sources_and_sightings_from_xlsx(tmp_path, db):
    def sheet(name, rows):
        path = tmp_path / f"{name}.xlsx"
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        book.save(path)
        return path

    assert (
        run_import(
            sheet(
                "orgs",
                [
                    ["name", "kind", "country", "aliases", "ofac_id"],
                    ["Namgang Construction", "trading_company", "KP", "남강건설; Namgang", "X1"],
                ],
            ),
            "--kind",
            "organisations",
        )[0]
        == 0
    )
    organisation = Organisation.objects.get()
    assert sorted(organisation.aliases.values_list("name", "script")) == [
        ("Namgang", "Latn"),
        ("남강건설", "Hang"),
    ]
    assert organisation.identifiers.get().value == "X1"

    assert (
        run_import(
            sheet(
                "sites",
                [
                    ["name", "kind", "country", "latitude", "longitude", "coordinate_precision"],
                    ["Camp", "logging_camp", "Russia", 55.15, 124.72, "region"],
                ],
            ),
            "--kind",
            "sites",
        )[0]
        == 0
    )
    assert Site.objects.get().coordinate_precision == "region"

    assert (
        run_import(
            sheet(
                "sources",
                [
                    ["title", "kind", "date", "reliability"],
                    ["AP report", "media_report", "2017-07", "B"],
                ],
            ),
            "--kind",
            "sources",
        )[0]
        == 0
    )
    assert Source.objects.get(title="AP report").date_precision == "month"

    code, _out, err = run_import(
        sheet(
            "sightings",
            [
                [
                    "description",
                    "country",
                    "observed_from",
                    "workers_low",
                    "workers_high",
                    "source",
                ],
                ["crew on a building site", "MN", "2019-05", 20, 30, "Traveller"],
            ],
        ),
        "--kind",
        "sightings",
    )
    assert code == 0, err


def test_it_explains_a_site_with_half_its_coordinates(tmp_path, db):
    path = tmp_path / "sites.csv"
    path.write_text("name,kind,country,latitude\nCamp,logging_camp,RU,55.1\n", encoding="utf-8")
    code, _out, err = run_import(path, "--kind", "sites")
    assert code == 2 and f"{path}:2:latitude: give both latitude and longitude" in err


@pytest.mark.slow
def test_it_exits_2_from_the_console_script(tmp_path):
    """The real `unseen` executable, on its own SQLite database, exits 2 and leaves it empty."""
    unseen = str(Path(sys.executable).parent / "unseen")
    env = {
        **os.environ,
        "UNSEEN_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    subprocess.run([unseen, "migrate", "-v0"], env=env, check=True)
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "".join(BAD_ROWS), encoding="utf-8")
    result = subprocess.run(
        [unseen, "import", str(bad), "--kind", "deployments"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.count("error: ") == 3 and "nothing was imported" in result.stderr
    count = subprocess.run(
        [
            unseen,
            "shell",
            "-c",
            "from unseen.documentation.models import Deployment as D; print(D.objects.count())",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert count.stdout.strip().splitlines()[-1] == "0"


def test_it_never_reuses_the_id_of_a_deleted_record(tmp_path, db):
    deleted = Deployment.objects.create(host_country="RU")
    deleted_id = deleted.pk
    deleted.delete()
    path = tmp_path / "d.csv"
    path.write_text(HEADER + "".join(GOOD_ROWS), encoding="utf-8")
    assert run_import(path, "--kind", "deployments")[0] == 0
    assert min(Deployment.objects.values_list("id", flat=True)) > deleted_id
    later = Deployment.objects.create(host_country="CN")
    assert later.pk > max(Deployment.objects.exclude(pk=later.pk).values_list("id", flat=True))
    for deployment in Deployment.objects.exclude(pk=later.pk):
        assert deployment.evidence_trail().get().statement.startswith(deployment.host.label)


def test_the_command_line_keeps_the_size_limit_but_not_the_web_row_limit(tmp_path, db, settings):
    # A file an operator chose may have any number of rows; a spreadsheet bomb is refused anyway.
    settings.UNSEEN_TABLE_MAX_ROWS = 1
    settings.UNSEEN_TABLE_MAX_UNPACKED_MB = 1
    path = tmp_path / "sources.csv"
    path.write_text("title,kind,reliability\nA,media_report,B\nB,media_report,B\n")
    assert run_import(path, "--kind", "sources")[0] == 0
    assert Source.objects.count() == 2
    bomb = spreadsheets.bomb(tmp_path / "bomb.xlsx", unpacked_mb=2)
    code, _out, err = run_import(bomb, "--kind", "sources")
    assert code == 2
    assert f"error: {bomb}: the spreadsheet unpacks to 2 MB, more than the 1 MB limit" in err
