"""Relations as records in daily use (issue #20, point 1): made and edited from both ends, shown
on the pages of their parties, never with an end the reader may not open (no ghost)."""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.documentation.models import Deployment, Relation, RelationKind
from unseen.evidence.models import Credibility, DatePrecision, Reliability
from unseen.registry.models import Organisation, OrganisationKind, PublicFigure

pytestmark = pytest.mark.django_db

PUBLIC, INTERNAL, CONFIDENTIAL = AccessLevel.PUBLIC, AccessLevel.INTERNAL, AccessLevel.CONFIDENTIAL


def organisation(name: str, level: str = INTERNAL, country: str = "KP") -> Organisation:
    return Organisation.objects.create(
        name=name, kind=OrganisationKind.TRADING_COMPANY, country=country, access_level=level
    )


@pytest.fixture
def rungrado(db):
    return organisation("Korea Rungrado General Trading Corporation")


@pytest.fixture
def armex(db):
    return organisation("Armex Sp. z o.o.", country="PL")


def page(response) -> str:
    return html.unescape(response.content.decode())


def new_relation(client, follow=False, **values):
    data = {
        "kind": "dispatches_workers_to",
        "subject_type": "organisation",
        "object_type": "organisation",
        "access_level": "internal",
        **values,
    }
    return client.post("/app/relations/new/", data, follow=follow)


def test_an_organisation_page_offers_to_add_a_relation_from_it_and_prefills_the_form(
    client, rita, rungrado
):
    client.force_login(rita)
    detail = page(client.get(f"/app/organisations/{rungrado.pk}/"))
    assert "data-relations" in detail and "No relation recorded." in detail
    add = f"/app/relations/new/?subject=organisation:{rungrado.pk}"
    assert add in detail
    form = client.get(add)
    assert form.status_code == 200
    bound = form.context["form"]
    assert bound["subject_type"].value() == "organisation"
    assert bound["subject_organisation"].value() == rungrado.pk
    # The picker shows the chosen record by name, not by number.
    assert rungrado.name in page(form)


def test_a_relation_made_from_the_subjects_page_reads_on_both_ends(client, rita, rungrado, armex):
    client.force_login(rita)
    response = new_relation(
        client,
        subject_organisation=rungrado.pk,
        object_organisation=armex.pk,
        start="2012",
        end="2016-05",
        role="Polish intermediary",
    )
    assert response.status_code == 302, page(response)[-3000:]
    relation = Relation.objects.get()
    assert (relation.subject, relation.object) == (rungrado, armex)
    assert (relation.start, relation.start_precision) == (dt.date(2012, 1, 1), "year")
    assert (relation.end, relation.end_precision) == (dt.date(2016, 5, 1), "month")
    assert relation.history.count() == 1
    shown = page(client.get(response.url))
    # Dates at their precision, never as a first day no source gave.
    assert "2012" in shown and "2012-01-01" not in shown and "January 1, 2012" not in shown
    for party in (rungrado, armex):
        other = page(client.get(f"/app/organisations/{party.pk}/"))
        assert "dispatches workers to" in other and "Polish intermediary" in other
        assert f"/app/relations/{relation.pk}/" in other
    # The other party is a link; this page's own party is not.
    on_armex = page(client.get(f"/app/organisations/{armex.pk}/"))
    assert f'<a href="/app/organisations/{rungrado.pk}/">{rungrado.name}</a>' in on_armex
    assert f"<strong>{armex.name}</strong>" in on_armex


def test_a_relation_is_made_from_the_objects_page_with_a_public_figure_as_subject(
    client, rita, armex
):
    figure = PublicFigure.objects.create(name="Jong Song Hwa", access_level=INTERNAL)
    client.force_login(rita)
    add = f"/app/relations/new/?object=organisation:{armex.pk}&kind=director_of"
    form = client.get(add).context["form"]
    assert form["object_organisation"].value() == armex.pk
    assert form["kind"].value() == "director_of"
    response = new_relation(
        client,
        kind="director_of",
        subject_type="public_figure",
        subject_figure=figure.pk,
        # A choice left in another kind's picker is not read.
        subject_organisation=armex.pk,
        object_organisation=armex.pk,
        role="CEO",
    )
    assert response.status_code == 302, page(response)[-3000:]
    relation = Relation.objects.get()
    assert relation.subject == figure and relation.subject_organisation is None
    assert "CEO" in page(client.get(f"/app/public-figures/{figure.pk}/"))


