"""The graph a reader may see: nodes, relations, edges derived from deployments, and absence."""

import datetime as dt
import json

import pytest

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.documentation.models import Deployment, Relation, RelationKind
from unseen.evidence.models import DatePrecision, Reliability
from unseen.network.gathering import View, gather
from unseen.registry.models import (
    Designation,
    Organisation,
    OrganisationKind,
    Person,
    PublicFigure,
    Site,
)

pytestmark = pytest.mark.django_db

YEAR = DatePrecision.YEAR


def organisation(name, level=AccessLevel.INTERNAL, **fields):
    return Organisation.objects.create(
        name=name, kind=OrganisationKind.TRADING_COMPANY, access_level=level, **fields
    )


def relation(subject, object_, kind=RelationKind.OWNS, level=AccessLevel.INTERNAL, **fields):
    ends = {}
    for prefix, end in (("subject", subject), ("object", object_)):
        name = {
            Organisation: "organisation",
            PublicFigure: "figure",
            Person: "person",
            Site: "site",
        }[type(end)]
        ends[f"{prefix}_{name}"] = end
    return Relation.objects.create(kind=kind, access_level=level, **ends, **fields)


def dated(start_year, end_year):
    return {
        "start": dt.date(start_year, 1, 1),
        "start_precision": YEAR,
        "end": dt.date(end_year, 1, 1),
        "end_precision": YEAR,
    }


def by_id(graph):
    return {node.id: node for node in graph.nodes}, {edge.id: edge for edge in graph.edges}


def test_a_relation_is_an_edge_with_its_label_dates_sources_and_grade(andy):
    owner, owned = organisation("Rungrado General Trading"), organisation("Armex")
    owns = relation(owner, owned, share_percent=51, **dated(2016, 2019))
    owns.add_claim(factories.source("Leiden 2016", reliability=Reliability.B), 3)
    owns.add_claim(factories.source("Report 2", reliability=Reliability.C), 2)
    owns.add_claim(factories.source("Report 2 again", reliability=Reliability.D), 5)

    nodes, edges = by_id(gather(andy))

    edge = edges[f"relation:{owns.pk}"]
    assert (edge.source, edge.target) == (f"organisation:{owner.pk}", f"organisation:{owned.pk}")
    assert edge.kind == "owns" and edge.label == "owns (51%)"
    assert edge.start == dt.date(2016, 1, 1) and edge.end_precision == "year"
    assert len(edge.sources) == 3
    # The best reliability letter and the best credibility digit among the claims.
    assert edge.best_grade == "B2"
    assert edge.url == f"/app/relations/{owns.pk}/"
    assert nodes[f"organisation:{owner.pk}"].url == f"/app/organisations/{owner.pk}/"


def test_the_json_sends_an_end_known_to_the_year_as_its_last_day(andy):
    owns = relation(organisation("A"), organisation("B"), **dated(2016, 2019))
    edge = next(e for e in gather(andy).as_json()["edges"] if e["id"] == f"relation:{owns.pk}")
    assert (edge["start"], edge["end"]) == ("2016-01-01", "2019-12-31")


def test_a_confidential_edge_and_its_far_end_are_absent_for_an_analyst_without_the_compartment(
    andy, alice
):
    near = organisation("Near Trading")
    far = organisation("Far Front Company", AccessLevel.CONFIDENTIAL)
    other = organisation("Other")
    to_far = relation(near, far, RelationKind.CONTRACTS_WITH)
    secret = relation(near, other, RelationKind.PARENT_OF, level=AccessLevel.CONFIDENTIAL)
    shown = relation(near, other, RelationKind.CONTRACTS_WITH)

    nodes, edges = by_id(gather(andy))
    assert f"organisation:{far.pk}" not in nodes
    assert set(edges) == {f"relation:{shown.pk}"}

    nodes, edges = by_id(gather(alice))
    assert f"organisation:{far.pk}" in nodes
    assert {f"relation:{to_far.pk}", f"relation:{secret.pk}"} <= set(edges)


def test_a_claim_from_a_source_the_reader_may_not_read_is_not_counted(andy):
    owns = relation(organisation("A"), organisation("B"))
    owns.add_claim(factories.source("open", reliability=Reliability.C), 3)
    owns.add_claim(
        factories.source("secret", reliability=Reliability.A, access_level="confidential"), 1
    )
    edge = by_id(gather(andy))[1][f"relation:{owns.pk}"]
    assert len(edge.sources) == 1 and edge.best_grade == "C3"


