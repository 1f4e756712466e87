"""The demo's findings: one published with a live published estimate, one draft, marked synthetic."""

from unseen.demo.findings import DRAFT_SLUG, PUBLISHED_SLUG, load_findings
from unseen.demo.loading import ensure_logins
from unseen.findings import rendering
from unseen.findings.models import Finding, Status


def test_the_demo_publishes_one_finding_embedding_its_estimate_and_keeps_a_draft(client, db):
    from unseen.accounts.models import AccessLevel
    from unseen.demo.loading import DEPLOYMENTS_CSV
    from unseen.documentation.importing import import_file

    import_file(  # the sourced deployments the article's chart and country embed draw
        DEPLOYMENTS_CSV,
        "deployments",
        default_access_level=AccessLevel.PUBLIC,
        published_elsewhere=True,
    )
    ensure_logins()
    assert load_findings() == {"findings": 2, "published estimates": 1}
    published = Finding.objects.get(slug=PUBLISHED_SLUG)
    assert published.status == Status.PUBLISHED and "SYNTHETIC DEMO ARTICLE" in published.body_en
    assert published.author.username == "analyst" and published.reviewer.username == "researcher"
    assert rendering.problems(published) == []
    assert Finding.objects.get(slug=DRAFT_SLUG).status == Status.DRAFT
    page = client.get(f"/findings/{PUBLISHED_SLUG}/").content.decode()
    assert 'data-embed="estimate"' in page and "data-interval" in page
    assert "30,023" in page and "Reuters" in page
    assert load_findings() == {}
