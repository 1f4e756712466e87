"""Every URL × every persona: who is let in and who is refused.

The matrix below is the contract. A new URL without a row here fails
`test_it_has_a_row_for_every_url`, so no view ships without a decision on who may use it.
"""

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from unseen.accounts.access import declared_permission

ALL = {"anonymous", "alice", "rita", "andy", "mona", "nora"}
ROLES = {"alice", "rita", "andy", "mona"}
ADMINS = {"alice"}
VIEWERS = {"alice", "rita", "andy"}  # VIEW_RECORDS
EDITORS = {"alice", "rita"}  # EDIT_RECORDS
IMPORTERS = {"alice", "rita"}  # IMPORT_RECORDS
ESTIMATORS = {"alice", "andy"}  # RUN_ESTIMATES
MODERATORS = {"alice", "mona"}  # MODERATE_INTAKE
LINKERS = {"alice", "andy"}  # REVIEW_LINKAGE
REVIEWERS = {"alice", "rita"}  # REVIEW_RECORDS
VAULT = {"alice", "rita"}  # READ_VAULT (writing an identity needs EDIT_RECORDS as well)
EXPORTERS = {"alice", "andy"}  # EXPORT_RECORDS
WRITERS = {"alice", "rita", "andy"}  # WRITE_FINDINGS

