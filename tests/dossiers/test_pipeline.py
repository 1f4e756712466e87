"""The dossier pipeline: queue, render, keep, download, expire, audit; and the command line."""

import datetime as dt
import hashlib
import io
import os
import stat

import pytest
from django.core.management import call_command
from django.urls import reverse
from freezegun import freeze_time

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.dossiers.models import Dossier
from unseen.dossiers.rendering import execute, expire, make, recipe_digest
from unseen.dossiers.subjects import Subject
from unseen.registry.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    made = Organisation.objects.create(
        name="Mokran LLC", kind="host_employer", access_level=AccessLevel.PUBLIC
    )
    made.add_claim(factories.source("Press report"), 2, "employs workers from the North")
    made.add_claim(
        factories.source("Internal memo", access_level=AccessLevel.CONFIDENTIAL),
        3,
        "pays the embassy",
    )
    return made


def ask(client, user, organisation, django_capture_on_commit_callbacks, language="en"):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("dossiers:create"),
            {"kind": "organisation", "key": organisation.pk, "language": language},
        )
    assert response.status_code == 302
    dossier = Dossier.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    return execute(dossier.pk)


def test_the_web_queues_renders_and_keeps_the_pdf_privately(
    client, andy, organisation, stand_in, django_capture_on_commit_callbacks
):
    dossier = ask(client, andy, organisation, django_capture_on_commit_callbacks)
    assert dossier.status == "done" and dossier.fraction == 1.0
    assert dossier.pages == 1 and dossier.highest_level == "public"
    pdf = dossier.path.read_bytes()
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == dossier.sha256
    assert stat.S_IMODE(os.stat(dossier.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(dossier.path.parent).st_mode) == 0o700
    page = client.get(reverse("dossiers:detail", args=[dossier.pk]))
    assert b"data-download" in page.content and dossier.sha256.encode() in page.content
    download = client.get(reverse("dossiers:download", args=[dossier.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf
    assert "attachment" in download["Content-Disposition"]


def test_a_confidential_claim_stays_out_of_an_analysts_dossier(
    client, andy, rita, organisation, stand_in, django_capture_on_commit_callbacks
):
    analysts = ask(client, andy, organisation, django_capture_on_commit_callbacks)
    researchers = ask(client, rita, organisation, django_capture_on_commit_callbacks)
    assert len(analysts.recipe["claims"]) == 1 and analysts.highest_level == "public"
    assert len(researchers.recipe["claims"]) == 2
    assert researchers.highest_level == "confidential"
    assert analysts.sha256 != researchers.sha256


def test_the_audit_log_has_the_sha256_and_the_recipes_digest_but_no_names(
    client, andy, organisation, stand_in, django_capture_on_commit_callbacks
):
    dossier = ask(client, andy, organisation, django_capture_on_commit_callbacks)
    entry = AuditEntry.objects.get(action=Action.EXPORT, target_id=str(dossier.pk))
    assert entry.actor == "andy"
    assert entry.detail == {
        "kind": "dossier",
        "step": "made",
        "via": "web",
        "sha256": dossier.sha256,
        "subject_kind": "organisation",
        "subject_key": str(organisation.pk),
        "language": "en",
        "highest_level": "public",
        "pages": 1,
        "recipe": recipe_digest(dossier.recipe),
    }
    assert "Mokran" not in str(entry.detail)
    client.get(reverse("dossiers:download", args=[dossier.pk]))
    downloaded = AuditEntry.objects.filter(action=Action.EXPORT, detail__step="downloaded")
    assert downloaded.get().detail["sha256"] == dossier.sha256


def test_the_same_data_gives_the_same_bytes_on_the_web_and_the_command_line(
    client, andy, organisation, stand_in, django_capture_on_commit_callbacks, tmp_path
):
    first = ask(client, andy, organisation, django_capture_on_commit_callbacks)
    second = ask(client, andy, organisation, django_capture_on_commit_callbacks)
    assert first.pk != second.pk and first.sha256 == second.sha256
    out = tmp_path / "out.pdf"
    printed = io.StringIO()
    call_command(
        "dossier",
        "organisation",
        str(organisation.pk),
        "--out",
        str(out),
        "--as",
        "andy",
        "--lang",
        "en",
        stdout=printed,
        stderr=io.StringIO(),
    )
    assert hashlib.sha256(out.read_bytes()).hexdigest() == first.sha256
    assert first.sha256 in printed.getvalue()
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    cli = AuditEntry.objects.get(action=Action.EXPORT, detail__via="cli")
    assert cli.detail["sha256"] == first.sha256 and cli.actor == "cli"


def test_someone_elses_dossier_is_a_404_whatever_their_role(
    client, andy, alice, organisation, stand_in, django_capture_on_commit_callbacks
):
    dossier = ask(client, andy, organisation, django_capture_on_commit_callbacks)
    client.force_login(alice)
    for name in ("detail", "progress", "download"):
        assert client.get(reverse(f"dossiers:{name}", args=[dossier.pk])).status_code == 404
    assert client.post(reverse("dossiers:cancel", args=[dossier.pk])).status_code == 404
    assert (
        f'data-dossier="{dossier.pk}"' not in client.get(reverse("dossiers:list")).content.decode()
    )


def test_a_subject_beyond_the_reader_is_refused_like_a_missing_one(client, andy, stand_in):
    secret = Organisation.objects.create(
        name="Secret", kind="broker", access_level=AccessLevel.CONFIDENTIAL
    )
    client.force_login(andy)
    for key in (secret.pk, 999999):
        response = client.post(
            reverse("dossiers:create"), {"kind": "organisation", "key": key, "language": "en"}
        )
        assert response.status_code == 404
    assert not Dossier.objects.exists()


def test_an_expired_dossier_loses_its_pdf_and_says_so(
    client, andy, organisation, stand_in, django_capture_on_commit_callbacks, settings
):
    settings.UNSEEN_DOSSIER_HOURS = 24
    dossier = ask(client, andy, organisation, django_capture_on_commit_callbacks)
    assert dossier.path.exists()
    with freeze_time(dossier.expires_at + dt.timedelta(seconds=1)):
        client.force_login(andy)  # the session of a day ago has ended
        page = client.get(reverse("dossiers:detail", args=[dossier.pk]))
        assert b"data-expired" in page.content and not dossier.path.exists()
        download = client.get(reverse("dossiers:download", args=[dossier.pk]))
        assert download.status_code == 404
        assert expire() == 0  # already swept
    assert Dossier.objects.get(pk=dossier.pk).deleted_at is not None


def test_cancelling_a_queued_dossier(
    client, andy, organisation, stand_in, django_capture_on_commit_callbacks
):
    client.force_login(andy)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("dossiers:create"),
            {"kind": "organisation", "key": organisation.pk, "language": "ko"},
        )
    dossier = Dossier.objects.get()
    client.post(reverse("dossiers:cancel", args=[dossier.pk]))
    assert execute(dossier.pk).status == "cancelled"
    assert not dossier.path.exists()


def test_a_remote_image_in_a_composition_fails_the_dossier(
    client, andy, organisation, monkeypatch, django_capture_on_commit_callbacks
):
    from tests.dossiers.conftest import StandIn

    monkeypatch.setattr(
        "unseen.dossiers.rendering.compose",
        lambda *args: StandIn(html='<img src="https://example.org/track.png">'),
    )
    dossier = ask(client, andy, organisation, django_capture_on_commit_callbacks)
    assert dossier.status == "failed" and "remote" in dossier.error
    assert not dossier.path.exists()


def test_make_without_a_reader_holds_public_records_only(organisation, stand_in):
    made = make(Subject("organisation", str(organisation.pk)), None, "en")
    assert len(made.recipe["claims"]) == 1 and made.highest_level == "public"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["planet", "1"], "unknown dossier subject"),
        (["organisation", "999999"], "may read"),
        (["organisation", "{pk}", "--as", "nobody"], "no active user"),
        (["organisation", "{pk}", "--as", "nora"], "may not view records"),
    ],
)
def test_the_command_refuses_with_a_message_and_exit_2(
    organisation, nora, stand_in, tmp_path, arguments, message
):
    arguments = [a.replace("{pk}", str(organisation.pk)) for a in arguments]
    errors = io.StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command("dossier", *arguments, "--out", str(tmp_path / "x.pdf"), stderr=errors)
    assert stopped.value.code == 2 and message in errors.getvalue()
    assert not (tmp_path / "x.pdf").exists()


