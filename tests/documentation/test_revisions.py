"""Revisions (ADR 0021): every write of a documented record keeps who, when, why and the values;
the history page shows them within the reader's access, reverts, and restores deleted records."""

import datetime as dt

import pytest
from django.db import connection
from django.http import JsonResponse
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt

from tests import factories
from unseen.accounts.access import public
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.core.tables import Table
from unseen.documentation.importing import import_table
from unseen.documentation.models import Incident, IndicatorCoding, Sighting, Testimony
from unseen.evidence.models import Claim, Credibility, SourceKind
from unseen.evidence.revisions import revising
from unseen.linkage.merging import merge_records
from unseen.linkage.models import Entity
from unseen.registry import vault
from unseen.registry.models import Organisation, Person, PersonIdentity, Site


def _makers():
    def testimony():
        source = factories.source("Interview", kind=SourceKind.INTERVIEW)
        return Testimony.objects.create(source=source, summary="first", consent_to_use=True)

    def claim():
        site = factories.site()
        return site.add_claim(factories.source(), Credibility.POSSIBLY_TRUE, "first")

    def coding():
        made = testimony()
        return IndicatorCoding.objects.create(
            testimony=made, indicator="retention_of_documents", note="first"
        )

    return {
        "sources": (lambda: factories.source("first"), "title"),
        "claims": (claim, "statement"),
        "testimonies": (testimony, "summary"),
        "codings": (coding, "note"),
        "persons": (lambda: Person.objects.create(home_province="first"), "home_province"),
        "organisations": (
            lambda: Organisation.objects.create(name="first", kind="host_employer"),
            "name",
        ),
        "sites": (lambda: factories.site("first"), "name"),
        "deployments": (lambda: factories.deployment(sector="first"), "sector"),
        "incidents": (lambda: Incident.objects.create(act="beating", place="first"), "place"),
        "sightings": (lambda: Sighting.objects.create(description="first"), "description"),
    }


@pytest.mark.parametrize("kind", list(_makers()))
def test_every_kind_keeps_a_revision_of_create_update_and_delete(db, kind):
    make, field = _makers()[kind]
    with revising("testing"):
        record = make()
        setattr(record, field, "second")
        record.save()
        pk = record.pk
        model = type(record)
        record.delete()
    revisions = list(model.history.filter(id=pk).order_by("history_date", "history_id"))
    assert [r.history_type for r in revisions] == ["+", "~", "-"]
    assert [getattr(r, field) for r in revisions[:2]] == ["first", "second"]
    assert all(r.history_change_reason == "testing" for r in revisions)


def test_an_import_makes_a_revision_of_every_record_it_creates_naming_the_file(db):
    row = {"name": "Camp 9", "kind": "logging_camp", "country": "RU", "source": "Roster"}
    import_table(Table(list(row), [(2, row)]), "sites", origin="roster.xlsx")
    site = Site.objects.get(name="Camp 9")
    revision = site.history.get()
    assert revision.history_type == "+" and "roster.xlsx" in revision.history_change_reason
    claim = Claim.objects.get(object_id=site.pk)
    assert claim.history.count() == 1 and claim.source.history.count() == 1


def test_a_merge_and_its_undo_make_revisions_of_the_absorbed_records(db, andy):
    first, second = Person.objects.create(), Person.objects.create()
    merge_records(Entity.PERSON, [first.pk, second.pk], andy)
    latest = second.history.order_by("-history_id").first()
    assert latest.merged_into_id == first.pk and "Merge" in latest.history_change_reason


def test_an_identity_edit_leaves_a_revision_naming_it_and_no_name_in_clear(db, rita):
    person = Person.objects.create()
    vault.write_identity(person, vault.Identity(full_name="Kim Yong Chol"), user=rita)
    revision = person.history.order_by("-history_id").first()
    assert revision.other_changes == ["identity"]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    text = bytes(value) if isinstance(value, bytes | memoryview) else str(value)
                    assert (b"Kim Yong" if isinstance(text, bytes) else "Kim Yong") not in text


def database_bytes() -> bytes:
    """The SQLite database as its file would hold it, including this test's open transaction."""
    if connection.vendor != "sqlite":
        pytest.skip("reads SQLite's database image")
    connection.ensure_connection()
    return connection.connection.serialize()


