"""A confidential record through the API, as a hostile caller without the compartment sees it:
never listed, never found, never confirmed — by list, detail, filter, cursor, write or bulk —
and a stale or scoped-out write changes nothing."""

import base64

import pytest

from tests import factories
from unseen.accounts import tokens
from unseen.audit.models import Action, AuditEntry
from unseen.documentation.models import Deployment, Relation
from unseen.evidence.models import Claim, Credibility, Reliability, SourceKind
from unseen.registry.models import Organisation, Person

pytestmark = pytest.mark.django_db

SECRET = "confidential"


def bearer(user, *scopes):
    made = tokens.create(user.username, by="test", scopes=scopes or None)
    return {"HTTP_AUTHORIZATION": f"Token {made.token}"}


def listed(client, path, auth, **query):
    answer = client.get(path, query, **auth)
    assert answer.status_code == 200, answer.content
    return {row["id"] for row in answer.json()["results"]}


def organisation(name, access_level=SECRET):
    return Organisation.objects.create(name=name, kind="trading_company", access_level=access_level)


@pytest.fixture
def hidden():
    """One confidential record of several kinds, each matching the filters used below."""
    source = factories.source("Defector interview", kind=SourceKind.INTERVIEW, access_level=SECRET)
    deployment = factories.deployment(access_level=SECRET, evidence=source)
    site = factories.site("Secret yard", access_level=SECRET)
    person = Person.objects.create(access_level=SECRET, home_province="Hamgyong")
    company = organisation("Hidden Trading")
    figure = factories.public_figure("Kim Hidden", access_level=SECRET)
    designation = factories.designation(figure, access_level=SECRET)
    relation = Relation.objects.create(
        kind="contracts_with",
        subject_organisation=company,
        object_organisation=organisation("Hidden Partner"),
        access_level=SECRET,
    )
    return {
        "sources": source,
        "deployments": deployment,
        "sites": site,
        "persons": person,
        "organisations": company,
        "public-figures": figure,
        "designations": designation,
        "relations": relation,
    }


# Every filter of a kind's list, each with a value the hidden record matches.
FILTERS = {
    "deployments": [
        {"country": "RU"},
        {"sector": "construction"},
        {"year": "2017"},
        {"access_level": SECRET},
        {"source_kind": SourceKind.INTERVIEW},
        {"reliability": Reliability.B},
        {"q": "construction"},
    ],
    "sources": [{"q": "Defector"}, {"source_kind": SourceKind.INTERVIEW}, {"access_level": SECRET}],
    "sites": [{"q": "Secret"}, {"country": "RU"}, {"access_level": SECRET}, {"merged": "true"}],
    "persons": [{"q": "Hamgyong"}, {"access_level": SECRET}, {"merged": "true"}],
    "organisations": [{"q": "Hidden"}, {"access_level": SECRET}],
    "public-figures": [{"q": "Kim Hidden"}, {"access_level": SECRET}],
    "designations": [{"q": "OFAC"}, {"year": "2018"}, {"access_level": SECRET}],
    "relations": [{"access_level": SECRET}],
}


@pytest.mark.parametrize("slug", sorted(FILTERS))
def test_a_confidential_record_is_absent_from_every_list_and_filter(
    client, andy, rita, hidden, slug
):
    record = hidden[slug]
    path = f"/api/v1/{slug}/"
    andy_auth, rita_auth = bearer(andy), bearer(rita)
    assert record.pk in listed(client, path, rita_auth)
    assert record.pk not in listed(client, path, andy_auth)
    for query in FILTERS[slug]:
        assert record.pk in listed(client, path, rita_auth, **query), query  # the filter matches
        assert record.pk not in listed(client, path, andy_auth, **query), query
    # A cursor forged to start just past it pages from there, still without it.
    forged = base64.urlsafe_b64encode(f"id<{record.pk + 1}".encode()).decode().rstrip("=")
    assert record.pk not in listed(client, path, andy_auth, cursor=forged)
    answer = client.get(f"{path}{record.pk}/", **andy_auth)
    assert answer.status_code == 404
    missing = client.get(f"{path}999999/", **andy_auth)
    assert answer.json() == missing.json()  # a hidden record and no record read the same
    assert client.get(f"{path}{record.pk}/", **rita_auth).status_code == 200


