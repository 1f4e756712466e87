"""The network page in a browser: the date slider makes an ownership appear and vanish, a click on
the edge reaches its record and source, and the page is walked at a laptop's and a phone's size.

Screenshots go to var/screenshots/network/ (not committed; UNSEEN_SCREENSHOTS names another
folder), for a person to look at.
"""

import calendar
import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests import factories
from tests.browser.test_accessibility import sign_in
from unseen.documentation.browsing import KINDS
from unseen.documentation.models import Relation, RelationKind
from unseen.evidence.models import DatePrecision, Reliability
from unseen.registry.models import Designation, Organisation, OrganisationKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
FOLDER = (
    Path(os.environ.get("UNSEEN_SCREENSHOTS") or Path(__file__).parents[2] / "var" / "screenshots")
    / "network"
)
SOURCE = "Leiden Asia Centre, Slaves to the System (2016)"
YEAR = DatePrecision.YEAR


def organisation(name, **fields):
    return Organisation.objects.create(
        name=name, kind=OrganisationKind.TRADING_COMPANY, access_level="internal", **fields
    )


def relation(kind, subject, object_, start, end, **fields):
    return Relation.objects.create(
        kind=kind,
        subject_organisation=subject,
        object_organisation=object_,
        start=dt.date(start, 1, 1),
        start_precision=YEAR,
        end=dt.date(end, 1, 1),
        end_precision=YEAR,
        access_level="internal",
        **fields,
    )


def ownership():
    """Rungrado owns Armex from 2016 to 2019, told by a source; a later contract (2020–2023)
    gives the slider months past the ownership's end."""
    owner = organisation("Korea Rungrado General Trading Corporation", country="KP")
    owned = organisation("Armex Sp. z o.o.", country="PL")
    owns = relation(RelationKind.OWNS, owner, owned, 2016, 2019, share_percent=51)
    owns.add_claim(factories.source(SOURCE, reliability=Reliability.B), 2)
    Designation.objects.create(
        organisation=owner, authority="UN Security Council 1718 Committee", access_level="internal"
    )
    later = relation(
        RelationKind.CONTRACTS_WITH,
        owner,
        organisation("Alson Sp. z o.o.", country="PL"),
        2020,
        2023,
    )
    later.add_claim(factories.source("A later report", reliability=Reliability.C), 3)
    return owns


def wait_ready(page):
    page.wait_for_selector("#network-graph[data-state=ready]")


def slide_to(page, month: str) -> None:
    """Move the slider's thumb to `month` (YYYY-MM) as a reader's arrow keys would."""
    slider = page.locator("#network-as-of")
    first = slider.get_attribute("data-first-month")
    index = (int(month[:4]) * 12 + int(month[5:]) - 1) - (int(first[:4]) * 12 + int(first[5:]) - 1)
    slider.fill(str(index))
    # The drawing is filtered on the next frame; then it says which day it shows.
    last = calendar.monthrange(int(month[:4]), int(month[5:]))[1]
    page.wait_for_selector(f"#network-graph[data-shown-as-of='{month}-{last:02d}']")


def shown_edges(page) -> set[str]:
    return set(
        page.locator("#network-table tbody tr[data-edge]").evaluate_all(
            "rows => rows.map(row => row.dataset.edge)"
        )
    )


def filtered(page, element_id: str) -> bool:
    """Whether the drawing hides the element (graph.js's class for what the filters leave out)."""
    return page.evaluate(
        "id => window.unseenNetwork.cy.getElementById(id).hasClass('filtered')", element_id
    )


def test_sliding_the_date_shows_and_hides_an_ownership_and_its_edge_leads_to_its_source(
    page, live_server, andy
):
    owns = ownership()
    edge_id = f"relation:{owns.pk}"
    sign_in(page, live_server, "andy")
    page.goto(f"{live_server.url}/app/network/")
    wait_ready(page)
    assert edge_id in shown_edges(page)

    slide_to(page, "2017-06")
    assert edge_id in shown_edges(page)
    assert page.get_attribute("#network-graph", "data-shown-as-of") == "2017-06-30"
    assert not filtered(page, edge_id)

    slide_to(page, "2021-03")
    assert edge_id not in shown_edges(page)
    assert filtered(page, edge_id)

    # Back in 2018 the edge is drawn where it was; a click on it opens its details.
    slide_to(page, "2018-01")
    page.locator("#network-graph").scroll_into_view_if_needed()
    # Cytoscape places an edge it shows again on its next frame, after any layout animation: wait
    # until nothing moves, then click the edge's middle point. On a busy machine the frame may
    # still be painting when the point is read, so a click that opened nothing is tried again;
    # one that never opens the details fails.
    detail = page.locator("#network-detail")
    for _attempt in range(3):
        point = page.wait_for_function(
            """id => {
                const cy = window.unseenNetwork.cy;
                if (cy.elements().some(element => element.animated())) return null;
                const middle = cy.getElementById(id).renderedMidpoint();
                if (!middle || Number.isNaN(middle.x)) return null;
                const box = document.querySelector('#network-graph').getBoundingClientRect();
                return {x: box.left + middle.x, y: box.top + middle.y};
            }""",
            arg=edge_id,
        ).json_value()
        page.mouse.click(point["x"], point["y"])
        try:
            detail.wait_for(state="visible", timeout=3_000)
            break
        except PlaywrightTimeout:
            page.wait_for_timeout(500)
    detail.wait_for(state="visible")
    assert page.get_attribute("#network-detail", "data-shown") == edge_id
    assert "owns (51%)" in detail.inner_text()
    link = detail.locator(f"a[href='/app/relations/{owns.pk}/']")
    assert link.count() == 1
    if "relations" not in KINDS:
        pytest.skip("the relation's own page comes with the relations pages (h20-relations)")
    link.click()
    page.wait_for_url(f"**/app/relations/{owns.pk}/")
    assert SOURCE in page.locator("section.trail").inner_text()


