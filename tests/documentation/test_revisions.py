"""Revisions (ADR 0021): every write of a documented record keeps who, when, why and the values;
the history page shows them within the reader's access, reverts, and restores deleted records."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from tests import factories
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
from unseen.registry.models import Organisation, Person, Site


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
    return client.post(reverse("documentation:edit", args=["deployments", deployment.pk]), data)


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


def test_the_history_page_lists_the_newest_hundred_revisions(client, rita):
    deployment = factories.deployment()
    for year in range(120):
        deployment.workers_low = year
        deployment.save()
    client.force_login(rita)
    url = reverse("documentation:history", args=["deployments", deployment.pk])
    assert client.get(url).content.decode().count("data-entry") == 100
    assert dt.date  # keeps the import used by the edit helper's dates honest