def test_identity_revisions_keep_the_values_sealed_never_a_name_or_phone_in_the_file(db, rita):
    person = Person.objects.create()
    first = vault.Identity(full_name="Kim Yong Chol", phone="+850 2 381 4417")
    second = vault.Identity(full_name="Kim Yong Chul", phone="+850 2 381 9902")
    vault.write_identity(person, first, user=rita)
    vault.write_identity(person, second, user=rita)
    historical = PersonIdentity.history.model
    revisions = historical.objects.filter(person_id=person.pk).order_by("history_id")
    assert [r.history_type for r in revisions] == ["+", "~"]
    stored = PersonIdentity.objects.get(person=person)
    # Sealed exactly as the record: the latest revision holds the record's own ciphertext.
    assert revisions[1].full_name == stored.full_name and revisions[1].phone == stored.phone
    assert revisions[0].full_name != stored.full_name
    image = database_bytes()
    assert person.pseudonym.encode() in image  # the image does hold this test's rows
    for clear in ("Kim Yong", "381 4417", "381 9902", "+850"):
        assert clear.encode() not in image, clear
    assert [r.identity for r in vault.read_identity_history(person, user=rita, purpose="t")] == [
        second,
        first,
    ]


def _edit(client, deployment, **fields):
    data = {
        "host_country": "RU",
        "sector": fields.pop("sector", "logging"),
        "access_level": fields.pop("access_level", "public"),
        "period_start": "2017",
        "period_end": "2017",
        "period_start_precision": "year",
        "period_end_precision": "year",
        **fields,
    }
    url = reverse("documentation:edit", args=["deployments", deployment.pk])
    # The token of the page as opened: a save without one meets the conflict screen (#18 item 3).
    data["edit_token"] = client.get(url).context["edit_token"]
    return client.post(url, data)


def test_an_edit_needs_a_reason_keeps_it_and_the_audit_names_the_fields(client, rita):
    deployment = factories.deployment(sector="construction")
    client.force_login(rita)
    refused = _edit(client, deployment)
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    deployment.refresh_from_db()
    assert deployment.sector == "construction" and deployment.history.count() == 1
    justifying = factories.source("Leaked contract")
    saved = _edit(
        client,
        deployment,
        **{"revision-reason": "contract says logging", "revision-justifying_source": justifying.pk},
    )
    assert saved.status_code == 302
    revision = deployment.history.order_by("-history_id").first()
    assert revision.sector == "logging" and revision.actor == "rita"
    assert revision.history_change_reason == "contract says logging"
    assert revision.justifying_source == justifying
    audit = AuditEntry.objects.filter(
        target_type="documentation.deployment", action=Action.UPDATE
    ).last()
    assert "sector" in audit.detail["fields"] and "logging" not in str(audit.detail)
    page = client.get(reverse("documentation:history", args=["deployments", deployment.pk]))
    text = page.content.decode()
    assert "contract says logging" in text and "Sector" in text


def test_revert_is_a_new_revision_with_its_reason(client, rita, alice):
    deployment = factories.deployment(sector="construction")
    client.force_login(rita)
    _edit(client, deployment, **{"revision-reason": "wrong sector"})
    first = deployment.history.order_by("history_id").first()
    client.force_login(alice)
    url = reverse("documentation:revert", args=["deployments", deployment.pk])
    assert client.post(url, {"revision": first.history_id, "reason": ""}).status_code == 302
    deployment.refresh_from_db()
    assert deployment.sector == "logging"  # no reason, no revert
    client.post(url, {"revision": first.history_id, "reason": "the edit was a mistake"})
    deployment.refresh_from_db()
    assert deployment.sector == "construction"
    revisions = list(deployment.history.order_by("history_id"))
    assert len(revisions) == 3 and revisions[0].sector == "construction"
    assert revisions[-1].history_change_reason == "the edit was a mistake"


