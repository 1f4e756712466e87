import io

import pytest
from django.core.management import call_command

from unseen.accounts.models import AccessLevel, User
from unseen.documentation.models import (
    Deployment,
    Finding,
    Incident,
    IndicatorCoding,
    Relation,
    RelationKind,
    Sighting,
    Testimony,
)
from unseen.evidence.models import Claim, DatePrecision, Source, SourceKind
from unseen.registry.models import Organisation, Person, PublicFigure


@pytest.fixture
def demo(db):
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_it_loads_the_sourced_backbone_as_public_records_with_claims(demo):
    sourced = Deployment.objects.filter(is_synthetic=False)
    # The 94 rows of nk-deployments.csv, and 4 dispatches told with no headcount (ADR 0032).
    assert sourced.count() == 94 + 4
    assert set(sourced.values_list("access_level", flat=True)) == {AccessLevel.PUBLIC}
    assert {"RU", "CN", "MN", "PL", "QA", "KW", "AE"} <= set(
        sourced.values_list("host_country", flat=True)
    )
    for deployment in sourced:
        assert deployment.evidence_trail().exists(), deployment


def test_it_generates_twenty_coded_testimonies_all_marked_synthetic(demo):
    assert Testimony.objects.count() == 20
    assert IndicatorCoding.objects.count() == 20 * 11
    assert IndicatorCoding.objects.filter(finding=Finding.PRESENT).exists()
    for model in (Testimony, Person, Incident, Sighting):
        assert model.objects.exists()
        assert not model.objects.filter(is_synthetic=False).exists(), model
    assert all(
        "synthetic" in t.summary.lower() or "합성" in t.summary for t in Testimony.objects.all()
    )
    assert set(Testimony.objects.values_list("access_level", flat=True)) == {
        AccessLevel.CONFIDENTIAL
    }


def test_it_cites_each_sanctions_designation_itself_not_a_file(demo):
    sources = Source.objects.filter(kind=SourceKind.SANCTIONS_LIST, is_synthetic=False)
    # The demo's sanctions list (a compilation, one source per version) cites its rows' sources.
    sources = sources.filter(sanctions_lists__isnull=True)
    assert sources.count() == 9  # the eight designated organisations', and the IT companies'
    for source in sources:
        assert source.title.startswith(
            "US Department of the Treasury (OFAC), sanctions designation"
        )
        assert source.date is not None and source.date_precision == DatePrecision.DAY
        assert ".md" not in source.title and "via" not in source.title, source.title
    organisations = Organisation.objects.filter(is_synthetic=False)
    assert organisations.count() == 8 + 3  # and Armex, Yanbian Silverstar, Volasys Silver Star
    assert not any(".md" in organisation.notes for organisation in organisations)


def test_it_links_real_organisations_by_real_sourced_relations_apart_from_synthetic_ones(demo):
    relations = Relation.objects.all()
    assert relations.count() == 3
    for relation in relations:
        assert not relation.is_synthetic and relation.access_level == AccessLevel.PUBLIC
        assert not relation.subject.is_synthetic and not relation.object.is_synthetic
        claim = relation.evidence_trail().get()
        assert not claim.source.is_synthetic and claim.source.url, relation
    rungrado = Organisation.objects.get(name="Korea Rungrado General Trading Corporation")
    armex = Organisation.objects.get(name="Armex Sp. z o.o.")
    dispatch = Relation.objects.get(subject_organisation=rungrado)
    assert (dispatch.kind, dispatch.object) == (RelationKind.DISPATCHES_WORKERS_TO, armex)
    assert "Leiden" in dispatch.evidence_trail().get().source.title
    ceo = PublicFigure.objects.get(name="Jong Song Hwa")
    assert not ceo.is_synthetic and ceo.evidence_trail().exists()
    assert Relation.objects.get(subject_figure=ceo).kind == RelationKind.DIRECTOR_OF
    front = Relation.objects.get(kind=RelationKind.UNKNOWN_LINK)
    assert (front.start.year, front.start_precision) == (2017, DatePrecision.YEAR)
    # Cholsan to Poland is a deployment: a dispatch to a country (ADR 0032).
    cholsan = Deployment.objects.filter(
        dispatcher__name="Korea Cholsan General Trading Corporation"
    )
    assert set(cholsan.values_list("host_country", flat=True)) == {"PL", "RU"}


def test_it_never_attaches_real_organisations_to_synthetic_events(demo):
    assert not Deployment.objects.filter(is_synthetic=True, dispatcher__is_synthetic=False).exists()
    assert not Incident.objects.filter(perpetrator_organisations__isnull=False).exists()


def test_it_rests_every_synthetic_claim_on_a_synthetic_source(demo):
    synthetic_subjects = Claim.objects.filter(
        source__is_synthetic=False,
        content_type__model__in=["testimony", "incident", "sighting", "person"],
    )
    assert not synthetic_subjects.exists()


def test_it_prints_the_logins_and_loads_only_once(demo):
    assert "admin-demo-pass" in demo and "moderator" in demo
    assert User.objects.get(username="admin").is_staff
    again = io.StringIO()
    call_command("demo", stdout=again)
    assert "already loaded" in again.getvalue()
    assert Source.objects.filter(title__startswith="Synthetic interview T-").count() == 20


def test_it_generates_the_same_data_every_time(db):
    from unseen.demo import synthetic

    synthetic.generate()
    first = list(
        Deployment.objects.order_by("id").values_list(
            "host_country", "monthly_wage_usd_low", "sector"
        )
    )
    Claim.objects.all().delete()
    for model in (IndicatorCoding, Incident, Sighting, Testimony, Deployment):
        model.objects.all().delete()
    synthetic.generate()
    second = list(
        Deployment.objects.order_by("id").values_list(
            "host_country", "monthly_wage_usd_low", "sector"
        )
    )
    assert first == second
