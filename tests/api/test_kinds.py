"""Every record kind over the API: made, read, and written back as read without a change."""

import pytest

from tests import factories
from unseen.accounts import tokens
from unseen.api import shapes
from unseen.documentation.browsing import KINDS
from unseen.registry.models import Organisation, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(rita):
    return {"HTTP_AUTHORIZATION": f"Token {tokens.create('rita', by='test').token}"}


def new_bodies():
    source = factories.source()
    site = factories.site()
    person = Person.objects.create(access_level="internal")
    organisation = Organisation.objects.create(name="Mokran LLC", kind="host_employer")
    figure = factories.public_figure()
    return {
        "sources": {
            "title": "A report",
            "kind": "public_report",
            "reliability": "B",
            "date": "2019-05",
        },
        "claims": {
            "source": source.pk,
            "credibility": 2,
            "statement": "Seen there",
            "subject": {"kind": "sites", "id": site.pk},
        },
        "testimonies": {
            "source_choice": "new",
            "title": "Interview T-1 (synthetic)",
            "interview_date": "2024-06",
            "consent_to_use": True,
            "summary": "Synthetic summary.",
            "access_level": "confidential",
        },
        "persons": {"sex": "m", "birth_year": 1980, "nationality": "KP"},
        "organisations": {"name": "Namgang Trading", "kind": "trading_company"},
        "public-figures": {"name": "An official (synthetic)"},
        "sites": {"name": "Block 7", "kind": "construction_site", "country": "RU"},
        "deployments": {
            "host_country": "RU",
            "sector": "construction",
            "workers_low": 10,
            "workers_high": 20,
            "period_start": "2017",
            "monthly_wage_usd_low": 500.5,
            "site": site.pk,
        },
        "incidents": {
            "act": "passport_confiscation",
            "description": "Passports taken.",
            "date": "2018-03",
            "victims": [person.pk],
            "perpetrator_organisations": [organisation.pk],
        },
        "sightings": {"description": "Workers on a roof", "country": "CN", "workers_low": 3},
        "relations": {
            "kind": "dispatches_workers_to",
            "subject_organisation": organisation.pk,
            "object_site": site.pk,
        },
        "designations": {
            "public_figure": figure.pk,
            "authority": "un",
            "programme": "1718",
            "reference": "KPi.001",
            "listed_on": "2017-08",
        },
    }


def test_every_kind_has_a_body_here():
    assert set(new_bodies()) == set(KINDS)


@pytest.mark.parametrize("slug", sorted(KINDS))
def test_a_record_is_made_read_and_written_back_unchanged(client, auth, slug):
    body = new_bodies()[slug]
    made = client.post(f"/api/v1/{slug}/", body, content_type="application/json", **auth)
    assert made.status_code == 201, made.json()
    shown = client.get(made["Location"], **auth)
    assert shown.status_code == 200
    assert shown["ETag"] == made["ETag"]
    writable = shapes.write_fields(KINDS[slug], new=False)
    back = {name: value for name, value in shown.json().items() if name in writable}
    back["revision"] = {"reason": "Nothing changes"}
    put = client.put(
        made["Location"], back, content_type="application/json", HTTP_IF_MATCH=made["ETag"], **auth
    )
    assert put.status_code == 200, put.json()
    before, after = shown.json(), put.json()
    assert (before.pop("updated_at", "") or "") <= (after.pop("updated_at", "") or "")
    assert after == before, "writing back what was read changed the record"
    listed = client.get(f"/api/v1/{slug}/", **auth).json()["results"]
    assert listed[0]["id"] == made.json()["id"]  # newest first
