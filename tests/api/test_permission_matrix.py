"""Every API operation × every persona × its method, with a token and with a session.

`API_MATRIX` below is the contract, written out by hand: it is never read from the operations'
own declarations (`service.DECLARED`), so a wrong declaration fails here. An operation registered
without a row fails `test_every_operation_has_a_row`: no endpoint ships without a decision on
who may call it.

A row: url name (without `api:`) -> (method, personas allowed, scope a token needs, url kwargs).
A kwarg in braces names a record of the `world` fixture, all public, so that only the permission,
not the access level, decides.
"""

import pytest
from django.urls import reverse

from tests.test_permission_matrix import (
    ALL,
    EDITORS,
    ESTIMATORS,
    LINKERS,
    MODERATORS,
    VIEWERS,
    world,  # noqa: F401  (the fixture, shared with the pages' matrix)
)
from unseen.accounts import tokens
from unseen.accounts.roles import Role
from unseen.api.service import DECLARED

READ, WRITE, MODERATE, ADMIN = "read", "write", "moderate", "admin"

# Each record kind: its slug in the URL, and the record of `world` its single-record URLs name.
RECORD_KINDS: dict[str, str] = {
    "sources": "{source}",
    "claims": "{claim}",
    "testimonies": "{testimony}",
    "persons": "{person}",
    "organisations": "{organisation}",
    "public-figures": "{public_figure}",
    "sites": "{site}",
    "deployments": "{deployment}",
    "incidents": "{incident}",
    "sightings": "{sighting}",
    "relations": "{relation}",
    "designations": "{designation}",
}


def record_rows(slug: str, record: str) -> dict[str, tuple[str, set[str], str, dict[str, str]]]:
    name = slug.replace("-", "_")
    one = {"id": record}
    return {
        f"{name}_list": ("get", VIEWERS, READ, {}),
        f"{name}_detail": ("get", VIEWERS, READ, one),
        f"{name}_create": ("post", EDITORS, WRITE, {}),
        f"{name}_update": ("put", EDITORS, WRITE, one),
        f"{name}_patch": ("patch", EDITORS, WRITE, one),
        f"{name}_bulk": ("post", EDITORS, WRITE, {}),
    }


API_MATRIX: dict[str, tuple[str, set[str], str | None, dict[str, str]]] = {
    **{
        name: row
        for slug, record in RECORD_KINDS.items()
        for name, row in record_rows(slug, record).items()
    },
    # The two endpoints the API had before #24, their contract kept: sightings from anyone, the
    # moderation queue for moderators.
    "submit_sighting": ("post", ALL, None, {}),
    "moderation_queue": ("get", MODERATORS, MODERATE, {}),
    # A testimony's coding and journey: editors, as on the coding page and the journey editor.
    "testimonies_coding_update": ("put", EDITORS, WRITE, {"id": "{testimony}"}),
    "testimonies_journey_update": ("put", EDITORS, WRITE, {"id": "{testimony}"}),
    # Runs, read only: those who may open the runs' pages.
    "estimate_run_list": ("get", ESTIMATORS, READ, {}),
    "estimate_run_detail": ("get", ESTIMATORS, READ, {"id": "{estimate_run}"}),
    "revenue_run_list": ("get", ESTIMATORS, READ, {}),
    "revenue_run_detail": ("get", ESTIMATORS, READ, {"id": "{revenue_run}"}),
    "linkage_run_list": ("get", LINKERS, READ, {}),
    "linkage_run_detail": ("get", LINKERS, READ, {"id": "{linkage_run}"}),
    # Evidence files' metadata and working copies (never originals): viewers of records.
    "file_list": ("get", VIEWERS, READ, {}),
    "file_detail": ("get", VIEWERS, READ, {"id": "{evidence_file}"}),
    "file_copy_download": (
        "get",
        VIEWERS,
        READ,
        {"id": "{evidence_file}", "copy_id": "{working_copy}"},
    ),
}


@pytest.fixture
def api_world(world):  # noqa: F811
    """The pages' matrix world and one public record of each kind it lacks."""
    import datetime as dt

    from tests import factories
    from unseen.documentation.models import Incident, Relation, Sighting
    from unseen.registry.models import Organisation

    organisation = Organisation.objects.get(pk=world["organisation"])
    other = Organisation.objects.create(
        name="Rungrado General Trading", kind="trading_company", access_level="public"
    )
    return {
        **world,
        "source": factories.source().pk,
        "deployment": factories.deployment().pk,
        "incident": Incident.objects.create(
            act="wage_withholding", date=dt.date(2017, 1, 1), country="RU", access_level="public"
        ).pk,
        "sighting": Sighting.objects.create(
            place="Vladivostok", country="RU", description="Builders", access_level="public"
        ).pk,
        "relation": Relation.objects.create(
            kind="contracts_with",
            subject_organisation=other,
            object_organisation=organisation,
            access_level="public",
        ).pk,
    }