def test_a_deployment_derives_dispatch_employer_and_country_edges_with_its_sources(andy):
    dispatcher, employer = organisation("Dispatcher", country="KP"), organisation("Employer")
    site = Site.objects.create(name="Yard", kind="shipyard", country="PL", access_level="internal")
    deployment = Deployment.objects.create(
        dispatcher=dispatcher,
        employer=employer,
        site=site,
        workers_low=10,
        period_start=dt.date(2014, 1, 1),
        period_start_precision=YEAR,
        period_end=dt.date(2016, 1, 1),
        period_end_precision=YEAR,
        access_level="internal",
    )
    deployment.add_claim(factories.source("one", reliability=Reliability.B), 3)
    deployment.add_claim(factories.source("two", reliability=Reliability.D), 2)

    nodes, edges = by_id(gather(andy))

    dispatch = edges[f"deployment:{deployment.pk}"]
    assert (dispatch.source, dispatch.target) == (
        f"organisation:{dispatcher.pk}",
        f"organisation:{employer.pk}",
    )
    assert dispatch.kind == "dispatches_workers_to" and len(dispatch.sources) == 2
    assert dispatch.best_grade == "B2" and dispatch.url == f"/app/deployments/{deployment.pk}/"
    works = edges[f"deployment:{deployment.pk}:employer"]
    assert (works.source, works.target) == (f"organisation:{employer.pk}", f"site:{site.pk}")
    located = edges[f"deployment:{deployment.pk}:site"]
    assert (located.source, located.target, located.kind) == (
        f"site:{site.pk}",
        "country:PL",
        "located_in",
    )
    assert nodes["country:PL"].label == "Poland"


def test_without_an_employer_the_dispatcher_sends_to_the_site_or_the_host_country(andy):
    dispatcher = organisation("Dispatcher")
    site = Site.objects.create(name="Camp", kind="logging_camp", country="RU")
    at_site = factories.deployment(country="RU", access_level="internal")
    Deployment.objects.filter(pk=at_site.pk).update(dispatcher=dispatcher, site=site)
    in_country = factories.deployment(country="QA", access_level="internal")
    Deployment.objects.filter(pk=in_country.pk).update(dispatcher=dispatcher)

    edges = by_id(gather(andy))[1]
    assert edges[f"deployment:{at_site.pk}"].target == f"site:{site.pk}"
    assert edges[f"deployment:{in_country.pk}"].target == "country:QA"


def test_deployments_of_one_pair_are_one_edge_told_by_the_union_of_their_sources(andy):
    dispatcher, employer = organisation("Dispatcher"), organisation("Employer")
    shared = factories.source("shared", reliability=Reliability.C)
    deployments = []
    for year, own in ((2015, "first"), (2016, "second")):
        made = factories.deployment(year=year, access_level="internal", evidence=shared)
        Deployment.objects.filter(pk=made.pk).update(dispatcher=dispatcher, employer=employer)
        made.add_claim(factories.source(own, reliability=Reliability.B), 4)
        deployments.append(made)

    edges = [e for e in gather(andy).edges if e.kind == "dispatches_workers_to"]

    assert len(edges) == 1
    assert len(edges[0].sources) == 3  # the shared report counts once
    assert edges[0].best_grade == "B3"
    assert edges[0].start == dt.date(2015, 1, 1) and edges[0].end == dt.date(2016, 1, 1)


def test_a_deployment_the_reader_may_not_open_derives_nothing(andy):
    dispatcher, employer = organisation("Dispatcher"), organisation("Employer")
    made = factories.deployment(access_level="confidential")
    Deployment.objects.filter(pk=made.pk).update(dispatcher=dispatcher, employer=employer)
    assert gather(andy).edges == []


def test_a_dispatcher_the_reader_may_not_open_leaves_only_what_it_does_not_touch(andy):
    dispatcher = organisation("Hidden", AccessLevel.CONFIDENTIAL)
    employer = organisation("Employer")
    site = Site.objects.create(name="Yard", kind="shipyard", country="PL")
    made = factories.deployment(access_level="internal")
    Deployment.objects.filter(pk=made.pk).update(
        dispatcher=dispatcher, employer=employer, site=site
    )
    edges = by_id(gather(andy))[1]
    assert set(edges) == {f"deployment:{made.pk}:employer", f"deployment:{made.pk}:site"}


def test_as_of_keeps_the_links_in_force_that_day(andy):
    owns = relation(organisation("A"), organisation("B"), **dated(2016, 2019))
    ids = {f"relation:{owns.pk}"}
    assert {e.id for e in gather(andy, View(as_of=dt.date(2017, 6, 1))).edges} == ids
    assert {e.id for e in gather(andy, View(as_of=dt.date(2019, 12, 31))).edges} == ids
    assert gather(andy, View(as_of=dt.date(2021, 1, 1))).edges == []
    assert gather(andy, View(as_of=dt.date(2015, 12, 31))).edges == []


def test_min_grade_keeps_links_told_by_a_source_that_reliable(andy):
    good = relation(organisation("A"), organisation("B"))
    good.add_claim(factories.source("good", reliability=Reliability.B), 3)
    poor = relation(organisation("C"), organisation("D"))
    poor.add_claim(factories.source("poor", reliability=Reliability.E), 1)
    relation(organisation("E"), organisation("F"))  # told by nothing

    assert [e.id for e in gather(andy, View(min_grade="C")).edges] == [f"relation:{good.pk}"]
    assert len(gather(andy, View(min_grade="F")).edges) == 2
    assert len(gather(andy).edges) == 3