# url name -> (method, personas allowed, url arguments). Everyone else must be refused.
# Arguments in braces name records of the `world` fixture, all public so that only the
# permission, not the access level, decides.
MATRIX: dict[str, tuple[str, set[str], list[str]]] = {
    "publishing:home": ("get", ALL, []),
    "healthz": ("get", ALL, []),
    "openapi": ("get", ALL, []),
    "api_reference": ("get", ALL, []),
    "set_language": ("post", ALL, []),
    "accounts:login": ("get", ALL, []),
    "accounts:logout": ("post", ALL, []),
    "accounts:verify": ("get", ROLES, []),
    "accounts:two_factor": ("get", ROLES, []),
    "accounts:enrol": ("get", ALL, []),
    "audit:person_report_lookup": ("get", ADMINS, []),  # VIEW_AUDIT
    "audit:person_report": ("get", ADMINS, ["{pseudonym}"]),  # VIEW_AUDIT
    "documentation:dashboard": ("get", ROLES, []),
    "documentation:search": ("get", VIEWERS, []),
    "documentation:import": ("get", IMPORTERS, []),
    "documentation:import_columns": ("get", IMPORTERS, []),
    "documentation:import_template": ("get", IMPORTERS, ["sites", "csv"]),
    "documentation:indicators": ("get", VIEWERS, []),
    "journeys:flows": ("get", VIEWERS, []),
    "journeys_public:flows": ("get", ALL, []),
    "documentation:gaps": ("get", VIEWERS, []),
    "documentation:gap_list": ("get", VIEWERS, ["uncoded-testimonies"]),
    "documentation:coding": ("get", EDITORS, ["{testimony}"]),
    "documentation:list": ("get", VIEWERS, ["sites"]),
    "documentation:create": ("get", EDITORS, ["sites"]),
    "documentation:bulk": ("post", EDITORS, ["sites"]),
    "documentation:detail": ("get", VIEWERS, ["sites", "{site}"]),
    "documentation:edit": ("get", EDITORS, ["sites", "{site}"]),
    "documentation:claim_create": ("get", EDITORS, ["sites", "{site}"]),
    "documentation:names": ("get", EDITORS, ["public-figures", "{public_figure}"]),
    "documentation:history": ("get", VIEWERS, ["sites", "{site}"]),
    "documentation:revert": ("post", EDITORS, ["sites", "{site}"]),
    "documentation:review": ("get", REVIEWERS, ["sites", "{site}"]),
    "documentation:send_to_review": ("post", EDITORS, ["sites", "{site}"]),
    "documentation:sign_off": ("post", REVIEWERS, ["{claim}"]),
    "documentation:deleted": ("get", ADMINS, ["sites"]),  # MANAGE_USERS
    "documentation:restore": ("post", ADMINS, ["sites", "1"]),
    "documentation:suggest": ("get", VIEWERS, ["sites"]),
    "documentation:quick_create": ("post", EDITORS, ["persons"]),
    "documentation:identity": ("get", VAULT, ["{person}"]),
    "documentation:identity_edit": ("post", VAULT, ["{person}"]),
    "documentation:identity_history": ("post", VAULT, ["{person}"]),
    "documentation:name_search": ("post", VAULT, []),
    "documentation:identity_create": ("get", VAULT, []),
    "documentation:saved_searches": ("get", VIEWERS, []),
    "documentation:saved_search_create": ("post", VIEWERS, []),
    # A search Alice shares: others open it; renaming or deleting it answers them 404.
    "documentation:saved_search_open": ("get", VIEWERS, ["{saved_search}"]),
    "documentation:saved_search_edit": ("post", VIEWERS, ["{saved_search}"]),
    "documentation:saved_search_delete": ("post", VIEWERS, ["{saved_search}"]),
    "teamwork:my_work": ("get", ROLES, []),
    "teamwork:notifications": ("get", ROLES, []),
    "teamwork:assign": ("post", EDITORS, ["sites", "{site}"]),
    "teamwork:comment": ("post", VIEWERS, ["sites", "{site}"]),
    "teamwork:watch": ("post", VIEWERS, ["sites", "{site}"]),
    "publishing:map_data": ("get", ALL, []),
    "publishing:charts_data": ("get", ALL, []),
    # Public pages of public records, the public search and published trails: everyone.
    "publishing:organisation": ("get", ALL, ["{organisation}"]),
    "publishing:site": ("get", ALL, ["{site}"]),
    "publishing:country": ("get", ALL, ["RU"]),
    "publishing:search": ("get", ALL, []),
    "publishing:estimate": ("get", ALL, ["{estimate_run}"]),
    "publishing:revenue_run": ("get", ALL, ["{revenue_run}"]),
    "publishing_app:map": ("get", VIEWERS, []),
    "publishing_app:map_data": ("get", VIEWERS, []),
    "publishing_app:charts": ("get", VIEWERS, []),
    "publishing_app:charts_data": ("get", VIEWERS, []),
    # Exports from the web (ADR 0035): a job is its requester's (anyone else's is a 404 to
    # exporters); full exports' requests are decided by administrators (MANAGE_USERS).
    "publishing_app:exports": ("get", EXPORTERS, []),
    "publishing_app:export": ("get", EXPORTERS, ["1"]),
    "publishing_app:export_progress": ("get", EXPORTERS, ["1"]),
    "publishing_app:export_download": ("get", EXPORTERS, ["1"]),
    "publishing_app:approval_request": ("post", EXPORTERS, []),
    "publishing_app:approvals": ("get", ADMINS, []),
    "publishing_app:approval_approve": ("post", ADMINS, ["1"]),
    "publishing_app:approval_refuse": ("post", ADMINS, ["1"]),
    "publishing:estimates": ("get", ALL, []),
    "estimation:list": ("get", ESTIMATORS, []),
    "estimation:create": ("get", ESTIMATORS, []),
    "estimation:detail": ("get", ESTIMATORS, ["{estimate_run}"]),
    "estimation:records": ("get", ESTIMATORS, ["{linked_estimate}"]),
    "estimation:rerun": ("post", ESTIMATORS, ["{estimate_run}"]),
    "estimation:publish": ("post", ADMINS, ["{estimate_run}"]),  # PUBLISH_ESTIMATES
    "intake:report": ("get", ALL, []),
    "intake:received": ("get", ALL, []),
    "intake:add": ("get", ALL, []),
    "intake:added": ("get", ALL, []),
    "intake:privacy": ("get", ALL, []),
    "intake:comment": ("post", ALL, []),
    "intake_moderation:queue": ("get", MODERATORS, []),
    "intake_moderation:bulk": ("post", MODERATORS, []),
    "intake_moderation:detail": ("get", MODERATORS, ["{submission}"]),
    "intake_moderation:approve": ("post", MODERATORS, ["{submission}"]),
    "intake_moderation:upload": ("get", MODERATORS, ["{upload}"]),
    "intake_moderation:contact": ("post", {"alice"}, ["{submission}"]),  # + READ_VAULT
    "estimation:revenue": ("get", ESTIMATORS, []),
    "estimation:revenue_detail": ("get", ESTIMATORS, ["{revenue_run}"]),
    "estimation:revenue_rerun": ("post", ESTIMATORS, ["{revenue_run}"]),
    "estimation:revenue_publish": ("post", ADMINS, ["{revenue_run}"]),  # PUBLISH_ESTIMATES
    "publishing:revenue": ("get", ALL, []),
    # A dossier is its requester's alone: everyone else allowed in gets 404 (no dossier 1 here).
    "dossiers:list": ("get", VIEWERS, []),
    "dossiers:create": ("post", VIEWERS, []),
    "dossiers:detail": ("get", VIEWERS, ["1"]),
    "dossiers:progress": ("get", VIEWERS, ["1"]),
    "dossiers:cancel": ("post", VIEWERS, ["1"]),
    "dossiers:download": ("get", VIEWERS, ["1"]),
    "linkage:list": ("get", LINKERS, []),
    "linkage:create": ("get", LINKERS, []),
    "linkage:detail": ("get", LINKERS, ["{linkage_run}"]),
    "linkage:progress": ("get", LINKERS, ["{linkage_run}"]),
    "linkage:rerun": ("post", LINKERS, ["{linkage_run}"]),
    "linkage:cancel": ("post", LINKERS, ["{linkage_run}"]),
    "linkage:histories": ("get", LINKERS, ["{linkage_run}"]),
    "linkage:cluster_merge": ("post", LINKERS, ["{linkage_run}", "1"]),
    "linkage:reviews": ("get", LINKERS, ["{linkage_run}"]),
    "linkage:review": ("get", LINKERS, ["{linkage_run}", "{pair_review}"]),
    "linkage:review_merge": ("post", LINKERS, ["{linkage_run}", "{pair_review}"]),
    "linkage:merge_undo": ("post", LINKERS, ["{merge}"]),
    "files:list": ("get", VIEWERS, []),
    "files:upload": ("get", EDITORS, ["testimonies", "{testimony}"]),
    "files:detail": ("get", VIEWERS, ["{evidence_file}"]),
    "files:custody": ("get", VIEWERS, ["{evidence_file}"]),
    # Without a reason the original is refused (400) to those let in; the others never get there.
    "files:download": ("post", VIEWERS, ["{evidence_file}"]),
    "files:ocr": ("post", EDITORS, ["{evidence_file}"]),
    "files:ocr_progress": ("get", VIEWERS, ["{evidence_file}"]),
    "files:ocr_cancel": ("post", EDITORS, ["{evidence_file}"]),
    "files:transcript": ("post", EDITORS, ["{evidence_file}"]),
    "files:cite_passage": ("post", EDITORS, ["{testimony}"]),
    # The journey editor: editors of a testimony they may read (else 404, tests/journeys).
    "journeys:edit": ("get", EDITORS, ["{testimony}"]),
    "files:remove_passage": ("post", EDITORS, ["{passage}"]),
    # Without a reason a deletion request is refused (400) to editors; the others never get there.
    "files:request_deletion": ("post", EDITORS, ["{evidence_file}"]),
    "files:redact": ("get", EDITORS, ["{evidence_file}"]),
    "files:review": ("get", REVIEWERS, ["{evidence_file}"]),
    "files:send_to_review": ("post", EDITORS, ["{evidence_file}"]),
    # Without a level and a reason the change is refused (400) to those let in.
    "files:access": ("post", EDITORS, ["{evidence_file}"]),
    "files:working_copy": ("get", VIEWERS, ["{evidence_file}", "{working_copy}"]),
    # The public side of evidence files: published files only, to everyone.
    "evidence:gallery": ("get", ALL, []),
    "evidence:detail": ("get", ALL, ["{published_file}"]),
    "evidence:image": ("get", ALL, ["{published_file}"]),
    "evidence:thumbnail": ("get", ALL, ["{published_file}"]),
    "network:page": ("get", VIEWERS, []),
    "network:data": ("get", VIEWERS, []),
    "network:suggest": ("get", VIEWERS, []),
    # Exports of the view, audited: those who may export records (EXPORT_RECORDS).
    "network:export_gexf": ("get", EXPORTERS, []),
    "network:export_ftm": ("get", EXPORTERS, []),
    # Sanctions lists: read by viewers, loaded by importers, cross-referenced by linkers.
    "sanctions:lists": ("get", VIEWERS, []),
    "sanctions:load": ("get", IMPORTERS, []),
    "sanctions:list": ("get", VIEWERS, ["{sanctions_list}"]),
    "sanctions:xref": ("post", LINKERS, ["{sanctions_list}"]),
    "sanctions:run": ("get", LINKERS, ["{xref_run}"]),
    "sanctions:progress": ("get", LINKERS, ["{xref_run}"]),
    "sanctions:cancel": ("post", LINKERS, ["{xref_run}"]),
    "sanctions:candidate": ("get", LINKERS, ["{xref_run}", "{xref_candidate}"]),
    # Findings: published ones to everyone; writing to WRITE_FINDINGS, reviewing and withdrawing
    # to REVIEW_RECORDS. The world's finding is published: the edit form sends back to its page.
    "findings:list": ("get", ALL, []),
    "findings:feed": ("get", ALL, []),
    "findings:detail": ("get", ALL, ["{finding}"]),
    "findings:print": ("get", ALL, ["{finding}"]),
    "findings:pdf": ("get", ALL, ["{finding}"]),
    "findings:card": ("get", ALL, ["{finding}"]),
    "findings:comment": ("post", ALL, ["{finding}"]),  # empty: 400, the form's errors
    "findings_app:list": ("get", WRITERS, []),
    "findings_app:new": ("get", WRITERS, []),
    "findings_app:preview": ("get", WRITERS, ["{finding}"]),
    "findings_app:edit": ("get", WRITERS, ["{finding}"]),
    "findings_app:submit": ("post", WRITERS, ["{finding}"]),
    "findings_app:correct": ("get", WRITERS, ["{finding}"]),
    "findings_app:review": ("get", REVIEWERS, ["{finding}"]),
    "findings_app:withdraw": ("get", REVIEWERS, ["{finding}"]),
}


