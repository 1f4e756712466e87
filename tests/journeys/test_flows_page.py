"""The flows page: at the reader's level, k-suppressed, saying what was merged."""

import pytest
from django.urls import reverse

from tests.journeys.builders import told
from unseen.accounts.models import AccessLevel
from unseen.journeys.flows import FlowFilters, flows_for


@pytest.fixture
def journeys(db):
    told(20, indicator="excessive_overtime")
    told(4, channel="personal_connection")
    told(6, channel="applied", host="CN", sector="C", level=AccessLevel.CONFIDENTIAL)


def test_a_flow_of_four_testimonies_is_merged_and_the_page_says_so(client, andy, journeys):
    client.force_login(andy)
    response = client.get(reverse("journeys:flows"))
    assert response.status_code == 200
    page = response.content.decode()
    notice = page[page.index('id="suppression"') : page.index('id="sankey"')]
    assert "Through a personal connection" in notice
    assert "merged into “other”" in notice
    table = page[page.index('id="sankey"') : page.index('id="indicators"')]
    assert "Through a personal connection" not in table
    assert response["Cache-Control"] == "private, no-store"


def test_the_page_counts_only_what_the_reader_may_read(andy, alice, journeys):
    assert flows_for(andy).testimonies == 24
    assert flows_for(alice).testimonies == 30
    hosts = {link.target for link in flows_for(alice).sankey if link.target_stage == "host"}
    assert "CN·C" in hosts


def test_filters_narrow_to_a_host_and_too_few_show_nothing(alice, journeys):
    assert flows_for(alice, FlowFilters(host="CN")).testimonies == 6
    assert flows_for(alice, FlowFilters(host="CN", sector="F")).testimonies == 0
    assert flows_for(alice, FlowFilters(year_from=2016, year_to=2016)).testimonies == 30
    assert flows_for(alice, FlowFilters(year_from=2018)).testimonies == 0
    assert flows_for(alice, FlowFilters(source_kind="interview")).testimonies == 30
    assert flows_for(alice, FlowFilters(host="CN"), k=7).withheld


def test_k_below_three_is_refused_with_a_clear_message(client, andy, journeys):
    client.force_login(andy)
    page = client.get(reverse("journeys:flows"), {"k": 2}).content.decode()
    assert "k = 2 is refused" in page
    assert 'id="sankey"' not in page


def test_k_from_the_setting(settings, andy, journeys):
    settings.UNSEEN_FLOWS_K = 12
    assert flows_for(andy).withheld is False
    assert {
        link.source for link in flows_for(andy).sankey if link.source_stage == "recruitment"
    } == {"other"}


def test_the_public_page_shows_published_journeys_with_k_at_least_11(client, journeys):
    told(12, channel="applied", consent=False)  # public, but not consented to publication
    response = client.get(reverse("journeys_public:flows"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "24 testimonies" in page
    assert "at least 11" in page
    assert (
        "k = 5 is refused"
        in client.get(reverse("journeys_public:flows"), {"k": 5}).content.decode()
    )


def test_indicator_cells_below_k_are_merged_with_their_union_counted_by_the_database(alice, db):
    told(6, indicator="excessive_overtime")
    told(3, indicator="isolation")
    flows = flows_for(alice)
    rows = {row.indicator: row.cells for row in flows.indicator_rows}
    # Isolation (3) is merged; "other" would hold 3, so overtime (6) joins it: 9 testimonies.
    assert rows["isolation"]["deployment"] is None
    assert rows["excessive_overtime"]["deployment"] is None
    assert flows.indicator_other["deployment"] == 9
