import pytest


@pytest.fixture
def published_estimate(db):
    from tests import factories
    from unseen.estimation.publication import set_published

    run = factories.estimate_run("Workers seen on three lists", access_level="public")
    return set_published(run, True)


@pytest.fixture
def write(andy):
    """A draft by andy (analyst), with `body` as its English text."""
    from unseen.findings import reviewing

    def draft(body: str = "Some text.", slug: str = "a-finding", **fields):
        data = {"slug": slug, "title_en": "A finding", "summary_en": "In short.", "body_en": body}
        return reviewing.write({**data, **fields}, by=andy)

    return draft


@pytest.fixture
def published(write, rita, andy, published_estimate):
    """A finding andy wrote embedding a published estimate, reviewed and published by rita."""
    from unseen.findings import reviewing

    finding = write(f"Intro.\n\n{{{{estimate {published_estimate.pk}}}}}\n\nMore.")
    reviewing.submit(finding, by=andy)
    reviewing.review(finding, by=rita, decision="approve")
    finding.refresh_from_db()
    return finding
