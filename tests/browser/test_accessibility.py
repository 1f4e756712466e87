"""Accessibility checked by a machine (#17 item 9): axe-core over every page each persona can open.

The pages come from the URL conf, so a new page is checked as soon as it is routed: each route is
either filled with sample arguments from the demo data (`SAMPLES`) or named in `NOT_PAGES` with
the reason it is not a page. A route in neither fails the test, and so does a page no persona can
open (its sample is wrong). axe-core runs from the copy bundled in axe-playwright-python, injected
into the page: nothing is fetched at run time.
"""

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import signing
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories
from tests.conftest import PASSWORD
from tests.files.samples import published_file
from unseen.demo.files import astronaut_jpeg
from unseen.demo.loading import load_demo
from unseen.documentation.browsing import KINDS
from unseen.dossiers.models import Dossier
from unseen.estimation import revenue_runs
from unseen.estimation.models import EstimateRun
from unseen.evidence.models import Source
from unseen.files import storing
from unseen.findings import reviewing
from unseen.findings.models import Finding, Status
from unseen.intake.views import RECEIPT_COOKIE, RECEIPT_SALT
from unseen.publishing.models import ExportJob
from unseen.registry.models import Organisation, PublicFigure, Site
from unseen.sanctions.models import XrefRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

log = logging.getLogger(__name__)

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

# What axe-core calls "serious" or "critical" keeps someone from using the page at all.
BLOCKING = {"serious", "critical"}

# The JSON API's operations (`api:`) answer programs, not people; their reference page is a page.
API_OPERATIONS = "api:"

# Routes that are not pages a person reads: data a page fetches, actions a form posts to.
NOT_PAGES = {
    "publishing:map_data": "JSON the map fetches",
    "publishing:charts_data": "JSON the charts fetch",
    "publishing_app:map_data": "JSON the map fetches",
    "publishing_app:charts_data": "JSON the charts fetch",
    "openapi": "the API's description, JSON",
    "documentation:import_template": "a CSV or XLSX file, not a page",
    "documentation:suggest": "JSON suggestions for the pickers",
    "documentation:quick_create": "POST only; JSON for the pickers' dialogs",
    "documentation:name_search": "POST only: a name never goes in an address",
    "documentation:identity_history": "POST only: opened with a stated purpose",
    "documentation:revert": "POST only; answers with the history page",
    "documentation:restore": "POST only; answers with the restored record's page",
    "documentation:sign_off": "POST only; answers with the claim's record",
    "documentation:send_to_review": "POST only; answers with the record's page",
    "documentation:bulk": "POST only; answers with a preview of the change",
    "documentation:saved_search_create": "POST only",
    "documentation:saved_search_open": "redirects to the list or the search it saved",
    "documentation:saved_search_edit": "POST only",
    "documentation:saved_search_delete": "POST only",
    "intake:comment": "POST only; answers with the sighting's page",
    "intake_moderation:bulk": "POST only",
    "intake_moderation:approve": "POST only",
    "intake_moderation:contact": "POST only",
    "intake_moderation:upload": "a photo, not a page",
    "estimation:rerun": "POST only",
    "teamwork:assign": "POST only; answers with the record's page",
    "teamwork:comment": "POST only; answers with the record's page",
    "teamwork:watch": "POST only; answers with the record's page",
    "estimation:publish": "POST only",
    "estimation:revenue_rerun": "POST only",
    "estimation:revenue_publish": "POST only",
    "linkage:progress": "JSON the progress bar polls",
    "linkage:rerun": "POST only",
    "linkage:cancel": "POST only",
    "linkage:histories": "CSV download",
    "linkage:cluster_merge": "POST only",
    "linkage:review_merge": "POST only",
    "linkage:merge_undo": "POST only",
    "documentation:identity_edit": "POST only, from the identity page with a stated purpose",
    "accounts:logout": "POST only",
    "accounts:verify": "only after a password, for a user with a second factor",
    "accounts:enrol": "only with an enrolment link's token",
    "set_language": "POST only",
    "healthz": "plain text for monitors",
    "files:download": "POST only: the original file, for a stated reason",
    "files:ocr": "POST only; answers with the file's page",
    "files:ocr_cancel": "POST only; answers with the file's page",
    "files:ocr_progress": "JSON the progress bar polls",
    "files:transcript": "POST only; answers with the file's page",
    "files:cite_passage": "POST only; answers with the coding page",
    "files:remove_passage": "POST only; answers with the coding page",
    "files:request_deletion": "POST only: its form is on the file's page, which is checked",
    "files:working_copy": "an image or a PDF (a working copy), not a page",
    "files:send_to_review": "POST only; answers with the file's page",
    "files:access": "POST only; answers with the file's page (with the refusal, if refused)",
    "evidence:image": "a picture of a published file, not a page",
    "evidence:thumbnail": "a picture of a published file, not a page",
    "network:data": "JSON the network graph fetches",
    "network:suggest": "JSON suggestions for the network's focus picker",
    "network:export_gexf": "a GEXF file download, not a page",
    "network:export_ftm": "a FollowTheMoney JSON lines download, not a page",
    "sanctions:xref": "POST only; answers with the run's page",
    "sanctions:progress": "JSON the progress bar polls",
    "sanctions:cancel": "POST only; answers with the run's page",
    "findings:feed": "an Atom feed for feed readers, not a page",
    "findings:pdf": "a PDF of the finding, not a page",
    "findings:card": "a picture (the finding's card for sharing), not a page",
    "findings:comment": "POST only; answers with the finding's page",
    "findings_app:submit": "POST only; answers with the finding's preview",
    "dossiers:create": "POST only: its form is on the dossiers page; answers with the new one",
    "dossiers:progress": "JSON the progress bar polls",
    "dossiers:cancel": "POST only; answers with the dossier's page",
    "dossiers:download": "a PDF (the dossier), not a page",
    "publishing_app:export_progress": "JSON the progress bar polls",
    "publishing_app:export_download": "a zip (the export), not a page",
    "publishing_app:approval_request": "POST only: its form is on the exports page",
    "publishing_app:approval_approve": "POST only; answers with the approvals page",
    "publishing_app:approval_refuse": "POST only; answers with the approvals page",
}

