"""A file's way to the public through its pages: the checklist, the review by a colleague, the
access level (the two-person rule of ADR 0025 and the redaction gate, on the file page)."""

import pytest

from tests import factories
from tests.conftest import PASSWORD, make_user
from tests.files import samples
from unseen.accounts.models import AccessLevel
from unseen.accounts.roles import Role
from unseen.evidence.models import ReviewComment, ReviewState
from unseen.files import publishing, redacting, storing
from unseen.files.models import EvidenceFile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_keys():
    from unseen.registry import keys

    keys.forget_cached_keys()


def signed_in(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def photo(rita):
    source = factories.source("Site report", access_level=AccessLevel.INTERNAL)
    file = storing.receive([samples.astronaut_jpeg()], name="photo.jpg", user=rita).file
    storing.attach(file, source, rita)
    return file


def checks(html):
    """{step: done} as the file page's checklist shows them."""
    found = {}
    for step in ("redaction", "review"):
        marker = f'data-check="{step}" data-done="'
        start = html.index(marker) + len(marker)
        found[step] = html[start : start + 4] == "true"
    return found


def not_needed(client, file):
    decided = client.post(
        f"/app/files/{file.pk}/redact/",
        {"decision": "not_needed", "reason": "A published NASA portrait"},
    )
    assert decided.status_code == 302


def to_public(client, file, reason="publish it"):
    return client.post(
        f"/app/files/{file.pk}/access/",
        {"access-access_level": "public", "access-revision-reason": reason},
    )


def test_a_file_goes_public_through_its_pages_redaction_then_a_colleagues_review(
    client, rita, alice, photo
):
    page = signed_in(client, rita).get(f"/app/files/{photo.pk}/").content.decode()
    assert checks(page) == {"redaction": False, "review": False}
    assert f'href="/app/files/{photo.pk}/redact/"' in page and "data-send-to-review" in page

    # Rita decides the redaction on its page: she is now the file's last editor.
    not_needed(client, photo)
    assert client.post(f"/app/files/{photo.pk}/review/send/").status_code == 302
    photo.refresh_from_db()
    assert photo.review_state == ReviewState.IN_REVIEW
    page = client.get(f"/app/files/{photo.pk}/").content.decode()
    assert checks(page) == {"redaction": True, "review": False}
    # The last editor may not review it: the page says so instead of offering the review.
    assert "data-review-refused" in page and "data-review-link" not in page
    assert client.get(f"/app/files/{photo.pk}/review/").context["refusal"]
    assert client.post(f"/app/files/{photo.pk}/review/", {"decision": "approve"}).status_code == 302
    photo.refresh_from_db()
    assert photo.review_state == ReviewState.IN_REVIEW

    signed_in(client, alice)
    assert "data-review-link" in client.get(f"/app/files/{photo.pk}/").content.decode()
    review = client.get(f"/app/files/{photo.pk}/review/")
    assert review.status_code == 200 and not review.context["refusal"]
    html = review.content.decode()
    # The reviewer sees the description and the redacted copy the public would get.
    assert "Credit line" in html and "data-review-picture" in html
    assert "sealed_key" not in html and photo.blob not in html
    [picture] = review.context["pictures"]
    assert client.get(f"/app/files/{photo.pk}/copies/{picture.pk}/").status_code == 200
    approved = client.post(
        f"/app/files/{photo.pk}/review/", {"decision": "approve", "comment-credit": "Fine."}
    )
    assert approved.status_code == 302 and approved.url == f"/app/files/{photo.pk}/"
    photo.refresh_from_db()
    assert (photo.review_state, photo.reviewed_by) == (ReviewState.REVIEWED, "alice")

    page = signed_in(client, rita).get(f"/app/files/{photo.pk}/").content.decode()
    assert checks(page) == {"redaction": True, "review": True}
    assert "Fine." in page  # the reviewer's comment, under the checklist
    assert to_public(client, photo).status_code == 302
    photo.refresh_from_db()
    assert photo.access_level == AccessLevel.PUBLIC
    assert photo.history.first().history_change_reason == "publish it"
    page = client.get(f"/app/files/{photo.pk}/").content.decode()
    assert f'href="/evidence/{photo.pk}/"' in page
    # Making it public was an edit of its level alone: the review it had still stands.
    assert checks(page) == {"redaction": True, "review": True}
    client.post(
        f"/app/files/{photo.pk}/",
        {"title_en": "Retitled", "licence": "PDM", "revision-reason": "a better title"},
    )
    page = client.get(f"/app/files/{photo.pk}/").content.decode()
    assert checks(page) == {"redaction": True, "review": False} and "edited since" in page


def test_public_is_refused_beside_the_control_until_both_steps_are_done(client, rita, photo):
    refused = to_public(signed_in(client, rita), photo)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "confirmed its redaction" in html and "two-person rule" in html
    photo.refresh_from_db()
    assert photo.access_level == AccessLevel.INTERNAL
    # The page shows the level stored, the control the level asked for.
    assert refused.context["access_form"]["access_level"].value() == "public"

    not_needed(client, photo)
    photo.refresh_from_db()
    html = to_public(client, photo).content.decode()
    assert "confirmed its redaction" not in html and "two-person rule" in html


def test_the_access_level_needs_a_reason_and_changes_nothing_else(client, rita, photo):
    refused = signed_in(client, rita).post(
        f"/app/files/{photo.pk}/access/", {"access-access_level": "confidential"}
    )
    assert refused.status_code == 400
    assert refused.context["access_revision"].errors
    saved = client.post(
        f"/app/files/{photo.pk}/access/",
        {
            "access-access_level": "confidential",
            "access-revision-reason": "names a witness",
            "title_en": "not this",
        },
    )
    assert saved.status_code == 302
    photo.refresh_from_db()
    assert photo.access_level == AccessLevel.CONFIDENTIAL and photo.title_en == ""
    # The description form no longer carries the level: one control for it, not two.
    client.post(
        f"/app/files/{photo.pk}/",
        {"title_en": "A photo", "licence": "unknown", "access_level": "internal"}
        | {"revision-reason": "titled"},
    )
    photo.refresh_from_db()
    assert photo.title_en == "A photo" and photo.access_level == AccessLevel.CONFIDENTIAL


def test_a_reviewer_requests_changes_with_a_comment_the_editor_then_reads(
    client, rita, alice, photo
):
    signed_in(client, rita).post(f"/app/files/{photo.pk}/review/send/")
    signed_in(client, alice)
    empty = client.post(f"/app/files/{photo.pk}/review/", {"decision": "changes"})
    assert empty.status_code == 302 and empty.url.endswith("/review/")
    client.post(
        f"/app/files/{photo.pk}/review/",
        {"decision": "changes", "comment-licence": "NASA photos are public domain: say so."},
    )
    photo.refresh_from_db()
    assert photo.review_state == ReviewState.CHANGES_REQUESTED
    assert ReviewComment.objects.get().field_name == "licence"
    page = signed_in(client, rita).get(f"/app/files/{photo.pk}/").content.decode()
    assert "changes were requested" in page and "NASA photos are public domain" in page
    assert 'data-review-state="changes_requested"' in page


def test_an_analyst_reads_the_checklist_but_gets_no_control(client, rita, photo):
    andy = make_user("andy", Role.ANALYST)
    page = signed_in(client, andy).get(f"/app/files/{photo.pk}/").content.decode()
    assert "data-publication" in page and 'data-check="review"' in page
    for control in ("data-access-form", "data-send-to-review", "data-review-link"):
        assert control not in page
    assert to_public(client, photo).status_code == 403
    assert client.get(f"/app/files/{photo.pk}/review/").status_code == 403


def test_a_file_beyond_the_readers_level_is_not_found_by_the_review_pages(client, alice, rita):
    ruth = make_user("ruth2", Role.RESEARCHER)  # no confidential access
    secret = storing.receive(
        [samples.astronaut_jpeg()], name="a.jpg", user=rita, access_level="confidential"
    ).file
    signed_in(client, ruth)
    for path in ("review/", "review/send/", "access/"):
        method = client.get if path == "review/" else client.post
        assert method(f"/app/files/{secret.pk}/{path}").status_code == 404
    assert EvidenceFile.objects.get(pk=secret.pk).review_state == ReviewState.DRAFT


def test_the_list_of_files_shows_where_each_stands_and_finds_those_awaiting_review(
    client, rita, alice, photo
):
    other = storing.receive([factories.pdf("A roster")], name="roster.pdf", user=rita).file
    signed_in(client, rita).post(f"/app/files/{photo.pk}/review/send/")
    page = signed_in(client, alice).get("/app/files/").content.decode()
    assert f'data-file="{photo.pk}"' in page and f'data-file="{other.pk}"' in page
    assert "Not yet decided" in page and "In review" in page
    waiting = client.get("/app/files/", {"step": "review"}).content.decode()
    assert f'data-file="{photo.pk}"' in waiting and f'data-file="{other.pk}"' not in waiting
    assert "data-no-files" in client.get("/app/files/", {"step": "public"}).content.decode()
    # The workspace navigation leads here.
    assert 'href="/app/files/"' in client.get("/app/").content.decode()


def test_the_list_of_files_never_shows_a_file_beyond_the_readers_level(client, rita):
    ruth = make_user("ruth2", Role.RESEARCHER)  # no confidential access
    secret = storing.receive(
        [samples.astronaut_jpeg()], name="a.jpg", user=rita, access_level="confidential"
    ).file
    page = signed_in(client, ruth).get("/app/files/").content.decode()
    assert f'data-file="{secret.pk}"' not in page and "data-no-files" in page


def test_a_public_file_is_not_redacted_again_unreviewed(client, rita, alice):
    """A public file's newest redaction is what the public sees at once: a new decision (which
    could hide less) would be published without a second person's review."""
    file = samples.published_file(rita, alice)
    copy = publishing.publishable_copy(file)
    signed_in(client, rita)
    assert "data-redact-link" not in client.get(f"/app/files/{file.pk}/").content.decode()
    refused = client.post(
        f"/app/files/{file.pk}/redact/", {"decision": "not_needed", "reason": "again"}
    )
    assert refused.status_code == 400 and "This file is public" in refused.content.decode()
    with pytest.raises(redacting.RedactionRefused):
        redacting.confirm(file, rita, [{"x": 1, "y": 1, "w": 5, "h": 5}], "fill")
    assert publishing.publishable_copy(file) == copy
