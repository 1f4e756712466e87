"""The public finding: live embeds with intervals and trails, language, feed, print, PDF, card."""

import hashlib

from django.utils import translation

from unseen.estimation.publication import set_published
from unseen.findings.rendering import render_markdown


def test_markdown_has_no_raw_html_no_images_and_links_are_nofollow(db):
    html = str(
        render_markdown(
            "<script>alert(1)</script>\n\n![x](https://tracker.example/p.gif)\n\n[a](https://example.org)"
        ).html
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html
    assert 'rel="nofollow noopener"' in html


def test_an_estimate_is_embedded_live_with_its_interval_and_trail(
    client, published, published_estimate
):
    page = client.get(f"/findings/{published.slug}/").content.decode()
    assert 'data-embed="estimate"' in page and "data-interval" in page
    assert f"/estimates/{published_estimate.pk}/" in page
    assert "How we know" in page


def test_an_embed_withdrawn_after_publication_says_so(client, published, published_estimate):
    set_published(published_estimate, False)
    page = client.get(f"/findings/{published.slug}/").content.decode()
    assert "embed-unavailable" in page and "data-interval" not in page


def test_an_embed_in_a_list_item_is_drawn_and_leaves_no_marker(db):
    html = str(render_markdown("- first\n\n  {{map}}\n- second").html)
    assert 'data-embed="map"' in html and "E0" not in html


def test_charts_map_and_records_embed(db):
    from tests import factories

    site = factories.site(access_level="public")
    rendered = render_markdown(
        f"{{{{chart workers}}}}\n\n{{{{map}}}}\n\n{{{{record site {site.pk}}}}}"
    )
    assert rendered.problems == []
    assert 'data-chart="workers"' in rendered.html and 'data-embed="map"' in rendered.html
    assert f"/sites/{site.pk}/" in rendered.html


def test_korean_readers_get_the_korean_text_and_fall_back_to_english(client, published):
    published.title_ko = "발견"
    published.save()
    with translation.override("ko"):
        page = client.get(
            f"/findings/{published.slug}/", HTTP_ACCEPT_LANGUAGE="ko"
        ).content.decode()
    assert "발견" in page and "Intro." in page  # no Korean body: the English one


def test_the_feed_lists_published_findings(client, published):
    response = client.get("/findings/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    assert f"/findings/{published.slug}/" in response.content.decode()


def test_print_page_and_share_meta(client, published):
    page = client.get(f"/findings/{published.slug}/").content.decode()
    assert 'property="og:image"' in page and f"/findings/{published.slug}/card.png" in page
    assert 'name="twitter:card"' in page
    printed = client.get(f"/findings/{published.slug}/print/").content.decode()
    assert "findings/print.css" in printed and "Intro." in printed


def test_the_pdf_is_the_same_bytes_twice(client, published, settings):
    from django.core.cache import cache

    first = client.get(f"/findings/{published.slug}/pdf")
    cache.clear()  # rendered again, not served from the cache
    second = client.get(f"/findings/{published.slug}/pdf")
    assert first["Content-Type"] == "application/pdf" and first.content.startswith(b"%PDF")
    assert hashlib.sha256(first.content).digest() == hashlib.sha256(second.content).digest()


def test_the_share_card_is_a_png_in_korean_too(client, published):
    published.title_ko = "해외 노동자 추정"
    published.save()
    response = client.get(f"/findings/{published.slug}/card.png", HTTP_ACCEPT_LANGUAGE="ko")
    assert response["Content-Type"] == "image/png" and response.content[:4] == b"\x89PNG"
