"""`unseen demo` loads its evidence files through unseen.files, labelled and in custody (#19)."""

import io

import pytest
from django.core.management import call_command

from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.demo import files as demo_files
from unseen.demo.loading import DEMO_FILE_SOURCES
from unseen.evidence.models import Source
from unseen.files import publishing, storing
from unseen.files.models import Attachment, CopyKind, EvidenceFile, RedactionState
from unseen.registry import keys


@pytest.fixture
def demo(db):
    keys.forget_cached_keys()
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_the_demo_files_stand_behind_demo_sources_with_their_labels(demo):
    assert "     3 evidence files" in demo
    by_name = {file.name: file for file in EvidenceFile.objects.all()}
    assert set(by_name) == {
        "synthetic-crew-roster.pdf",
        "synthetic-contract-scan.png",
        "nasa-astronaut-eileen-collins.jpg",
    }
    roster = by_name["synthetic-crew-roster.pdf"]
    scan = by_name["synthetic-contract-scan.png"]
    photo = by_name["nasa-astronaut-eileen-collins.jpg"]
    for file in (roster, scan):
        assert file.is_synthetic and file.licence == "CC0-1.0"
        assert file.credit == demo_files.SYNTHETIC_CREDIT and "SYNTHETIC" in file.title_en
        assert file.title_ko.startswith("합성 예시")
    assert not photo.is_synthetic
    assert photo.licence == "PDM" and photo.credit.startswith("NASA")
    assert photo.creator == "NASA"
    assert [f.content_type for f in (roster, scan, photo)] == [
        "application/pdf",
        "image/png",
        "image/jpeg",
    ]
    for file in (roster, scan, photo):
        (link,) = Attachment.objects.filter(file=file)
        source = Source.objects.get(pk=link.object_id)
        assert source.title == DEMO_FILE_SOURCES[file.name][0]
        assert source.is_synthetic
        assert file.working_copies.filter(kind=CopyKind.THUMBNAIL).exists()
        assert file.embedded_metadata.get("type") in {"pdf", "png", "jpeg"}
    assert roster.embedded_metadata["pdf"]["pages"] == 2
    assert storing.verify_all() == []


def test_the_synthetic_documents_need_no_redaction_and_the_photo_waits_for_a_person(demo):
    roster = EvidenceFile.objects.get(name="synthetic-crew-roster.pdf")
    scan = EvidenceFile.objects.get(name="synthetic-contract-scan.png")
    photo = EvidenceFile.objects.get(name="nasa-astronaut-eileen-collins.jpg")
    assert roster.redaction_state == scan.redaction_state == RedactionState.NOT_NEEDED
    assert roster.access_level == AccessLevel.PUBLIC
    assert scan.access_level == photo.access_level == AccessLevel.INTERNAL
    assert photo.redaction_state == RedactionState.PENDING
    assert publishing.publishable_copy(photo) is None
    copy = publishing.publishable_copy(roster)
    assert copy is not None and copy.kind == CopyKind.STRIPPED
    assert roster.redactions.get().confirmed_by.username == "researcher"
    uploads = AuditEntry.objects.filter(action=Action.FILE_UPLOAD)
    assert uploads.count() == 3 and set(uploads.values_list("actor", flat=True)) == {"researcher"}


def test_the_public_gallery_shows_the_roster_with_its_credit_and_licence(demo, client):
    page = client.get("/evidence/").content.decode()
    assert demo_files.SYNTHETIC_CREDIT in page
    assert "NASA" not in page  # the photo is not public: its redaction is not confirmed


def test_loading_twice_adds_no_file(demo):
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "demo data already loaded" in out.getvalue()
    assert EvidenceFile.objects.count() == 3