# Django's admin is Django's own markup; our pages are what we answer for.
NOT_OURS = ("admin",)

PERSONAS = ("anonymous", "rita", "andy", "mona", "alice")

# Pages that show more with a query: search results, a filtered list.
WITH_QUERIES = (
    "/app/search/?q=logging+Russia",
    "/app/deployments/?q=Russia",
    "/app/network/?as_of=2017-06-30&min_grade=C",
    "/app/network/?focus=country:RU&depth=2",
)

# The main public pages, checked again at a phone's size.
PUBLIC_ON_PHONE = (
    "/",
    "/estimates/",
    "/revenue/",
    "/report/",
    "/report/add/",
    "/report/privacy/",
    "/evidence/",
)


def routes(patterns: list[Any] | None = None, namespace: str = "") -> Iterator[tuple[str, Any]]:
    """Every named route in the URL conf, with its namespaced name."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in NOT_OURS:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", pattern


def public_revenue_run():
    """A revenue run on the demo's public deployments of 2017, so that it can be published."""
    rows = [
        row for row in revenue_runs.platform_rows(2017, None) if row["access_level"] == "public"
    ]
    parameters = {
        "year": 2017,
        "scenarios": ["sourced-ranges", "un-panel-2023"],
        "draws": 2000,
        "seed": 1234,
        "combine": "pooled",
    }
    return revenue_runs.run_revenue("Revenue 2017", rows, parameters, input_kind="records")


def evidence_editors() -> tuple[Any, Any]:
    """Rita uploads and redacts, Alice reviews: the personas, made here when a test has none."""
    from tests.conftest import make_user
    from unseen.accounts.models import User
    from unseen.accounts.roles import Role

    rita = User.objects.filter(username="rita").first() or make_user(
        "rita", Role.RESEARCHER, confidential=True
    )
    alice = User.objects.filter(username="alice").first() or make_user(
        "alice", Role.ADMINISTRATOR, confidential=True
    )
    return rita, alice


def analyst() -> Any:
    """Andy, who writes findings and asks for dossiers and exports: made here when a test has none."""
    from tests.conftest import make_user
    from unseen.accounts.models import User
    from unseen.accounts.roles import Role

    return User.objects.filter(username="andy").first() or make_user("andy", Role.ANALYST)