@pytest.fixture
def world(db, alice):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tests import factories
    from tests.files.samples import published_file
    from unseen.documentation.models import SavedSearch, Testimony
    from unseen.evidence.models import SourceKind
    from unseen.files import passages, storing
    from unseen.findings.models import Finding
    from unseen.registry.models import Organisation, Person

    site = factories.site(access_level="public")
    testimony = Testimony.objects.create(
        source=factories.source(kind=SourceKind.INTERVIEW),
        consent_to_use=True,
        access_level="public",
    )
    run = factories.estimate_run(access_level="public")
    revenue = factories.revenue_run(access_level="public")
    submission = factories.submission()
    person = Person.objects.create(access_level="public")
    linkage = factories.linkage_run(access_level="public")
    saved = SavedSearch.objects.create(owner=alice, name="Sites", kind="sites", shared=True)
    claim = site.add_claim(factories.source(), 2, "a claim to sign off")
    evidence_file = storing.receive([factories.pdf()], name="contract.pdf", user=None).file
    storing.attach(evidence_file, testimony, None)
    passage = passages.cite(testimony, indicator="debt_bondage", file=evidence_file, page=1)
    copy = storing.store_working_copy(
        evidence_file, [b"a thumbnail"], kind="thumbnail", content_type="image/jpeg", tool="test"
    )
    published = published_file(alice, alice, factories.jpeg_with_gps(), record=testimony)
    figure = factories.public_figure(access_level="public")
    designation = factories.designation(figure, access_level="public")
    xref = factories.xref_run()
    finding = Finding.objects.create(
        slug="a-finding",
        title_en="A finding",
        body_en="Text.",
        author=alice,
        status="published",
        published_at=timezone.now(),
        reviewer=get_user_model().objects.create(username="finding-reviewer"),
    )
    return {
        "finding": finding.slug,
        "public_figure": figure.pk,
        "designation": designation.pk,
        "organisation": Organisation.objects.create(
            name="Mokran LLC", kind="host_employer", access_level="public"
        ).pk,
        "sanctions_list": xref.list.pk,
        "xref_run": xref.run.pk,
        "xref_candidate": xref.candidate.pk,
        "evidence_file": evidence_file.pk,
        "passage": passage.pk,
        "working_copy": copy.pk,
        "published_file": published.pk,
        "saved_search": saved.pk,
        "claim": claim.pk,
        "linkage_run": linkage.run.pk,
        "pair_review": linkage.review.pk,
        "merge": linkage.merge.pk,
        "pseudonym": person.pseudonym,
        "person": person.pk,
        "submission": submission.pk,
        "upload": submission.uploads.get().pk,
        "site": site.pk,
        "testimony": testimony.pk,
        "estimate_run": run.pk,
        "linked_estimate": factories.estimate_run(
            access_level="public", linkage_run=linkage.run
        ).pk,
        "revenue_run": revenue.pk,
    }


