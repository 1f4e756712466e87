"""Two editors, one record: a save on top of another's change meets the conflict screen (#18.3)."""

import html

import pytest
from django.core import signing

from tests import factories
from tests.conftest import make_user
from tests.documentation.test_views import make_testimony
from unseen.accounts.models import AccessLevel
from unseen.accounts.roles import Role
from unseen.documentation.concurrency import TOKEN_FIELD
from unseen.documentation.models import Deployment, Finding, Indicator, Testimony
from unseen.evidence.models import Credibility
from unseen.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def rita_client(client, rita):
    client.force_login(rita)
    return client


def opened(client, url):
    """What the browser would post back from the page as it was opened, unchanged."""
    response = client.get(url)
    assert response.status_code == 200
    return as_posted(response)


def as_posted(response):
    data = {TOKEN_FIELD: response.context["edit_token"]}
    for name in ("form", "coding"):
        form = response.context.get(name)
        if form is None:
            continue
        for bound in form:
            value = bound.value()
            if value is True:
                data[bound.html_name] = "on"
            elif value in (None, False):
                data[bound.html_name] = ""
            elif isinstance(value, list):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = str(value)
    # Every edit names its reason (the revision's, #18 item 1); set last, since the page's "form"
    # may be the revision form its include was given.
    data["revision-reason"] = "checked"
    return data


def edit_url(deployment):
    return f"/app/deployments/{deployment.pk}/edit/"


def someone_else_sets(deployment, **fields):
    Deployment.objects.filter(pk=deployment.pk).update(**fields)


def test_a_save_on_top_of_another_change_shows_both_and_saves_nothing(rita_client):
    deployment = factories.deployment(low=100, high=200)
    mine = opened(rita_client, edit_url(deployment))
    someone_else_sets(deployment, workers_high=300)
    mine["workers_high"] = "250"
    response = rita_client.post(edit_url(deployment), mine)
    assert response.status_code == 409
    deployment.refresh_from_db()
    assert deployment.workers_high == 300  # nothing saved
    [row] = response.context["conflict"].rows
    assert (row.key, row.opened, row.now, row.mine) == ("workers_high", "200", "300", "250")
    page = html.unescape(response.content.decode())
    assert "Someone else changed this record since you opened it" in page
    assert 'name="keep-workers_high" value="theirs"' in page


def test_choosing_mine_or_theirs_then_saving_merges(rita_client):
    deployment = factories.deployment(low=100, high=200, sector="construction")
    mine = opened(rita_client, edit_url(deployment))
    someone_else_sets(deployment, workers_high=300, workers_low=150)
    mine.update(workers_high="250", workers_low="120", sector="logging")
    conflict = rita_client.post(edit_url(deployment), mine)
    assert conflict.status_code == 409
    assert {row.key for row in conflict.context["conflict"].choices} == {
        "workers_high",
        "workers_low",
    }
    again = as_posted(conflict)
    # The merged form holds the editor's own changes on top of the record as it is now.
    assert again["workers_high"] == "250" and again["sector"] == "logging"
    again["keep-workers_high"] = "mine"
    again["keep-workers_low"] = "theirs"
    response = rita_client.post(edit_url(deployment), again)
    assert response.status_code == 302, response.content.decode()
    deployment.refresh_from_db()
    assert (deployment.workers_high, deployment.workers_low, deployment.sector) == (
        250,
        150,
        "logging",
    )


def test_an_unanswered_choice_is_asked_again(rita_client):
    deployment = factories.deployment(low=100, high=200)
    mine = opened(rita_client, edit_url(deployment))
    someone_else_sets(deployment, workers_high=300)
    mine["workers_high"] = "250"
    again = as_posted(rita_client.post(edit_url(deployment), mine))
    response = rita_client.post(edit_url(deployment), again)  # no keep-workers_high
    assert response.status_code == 409
    assert [row.key for row in response.context["conflict"].choices] == ["workers_high"]
    deployment.refresh_from_db()
    assert deployment.workers_high == 300


def test_changes_to_different_fields_are_shown_then_merged(rita_client):
    deployment = factories.deployment(low=100, high=200, sector="construction")
    mine = opened(rita_client, edit_url(deployment))
    someone_else_sets(deployment, workers_high=300)
    mine["sector"] = "logging"
    response = rita_client.post(edit_url(deployment), mine)
    assert response.status_code == 409
    rows = {row.key: row.change for row in response.context["conflict"].rows}
    assert rows == {"workers_high": "theirs", "sector": "mine"}
    assert not response.context["conflict"].choices
    deployment.refresh_from_db()
    assert deployment.sector == "construction"
    response = rita_client.post(edit_url(deployment), as_posted(response))
    assert response.status_code == 302
    deployment.refresh_from_db()
    assert (deployment.workers_high, deployment.sector) == (300, "logging")