def test_a_relation_is_edited_with_a_reason_and_keeps_its_history(client, rita, rungrado, armex):
    relation = Relation.objects.create(
        kind=RelationKind.CONTRACTS_WITH,
        subject_organisation=rungrado,
        object_organisation=armex,
    )
    client.force_login(rita)
    url = f"/app/relations/{relation.pk}/edit/"
    opened = client.get(url)
    assert opened.context["form"]["subject_type"].value() == "organisation"
    data = {
        "edit_token": opened.context["edit_token"],
        "kind": "owns",
        "subject_type": "organisation",
        "subject_organisation": rungrado.pk,
        "object_type": "organisation",
        "object_organisation": armex.pk,
        "share_percent": "51",
        "start": "2016",
        "access_level": "internal",
        "revision-reason": "the report says it holds a majority",
    }
    response = client.post(url, data)
    assert response.status_code == 302, page(response)[-3000:]
    relation.refresh_from_db()
    assert relation.kind == "owns" and relation.share_percent == Decimal("51")
    assert relation.history.first().history_change_reason == "the report says it holds a majority"
    assert "51%" in page(client.get(f"/app/organisations/{armex.pk}/"))


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"object_organisation": ""}, "object_organisation", "Choose exactly one party"),
        (
            {"object_type": "site", "object_organisation": ""},
            "object_site",
            "Choose exactly one party",
        ),
        ({"kind": "parent_of", "subject_type": "person"}, "subject_person", "cannot start here"),
        ({"share_percent": "40"}, "share_percent", "A share is only for ownership"),
        ({"start": "2019", "end": "2016"}, "end", "The end is before the start"),
        ({"start": "05/06/2016"}, "start", "can be read two ways"),
        ({"same": True}, "object_organisation", "cannot relate to itself"),
    ],
)
def test_a_wrong_relation_is_refused_with_its_message_on_the_field_shown(
    client, rita, rungrado, armex, values, field, message
):
    client.force_login(rita)
    data = {"subject_organisation": rungrado.pk, "object_organisation": armex.pk}
    if values.pop("same", False):
        data["object_organisation"] = rungrado.pk
    if values.get("subject_type") == "person":
        values["subject_person"] = factories_person().pk
    response = new_relation(client, **{**data, **values})
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in str(error) for error in form.errors.get(field, [])), form.errors
    assert message in page(response)
    assert not Relation.objects.exists()


def factories_person():
    from unseen.registry.models import Person

    return Person.objects.create(access_level=INTERNAL)


def test_the_kind_labels_follow_the_readers_language(client, rita, rungrado, armex):
    Relation.objects.create(
        kind=RelationKind.DISPATCHES_WORKERS_TO,
        subject_organisation=rungrado,
        object_organisation=armex,
    )
    client.force_login(rita)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    shown = page(client.get(f"/app/organisations/{rungrado.pk}/"))
    with translation.override("ko"):
        label = str(RelationKind.DISPATCHES_WORKERS_TO.label)
        dates = str(translation.gettext("dates unknown"))
    assert 'lang="ko"' in shown and label in shown and dates in shown