def test_a_hidden_sources_reliability_does_not_select_a_public_record(client, andy, rita):
    """Filtering by source kind or reliability must not tell an analyst that a confidential
    source of that kind backs a public record."""
    secret = factories.source("Informant", kind=SourceKind.INTERVIEW, access_level=SECRET)
    secret.reliability = Reliability.A
    secret.save()
    public = factories.deployment(evidence=secret)
    for query in ({"reliability": Reliability.A}, {"source_kind": SourceKind.INTERVIEW}):
        assert public.pk in listed(client, "/api/v1/deployments/", bearer(rita), **query)
        assert public.pk not in listed(client, "/api/v1/deployments/", bearer(andy), **query)


def test_public_records_show_a_hidden_relation_end_or_holder_as_null(client, andy):
    figure = factories.public_figure("Kim Hidden", access_level=SECRET)
    designation = factories.designation(figure, access_level="public")
    person = Person.objects.create(access_level=SECRET)
    deployment = factories.deployment(low=None, high=None)
    deployment.person = person
    deployment.save()
    auth = bearer(andy)
    shown = client.get(f"/api/v1/designations/{designation.pk}/", **auth).json()
    assert shown["public_figure"] is None
    assert client.get(f"/api/v1/deployments/{deployment.pk}/", **auth).json()["person"] is None
    # A relation with one confidential end is not there at all (no ghost).
    relation = Relation.objects.create(
        kind="contracts_with",
        subject_organisation=organisation("Open", "public"),
        object_organisation=organisation("Closed"),
        access_level="public",
    )
    assert relation.pk not in listed(client, "/api/v1/relations/", auth)
    assert client.get(f"/api/v1/relations/{relation.pk}/", **auth).status_code == 404


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("if_match", [None, "*", '"0"'])
def test_a_write_to_a_confidential_record_is_404_whatever_the_if_match(
    client, ruth, hidden, method, if_match
):
    """Ruth writes but lacks the compartment: not 428, not 412, not 400 — 404, as if absent."""
    record = hidden["deployments"]
    headers = {"HTTP_IF_MATCH": if_match} if if_match else {}
    body = {
        "host_country": "CN",
        "sector": "construction",
        "workers_low": 1,
        "access_level": "internal",
        "revision": {"reason": "probing"},
    }
    answer = getattr(client, method)(
        f"/api/v1/deployments/{record.pk}/",
        body,
        content_type="application/json",
        **headers,
        **bearer(ruth),
    )
    assert answer.status_code == 404
    record.refresh_from_db()
    assert record.host_country == "RU"


def test_bulk_naming_hidden_records_answers_as_for_records_that_do_not_exist(client, ruth, hidden):
    """A deployment whose person or site is confidential, a claim about a confidential record,
    a relation to one, a designation of one: each refused exactly as a made-up id would be."""
    auth = bearer(ruth)
    source = factories.source()

    def errors(slug, item):
        answer = client.post(
            f"/api/v1/{slug}/bulk/", {"items": [item]}, content_type="application/json", **auth
        )
        assert answer.status_code == 400, answer.content
        return answer.json()["errors"]

    deployment = {"host_country": "RU", "sector": "construction", "access_level": "internal"}
    cases = [
        ("deployments", {**deployment, "person": "{}"}, hidden["persons"].pk),
        ("deployments", {**deployment, "site": "{}"}, hidden["sites"].pk),
        (
            "claims",
            {
                "source": source.pk,
                "credibility": int(Credibility.POSSIBLY_TRUE.value),
                "statement": "x",
                "subject": {"kind": "deployments", "id": "{}"},
            },
            hidden["deployments"].pk,
        ),
        (
            "relations",
            {
                "kind": "contracts_with",
                "subject_organisation": organisation("Mine", "internal").pk,
                "object_organisation": "{}",
                "access_level": "internal",
            },
            hidden["organisations"].pk,
        ),
        (
            "designations",
            {
                "public_figure": "{}",
                "authority": "US OFAC",
                "programme": "EO 13722",
                "listed_on": "2018",
                "access_level": "internal",
            },
            hidden["public-figures"].pk,
        ),
    ]
    before = (Deployment.objects.count(), Claim.objects.count(), Relation.objects.count())
    for slug, item, hidden_pk in cases:

        def with_id(value, pk):
            if value == "{}":
                return pk
            if isinstance(value, dict):
                return {k: with_id(v, pk) for k, v in value.items()}
            return value

        for_hidden = errors(slug, with_id(item, hidden_pk))
        for_nothing = errors(slug, with_id(item, 999999))
        normalise = {
            key: [m.replace(str(hidden_pk), "N").replace("999999", "N") for m in messages]
            for key, messages in for_hidden.items()
        }
        assert normalise == {
            key: [m.replace("999999", "N") for m in messages]
            for key, messages in for_nothing.items()
        }, (slug, for_hidden, for_nothing)
        assert all("Kim" not in m and "Hidden" not in m for ms in for_hidden.values() for m in ms)
    assert before == (Deployment.objects.count(), Claim.objects.count(), Relation.objects.count())