def test_the_diff_hides_what_the_reader_may_not_see(client, andy, rita):
    secret_site = factories.site("Secret camp", access_level=AccessLevel.CONFIDENTIAL)
    deployment = factories.deployment(access_level=AccessLevel.CONFIDENTIAL)
    deployment.site = secret_site
    deployment.sector = "confidential sector"
    deployment.save()
    deployment.access_level = AccessLevel.INTERNAL
    deployment.sector = "logging"
    deployment.save()
    _old, middle, new = deployment.history.order_by("history_id")
    client.force_login(andy)  # reads internal, not confidential
    url = reverse("documentation:history", args=["deployments", deployment.pk])
    page = client.get(url, {"a": middle.history_id, "b": new.history_id}).content.decode()
    assert "confidential sector" not in page and "Secret camp" not in page
    assert "withheld" in page
    client.force_login(rita)  # cleared for confidential: sees both
    page = client.get(url, {"a": middle.history_id, "b": new.history_id}).content.decode()
    assert "confidential sector" in page and "Secret camp" in page


def test_the_history_page_is_as_hidden_as_the_record(client, andy):
    deployment = factories.deployment(access_level=AccessLevel.CONFIDENTIAL)
    client.force_login(andy)
    url = reverse("documentation:history", args=["deployments", deployment.pk])
    assert client.get(url).status_code == 404


def test_an_administrator_restores_a_deleted_record_as_a_new_revision(client, alice):
    site = factories.site("Camp 4")
    pk = site.pk
    site.delete()
    client.force_login(alice)
    listing = client.get(reverse("documentation:deleted", args=["sites"])).content.decode()
    assert "Camp 4" in listing
    gone = Site.history.get(id=pk, history_type="-")
    url = reverse("documentation:restore", args=["sites", gone.history_id])
    assert client.post(url, {"reason": "deleted by mistake"}).status_code == 302
    assert Site.objects.get(pk=pk).name == "Camp 4"
    assert Site.history.filter(id=pk).order_by("-history_id").first().history_change_reason == (
        "deleted by mistake"
    )
    assert (
        AuditEntry.objects.filter(
            target_type="registry.site", target_id=str(pk), action=Action.CREATE
        ).count()
        == 2
    )


def test_the_history_page_lists_fifty_revisions_a_page_each_naming_what_it_changed(client, rita):
    deployment = factories.deployment()
    for year in range(120):  # 121 revisions: pages of 50, 50 and 21
        deployment.workers_low = year
        deployment.save()
    client.force_login(rita)
    url = reverse("documentation:history", args=["deployments", deployment.pk])
    first = client.get(url).content.decode()
    assert first.count("data-entry") == 50 and "Page 1 of 3" in first and "?page=2" in first
    # The oldest revision of a page still names its change: read against the page before it.
    last = client.get(url, {"page": 3}).content.decode()
    assert last.count("data-entry") == 21 and "Page 3 of 3" in last and "?page=2" in last
    for nonsense in ("0", "-1", "x", "99"):
        page = client.get(url, {"page": nonsense}).content.decode()
        assert page.count("data-entry") in (50, 21)
    middle = revising_page(deployment, rita, 2)
    assert len(middle.entries) == 50
    assert all(entry.changed for entry in middle.entries)  # each changed workers_low
    assert dt.date  # keeps the import used by the edit helper's dates honest


def revising_page(record, user, number):
    from unseen.documentation import revising
    from unseen.documentation.browsing import kind_of

    return revising.timeline(kind_of("deployments"), record, user, number)


def test_a_revision_is_not_audited_as_a_record_of_its_own(db):
    site = factories.site("Camp 1")
    site.name = "Camp 2"
    site.save()
    assert site.history.count() == 2
    assert not AuditEntry.objects.filter(target_type__startswith="registry.historical").exists()
    assert AuditEntry.objects.filter(target_type="registry.site").count() == 2