class TestNoGhost:
    """A relation with an end beyond the reader is absent: from the party's page, the list, the
    search, its own address."""

    @pytest.fixture
    def hidden(self, rungrado):
        secret = organisation("Hidden bureau Moranbong", CONFIDENTIAL)
        relation = Relation.objects.create(
            kind=RelationKind.PARENT_OF,
            subject_organisation=secret,
            object_organisation=rungrado,
            role="Secret parent bureau",
            access_level=INTERNAL,
        )
        relation.add_claim(
            factories.source("Openly published report", access_level=PUBLIC),
            Credibility.POSSIBLY_TRUE,
            "Moranbong bureau is the parent of Rungrado",
        )
        return relation

    def test_the_party_page_shows_no_relation_whose_far_end_is_confidential(
        self, client, andy, rita, rungrado, hidden
    ):
        client.force_login(andy)
        shown = page(client.get(f"/app/organisations/{rungrado.pk}/"))
        assert "Moranbong" not in shown and "Secret parent bureau" not in shown
        assert "is the parent of" not in shown and f"/app/relations/{hidden.pk}/" not in shown
        assert "No relation recorded." in shown
        client.force_login(rita)  # with the compartment, it is there
        assert "Moranbong" in page(client.get(f"/app/organisations/{rungrado.pk}/"))

    def test_the_relation_itself_is_absent_for_a_reader_of_one_end_only(
        self, client, andy, rungrado, hidden
    ):
        client.force_login(andy)
        assert client.get(f"/app/relations/{hidden.pk}/").status_code == 404
        assert client.get(f"/app/relations/{hidden.pk}/history/").status_code == 404
        listed = page(client.get("/app/relations/"))
        assert "is the parent of" not in listed and "Nothing matches." in listed
        for words in ("Secret parent bureau", "Moranbong"):
            found = page(client.get(f"/app/search/?q={words}"))
            assert f"/app/relations/{hidden.pk}/" not in found and "Moranbong" not in found
        assert "Moranbong" not in page(client.get("/app/claims/"))
        assert client.get(f"/app/claims/{hidden.evidence_trail().get().pk}/").status_code == 404

    def test_a_relation_named_in_the_address_to_a_hidden_party_prefills_nothing(
        self, client, rita, ruth, hidden
    ):
        client.force_login(ruth)  # a researcher without the compartment
        secret = hidden.subject_organisation
        response = client.get(f"/app/relations/new/?subject=organisation:{secret.pk}")
        assert response.status_code == 200
        assert response.context["form"]["subject_organisation"].value() in (None, "")
        shown = page(response)
        assert "Moranbong" not in shown and "cannot be related here" in shown
        missing = page(client.get("/app/relations/new/?subject=organisation:999999"))
        assert "cannot be related here" in missing  # the same words for none and forbidden
        # Posting its number does not reach it either.
        response = new_relation(
            client,
            subject_organisation=secret.pk,
            object_organisation=hidden.object_organisation.pk,
        )
        assert (
            response.status_code == 200
            and "subject_organisation" in response.context["form"].errors
        )
        assert Relation.objects.count() == 1


def test_a_relation_of_a_year_is_in_force_all_that_year_and_not_after(rungrado, armex):
    relation = Relation.objects.create(
        kind=RelationKind.CONTRACTS_WITH,
        subject_organisation=rungrado,
        object_organisation=armex,
        start=dt.date(2016, 1, 1),
        start_precision=DatePrecision.YEAR,
        end=dt.date(2019, 1, 1),
        end_precision=DatePrecision.YEAR,
    )
    for day, inside in [
        (dt.date(2015, 12, 31), False),
        (dt.date(2016, 1, 1), True),
        (dt.date(2019, 12, 31), True),
        (dt.date(2020, 1, 1), False),
    ]:
        assert relation.valid_on(day) is inside, day
        assert Relation.objects.valid_on(day).filter(pk=relation.pk).exists() is inside, day


def test_the_list_filters_relations_by_the_year_they_start_and_finds_their_role(
    client, andy, rungrado, armex
):
    Relation.objects.create(
        kind=RelationKind.CONTRACTS_WITH,
        subject_organisation=rungrado,
        object_organisation=armex,
        start=dt.date(2016, 1, 1),
        start_precision=DatePrecision.YEAR,
        role="labour supply contract",
    )
    client.force_login(andy)
    listed = page(client.get("/app/relations/?year=2016"))
    assert "contracts with" in listed and rungrado.name in listed and ">2016<" in listed
    assert "Nothing matches." in page(client.get("/app/relations/?year=2017"))
    assert "contracts with" in page(client.get("/app/relations/?q=supply+contract"))


def test_a_dispatch_a_deployment_already_tells_is_saved_with_a_warning(
    client, rita, rungrado, armex
):
    deployment = Deployment.objects.create(
        host_country="PL", dispatcher=rungrado, employer=armex, sector="shipbuilding"
    )
    client.force_login(rita)
    response = new_relation(
        client, subject_organisation=rungrado.pk, object_organisation=armex.pk, follow=True
    )
    relation = Relation.objects.get()  # a warning, not a refusal
    shown = page(response)
    assert "Deployments already tell" in shown
    assert f"/app/deployments/{deployment.pk}/" in shown
    edit = page(client.get(f"/app/relations/{relation.pk}/edit/"))
    assert f"/app/deployments/{deployment.pk}/" in edit
    # Another kind of relation, or another employer, is not a repeat.
    relation.kind = RelationKind.CONTRACTS_WITH
    relation.save()
    assert f"/app/deployments/{deployment.pk}/" not in page(
        client.get(f"/app/relations/{relation.pk}/")
    )


