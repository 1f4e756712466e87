"""Dates on the documentation forms: a year, a month or a day, read one way only (#17)."""

import datetime as dt
import html

import pytest

from unseen.documentation.models import Deployment

pytestmark = pytest.mark.django_db


@pytest.fixture
def rita_client(client, rita):
    client.force_login(rita)
    return client


def post_deployment(client, **dates):
    return client.post(
        "/app/deployments/new/",
        {
            "host_country": "중국",
            "workers_low": 10,
            "workers_high": 50,
            "access_level": "internal",
            **dates,
        },
    )


@pytest.mark.parametrize(
    ("typed", "chosen", "day", "precision"),
    [
        ("2019", "", dt.date(2019, 1, 1), "year"),
        ("2019-06", "", dt.date(2019, 6, 1), "month"),
        ("2019년 6월", "", dt.date(2019, 6, 1), "month"),
        ("June 2019", "day", dt.date(2019, 6, 1), "month"),  # typed coarser than chosen
        ("2019-06-15", "month", dt.date(2019, 6, 1), "month"),  # chosen coarser than typed
        ("15 June 2019", "day", dt.date(2019, 6, 15), "day"),
    ],
)
def test_a_period_is_typed_as_a_year_a_month_or_a_day(rita_client, typed, chosen, day, precision):
    response = post_deployment(rita_client, period_start=typed, period_start_precision=chosen)
    assert response.status_code == 302, html.unescape(response.content.decode())[-3000:]
    deployment = Deployment.objects.get()
    assert (deployment.period_start, deployment.period_start_precision) == (day, precision)
    assert deployment.host_country == "CN"
    page = rita_client.get(f"/app/deployments/{deployment.pk}/edit/").content.decode()
    shown = {"year": "2019", "month": "2019-06", "day": "2019-06-15"}[precision]
    assert f'value="{shown}"' in page


def test_an_ambiguous_period_is_refused_with_the_forms_it_takes(rita_client):
    response = post_deployment(rita_client, period_start="05/06/2019", period_start_precision="")
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "can be read two ways" in page and "YYYY-MM-DD" in page
    assert not Deployment.objects.exists()


def test_a_full_date_has_a_date_picker_and_refuses_an_ambiguous_day(rita_client):
    page = rita_client.get("/app/sightings/new/").content.decode()
    assert 'type="date" name="observed_from"' in page
    response = rita_client.post(
        "/app/sightings/new/", {"observed_from": "03/04/2026", "description": "crew"}
    )
    assert "can be read two ways" in html.unescape(response.content.decode())
