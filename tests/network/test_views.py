"""The network page, its JSON, the focus suggestions and the exports of the view."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.documentation.models import Deployment, Relation, RelationKind
from unseen.evidence.models import DatePrecision, Reliability
from unseen.registry.models import Designation, Organisation, OrganisationKind, Site

pytestmark = pytest.mark.django_db

SECRET = "Confidential Front Company 7731"


def organisation(name, level=AccessLevel.INTERNAL, **fields):
    return Organisation.objects.create(
        name=name, kind=OrganisationKind.TRADING_COMPANY, access_level=level, **fields
    )


@pytest.fixture
def chain():
    """A owns B (2016–2019, 51 %), B dispatches workers to an employer at a site; A contracts
    with a confidential front company through a confidential relation."""
    a, b = organisation("Rungrado General Trading", country="KP"), organisation("Armex")
    owns = Relation.objects.create(
        kind=RelationKind.OWNS,
        subject_organisation=a,
        object_organisation=b,
        share_percent=51,
        start=dt.date(2016, 1, 1),
        start_precision=DatePrecision.YEAR,
        end=dt.date(2019, 1, 1),
        end_precision=DatePrecision.YEAR,
    )
    owns.add_claim(factories.source("Leiden 2016", reliability=Reliability.B), 2)
    Designation.objects.create(organisation=a, authority="UN", access_level="internal")
    secret = organisation(SECRET, AccessLevel.CONFIDENTIAL)
    hidden = Relation.objects.create(
        kind=RelationKind.CONTRACTS_WITH,
        subject_organisation=a,
        object_organisation=secret,
        access_level=AccessLevel.CONFIDENTIAL,
    )
    employer = organisation("Crist Shipyard", country="PL")
    site = Site.objects.create(name="Gdynia yard", kind="shipyard", country="PL")
    deployment = factories.deployment(
        country="PL", access_level="internal", evidence=factories.source("UN panel")
    )
    deployment.add_claim(factories.source("Leiden 2016 annex"), 2)
    Deployment.objects.filter(pk=deployment.pk).update(dispatcher=b, employer=employer, site=site)
    return {
        "a": a,
        "b": b,
        "owns": owns,
        "secret": secret,
        "hidden": hidden,
        "deployment": deployment,
        "site": site,
    }


def data(client, **query):
    return client.get(reverse("network:data"), query)


def test_the_json_holds_the_contract(client, andy, chain):
    client.force_login(andy)
    answer = data(client).json()
    assert set(answer) == {"as_of", "min_grade", "nodes", "edges", "truncated", "counts"}
    node = next(n for n in answer["nodes"] if n["id"] == f"organisation:{chain['a'].pk}")
    assert node == {
        "id": f"organisation:{chain['a'].pk}",
        "kind": "organisation",
        "label": "Rungrado General Trading",
        "designated": True,
        "url": f"/app/organisations/{chain['a'].pk}/",
        "country": "KP",
    }
    edge = next(e for e in answer["edges"] if e["id"] == f"relation:{chain['owns'].pk}")
    assert edge == {
        "id": f"relation:{chain['owns'].pk}",
        "source": f"organisation:{chain['a'].pk}",
        "target": f"organisation:{chain['b'].pk}",
        "kind": "owns",
        "label": "owns (51%)",
        "start": "2016-01-01",
        "end": "2019-12-31",
        "sources": 1,
        "best_grade": "B2",
        "url": f"/app/relations/{chain['owns'].pk}/",
    }
    assert answer["counts"] == {"nodes": len(answer["nodes"]), "edges": len(answer["edges"])}


def test_a_derived_deployment_edge_carries_the_deployments_sources(client, andy, chain):
    client.force_login(andy)
    answer = data(client).json()
    edges = {e["id"]: e for e in answer["edges"]}
    dispatch = edges[f"deployment:{chain['deployment'].pk}"]
    assert dispatch["kind"] == "dispatches_workers_to" and dispatch["sources"] == 2
    assert dispatch["source"] == f"organisation:{chain['b'].pk}"
    assert dispatch["url"] == f"/app/deployments/{chain['deployment'].pk}/"


def texts_of_every_form(client, **query):
    """The page (its table), the JSON, GEXF and FtM of one view, as text."""
    page = client.get(reverse("network:page"), query)
    assert page.status_code == 200
    answers = {"page": page.content.decode()}
    answers["json"] = data(client, **query).content.decode()
    gexf = client.get(reverse("network:export_gexf"), query)
    ftm = client.get(reverse("network:export_ftm"), query)
    assert gexf.status_code == ftm.status_code == 200
    answers["gexf"], answers["ftm"] = gexf.content.decode(), ftm.content.decode()
    return answers


def test_an_analyst_without_the_compartment_gets_no_confidential_edge_nor_its_far_end(
    client, andy, alice, chain
):
    client.force_login(andy)
    secret_id = f"organisation:{chain['secret'].pk}"
    hidden_id = f"relation:{chain['hidden'].pk}"
    for form, text in texts_of_every_form(client).items():
        assert SECRET not in text, form
        for ghost in (
            secret_id,
            hidden_id,
            secret_id.replace(":", "-"),
            hidden_id.replace(":", "-"),
        ):
            assert f'"{ghost}"' not in text, (form, ghost)
        assert "Rungrado General Trading" in text, form
    client.force_login(alice)
    for form, text in texts_of_every_form(client).items():
        assert SECRET in text, form


def test_as_of_and_min_grade_filter_the_json(client, andy, chain):
    client.force_login(andy)
    owns = f"relation:{chain['owns'].pk}"

    def edge_ids(**query):
        return {e["id"] for e in data(client, **query).json()["edges"]}

    assert owns in edge_ids(as_of="2017-06-30")
    assert owns not in edge_ids(as_of="2021-01-01")
    assert data(client, as_of="2017-06-30").json()["as_of"] == "2017-06-30"
    # The deployment's sources are graded B by default (factories.source); the relation's B too.
    assert owns in edge_ids(min_grade="B")
    assert edge_ids(min_grade="A") == set()
    assert data(client, min_grade="C").json()["min_grade"] == "C"


def test_focus_and_depth_in_the_json(client, andy, chain):
    client.force_login(andy)
    answer = data(client, focus=f"organisation:{chain['a'].pk}", depth=1).json()
    assert {n["id"] for n in answer["nodes"]} == {
        f"organisation:{chain['a'].pk}",
        f"organisation:{chain['b'].pk}",
    }


@pytest.mark.parametrize(
    "query, parameter",
    [
        ({"as_of": "2017-13-45"}, "as_of"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"min_grade": "G"}, "min_grade"),
        ({"focus": "planet:3"}, "focus"),
        ({"focus": "organisation:abc"}, "focus"),
        ({"depth": "-1"}, "depth"),
        ({"depth": "99"}, "depth"),
        ({"depth": "two"}, "depth"),
    ],
)
def test_bad_parameters_are_answered_400_with_a_reason(client, andy, query, parameter):
    client.force_login(andy)
    for name in ("network:data", "network:export_gexf", "network:export_ftm"):
        response = client.get(reverse(name), query)
        assert response.status_code == 400, name
        answer = response.json()
        assert answer["error"] == "invalid_parameters"
        assert list(answer["parameters"]) == [parameter] and answer["parameters"][parameter][0]
    page = client.get(reverse("network:page"), query)
    assert page.status_code == 400
    assert b"data-filter-error" in page.content


def test_exports_are_audited_as_exports_with_the_view_and_counts(client, andy, chain):
    client.force_login(andy)
    client.get(reverse("network:export_gexf"), {"as_of": "2017-01-01"})
    client.get(reverse("network:export_ftm"), {"min_grade": "B"})
    entries = list(AuditEntry.objects.filter(action=Action.EXPORT, target_type="network"))
    assert [e.detail["format"] for e in entries] == ["gexf", "ftm"]
    assert entries[0].actor == "andy"
    assert entries[0].detail["view"]["as_of"] == "2017-01-01"
    assert entries[1].detail["view"]["min_grade"] == "B"
    assert entries[0].detail["nodes"] > 0 and "Rungrado" not in json.dumps(entries[0].detail)


def test_the_gexf_is_a_dynamic_graph_of_the_view(client, andy, chain):
    client.force_login(andy)
    response = client.get(reverse("network:export_gexf"))
    assert response["Content-Disposition"] == 'attachment; filename="unseen-network.gexf"'
    text = response.content.decode()
    assert 'mode="dynamic"' in text
    assert f'id="relation:{chain["owns"].pk}"' in text and 'end="2019-12-31"' in text


def test_the_ftm_export_uses_stock_schemata(client, andy, chain):
    client.force_login(andy)
    body = client.get(reverse("network:export_ftm")).content
    lines = [json.loads(line) for line in body.splitlines() if line]
    by_id = {entity["id"]: entity for entity in lines}
    owner = by_id[f"organisation-{chain['a'].pk}"]
    assert owner["schema"] == "Company" and owner["properties"]["topics"] == ["sanction"]
    assert owner["properties"]["classification"] == ["trading_company"]
    assert by_id[f"organisation-{chain['b'].pk}"]["schema"] == "Company"  # owned: an Asset
    ownership = by_id[f"relation-{chain['owns'].pk}"]
    assert ownership["schema"] == "Ownership"
    assert ownership["properties"]["percentage"] == ["51"]
    assert ownership["properties"]["startDate"] == ["2016"]
    assert ownership["properties"]["endDate"] == ["2019"]
    dispatch = by_id[f"deployment-{chain['deployment'].pk}"]
    assert dispatch["schema"] == "UnknownLink"
    assert dispatch["properties"]["role"] == ["dispatches workers to"]
    assert dispatch["properties"]["summary"] == ["2 sources, best grade B2"]
    assert by_id["country-PL"]["schema"] == "Address"


def test_the_page_lists_the_edges_without_javascript(client, andy, chain):
    client.force_login(andy)
    page = client.get(reverse("network:page"), {"as_of": "2017-06-30"}).content.decode()
    assert f'data-edge="relation:{chain["owns"].pk}"' in page
    assert f'href="/app/relations/{chain["owns"].pk}/"' in page
    assert "owns (51%)" in page and "2016" in page
    assert 'id="network-strings"' in page
    assert "data-export-gexf" in page and "as_of=2017-06-30" in page


def test_a_researcher_sees_the_page_without_export_links(client, rita, chain):
    client.force_login(rita)
    page = client.get(reverse("network:page")).content.decode()
    assert "data-export-gexf" not in page and 'id="network-table"' in page


def test_the_focus_picker_suggests_what_the_graph_draws(client, andy, chain):
    client.force_login(andy)
    results = client.get(reverse("network:suggest"), {"q": "rungrado"}).json()["results"]
    assert results[0]["id"] == f"organisation:{chain['a'].pk}"
    assert client.get(reverse("network:suggest"), {"q": "7731"}).json()["results"] == []
    countries = client.get(reverse("network:suggest"), {"q": "Poland"}).json()["results"]
    assert {"id": "country:PL", "label": "Poland", "detail": "Country"} in countries


def test_a_record_page_links_to_its_place_in_the_network(client, andy, chain):
    client.force_login(andy)
    page = client.get(reverse("documentation:detail", args=["organisations", chain["a"].pk]))
    url = f"/app/network/?focus=organisation%3A{chain['a'].pk}&amp;depth=2"
    assert url in page.content.decode()
    site_page = client.get(reverse("documentation:detail", args=["sites", chain["site"].pk]))
    assert b"data-show-in-network" in site_page.content
    deployment = client.get(
        reverse("documentation:detail", args=["deployments", chain["deployment"].pk])
    )
    assert b"data-show-in-network" not in deployment.content


def test_the_workspace_links_to_the_network(client, andy):
    client.force_login(andy)
    assert b'href="/app/network/"' in client.get(reverse("documentation:dashboard")).content