def test_the_record_page_offers_a_dossier(client, andy, organisation):
    client.force_login(andy)
    page = client.get(reverse("documentation:detail", args=["organisations", organisation.pk]))
    assert b"data-make-dossier" in page.content


def test_the_real_composition_gives_the_same_bytes_twice_and_from_the_command_line(
    client, andy, organisation, django_capture_on_commit_callbacks, tmp_path
):
    first = ask(client, andy, organisation, django_capture_on_commit_callbacks)
    second = ask(client, andy, organisation, django_capture_on_commit_callbacks)
    assert first.status == second.status == "done"
    assert first.sha256 == second.sha256 and first.highest_level == "public"
    out = tmp_path / "cli.pdf"
    call_command(
        "dossier",
        "organisation",
        str(organisation.pk),
        "--out",
        str(out),
        "--as",
        "andy",
        "--lang",
        "en",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert hashlib.sha256(out.read_bytes()).hexdigest() == first.sha256
    import pymupdf

    with pymupdf.open(first.path) as document:
        text = "".join(page.get_text() for page in document)
    assert "employs workers from the North" in text and "pays the embassy" not in text


def test_the_real_composition_marks_a_researchers_dossier_confidential(
    client, rita, organisation, django_capture_on_commit_callbacks
):
    import pymupdf

    dossier = ask(client, rita, organisation, django_capture_on_commit_callbacks, language="ko")
    assert dossier.highest_level == "confidential"
    with pymupdf.open(dossier.path) as document:
        text = "".join(page.get_text() for page in document)
        every_page = all("CONFIDENTIAL" in page.get_text() for page in document)
    assert "pays the embassy" in text and every_page


def test_the_list_page_makes_a_country_dossier_and_offers_saved_searches(
    client, andy, rita, stand_in, django_capture_on_commit_callbacks
):
    from unseen.documentation.models import SavedSearch

    shared = SavedSearch.objects.create(owner=rita, name="Ours", kind="sites", shared=True)
    SavedSearch.objects.create(owner=rita, name="Rita's own", kind="sites")
    client.force_login(andy)
    page = client.get(reverse("dossiers:list")).content.decode()
    assert "Ours" in page and "Rita&#x27;s own" not in page and "Rita's own" not in page
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("dossiers:create"), {"kind": "country", "key": "ru", "language": "ko"}
        )
    dossier = Dossier.objects.get()
    assert response.url == reverse("dossiers:detail", args=[dossier.pk])
    assert (dossier.subject_kind, dossier.subject_key, dossier.language) == ("country", "RU", "ko")
    assert execute(dossier.pk).status == "done"
    saved = client.get(reverse("documentation:saved_searches")).content.decode()
    assert f'name="key" value="{shared.pk}"' in saved and "data-make-dossier" in saved


def test_a_malformed_request_goes_back_to_the_list_with_the_reason(client, andy):
    client.force_login(andy)
    response = client.post(
        reverse("dossiers:create"), {"kind": "site", "key": "abc", "language": "en"}, follow=True
    )
    assert b"named by its number" in response.content
    assert not Dossier.objects.exists()


def test_a_requester_who_lost_the_right_to_view_records_gets_no_dossier(
    client, andy, organisation, stand_in, django_capture_on_commit_callbacks
):
    client.force_login(andy)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("dossiers:create"),
            {"kind": "organisation", "key": organisation.pk, "language": "en"},
        )
    andy.role = ""
    andy.save()
    dossier = execute(Dossier.objects.get().pk)
    assert dossier.status == "failed" and not dossier.path.exists()
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()