def test_an_incidents_victims_and_perpetrators_make_revisions_shown_in_the_timeline_and_diff(
    client, rita, andy
):
    victim = Person.objects.create(home_province="North Hamgyong")
    hidden = Person.objects.create(home_province="Ryanggang", access_level=AccessLevel.CONFIDENTIAL)
    firm = Organisation.objects.create(name="Rungrado Trading", kind="host_employer")
    incident = Incident.objects.create(act="beating", place="camp")
    assert incident.history.count() == 1
    with revising("the testimony names the victims"):
        incident.victims.set([victim, hidden])
    incident.perpetrator_organisations.add(firm)  # outside a block: a revision of its own
    # From the other side too: the person's incidents.
    firm.incidents.remove(incident)
    revisions = list(incident.history.order_by("history_id"))
    assert len(revisions) == 4
    assert revisions[1].relations == {
        "victims": sorted([victim.pk, hidden.pk]),
        "perpetrator_organisations": [],
    }
    assert revisions[1].history_change_reason == "the testimony names the victims"
    assert revisions[2].relations["perpetrator_organisations"] == [firm.pk]
    assert revisions[3].relations["perpetrator_organisations"] == []

    client.force_login(rita)
    url = reverse("documentation:history", args=["incidents", incident.pk])
    page = client.get(url).content.decode()
    assert "Victims" in page and "Perpetrator organisations" in page
    diff = client.get(
        url, {"a": revisions[0].history_id, "b": revisions[2].history_id}
    ).content.decode()
    assert str(victim) in diff and str(hidden) in diff and "Rungrado Trading" in diff
    # A reader without the confidential compartment sees the victim they may see, not the other.
    client.force_login(andy)
    diff = client.get(
        url, {"a": revisions[0].history_id, "b": revisions[2].history_id}
    ).content.decode()
    assert str(victim) in diff and str(hidden) not in diff


def test_an_edit_form_saving_victims_makes_one_revision_and_a_revert_brings_them_back(client, rita):
    first = Person.objects.create(home_province="North Hamgyong")
    second = Person.objects.create(home_province="South Hamgyong")
    incident = Incident.objects.create(act="beating", place="camp")
    incident.victims.set([first])
    before = incident.history.count()
    with revising("victim corrected"):
        incident.place = "dormitory"
        incident.save()
        incident.victims.set([second])
    assert incident.history.count() == before + 1  # the record and its relations: one revision
    latest = incident.history.order_by("-history_id").first()
    assert latest.relations["victims"] == [second.pk]
    earlier = incident.history.order_by("-history_id")[1]
    client.force_login(rita)
    url = reverse("documentation:revert", args=["incidents", incident.pk])
    client.post(url, {"revision": earlier.history_id, "reason": "the first name was right"})
    incident.refresh_from_db()
    assert list(incident.victims.all()) == [first] and incident.place == "camp"
    assert incident.history.count() == before + 2


def test_a_moderators_approval_gives_its_records_revisions_saying_so(db, mona):
    from unseen.intake.promotion import Publication, promote
    from unseen.intake.receiving import receive_sighting

    submission = receive_sighting({"description": "Crew of 30", "country": "MN"}).submission
    sighting = promote(
        submission,
        user=mona,
        publication=Publication(description="A crew.", place_label="Mongolia"),
    )
    reason = f"Moderation: public report {submission.pk} approved"
    assert sighting.history.get().history_change_reason == reason
    source = sighting.evidence_trail().get().source
    assert source.history.get().history_change_reason == reason


@csrf_exempt
@public
def _api_write(request):
    """An endpoint that writes a record, as an API endpoint of a later issue would."""
    site = factories.site("Camp by API")
    site.name = "Camp by API, renamed"
    site.save()
    return JsonResponse({"id": site.pk}, status=201)


urlpatterns = [path("api/v1/test-write", _api_write)]


def test_an_api_write_makes_revisions_whose_reason_names_the_endpoint(db, client, settings):
    settings.ROOT_URLCONF = __name__
    response = client.post("/api/v1/test-write", b"{}", content_type="application/json")
    assert response.status_code == 201
    revisions = Site.history.filter(id=response.json()["id"]).order_by("history_id")
    assert [r.history_change_reason for r in revisions] == ["API: POST /api/v1/test-write"] * 2
    # Reading is not writing: outside an API call a save keeps no API reason.
    site = Site.objects.get()
    site.save()
    assert site.history.order_by("-history_id").first().history_change_reason in ("", None)


def test_identities_stored_in_bulk_get_their_first_revision_sealed(db, rita):
    persons = [Person.objects.create() for _ in range(3)]
    stored = vault.store_identities(
        [(p, vault.Identity(full_name=f"Bulk Name {n}")) for n, p in enumerate(persons)]
    )
    assert stored == 3
    historical = PersonIdentity.history.model
    assert historical.objects.filter(history_type="+").count() == 3
    assert not historical.objects.filter(full_name__contains="Bulk Name").exists()
    [only] = vault.read_identity_history(persons[2], user=rita, purpose="check")
    assert only.identity.full_name == "Bulk Name 2" and only.changed == ["full_name"]