def test_focus_and_depth_keep_a_neighbourhood(andy):
    a, b, c, d = (organisation(name) for name in "ABCD")
    relation(a, b)
    relation(b, c)
    relation(c, d)
    near = gather(andy, View(focus=(f"organisation:{a.pk}",), depth=1))
    assert {n.id for n in near.nodes} == {f"organisation:{a.pk}", f"organisation:{b.pk}"}
    wider = gather(andy, View(focus=(f"organisation:{a.pk}",), depth=2))
    assert len(wider.nodes) == 3 and len(wider.edges) == 2


def test_a_focus_the_reader_may_not_see_is_the_same_as_one_that_does_not_exist(andy):
    hidden = organisation("Hidden", AccessLevel.CONFIDENTIAL)
    relation(hidden, organisation("Seen"))
    for focus in (f"organisation:{hidden.pk}", "organisation:999999"):
        graph = gather(andy, View(focus=(focus,)))
        assert graph.nodes == [] and graph.edges == []


def test_a_merged_record_is_drawn_as_its_survivor(andy):
    survivor, merged, partner = organisation("Survivor"), organisation("Merged"), organisation("P")
    Organisation.objects.filter(pk=merged.pk).update(merged_into=survivor)
    owns = relation(merged, partner)
    nodes, edges = by_id(gather(andy, View(focus=(f"organisation:{merged.pk}",))))
    assert f"organisation:{merged.pk}" not in nodes
    assert edges[f"relation:{owns.pk}"].source == f"organisation:{survivor.pk}"


def test_merged_into_a_record_the_reader_may_not_open_a_record_stands_for_itself(andy):
    hidden = organisation("Hidden survivor", AccessLevel.CONFIDENTIAL)
    merged = organisation("Merged")
    Organisation.objects.filter(pk=merged.pk).update(merged_into=hidden)
    nodes = by_id(gather(andy))[0]
    assert f"organisation:{merged.pk}" in nodes and f"organisation:{hidden.pk}" not in nodes


def test_designated_only_by_a_designation_the_reader_may_see(andy, alice):
    listed, secretly = organisation("Listed"), organisation("Secretly listed")
    Designation.objects.create(organisation=listed, authority="UN", access_level="public")
    Designation.objects.create(
        organisation=secretly, authority="UN", access_level=AccessLevel.CONFIDENTIAL
    )
    nodes = by_id(gather(andy))[0]
    assert nodes[f"organisation:{listed.pk}"].designated
    assert not nodes[f"organisation:{secretly.pk}"].designated
    assert by_id(gather(alice))[0][f"organisation:{secretly.pk}"].designated


def test_public_figures_by_name_and_persons_by_pseudonym_only_where_a_relation_names_them(andy):
    company = organisation("Company")
    figure = PublicFigure.objects.create(name="Jong Song Hwa", access_level="internal")
    relation(figure, company, RelationKind.DIRECTOR_OF)
    named = Person.objects.create(access_level="internal")
    relation(company, named, RelationKind.EMPLOYS)
    unnamed = Person.objects.create(access_level="internal")

    nodes = by_id(gather(andy))[0]
    assert nodes[f"public_figure:{figure.pk}"].label == "Jong Song Hwa"
    assert nodes[f"person:{named.pk}"].label == named.pseudonym
    assert f"person:{unnamed.pk}" not in nodes


def test_the_graph_takes_a_fixed_number_of_queries(andy, django_assert_max_num_queries):
    for number in range(30):
        a, b = organisation(f"A{number}"), organisation(f"B{number}")
        relation(a, b).add_claim(factories.source(f"s{number}"), 2)
        made = factories.deployment(access_level="internal", evidence=factories.source())
        Deployment.objects.filter(pk=made.pk).update(dispatcher=a, employer=b)
    with django_assert_max_num_queries(16):
        graph = gather(andy)
    assert len(graph.edges) == 60
    # Kept while nothing changes: only the freshness check (the audit log's last change).
    with django_assert_max_num_queries(5):
        assert len(gather(andy).edges) == 60


def test_the_json_text_is_the_json(andy):
    owner = organisation("Owner")
    relation(owner, organisation("Owned"), share_percent=51, **dated(2016, 2019))
    relation(owner, organisation('Partner "quoted" 합영'), RelationKind.CONTRACTS_WITH)
    for view in (View(), View(as_of=dt.date(2017, 1, 1), min_grade="C")):
        graph = gather(andy, view)
        assert json.loads(graph.json_text()) == graph.as_json()


def test_a_change_is_seen_at_once_though_the_graph_is_kept(andy):
    owner = organisation("Owner")
    assert len(gather(andy).nodes) == 1
    relation(owner, organisation("Owned"))
    assert len(gather(andy).edges) == 1
    owner.name = "Renamed owner"
    owner.save()
    assert {n.label for n in gather(andy).nodes} == {"Renamed owner", "Owned"}
