"""Evidence files through the API: their metadata, and their working copies with custody."""

import pytest

from tests import factories
from tests.api.test_records import bearer
from tests.files import samples
from unseen.audit.models import Action, AuditEntry
from unseen.files import storing
from unseen.files.models import CopyKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_keys():
    from unseen.registry import keys

    keys.forget_cached_keys()


def upload(user, record=None, *, data=None, name="photo.jpg"):
    file = storing.receive([data or samples.astronaut_jpeg()], name=name, user=user).file
    if record is not None:
        storing.attach(file, record, user)
    return file


def copy_of(file):
    return storing.store_working_copy(
        file, [b"a preview"], kind=CopyKind.PREVIEW, content_type="image/png", tool="test"
    )


def test_the_list_shows_the_files_the_reader_may_read_newest_first_with_a_cursor(
    client, rita, andy
):
    shown = [
        upload(rita, factories.source(), data=factories.pdf(f"doc {n}"), name=f"{n}.pdf")
        for n in range(2)
    ]
    shown.append(upload(rita, factories.source()))
    hidden = upload(
        rita, factories.source(access_level="confidential"), data=factories.pdf("hidden")
    )
    auth = bearer(andy)
    first = client.get("/api/v1/files/?limit=2", **auth)
    assert first.status_code == 200, first.json()
    page = first.json()
    assert len(page["results"]) == 2 and page["next"]
    second = client.get(page["next"], **auth).json()
    ids = [item["id"] for item in page["results"] + second["results"]]
    assert ids == sorted(file.pk for file in shown)[::-1]
    assert hidden.pk not in ids and second["next"] is None
    assert page["results"][0]["code"] == f"F-{ids[0]:05d}"
    everything = client.get("/api/v1/files/", **bearer(rita)).json()["results"]
    assert hidden.pk in [item["id"] for item in everything]


def test_the_list_takes_the_pages_steps_and_refuses_others(client, rita):
    upload(rita, factories.source())
    auth = bearer(rita)
    pending = client.get("/api/v1/files/?step=redaction", **auth).json()["results"]
    assert len(pending) == 1
    assert client.get("/api/v1/files/?step=public", **auth).json()["results"] == []
    refused = client.get("/api/v1/files/?step=anything", **auth)
    assert refused.status_code == 400 and "step" in refused.json()["errors"]
    bad = client.get("/api/v1/files/?cursor=nonsense", **auth)
    assert bad.status_code == 400 and "cursor" in bad.json()["errors"]


def test_a_files_metadata_names_the_readable_records_and_copies_and_is_audited(client, andy, rita):
    open_source = factories.source()
    closed = factories.source(access_level="confidential")
    file = upload(rita, open_source)
    storing.attach(file, closed, rita)
    copy = copy_of(file)
    answer = client.get(f"/api/v1/files/{file.pk}/", **bearer(andy))
    assert answer.status_code == 200, answer.json()
    shown = answer.json()
    assert shown["records"] == [{"kind": "sources", "id": open_source.pk}]
    assert copy.pk in [item["id"] for item in shown["copies"]]
    assert f"/api/v1/files/{file.pk}/copies/{copy.pk}/" in [c["url"] for c in shown["copies"]]
    assert "blob" not in shown and "sealed_key" not in shown and "embedded_metadata" not in shown
    assert AuditEntry.objects.filter(
        action=Action.VIEW, target_id=str(file.pk), detail__page="api"
    ).exists()


def test_a_confidential_file_is_a_404_for_the_analyst_and_so_are_its_copies(client, andy, rita):
    confidential = upload(rita, factories.source(), data=samples.roster_pdf(), name="c.pdf")
    confidential.access_level = "confidential"
    confidential.save()
    behind = upload(rita, factories.source(access_level="confidential"))
    for file in (confidential, behind):
        copy = copy_of(file)
        before = AuditEntry.objects.filter(action=Action.FILE_VIEW).count()
        for url in (f"/api/v1/files/{file.pk}/", f"/api/v1/files/{file.pk}/copies/{copy.pk}/"):
            answer = client.get(url, **bearer(andy))
            assert answer.status_code == 404 and answer.json()["error"] == "not_found"
        assert AuditEntry.objects.filter(action=Action.FILE_VIEW).count() == before
        assert client.get(f"/api/v1/files/{file.pk}/", **bearer(rita)).status_code == 200


def test_downloading_a_working_copy_is_a_custody_event(client, andy, rita):
    file = upload(rita, factories.source())
    copy = copy_of(file)
    answer = client.get(f"/api/v1/files/{file.pk}/copies/{copy.pk}/", **bearer(andy))
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == b"a preview"
    assert answer["Content-Type"] == "image/png"
    assert answer["Cache-Control"] == "private, no-store"
    assert answer["Content-Disposition"].startswith("attachment")
    event = AuditEntry.objects.filter(action=Action.FILE_VIEW, target_id=str(file.pk)).latest("pk")
    assert event.detail["copy"] == copy.pk and event.detail["api"] is True
    assert event.detail["reason"] == "downloaded through the API"
    assert event.actor == "andy"


def test_a_copy_of_another_file_is_a_404(client, rita):
    first, second = (
        upload(rita, factories.source()),
        upload(rita, factories.source(), data=samples.roster_pdf(), name="r.pdf"),
    )
    copy = copy_of(second)
    answer = client.get(f"/api/v1/files/{first.pk}/copies/{copy.pk}/", **bearer(rita))
    assert answer.status_code == 404


def test_originals_are_not_served_and_a_moderator_may_not_read_files(client, rita, mona):
    file = upload(rita, factories.source())
    assert client.get(f"/api/v1/files/{file.pk}/original/", **bearer(rita)).status_code == 404
    assert client.get("/api/v1/files/", **bearer(mona)).status_code == 403
    assert client.get("/api/v1/files/").status_code == 401