def test_a_save_with_nothing_changed_meanwhile_saves_and_a_claim_added_is_no_change(
    rita_client,
):
    deployment = factories.deployment(low=100, high=200)
    mine = opened(rita_client, edit_url(deployment))
    deployment.add_claim(factories.source(), Credibility.POSSIBLY_TRUE, "added by someone else")
    mine["workers_high"] = "250"
    response = rita_client.post(edit_url(deployment), mine)
    assert response.status_code == 302
    deployment.refresh_from_db()
    assert deployment.workers_high == 250


@pytest.mark.parametrize("token", ["", "garbage", "eyJ2YWx1ZXMiOnt9fQ:1tX:forged"])
def test_a_missing_or_forged_token_is_stale_not_an_error(rita_client, token):
    deployment = factories.deployment(low=100, high=200)
    mine = opened(rita_client, edit_url(deployment))
    mine[TOKEN_FIELD] = token
    mine["workers_high"] = "250"
    response = rita_client.post(edit_url(deployment), mine)
    assert response.status_code == 409
    [row] = response.context["conflict"].choices
    assert (row.key, row.opened, row.now, row.mine) == ("workers_high", "not known", "200", "250")
    deployment.refresh_from_db()
    assert deployment.workers_high == 200


def test_a_token_of_another_record_is_stale(rita_client):
    first, second = factories.deployment(high=200), factories.deployment(high=200)
    mine = opened(rita_client, edit_url(second))
    mine[TOKEN_FIELD] = opened(rita_client, edit_url(first))[TOKEN_FIELD]
    mine["workers_high"] = "250"
    assert rita_client.post(edit_url(second), mine).status_code == 409
    second.refresh_from_db()
    assert second.workers_high == 200


def test_a_form_with_errors_keeps_the_token_it_was_opened_with(rita_client):
    deployment = factories.deployment(low=100, high=200)
    mine = opened(rita_client, edit_url(deployment))
    someone_else_sets(deployment, workers_high=300)
    bad = {**mine, "host_country": "Narnia"}
    response = rita_client.post(edit_url(deployment), bad)
    assert response.status_code == 200 and response.context["form"].errors
    assert response.context["edit_token"] == mine[TOKEN_FIELD]
    mine["workers_high"] = "250"
    assert rita_client.post(edit_url(deployment), mine).status_code == 409


def coding_data(client, testimony):
    return opened(client, f"/app/testimonies/{testimony.pk}/coding/")


def test_the_coding_page_meets_another_coders_change(rita_client):
    testimony = make_testimony("passports taken")
    url = f"/app/testimonies/{testimony.pk}/coding/"
    mine = coding_data(rita_client, testimony)
    Testimony.objects.get(pk=testimony.pk).code(Indicator.DEBT_BONDAGE, Finding.PRESENT)
    Testimony.objects.get(pk=testimony.pk).code(Indicator.ISOLATION, Finding.PRESENT, "p. 3")
    mine["coding-indicator_debt_bondage"] = "absent"
    mine["coding-indicator_isolation"] = "absent"
    response = rita_client.post(url, mine)
    assert response.status_code == 409
    assert {row.key for row in response.context["conflict"].choices} == {
        "coding-indicator_debt_bondage",
        "coding-indicator_isolation",
    }
    again = as_posted(response)
    again["keep-coding-indicator_debt_bondage"] = "theirs"
    again["keep-coding-indicator_isolation"] = "mine"
    assert rita_client.post(url, again).status_code == 302
    testimony.refresh_from_db()
    assert testimony.indicator_profile()[Indicator.DEBT_BONDAGE] == Finding.PRESENT
    assert testimony.indicator_profile()[Indicator.ISOLATION] == Finding.ABSENT


def test_wages_typed_with_or_without_decimals_are_one_value(rita_client):
    deployment = factories.deployment()
    Deployment.objects.filter(pk=deployment.pk).update(monthly_wage_usd_low="300.00")
    mine = opened(rita_client, edit_url(deployment))
    someone_else_sets(deployment, workers_high=300)
    mine["monthly_wage_usd_low"] = "300"
    response = rita_client.post(edit_url(deployment), mine)
    assert [row.key for row in response.context["conflict"].rows] == ["workers_high"]


def test_the_token_names_no_record_the_editor_cannot_read(client, rita):
    hidden = Person.objects.create(access_level=AccessLevel.CONFIDENTIAL)
    deployment = factories.deployment(low=None, high=None)
    Deployment.objects.filter(pk=deployment.pk).update(person=hidden)
    rex = make_user("rex", Role.RESEARCHER)  # without the confidential compartment
    client.force_login(rex)
    token = client.get(edit_url(deployment)).context["edit_token"]
    values = signing.loads(
        token, salt=f"unseen.edit:documentation.deployment:{deployment.pk}:{rex.pk}"
    )
    assert values["values"]["person"] != hidden.pk and values["values"]["person"] != str(hidden.pk)
    client.force_login(rita)  # the check can fail: rita reads confidential records
    token = client.get(edit_url(deployment)).context["edit_token"]
    values = signing.loads(
        token, salt=f"unseen.edit:documentation.deployment:{deployment.pk}:{rita.pk}"
    )
    assert values["values"]["person"] == hidden.pk