def demo_records() -> dict[str, Any]:
    """The demo data plus what it lacks: runs, a pending sighting, a linkage review."""
    load_demo()
    if not PublicFigure.objects.exists():  # the demo's real relations bring one (#20)
        factories.public_figure()
    estimate = factories.estimate_run()
    # Its page's linkage-uncertainty section (issue 22): a stored result of the draws' shape.
    estimate.linkage_uncertainty = {
        "draws": 20, "seed": 1, "ci": "profile", "level": 0.95, "uncertain_pairs": 12,
        "methods": [{
            "method": "main-effects", "draws_used": 20, "failed_draws": 1,
            "estimate": 1500.0, "draws_median": 1480.0, "sampling": [1300.0, 1750.0],
            "linkage": [1420.0, 1560.0], "combined": [1280.0, 1800.0],
            "combined_over_sampling": 1.16, "linkage_share_of_variance": 0.2,
        }],
    }  # fmt: skip
    estimate.save(update_fields=["linkage_uncertainty"])
    revenue = revenue_runs.publish(public_revenue_run(), True)
    submission = factories.submission("Workers on a building site near Ulaanbaatar")
    linkage = factories.linkage_run()
    # Made from the linkage run, then one of its records edited: the page shows the stale banner.
    linked_estimate = factories.estimate_run("From linkage", linkage_run=linkage.run)
    first, second = (p.pk for p in linkage.persons)
    EstimateRun.objects.filter(pk=linked_estimate.pk).update(
        list_records={"entity": "person", "lists": {"0": [first, second], "1": [second]}}
    )
    linkage.persons[1].birth_year = 1990
    linkage.persons[1].save()
    evidence_file = storing.receive([factories.pdf()], name="contract.pdf", user=None).file
    storing.attach(evidence_file, Source.objects.order_by("pk").first(), None)
    # A photo awaiting its redaction, and one published (through the gate, reviewed).
    editor, reviewer = evidence_editors()
    photo = storing.receive([astronaut_jpeg()[0]], name="astronaut.jpg", user=editor).file
    published = published_file(
        editor,
        reviewer,
        record=Source.objects.filter(access_level="public").order_by("pk").first(),
        title_en="NASA astronaut Eileen Collins",
        title_ko="NASA 우주비행사 아일린 콜린스",
    )
    # The demo's findings (one published, one draft) and one sent for review; a dossier and an
    # export Andy asked for (queued: their pages show the progress bar).
    andy = analyst()
    draft = Finding.objects.get(status=Status.DRAFT)
    in_review = reviewing.write(
        {
            "slug": "workers-in-review",
            "title_en": "Workers abroad (in review)",
            "summary_en": "A finding waiting for its reviewer.",
            "body_en": "Sent for review by the accessibility check.",
        },
        by=andy,
    )
    reviewing.submit(in_review, by=andy)
    dossier = Dossier.objects.create(
        requested_by=andy, subject_kind="country", subject_key="RU", language="en"
    )
    export = ExportJob.objects.create(requested_by=andy, format="csv", level="public")
    return {
        "organisation": Organisation.objects.filter(access_level="public").order_by("pk").first(),
        # The demo's sites are all internal; the public page needs a public one.
        "site": Site.objects.filter(access_level="public").order_by("pk").first()
        or factories.site("Construction site near Vladivostok", access_level="public"),
        "public_estimate": EstimateRun.objects.on_public_site().first(),
        "finding": Finding.objects.get(status=Status.PUBLISHED),
        "draft": draft,
        "in_review": in_review,
        "dossier": dossier,
        "export": export,
        "xref_run": XrefRun.objects.filter(status="done").order_by("pk").first(),
        "evidence_file": evidence_file,
        "photo": photo,
        "published_file": published,
        "estimate": estimate,
        "linked_estimate": linked_estimate,
        "revenue": revenue,
        "submission": submission,
        "linkage": linkage,
    }


