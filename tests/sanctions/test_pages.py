"""The sanctions pages: lists, loading, a run's candidates cut to the reader, the verdict."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.registry.models import Designation, ExternalIdentifier
from unseen.sanctions.models import SanctionsList, XrefRun

from .conftest import MOP, OTHER, lines_of, sanction

pytestmark = pytest.mark.django_db


@pytest.fixture
def xref(db):
    return factories.xref_run()


def test_the_lists_page_shows_each_list_with_its_newest_version(client, andy, xref):
    client.force_login(andy)
    page = client.get(reverse("sanctions:lists")).content.decode()
    assert "UN Security Council Consolidated List" in page
    assert "2024-01-01" in page
    assert reverse("sanctions:lists") in page  # the workspace navigation links here
    assert reverse("sanctions:load") not in page  # analysts do not load lists


def test_a_list_the_reader_may_not_read_is_absent(client, andy):
    hidden = factories.xref_run(access_level=AccessLevel.CONFIDENTIAL)
    client.force_login(andy)
    assert "Consolidated" not in client.get(reverse("sanctions:lists")).content.decode()
    assert client.get(reverse("sanctions:list", args=[hidden.list.pk])).status_code == 404
    assert client.get(reverse("sanctions:run", args=[hidden.run.pk])).status_code == 404


def test_the_list_page_shows_entities_with_names_countries_and_identifiers(client, andy, xref):
    client.force_login(andy)
    page = client.get(reverse("sanctions:list", args=[xref.list.pk])).content.decode()
    assert "만수대해외개발회사그룹" in page
    assert "unscId: KPe.050" in page
    assert reverse("sanctions:xref", args=[xref.list.pk]) in page


def test_loading_a_malformed_file_lists_its_bad_lines_and_writes_nothing(client, rita):
    client.force_login(rita)
    body = "\n".join([json.dumps(MOP), "{oops", json.dumps({"id": "a", "schema": "Nope"})])
    response = client.post(
        reverse("sanctions:load"),
        {
            "file": SimpleUploadedFile("entities.ftm.json", body.encode()),
            "code": "un_sc_sanctions",
            "title": "UN list",
            "authority": "UN Security Council 1718 Committee",
            "version": "1",
            "access_level": "internal",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "entities.ftm.json: line 2: not JSON" in page
    assert "entities.ftm.json: line 3: unknown schema" in page
    assert not SanctionsList.objects.exists()


def test_loading_a_good_file_goes_to_the_list(client, rita):
    client.force_login(rita)
    body = "\n".join(lines_of(MOP, sanction("NK-mop"), OTHER))
    response = client.post(
        reverse("sanctions:load"),
        {
            "file": SimpleUploadedFile("entities.ftm.json", body.encode()),
            "code": "un_sc_sanctions",
            "title": "UN list",
            "authority": "UN Security Council 1718 Committee",
            "version": "1",
            "published_on": "2024-05-01",
            "access_level": "internal",
        },
    )
    loaded = SanctionsList.objects.get()
    assert response.url == reverse("sanctions:list", args=[loaded.pk])
    assert (loaded.entity_count, loaded.loaded_by, loaded.source.access_level) == (
        2,
        rita,
        "internal",
    )


def test_starting_a_run_queues_it_and_its_page_polls_its_progress(client, andy, xref, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(andy)
    response = client.post(
        reverse("sanctions:xref", args=[xref.list.pk]),
        {"threshold": "0.5", "kinds": ["organisation", "site"]},
    )
    run = XrefRun.objects.exclude(pk=xref.run.pk).get()
    assert response.url == reverse("sanctions:run", args=[run.pk])
    assert (run.status, run.kinds, run.started_by) == ("queued", ["organisation", "site"], andy)
    page = client.get(response.url).content.decode()
    assert reverse("sanctions:progress", args=[run.pk]) in page
    progress = client.get(reverse("sanctions:progress", args=[run.pk])).json()
    assert progress["status"] == "queued" and "stage_label" in progress


def test_the_run_page_shows_the_candidate_with_our_record_and_the_entity(client, andy, xref):
    client.force_login(andy)
    page = client.get(reverse("sanctions:run", args=[xref.run.pk])).content.decode()
    assert "Mansudae Overseas Project Group of Companies" in page
    assert reverse("documentation:detail", args=["organisations", xref.organisation.pk]) in page
    assert reverse("sanctions:candidate", args=[xref.run.pk, xref.candidate.pk]) in page


def test_a_candidate_whose_record_the_reader_may_not_open_is_absent(client, andy, alice, xref):
    xref.organisation.access_level = AccessLevel.CONFIDENTIAL
    xref.organisation.save()
    client.force_login(andy)
    page = client.get(reverse("sanctions:run", args=[xref.run.pk])).content.decode()
    assert "Mansudae Overseas Project" not in page
    assert f'data-candidate="{xref.candidate.pk}"' not in page
    url = reverse("sanctions:candidate", args=[xref.run.pk, xref.candidate.pk])
    assert client.get(url).status_code == 404
    client.force_login(alice)
    assert (
        f'data-candidate="{xref.candidate.pk}"'
        in client.get(reverse("sanctions:run", args=[xref.run.pk])).content.decode()
    )


def test_the_candidate_page_explains_the_score_and_accepting_writes_to_the_record(
    client, andy, xref
):
    client.force_login(andy)
    url = reverse("sanctions:candidate", args=[xref.run.pk, xref.candidate.pk])
    page = client.get(url).content.decode()
    assert "data-explanation" in page and "Names agree" in page
    assert "KPe.050" in page and "UN-SC1718" in page
    response = client.post(url, {"verdict": "same"})
    assert response.url == reverse("sanctions:run", args=[xref.run.pk])
    assert ExternalIdentifier.objects.get(organisation=xref.organisation).value == "KPe.050"
    assert Designation.objects.get(organisation=xref.organisation).reference == "KPe.050"
    xref.candidate.refresh_from_db()
    assert xref.candidate.status == "accepted"


def test_the_change_report_on_the_run_page_shows_only_readable_records(client, andy, xref):
    xref.run.changes = {
        "previous_version": "2023-12-01",
        "new": [],
        "removed": [
            {
                "record_kind": "organisation",
                "record_id": xref.organisation.pk,
                "entity_id": "NK-mop",
                "caption": "Mansudae Overseas Project Group of Companies",
            }
        ],
        "aliases": [],
    }
    xref.run.save()
    client.force_login(andy)
    page = client.get(reverse("sanctions:run", args=[xref.run.pk])).content.decode()
    assert "What changed since version 2023-12-01" in page
    assert 'data-change="removed"><li><a href=' in page
    xref.organisation.access_level = AccessLevel.CONFIDENTIAL
    xref.organisation.save()
    page = client.get(reverse("sanctions:run", args=[xref.run.pk])).content.decode()
    assert 'data-change="removed"><li class="muted">' in page


def test_a_public_figures_candidate_is_shown_with_or_without_its_page(client, andy, xref):
    from unseen.registry.models import PublicFigure
    from unseen.sanctions.models import ListedEntity, XrefCandidate

    figure = PublicFigure.objects.create(name="Jong Song Hwa", access_level=AccessLevel.PUBLIC)
    person = ListedEntity.objects.create(
        sanctions_list=xref.list,
        entity_id="ofac-jong",
        schema="Person",
        caption="Jong Song Hwa",
        names=["Jong Song Hwa", "정성화"],
    )
    candidate = XrefCandidate.objects.create(
        run=xref.run,
        record_kind="public_figure",
        record_id=figure.pk,
        listed_entity=person,
        entity_id=person.entity_id,
        score=0.7,
    )
    client.force_login(andy)
    assert (
        "Jong Song Hwa" in client.get(reverse("sanctions:run", args=[xref.run.pk])).content.decode()
    )
    url = reverse("sanctions:candidate", args=[xref.run.pk, candidate.pk])
    assert "정성화" in client.get(url).content.decode()