def test_the_server_filters_the_table_without_javascript(browser, live_server, andy):
    owns = ownership()
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, "andy")
    page.goto(f"{live_server.url}/app/network/?as_of=2017-06-30")
    assert page.locator(f"#network-table tr[data-edge='relation:{owns.pk}']").count() == 1
    page.goto(f"{live_server.url}/app/network/?as_of=2021-06-30")
    assert page.locator(f"#network-table tr[data-edge='relation:{owns.pk}']").count() == 0
    context.close()


def test_the_page_draws_under_the_content_security_policy(strict_page, live_server, andy):
    ownership()
    sign_in(strict_page, live_server, "andy")
    strict_page.goto(f"{live_server.url}/app/network/")
    wait_ready(strict_page)
    assert int(strict_page.get_attribute("#network-graph", "data-edges")) == 2


@pytest.mark.parametrize("size", SIZES)
def test_it_walks_the_page_and_saves_screenshots(browser, live_server, andy, size):
    from PIL import Image, ImageStat

    owns = ownership()
    FOLDER.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="en-GB", bypass_csp=True, viewport=SIZES[size])
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, "andy")
    owner = owns.subject_organisation
    # From the organisation's page, "Show in network" focuses on it.
    page.goto(f"{live_server.url}/app/organisations/{owner.pk}/")
    page.click("[data-show-in-network] a")
    page.wait_for_url("**/app/network/?focus=*")
    wait_ready(page)
    saved = []

    def shoot(name):
        path = FOLDER / f"{name}-{size}.png"
        page.screenshot(path=str(path), full_page=True)
        with Image.open(path) as image:
            assert image.width == SIZES[size]["width"], f"{path.name} is {image.width} px wide"
            assert max(ImageStat.Stat(image.convert("L")).stddev) > 5, f"{path.name} looks blank"
        saved.append(path)

    shoot("network")
    slide_to(page, "2017-06")
    page.locator("[data-network-table] summary").click()
    page.locator(f"#network-table button[data-select='organisation:{owner.pk}']").first.click()
    page.locator("#network-detail").wait_for(state="visible")
    shoot("network-2017-node")
    page.locator("#network-detail [data-expand]").click()
    wait_ready(page)
    shoot("network-expanded")
    # Nothing on the page is wider than the screen (the table scrolls in its own box).
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow} px wider than the {size} screen"
    context.close()
    print("Screenshots:", ", ".join(str(path) for path in saved))


# Node labels' rendered boxes, for the overlap check: cytoscape's own measure of each label.
LABEL_BOXES = """() => window.unseenNetwork.cy.nodes(':visible').map(node => {
    const box = node.renderedBoundingBox({includeNodes: false, includeEdges: false,
                                          includeLabels: true});
    return {id: node.id(), x1: box.x1, y1: box.y1, x2: box.x2, y2: box.y2};
})"""


@pytest.mark.parametrize("size", SIZES)
def test_the_demo_graph_draws_its_unlinked_records_apart_with_labels_that_do_not_overlap(
    browser, live_server, andy, size
):
    from unseen.demo.loading import load_demo

    load_demo()
    FOLDER.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="en-GB", bypass_csp=True, viewport=SIZES[size])
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, "andy")
    page.goto(f"{live_server.url}/app/network/")
    wait_ready(page)
    boxes = page.evaluate(LABEL_BOXES)
    assert len(boxes) > 10
    overlaps = [
        (a["id"], b["id"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["x1"] < b["x2"] - 1
        and b["x1"] < a["x2"] - 1
        and a["y1"] < b["y2"] - 1
        and b["y1"] < a["y2"] - 1
    ]
    page.locator("#network-graph").screenshot(path=str(FOLDER / f"demo-graph-{size}.png"))
    page.screenshot(path=str(FOLDER / f"demo-{size}.png"), full_page=True)
    assert not overlaps, f"{len(overlaps)} labels overlap at {size}: {overlaps[:5]}"
    context.close()