# The record kinds of #20 (public figures, designations) on the routes every kind shares, and
# the aliases and identifiers page of each kind that has one: the same contract, kind by kind.
KIND_MATRIX: dict[tuple[str, str], tuple[str, set[str], list[str]]] = {
    **{
        (name, kind): row
        for kind, record in (
            ("public-figures", "{public_figure}"),
            ("designations", "{designation}"),
        )
        for name, row in {
            "documentation:list": ("get", VIEWERS, [kind]),
            "documentation:create": ("get", EDITORS, [kind]),
            "documentation:bulk": ("post", EDITORS, [kind]),
            "documentation:detail": ("get", VIEWERS, [kind, record]),
            "documentation:edit": ("get", EDITORS, [kind, record]),
            "documentation:claim_create": ("get", EDITORS, [kind, record]),
            "documentation:history": ("get", VIEWERS, [kind, record]),
            "documentation:review": ("get", REVIEWERS, [kind, record]),
            "documentation:deleted": ("get", ADMINS, [kind]),
        }.items()
    },
    ("documentation:suggest", "public-figures"): ("get", VIEWERS, ["public-figures"]),
    ("documentation:names", "organisations"): ("get", EDITORS, ["organisations", "{organisation}"]),
}


@pytest.mark.parametrize("row", sorted(KIND_MATRIX))
@pytest.mark.parametrize("persona", sorted(ALL))
def test_it_lets_in_exactly_the_personas_of_the_kind_matrix(client, personas, world, row, persona):
    method, allowed, arguments = KIND_MATRIX[row]
    if personas[persona] is not None:
        client.force_login(personas[persona])
    args = [world[a[1:-1]] if a.startswith("{") else a for a in arguments]
    response = getattr(client, method)(reverse(row[0], args=args))
    assert response.status_code < 500
    if persona in allowed:
        assert not refused(response), f"{persona} was refused {row}"
    else:
        assert refused(response), f"{persona} was let into {row} ({response.status_code})"


