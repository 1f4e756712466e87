"""The publication gate: no file is public before a person decided on its redaction."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests import factories
from tests.files import samples
from unseen.accounts.models import AccessLevel
from unseen.evidence import reviewing
from unseen.files import publishing, redacting, storing
from unseen.files.models import CopyKind, Licence, Redaction, RedactionState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_keys():
    from unseen.registry import keys

    keys.forget_cached_keys()


def reviewed(file, reviewer):
    """The file as a colleague reviewed it (the two-person rule is not what is tested here)."""
    reviewing.send_to_review(file, reviewer)
    file.refresh_from_db()
    reviewing.approve(file, reviewer)
    file.refresh_from_db()
    return file


@pytest.fixture
def photo(rita):
    return storing.receive([samples.astronaut_jpeg()], name="a.jpg", user=rita).file


def test_a_file_awaiting_its_redaction_cannot_be_made_public(photo, ruth):
    file = reviewed(photo, ruth)
    file.access_level = AccessLevel.PUBLIC
    with pytest.raises(ValidationError) as refused:
        file.full_clean()
    assert "confirmed its redaction" in " ".join(refused.value.message_dict["access_level"])
    # Every other path: the save itself refuses.
    with pytest.raises(publishing.NotPublishable, match="confirmed its redaction"):
        file.save()
    file.refresh_from_db()
    assert file.access_level == AccessLevel.INTERNAL


def test_a_state_set_by_hand_without_a_decision_does_not_open_the_gate(photo, ruth):
    type(photo).objects.filter(pk=photo.pk).update(redaction_state=RedactionState.REDACTED)
    file = reviewed(photo, ruth)
    assert file.redaction_state == RedactionState.REDACTED
    file.access_level = AccessLevel.PUBLIC
    with pytest.raises(publishing.NotPublishable):
        file.save()
    assert publishing.publishable_copy(file) is None


def test_once_redacted_and_reviewed_again_the_file_is_public(photo, rita, ruth):
    reviewed(photo, ruth)
    redacting.confirm(photo, rita, [{"page": None, "x": 150, "y": 30, "w": 150, "h": 160}], "fill")
    photo.refresh_from_db()
    # The redaction changed the file after its review: it is reviewed again (ADR 0025).
    photo.access_level = AccessLevel.PUBLIC
    with pytest.raises(reviewing.ReviewRefused):
        photo.save()
    file = reviewed(photo, ruth)
    file.access_level = AccessLevel.PUBLIC
    file.full_clean()
    file.save()
    assert publishing.public_file(file.pk).copy == publishing.publishable_copy(file)


def test_the_publishable_copy_is_never_the_original_nor_made_from_it(photo, rita):
    assert publishing.publishable_copy(photo) is None
    # A thumbnail of the original (as the file page shows staff) is not publishable.
    storing.store_working_copy(
        photo, [b"thumbnail of the original"], kind="thumbnail", content_type="image/jpeg", tool="t"
    )
    redaction = redacting.mark_not_needed(photo, rita, "no one is recognisable")
    copy = publishing.publishable_copy(photo)
    assert copy == redaction.working_copy and copy.kind == CopyKind.STRIPPED
    assert copy.blob != photo.blob and copy.sha256 != photo.sha256
    assert all(p.derived_from == copy for p in publishing.pictures(copy))
    # A later decision replaces the earlier one.
    later = redacting.confirm(
        photo, rita, [{"page": None, "x": 150, "y": 30, "w": 150, "h": 160}], "blur"
    )
    photo.refresh_from_db()
    assert publishing.publishable_copy(photo) == later.working_copy


def test_the_public_sees_only_public_files_through_the_gate_and_behind_public_records(
    photo, rita, ruth
):
    redacting.mark_not_needed(photo, rita, "no one is recognisable")
    file = reviewed(photo, ruth)
    file.access_level = AccessLevel.PUBLIC
    file.save()
    assert [p.file for p in publishing.published_list()] == [file]
    # Attached to an internal source only, it is not shown.
    internal = factories.source(access_level=AccessLevel.INTERNAL)
    storing.attach(file, internal, rita)
    assert publishing.public_file(file.pk) is None
    public = factories.source(access_level=AccessLevel.PUBLIC)
    storing.attach(file, public, rita)
    assert publishing.public_file(file.pk).file == file
    # Back to internal: gone.
    file.access_level = AccessLevel.INTERNAL
    file.save()
    assert publishing.published_list() == []


def test_the_credit_line_names_the_credit_and_links_the_licence(photo):
    photo.credit = "NASA"
    photo.licence = Licence.PDM
    credit = publishing.credit(photo)
    assert (str(credit.label), credit.by, credit.licence) == ("Photo", "NASA", "Public domain mark")
    assert credit.licence_url == "https://creativecommons.org/publicdomain/mark/1.0/"
    photo.licence = Licence.ALL_RIGHTS_RESERVED
    assert publishing.credit(photo).licence_url == ""
    photo.credit, photo.creator = "", "Kim Photographer"
    assert publishing.credit(photo).by == "Kim Photographer"


def test_the_title_is_in_the_readers_language(photo):
    photo.title_en, photo.title_ko = "An astronaut", "우주 비행사"
    with translation.override("ko"):
        assert publishing.title(photo) == "우주 비행사"
    with translation.override("en"):
        assert publishing.title(photo) == "An astronaut"
    photo.title_en = ""
    with translation.override("en"):
        assert publishing.title(photo) == "우주 비행사"


def test_a_redaction_row_is_what_opens_the_gate(photo, rita):
    assert not Redaction.objects.exists()
    assert publishing.publication_refusal(photo) == ""  # internal: nothing to refuse
    photo.access_level = AccessLevel.PUBLIC
    assert publishing.publication_refusal(photo)
    redacting.mark_not_needed(photo, rita, "no one is recognisable")
    photo.refresh_from_db()
    photo.access_level = AccessLevel.PUBLIC
    assert publishing.publication_refusal(photo) == ""