def token_for(user, role_lost: bool = False) -> dict[str, str]:
    """A token with every scope the user's role allows. A user without a role gets one made
    while they had a role, which they have since lost (as an administrator would take it)."""
    if not user.role:
        user.role = Role.ANALYST
        user.save()
        made = tokens.create(user.username, by="test")
        user.role = ""
        user.save()
    else:
        made = tokens.create(user.username, by="test")
    return {"HTTP_AUTHORIZATION": f"Token {made.token}"}


def call(client, name: str, records: dict, **auth):
    method, _allowed, _scope, arguments = API_MATRIX[name]
    kwargs = {k: records[v[1:-1]] if v.startswith("{") else v for k, v in arguments.items()}
    url = reverse(f"api:{name}", kwargs=kwargs)
    if method == "get":
        return client.get(url, **auth)
    # An empty body: a caller let in is answered 400 (what is missing), never 401/403.
    return getattr(client, method)(url, "{}", content_type="application/json", **auth)


def refused(response) -> bool:
    return response.status_code in (401, 403) and "error" in response.json()


def test_every_operation_has_a_row():
    assert set(DECLARED) == set(API_MATRIX), (
        f"operations without a row: {sorted(set(DECLARED) - set(API_MATRIX))}; "
        f"rows without an operation: {sorted(set(API_MATRIX) - set(DECLARED))}"
    )


@pytest.mark.parametrize("name", sorted(API_MATRIX))
def test_each_row_is_what_its_operation_declares(name):
    method, allowed, scope, _arguments = API_MATRIX[name]
    declared = DECLARED[name]
    assert declared.method.lower() == method
    assert (declared.scope.value if declared.scope else None) == scope
    if allowed == ALL:
        assert declared.permission == "public", name


@pytest.mark.parametrize("persona", sorted(ALL))
@pytest.mark.parametrize("mode", ["token", "session"])
def test_it_lets_in_exactly_the_personas_of_the_matrix(client, personas, api_world, persona, mode):
    """One persona, one way of signing in, every row (the world is made once: a write let in
    is answered 400 for its empty body and changes nothing)."""
    user = personas[persona]
    auth = {}
    if user is not None:
        if mode == "token":
            auth = token_for(user)
        else:
            client.force_login(user)
    wrong = []
    for name, (method, allowed, _scope, _arguments) in sorted(API_MATRIX.items()):
        response = call(client, name, api_world, **auth)
        status = response.status_code
        if status >= 500:
            wrong.append(f"{name}: {status}")
        elif persona in allowed:
            if refused(response) or (method == "get" and status != 200):
                wrong.append(f"{name}: refused or failed ({status} {response.content[:120]!r})")
        elif not refused(response) or status != (401 if user is None else 403):
            wrong.append(f"{name}: let in ({status})")
    assert wrong == [], f"{persona} with a {mode}: " + "; ".join(wrong)


def test_a_token_without_the_rows_scope_is_refused_by_name(client, alice, api_world):
    """Alice may do everything; her token without the one scope a row needs may not."""
    wrong = []
    for name, (_method, _allowed, scope, _arguments) in sorted(API_MATRIX.items()):
        if scope is None:
            continue
        others = [s for s in (READ, WRITE, MODERATE, ADMIN) if s != scope]
        made = tokens.create(alice.username, by="test", scopes=others)
        response = call(client, name, api_world, HTTP_AUTHORIZATION=f"Token {made.token}")
        if response.status_code != 403 or response.json().get("error") != "scope_required":
            wrong.append(f"{name}: {response.status_code}")
    assert wrong == []


def test_a_session_writes_only_with_the_sites_csrf_token(api_world, rita):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(rita)
    url = reverse("api:sites_create")
    refused_write = browser.post(url, "{}", content_type="application/json")
    assert refused_write.status_code == 403
    assert refused_write.json()["error"] == "csrf_failed"
    browser.get("/app/")  # the site sets its CSRF cookie
    token = browser.cookies["csrftoken"].value
    allowed = browser.post(url, "{}", content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert allowed.status_code == 400  # let in: told what the body lacks