def named_patterns(patterns=None, namespace=""):
    """(full name, pattern) for every named URL outside Django's admin."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry


def admin_urls():
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
    return urls


def refused(response, login_path="/accounts/login/"):
    if response.status_code in (401, 403):  # 401: the API asks for a token instead of a page
        return True
    return response.status_code == 302 and response.url.split("?")[0].endswith(login_path)


# The JSON API's operations (`api:`) have their own matrix, every URL × persona × method, in
# tests/api/test_permission_matrix.py.
API_NAMESPACE = "api:"


def test_it_has_a_row_for_every_url():
    names = {name for name, _ in named_patterns() if not name.startswith(API_NAMESPACE)}
    assert names == set(MATRIX), (
        f"URLs without a row: {names - set(MATRIX)}; rows without a URL: {set(MATRIX) - names}"
    )


def test_it_finds_a_declared_permission_on_every_view():
    undeclared = [
        name for name, pattern in named_patterns() if declared_permission(pattern.callback) is None
    ]
    assert undeclared == []


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("persona", sorted(ALL))
def test_it_lets_in_exactly_the_personas_of_the_matrix(client, personas, world, name, persona):
    method, allowed, arguments = MATRIX[name]
    if personas[persona] is not None:
        client.force_login(personas[persona])
    args = [world[a[1:-1]] if a.startswith("{") else a for a in arguments]
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code < 500
    if persona in allowed:
        assert not refused(response), f"{persona} was refused {name}"
    else:
        assert refused(response), f"{persona} was let into {name} ({response.status_code})"


@pytest.mark.parametrize("persona", sorted(ALL))
def test_it_keeps_everyone_but_administrators_out_of_the_admin(client, personas, persona):
    if personas[persona] is not None:
        client.force_login(personas[persona])
    for url in admin_urls():
        response = client.get(url)
        if persona in ADMINS:
            assert response.status_code == 200, url
        else:
            assert refused(response, login_path="/admin/login/"), f"{persona} reached {url}"


def test_it_refuses_an_anonymous_visitor_at_app(client, db):
    response = client.get("/app/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/app/")
