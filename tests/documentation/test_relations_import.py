"""`unseen import FILE --kind relations` and the import page (issue #20, point 4): relations between
records already here, named by number or exact name, all or nothing, with row and column errors."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from unseen.accounts.models import AccessLevel
from unseen.documentation.models import Relation
from unseen.evidence.models import Claim, Reliability, Source
from unseen.registry.models import Organisation, OrganisationKind, PublicFigure, Site

pytestmark = pytest.mark.django_db

HEADER = (
    "kind,subject_kind,subject,object_kind,object,start,end,share_percent,role,description,"
    "source_title,source_reliability,credibility,access_level\n"
)


@pytest.fixture
def parties(db):
    rungrado = Organisation.objects.create(
        name="Korea Rungrado General Trading Corporation",
        kind=OrganisationKind.TRADING_COMPANY,
        country="KP",
        access_level=AccessLevel.PUBLIC,
    )
    armex = Organisation.objects.create(
        name="Armex Sp. z o.o.", kind=OrganisationKind.BROKER, country="PL"
    )
    shipyard = Site.objects.create(name="Gdynia shipyard", kind="other", country="PL")
    figure = PublicFigure.objects.create(name="Jong Song Hwa", name_hangul="정성화")
    secret = Organisation.objects.create(
        name="Hidden bureau",
        kind=OrganisationKind.STATE_ORGAN,
        access_level=AccessLevel.CONFIDENTIAL,
    )
    return {
        "rungrado": rungrado,
        "armex": armex,
        "shipyard": shipyard,
        "figure": figure,
        "secret": secret,
    }


def write(tmp_path, rows: list[str]):
    path = tmp_path / "relations.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def upload(rows: list[str]) -> io.BytesIO:
    made = io.BytesIO((HEADER + "".join(rows)).encode("utf-8"))
    made.name = "relations.csv"
    return made


def run_import(path, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", str(path), "--kind", "relations", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exited:
        code = exited.code
    return code, out.getvalue(), err.getvalue()


def good_rows(p) -> list[str]:
    return [
        # By exact names, with the kinds given.
        "dispatches_workers_to,organisation,Korea Rungrado General Trading Corporation,"
        "organisation,Armex Sp. z o.o.,2012,2016-05,,Polish intermediary,,"
        '"Leiden Asia Centre, Slaves to the System (2016)",C,3,public\n',
        # By number, the kind taken from the number.
        f"director_of,,public_figure:{p['figure'].pk},,organisation:{p['armex'].pk},,,,CEO,,"
        "OFAC press release sm481,A,2,\n",
        f"owns,,organisation:{p['rungrado'].pk},site,Gdynia shipyard,2014,,51%,,,"
        '"Leiden Asia Centre, Slaves to the System (2016)",,,internal\n',
    ]


def test_it_imports_relations_by_name_and_number_with_claims_citing_their_sources(
    tmp_path, parties
):
    code, out, err = run_import(write(tmp_path, good_rows(parties)))
    assert code == 0, err
    assert "imported 3 rows" in out and "3 relations" in out and "2 sources" in out
    dispatch, director, owns = Relation.objects.order_by("pk")
    assert (dispatch.subject, dispatch.object) == (parties["rungrado"], parties["armex"])
    assert (dispatch.start, dispatch.start_precision) == (dt.date(2012, 1, 1), "year")
    assert (dispatch.end, dispatch.end_precision) == (dt.date(2016, 5, 1), "month")
    # Public only once someone else reviews it (ADR 0025), as every import.
    assert dispatch.access_level == AccessLevel.INTERNAL
    assert (director.subject, director.object, director.role) == (
        parties["figure"],
        parties["armex"],
        "CEO",
    )
    assert owns.object == parties["shipyard"] and owns.share_percent == Decimal("51")
    claim = dispatch.evidence_trail().get()
    assert claim.source.title == "Leiden Asia Centre, Slaves to the System (2016)"
    assert claim.credibility == 3 and claim.source.reliability == Reliability.C
    assert owns.evidence_trail().get().credibility == 6  # blank: cannot be judged
    assert Source.objects.count() == 2  # one source for the two rows citing it
    assert director.history.count() == 1  # a revision of its creation, as every import


def test_it_reports_each_bad_row_by_row_and_column_and_writes_nothing(tmp_path, parties):
    p = parties
    rows = [
        *good_rows(p),
        # 5: a name that is nobody's.
        "contracts_with,organisation,Nobody Trading,organisation,Armex Sp. z o.o.,,,,,,,,,\n",
        # 6: a kind that does not start at a public figure.
        f"parent_of,,public_figure:{p['figure'].pk},,organisation:{p['armex'].pk},,,,,,,,,\n",
        # 7: a share for a kind that is not ownership; 8: the end before the start.
        f"contracts_with,,organisation:{p['rungrado'].pk},,organisation:{p['armex'].pk},"
        ",,40,,,,,,\n",
        f"contracts_with,,organisation:{p['rungrado'].pk},,organisation:{p['armex'].pk},"
        "2019,2016,,,,,,,\n",
        # 9: a day written two ways; 10: a name with no kind; 11: a record with itself.
        f"contracts_with,,organisation:{p['rungrado'].pk},,organisation:{p['armex'].pk},"
        "05/06/2016,,,,,,,,\n",
        "contracts_with,,Korea Rungrado General Trading Corporation,,"
        f"organisation:{p['armex'].pk},,,,,,,,,\n",
        f"contracts_with,,organisation:{p['armex'].pk},,organisation:{p['armex'].pk},,,,,,,,,\n",
        # 12: a person named by a name.
        f"member_of,person,P-000001,,organisation:{p['armex'].pk},,,,,,,,,\n",
    ]
    before = (Relation.objects.count(), Claim.objects.count(), Source.objects.count())
    code, _out, err = run_import(write(tmp_path, rows))
    assert code == 2
    errors = [line.split(":", 4)[2:4] for line in err.splitlines() if line.startswith("error:")]
    assert errors == [
        ["5", "subject"],
        ["6", "subject_kind"],
        ["7", "share_percent"],
        ["8", "end"],
        ["9", "start"],
        ["10", "subject_kind"],
        ["11", "object"],
        ["12", "subject"],
    ], err
    assert "no organisation is named 'Nobody Trading'" in err
    assert "parent_of cannot have a public_figure as its subject" in err
    assert "8 error(s); nothing was imported" in err
    assert (Relation.objects.count(), Claim.objects.count(), Source.objects.count()) == before


def test_a_name_shared_by_two_records_is_refused_with_their_numbers(tmp_path, parties):
    twin = Organisation.objects.create(name="Armex Sp. z o.o.", kind=OrganisationKind.BROKER)
    code, _out, err = run_import(
        write(
            tmp_path,
            [
                "contracts_with,organisation,Korea Rungrado General Trading Corporation,"
                "organisation,Armex Sp. z o.o.,,,,,,,,,\n"
            ],
        )
    )
    assert code == 2
    assert f"organisation:{parties['armex'].pk}, organisation:{twin.pk}" in err
    assert not Relation.objects.exists()


def test_the_import_page_finds_only_what_the_importer_may_read(client, ruth, parties):
    """Ruth has no confidential compartment: the hidden bureau is missing to her, by number or
    by name, and the whole file is refused."""
    client.force_login(ruth)
    rows = [
        f"parent_of,,organisation:{parties['secret'].pk},,organisation:{parties['armex'].pk},"
        ",,,,,,,,\n",
        f"parent_of,organisation,Hidden bureau,,organisation:{parties['armex'].pk},,,,,,,,,\n",
    ]
    response = client.post("/app/import/", {"file": upload(rows), "kind": "relations"})
    page = response.content.decode()
    assert f"relations.csv:2:subject: there is no organisation {parties['secret'].pk}" in page
    assert "relations.csv:3:subject: no organisation is named" in page
    assert not Relation.objects.exists()


def test_the_import_page_imports_relations(client, rita, parties):
    client.force_login(rita)
    data = {"file": upload(good_rows(parties)), "kind": "relations"}
    response = client.post("/app/import/", data, follow=True)
    assert "Imported 3 rows" in response.content.decode()
    assert Relation.objects.count() == 3
