import pytest

from tests.browser.test_researcher import sign_in
from unseen.accounts.models import AccessLevel
from unseen.demo.loading import DEPLOYMENTS_CSV
from unseen.documentation.importing import import_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_korean_words_finds_the_russian_logging_deployments(page, live_server, rita):
    import_file(
        DEPLOYMENTS_CSV,
        "deployments",
        default_access_level=AccessLevel.PUBLIC,
        published_elsewhere=True,  # published figures, as the demo loads them
    )
    sign_in(page, live_server)
    box = page.locator("nav input[name=q], form[role=search] input[name=q]").first
    box.fill("벌목 러시아")
    box.press("Enter")
    page.wait_for_url("**/app/search/?q=*")
    hits = page.locator("[data-hits] li[data-kind=deployments]")
    assert hits.count() >= 3
    texts = hits.all_inner_texts()
    assert all("Russia" in text for text in texts)
    assert any("logging (Tynda)" in text for text in texts)
    # The country facet says Russia, and following it keeps the words.
    page.locator("[data-facet=country] a").first.click()
    page.wait_for_url("**country=RU*")