def test_the_relation_page_shows_its_sentence_and_best_grade(client, andy, rungrado, armex):
    relation = Relation.objects.create(
        kind=RelationKind.DISPATCHES_WORKERS_TO,
        subject_organisation=rungrado,
        object_organisation=armex,
    )
    relation.add_claim(
        factories.source("Leiden 2016", reliability=Reliability.C), Credibility.POSSIBLY_TRUE
    )
    relation.add_claim(
        factories.source("OFAC 2016", reliability=Reliability.A), Credibility.PROBABLY_TRUE
    )
    client.force_login(andy)
    shown = page(client.get(f"/app/relations/{relation.pk}/"))
    assert "data-relation-line" in shown and "dispatches workers to" in shown
    assert page(client.get(f"/app/organisations/{armex.pk}/")).count("A2</abbr>") == 1


def test_a_relation_has_the_pages_every_record_has(client, rita, andy, rungrado, armex):
    relation = Relation.objects.create(
        kind=RelationKind.CONTRACTS_WITH, subject_organisation=rungrado, object_organisation=armex
    )
    client.force_login(rita)
    base = f"/app/relations/{relation.pk}/"
    for url in (base, f"{base}edit/", f"{base}history/", f"{base}review/", f"{base}claims/new/"):
        assert client.get(url).status_code == 200, url
    source = factories.source("Leiden 2016")
    response = client.post(f"{base}claims/new/", {"source": source.pk, "credibility": 3})
    assert response.status_code == 302 and relation.evidence_trail().get().source == source
    tagged = client.post(
        "/app/relations/bulk/",
        {
            "action": "tag",
            "tag": "Poland chain",
            "ids": [relation.pk],
            "reason": "to check",
            "confirm": "1",
            "expected": "1",
            "level": "internal",
        },
    )
    assert tagged.status_code == 302
    assert "contracts with" in page(client.get("/app/relations/?tag=Poland+chain"))
    client.force_login(andy)  # an analyst reads, and may not edit
    assert client.get(base).status_code == 200
    assert client.get(f"{base}edit/").status_code == 403
    assert client.get("/app/relations/new/").status_code == 403
    assert "Add relation" not in page(client.get(f"/app/organisations/{rungrado.pk}/"))


def test_a_site_a_person_and_a_public_figure_show_their_relations(client, rita, rungrado):
    from unseen.registry.models import Person

    site = factories.site("Gdynia shipyard", country="PL")
    person = Person.objects.create(access_level=INTERNAL)
    figure = PublicFigure.objects.create(name="Jong Song Hwa", access_level=INTERNAL)
    Relation.objects.create(
        kind=RelationKind.OPERATES_SITE, subject_organisation=rungrado, object_site=site
    )
    Relation.objects.create(
        kind=RelationKind.EMPLOYS, subject_organisation=rungrado, object_person=person
    )
    Relation.objects.create(
        kind=RelationKind.DIRECTOR_OF, subject_figure=figure, object_organisation=rungrado
    )
    client.force_login(rita)
    on_site = page(client.get(f"/app/sites/{site.pk}/"))
    assert "operates the site" in on_site and rungrado.name in on_site
    # A site is only ever an object: it offers relations to it, never from it.
    assert f"?object=site:{site.pk}" in on_site and "?subject=site:" not in on_site
    on_person = page(client.get(f"/app/persons/{person.pk}/"))
    assert "employs" in on_person and f"?subject=person:{person.pk}" in on_person
    on_figure = page(client.get(f"/app/public-figures/{figure.pk}/"))
    assert "is a director of" in on_figure and rungrado.name in on_figure
    on_rungrado = page(client.get(f"/app/organisations/{rungrado.pk}/"))
    assert on_rungrado.count("data-relation>") == 3
    # Not listed twice: the relations are not among "What points here".
    assert "Relations — " not in on_rungrado