def test_a_stale_if_match_is_412_and_changes_nothing(client, rita):
    record = factories.deployment(access_level="internal")
    auth = bearer(rita)
    etag = client.get(f"/api/v1/deployments/{record.pk}/", **auth)["ETag"]
    changed = client.patch(
        f"/api/v1/deployments/{record.pk}/",
        {"workers_high": 300, "revision": {"reason": "A second source"}},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
        **auth,
    )
    assert changed.status_code == 200
    record.refresh_from_db()
    revisions, entries = record.history.count(), audited()
    for method, body in (
        ("patch", {"workers_high": 400, "revision": {"reason": "Stale"}}),
        (
            "put",
            {
                "host_country": "CN",
                "sector": "logging",
                "access_level": "internal",
                "revision": {"reason": "Stale"},
            },
        ),
    ):
        for stale in (etag, f"W/{changed['ETag']}", '"' + "0" * 32 + '"'):
            answer = getattr(client, method)(
                f"/api/v1/deployments/{record.pk}/",
                body,
                content_type="application/json",
                HTTP_IF_MATCH=stale,
                **auth,
            )
            assert answer.status_code == 412, (method, stale)
            assert answer.json()["error"] == "precondition_failed"
    after = Deployment.objects.get(pk=record.pk)
    assert (after.workers_high, after.host_country, after.updated_at) == (
        300,
        "RU",
        record.updated_at,
    )
    assert after.history.count() == revisions
    assert audited() == entries


def audited():
    """Audit entries other than the log of each token's use, which every request adds."""
    return AuditEntry.objects.exclude(action=Action.API_TOKEN_USED).count()


WRITES = [
    ("post", "/api/v1/deployments/", {}),
    ("post", "/api/v1/deployments/bulk/", {"items": [{}]}),
    ("put", "/api/v1/deployments/{pk}/", {}),
    ("patch", "/api/v1/deployments/{pk}/", {}),
]


def _refusal(client, method, path, body, auth, pk):
    answer = getattr(client, method)(
        path.format(pk=pk), body, content_type="application/json", HTTP_IF_MATCH="*", **auth
    )
    return answer.status_code, answer.json().get("error")


def test_a_read_only_token_is_refused_every_write_by_its_scope(client, rita):
    record = factories.deployment(access_level="internal")
    auth = bearer(rita, "read")
    assert client.get(f"/api/v1/deployments/{record.pk}/", **auth).status_code == 200
    for method, path, body in WRITES:
        assert _refusal(client, method, path, body, auth, record.pk) == (403, "scope_required")
    assert Deployment.objects.count() == 1


def test_a_moderators_token_is_refused_the_records(client, mona):
    record = factories.deployment()
    auth = bearer(mona)
    for path in ("/api/v1/deployments/", f"/api/v1/deployments/{record.pk}/"):
        answer = client.get(path, **auth)
        assert answer.status_code == 403
        # The role is asked first: a moderator may not read records, whatever the token holds.
        assert answer.json()["error"] == "permission_denied"
    for method, path, body in WRITES:
        assert _refusal(client, method, path, body, auth, record.pk)[0] == 403


def test_a_token_whose_user_lost_the_role_is_refused(client, rita):
    record = factories.deployment()
    auth = bearer(rita)
    assert client.get("/api/v1/deployments/", **auth).status_code == 200
    rita.role = "analyst"
    rita.save()
    assert client.get("/api/v1/deployments/", **auth).status_code == 200
    assert _refusal(client, *WRITES[0], auth, record.pk) == (403, "permission_denied")
    rita.role = ""
    rita.save()
    answer = client.get(f"/api/v1/deployments/{record.pk}/", **auth)
    assert answer.status_code == 403
    rita.is_active = False
    rita.save()
    assert client.get(f"/api/v1/deployments/{record.pk}/", **auth).status_code == 401
    assert Deployment.objects.get(pk=record.pk).host_country == "RU"


def test_a_search_does_not_match_the_title_of_a_source_the_reader_may_not_read(client, andy):
    from unseen.documentation.models import Testimony

    secret = factories.source("Informant Hwang", kind=SourceKind.INTERVIEW, access_level=SECRET)
    testimony = Testimony.objects.create(source=secret, consent_to_use=True, access_level="public")
    shown = client.get(f"/api/v1/testimonies/{testimony.pk}/", **bearer(andy)).json()
    assert shown["source"] is None
    assert testimony.pk not in listed(client, "/api/v1/testimonies/", bearer(andy), q="Hwang")