def samples(records: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Arguments for each route that takes some: one record of each kind."""
    first = {slug: kind.model.objects.order_by("pk").first() for slug, kind in KINDS.items()}
    person = first["persons"]
    each_kind = [{"kind": slug, "pk": record.pk} for slug, record in first.items()]
    finding = {"slug": records["finding"].slug}
    return {
        "publishing:organisation": [{"pk": records["organisation"].pk}],
        "publishing:site": [{"pk": records["site"].pk}],
        "publishing:country": [{"code": "RU"}],
        "publishing:estimate": [{"pk": records["public_estimate"].pk}],
        "publishing:revenue_run": [{"pk": records["revenue"].pk}],
        "findings:detail": [finding],
        "findings:print": [finding],
        # A published finding, a draft and one in review: each shows its own buttons.
        "findings_app:preview": [
            finding,
            {"slug": records["draft"].slug},
            {"slug": records["in_review"].slug},
        ],
        "findings_app:edit": [{"slug": records["draft"].slug}],
        "findings_app:review": [{"slug": records["in_review"].slug}],
        "findings_app:correct": [finding],
        "findings_app:withdraw": [finding],
        "dossiers:detail": [{"pk": records["dossier"].pk}],
        "publishing_app:export": [{"pk": records["export"].pk}],
        "documentation:list": [{"kind": slug} for slug in KINDS],
        "documentation:create": [{"kind": slug} for slug in KINDS],
        "documentation:detail": each_kind,
        "documentation:edit": each_kind,
        "documentation:history": each_kind,
        "documentation:review": [k for k in each_kind if k["kind"] != "claims"],
        "documentation:deleted": [{"kind": slug} for slug in KINDS],
        "documentation:claim_create": [k for k in each_kind if k["kind"] != "claims"],
        "documentation:coding": [{"pk": first["testimonies"].pk}],
        "journeys:edit": [{"pk": first["testimonies"].pk}],
        "documentation:gap_list": [{"gap": "single-source"}, {"gap": "stale-estimates"}],
        "documentation:names": [
            {"kind": "organisations", "pk": first["organisations"].pk},
            {"kind": "public-figures", "pk": first["public-figures"].pk},
        ],
        "documentation:identity": [{"pk": person.pk}],
        "documentation:identity_edit": [{"pk": person.pk}],
        "audit:person_report": [{"pseudonym": person.pseudonym}],
        "intake_moderation:detail": [{"pk": records["submission"].pk}],
        "estimation:detail": [
            {"pk": records["estimate"].pk},
            {"pk": records["linked_estimate"].pk},
        ],
        "estimation:records": [{"pk": records["linked_estimate"].pk}],
        "estimation:revenue_detail": [{"pk": records["revenue"].pk}],
        "linkage:detail": [{"pk": records["linkage"].run.pk}],
        "linkage:reviews": [{"pk": records["linkage"].run.pk}],
        "linkage:review": [
            {"pk": records["linkage"].run.pk, "review": records["linkage"].review.pk}
        ],
        "files:upload": [{"kind": "sources", "pk": first["sources"].pk}],
        "files:detail": [{"pk": records["evidence_file"].pk}],
        "files:custody": [{"pk": records["evidence_file"].pk}],
        "files:redact": [{"pk": records["photo"].pk}],
        # Awaiting its redaction (the review page warns), and published (with its pictures).
        "files:review": [{"pk": records["photo"].pk}, {"pk": records["published_file"].pk}],
        "evidence:detail": [{"pk": records["published_file"].pk}],
        # The demo's list and its cross-reference run (load_demo runs one), a candidate on it.
        "sanctions:list": [{"pk": records["xref_run"].sanctions_list.pk}],
        "sanctions:run": [{"pk": records["xref_run"].pk}],
        "sanctions:candidate": [
            {"pk": records["xref_run"].pk, "candidate": records["xref_run"].candidates.first().pk}
        ],
    }


def pages(records: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Every page's path, and the routes that are neither filled in nor excused."""
    filled = samples(records)
    paths: list[str] = []
    unknown: list[str] = []
    for name, pattern in routes():
        if name in NOT_PAGES or name.startswith(API_OPERATIONS):
            continue
        if not pattern.pattern.converters:
            paths.append(reverse(name))
        elif name in filled:
            paths += [reverse(name, kwargs=kwargs) for kwargs in filled[name]]
        else:
            unknown.append(f"{name} ({pattern.pattern})")
    return paths + list(WITH_QUERIES), unknown


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def settle(page) -> None:
    """Wait for the map and charts to draw: axe should see what a reader sees."""
    try:
        page.wait_for_function(
            """() => [...document.querySelectorAll(
                   '[data-map], [data-charts][data-url], [data-forest], [data-revenue-chart]'
               )].every(el => el.dataset.state && el.dataset.state !== 'loading')""",
            timeout=5_000,
        )
    except Exception:  # a figure without data never says "ready"; check what is there
        log.info("figures did not settle on %s", page.url)


def blocking_violations(page, where: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{where}: {violation['id']} ({violation['impact']}) at "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


def check(page, url: str, where: str) -> tuple[str, list[str]]:
    """Open a page; say whether it opened and what axe-core found on it."""
    from playwright.sync_api import Error

    try:
        response = page.goto(url)
    except Error as error:  # an empty error answer, such as a 405 to a GET
        return "not a page", [f"{where}: {error.message.splitlines()[0]}; add it to NOT_PAGES"]
    if "/accounts/login/" in page.url and "/accounts/login/" not in url:
        return "refused", []
    status = response.status if response else 0
    if status in (403, 404):
        return "refused", []
    if status != 200 or "text/html" not in (response.headers.get("content-type", "")):
        return "not a page", [f"{where}: answered {status}; add it to NOT_PAGES or fix its sample"]
    settle(page)
    return "checked", blocking_violations(page, where)


@pytest.fixture
def desktop(browser):
    context = browser.new_context(locale="en-GB", bypass_csp=True, viewport=DESKTOP)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="en-GB", bypass_csp=True, viewport=PHONE)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def show_receipt(page, live_server) -> None:
    """The receipt page shows its code only from the signed cookie the form sets; set one."""
    path = reverse("intake:received")
    value = signing.get_cookie_signer(salt=RECEIPT_COOKIE + RECEIPT_SALT).sign(
        json.dumps(["K7Q2-9XMR-4TVA", 1])
    )
    page.context.add_cookies(
        [{"name": RECEIPT_COOKIE, "value": value, "url": f"{live_server.url}{path}"}]
    )


def test_every_page_has_no_serious_or_critical_violation_for_any_persona(
    desktop, live_server, personas
):
    records = demo_records()
    paths, unknown = pages(records)
    assert unknown == [], "routes with neither a sample nor a reason in NOT_PAGES: " + ", ".join(
        unknown
    )
    found: list[str] = []
    opened: dict[str, list[str]] = {path: [] for path in paths}
    for persona in PERSONAS:
        desktop.context.clear_cookies()
        if persona != "anonymous":
            sign_in(desktop, live_server, persona)
        for path in paths:
            if path == reverse("intake:received"):
                show_receipt(desktop, live_server)
            outcome, violations = check(desktop, f"{live_server.url}{path}", f"{persona} {path}")
            found += violations
            if outcome == "checked":
                opened[path].append(persona)
    report = "\n".join(f"{path}: {', '.join(who) or 'nobody'}" for path, who in opened.items())
    print(f"Pages checked with axe-core, by persona:\n{report}")
    found += [f"{path}: no persona could open it" for path, who in opened.items() if not who]
    assert found == [], "\n".join(found)


def test_the_main_public_pages_have_no_serious_or_critical_violation_on_a_phone(phone, live_server):
    demo_records()
    found: list[str] = []
    for path in PUBLIC_ON_PHONE:
        outcome, violations = check(phone, f"{live_server.url}{path}", f"phone {path}")
        assert outcome == "checked", path
        found += violations
    print("Pages checked with axe-core at 390×844:", ", ".join(PUBLIC_ON_PHONE))
    assert found == [], "\n".join(found)


def test_the_check_finds_a_violation_when_there_is_one(desktop, live_server):
    """The check can fail: an image link without a name and grey-on-grey text are reported."""
    desktop.goto(f"{live_server.url}/report/privacy/")
    desktop.evaluate(
        """() => {
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend',
              '<a href="/"><img src="/static/none.png"></a>' +
              '<p style="color:#bbb;background:#ccc">faint</p>');
        }"""
    )
    violations = blocking_violations(desktop, "privacy")
    assert any("link-name" in v for v in violations), violations
    assert any("color-contrast" in v for v in violations), violations


def test_forms_showing_errors_and_opened_identities_have_no_serious_or_critical_violation(
    desktop, live_server, rita
):
    """What a page shows only after a post: errors beside the fields, an opened identity."""
    demo_records()
    page = desktop
    found: list[str] = []

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "not the password")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    found += blocking_violations(page, "sign-in refused")

    page.goto(f"{live_server.url}/report/")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".errors, .errorlist").count() > 0
    found += blocking_violations(page, "report form with errors")

    sign_in(page, live_server, "rita")
    page.goto(f"{live_server.url}/app/sites/new/")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    found += blocking_violations(page, "new site with errors")

    page.goto(f"{live_server.url}/app/deployments/?country=XX&sector=벌목")
    assert page.locator("[data-filter-error]").count() == 1
    found += blocking_violations(page, "list with an unknown filter value")

    page.goto(f"{live_server.url}/app/designations/new/")
    page.fill("#id_authority", "US OFAC")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".errors").count() > 0
    found += blocking_violations(page, "designation naming no holder")

    person = KINDS["persons"].model.objects.order_by("pk").first()
    page.goto(f"{live_server.url}/app/persons/{person.pk}/identity/")
    page.fill("#id_purpose", "check against the 2019 list")
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-purpose-stated]")
    found += blocking_violations(page, "identity opened")
    page.click("text=Edit the identity")
    page.wait_for_load_state()
    found += blocking_violations(page, "identity form")
    # The identity's own history opens from the identity page, after the purpose (no-store pages:
    # opened again rather than gone back to).
    page.goto(f"{live_server.url}/app/persons/{person.pk}/identity/")
    page.fill("#id_purpose", "compare with the earlier address")
    page.click("main button[type=submit]")
    page.click("[data-identity-history]")
    page.wait_for_load_state()
    found += blocking_violations(page, "identity history")
    assert found == [], "\n".join(found)
