"""Public figures and designations on the researcher's pages (#20, points 2 and 4).

Figures are listed, searched (by any romanisation of their names), picked and edited like other
records, with their aliases and identifiers; designations are entered by hand for exactly one
holder and shown on the holder's page, with a "Designated" badge there and in the lists. A
confidential figure is absent for a reader without the compartment, everywhere.
"""

import datetime as dt
import json

import pytest
from django.urls import reverse

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.documentation import searching
from unseen.registry.models import (
    Designation,
    ExternalIdentifier,
    IdentifierScheme,
    Organisation,
    OrganisationKind,
    PublicFigure,
    PublicFigureAlias,
    Script,
)

pytestmark = pytest.mark.django_db

PUBLIC, INTERNAL, CONFIDENTIAL = AccessLevel.PUBLIC, AccessLevel.INTERNAL, AccessLevel.CONFIDENTIAL


def detail(record, slug):
    return reverse("documentation:detail", args=[slug, record.pk])


def organisation(name="Korea Rungrado General Trading Corporation", level=INTERNAL):
    return Organisation.objects.create(
        name=name, kind=OrganisationKind.TRADING_COMPANY, country="KP", access_level=level
    )


@pytest.fixture
def figure():
    jong = factories.public_figure()
    PublicFigureAlias.objects.create(figure=jong, name="Chong Song-hwa", script=Script.LATIN)
    return jong


@pytest.fixture
def secret_figure():
    return factories.public_figure(
        "Ri Secretname",
        name_hangul="리비밀",
        position="Hidden bureau chief",
        access_level=CONFIDENTIAL,
    )


def test_the_list_shows_figures_with_their_columns_and_searches_their_aliases(client, rita, figure):
    client.force_login(rita)
    page = client.get("/app/public-figures/").content.decode()
    assert "Jong Song Hwa" in page and "정성화" in page and "CEO of Yanbian" in page
    assert "North Korea" in page  # nationality, as the country's name
    for q in ("Chong Song", "정성", "Yanbian"):
        response = client.get("/app/public-figures/", {"q": q})
        assert [row[2] for row in response.context["rows"]] == [figure], q
    # Two aliases matching list the figure once.
    PublicFigureAlias.objects.create(figure=figure, name="Chong Song Hwa", script=Script.LATIN)
    response = client.get("/app/public-figures/", {"q": "Chong Song"})
    assert [row[2] for row in response.context["rows"]] == [figure]


def test_a_figure_is_created_and_edited_on_its_own_form(client, rita):
    client.force_login(rita)
    response = client.post(
        "/app/public-figures/new/",
        {
            "name": "Kim Su Gwang",
            "name_hangul": "김수광",
            "position": "Reconnaissance General Bureau official",
            "nationality": "KP",
            "birth_year": "1976",
            "access_level": INTERNAL,
        },
    )
    made = PublicFigure.objects.get(name="Kim Su Gwang")
    # The address names the figure by its number only.
    assert response.status_code == 302 and response.url == detail(made, "public-figures")
    assert "Kim" not in response.url
    page = client.get(response.url).content.decode()
    assert "Kim Su Gwang" in page and "1976" in page


def test_the_global_search_finds_a_figure_by_any_romanisation_or_in_hangul(alice, figure):
    def urls(q):
        results = searching.run(searching.parse({"q": q}), alice)
        return [hit.url for hit in results.hits]

    page = detail(figure, "public-figures")
    for q in (
        "Jong Song Hwa",
        "Chong Song-hwa",
        "Jeong Seong-hwa",
        "정성화",
        "jong song",
        "Yanbian",
    ):
        assert page in urls(q), q
    assert page not in urls("Kim Jong Un")
    # An alias added later is found too (the index follows the alias's save).
    PublicFigureAlias.objects.create(
        figure=figure, name="J. S. Hwa Silverstar", script=Script.LATIN
    )
    assert page in urls("Silverstar")


def test_a_person_is_never_found_by_a_figures_folded_name(alice, figure):
    from unseen.registry.models import Person
    from unseen.registry.vault import Identity, store_identity

    witness = Person.objects.create(access_level=INTERNAL)
    store_identity(witness, Identity(full_name="Chong Song Hwa", name_hangul="정성화"))
    results = searching.run(searching.parse({"q": "정성화"}), alice)
    assert {hit.kind for hit in results.hits} == {"public-figures"}


def test_a_picker_suggests_figures_by_name_alias_and_position(client, andy, figure):
    client.force_login(andy)
    for q in ("Jong", "Chong Song", "정성화", "Yanbian"):
        answer = client.get(reverse("documentation:suggest", args=["public-figures"]), {"q": q})
        results = json.loads(answer.content)["results"]
        assert [r["id"] for r in results] == [figure.pk], q
    assert "정성화" in results[0]["detail"] and "CEO" in results[0]["detail"]


def test_a_confidential_figure_is_absent_for_an_analyst_without_the_compartment(
    client, andy, rita, secret_figure
):
    url = detail(secret_figure, "public-figures")
    client.force_login(andy)
    assert client.get(url).status_code == 404
    assert client.get(f"{url}names/").status_code in (403, 404)
    listing = client.get("/app/public-figures/").content.decode()
    assert "Secretname" not in listing and "리비밀" not in listing
    assert "Secretname" not in client.get("/app/public-figures/?q=Secret").content.decode()
    answer = client.get(reverse("documentation:suggest", args=["public-figures"]), {"q": "Ri"})
    assert json.loads(answer.content)["results"] == []
    for q in ("Ri Secretname", "리비밀", "Hidden bureau", "Rhee Secretname"):
        results = searching.run(searching.parse({"q": q}), andy)
        assert results.total == 0, q
        page = client.get("/app/search/", {"q": q})
        assert page.context["results"].total == 0 and url not in page.content.decode()
    # ... while Rita, who holds the compartment, finds it.
    client.force_login(rita)
    assert client.get(url).status_code == 200
    results = searching.run(searching.parse({"q": "Rhee Secretname"}), rita)
    assert [hit.url for hit in results.hits] == [url]


def test_aliases_and_identifiers_are_edited_on_the_records_names_page(client, rita, figure):
    client.force_login(rita)
    names = reverse("documentation:names", args=["public-figures", figure.pk])
    form = client.get(names)
    assert form.status_code == 200 and "Chong Song-hwa" in form.content.decode()
    alias = figure.aliases.get()
    response = client.post(
        names,
        {
            "aliases-TOTAL_FORMS": "2",
            "aliases-INITIAL_FORMS": "1",
            "aliases-0-id": alias.pk,
            "aliases-0-name": "Chong Song-hwa",
            "aliases-0-script": Script.LATIN,
            "aliases-0-DELETE": "on",
            "aliases-1-name": "鄭成華",
            "aliases-1-script": Script.HAN,
            "identifiers-TOTAL_FORMS": "1",
            "identifiers-INITIAL_FORMS": "0",
            "identifiers-0-scheme": IdentifierScheme.OFAC_SDN,
            "identifiers-0-value": "24384",
            "revision-reason": "as the SDN list prints him",
        },
    )
    assert response.status_code == 302 and response.url == detail(figure, "public-figures")
    assert [(a.name, a.script) for a in figure.aliases.all()] == [("鄭成華", Script.HAN)]
    identifier = ExternalIdentifier.objects.get(public_figure=figure)
    assert (identifier.scheme, identifier.value, identifier.organisation) == (
        "ofac_sdn",
        "24384",
        None,
    )
    page = client.get(response.url).content.decode()
    assert "鄭成華" in page and "24384" in page
    # The change is a revision of the figure, with its reason and what changed (never values).
    revision = figure.history.order_by("-history_date").first()
    assert revision.history_change_reason == "as the SDN list prints him"
    assert sorted(revision.other_changes) == ["aliases", "identifiers"]
    # Each row's write is in the audit log (kinds and ids, never the names).
    written = set(AuditEntry.objects.filter(actor="rita").values_list("action", "target_type"))
    assert {
        (Action.CREATE, "registry.publicfigurealias"),
        (Action.DELETE, "registry.publicfigurealias"),
        (Action.CREATE, "registry.externalidentifier"),
        (Action.UPDATE, "registry.publicfigure"),
    } <= written
    assert not AuditEntry.objects.filter(detail__icontains="鄭成華").exists()


def test_an_organisations_aliases_and_identifiers_are_editable_too(client, rita):
    rungrado = organisation()
    client.force_login(rita)
    names = reverse("documentation:names", args=["organisations", rungrado.pk])
    response = client.post(
        names,
        {
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-0-name": "조선릉라도무역총회사",
            "aliases-0-script": Script.HANGUL,
            "identifiers-TOTAL_FORMS": "1",
            "identifiers-INITIAL_FORMS": "0",
            "identifiers-0-scheme": IdentifierScheme.OFAC_SDN,
            "identifiers-0-value": "21523",
            "revision-reason": "from the SDN entry",
        },
    )
    assert response.status_code == 302
    assert rungrado.aliases.get().name == "조선릉라도무역총회사"
    assert ExternalIdentifier.objects.get(organisation=rungrado).value == "21523"
    # Without a reason nothing is saved.
    response = client.post(
        names,
        {
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
            "identifiers-TOTAL_FORMS": "1",
            "identifiers-INITIAL_FORMS": "0",
            "identifiers-0-scheme": IdentifierScheme.UN_1718,
            "identifiers-0-value": "KPe.999",
        },
    )
    assert response.status_code == 200 and not ExternalIdentifier.objects.filter(value="KPe.999")


def test_only_organisations_and_figures_have_a_names_page(client, rita):
    client.force_login(rita)
    site = factories.site()
    assert client.get(reverse("documentation:names", args=["sites", site.pk])).status_code == 404


def test_a_designation_names_exactly_one_holder_picked_on_its_form(client, rita, figure):
    rungrado = organisation()
    client.force_login(rita)
    blank = client.get("/app/designations/new/", {"organisation": rungrado.pk})
    assert blank.context["form"]["organisation"].value() == str(rungrado.pk)
    fields = {
        "authority": "US OFAC",
        "programme": "EO 13722",
        "reference": "",
        "listed_on": "2016-12",
        "listed_on_precision": "",
        "reason": "labourers to Poland",
        "access_level": INTERNAL,
    }
    for holders in ({}, {"organisation": rungrado.pk, "public_figure": figure.pk}):
        response = client.post("/app/designations/new/", {**fields, **holders})
        assert response.status_code == 200
        assert "one organisation or public figure" in response.content.decode()
    assert not Designation.objects.exists()
    response = client.post("/app/designations/new/", {**fields, "organisation": rungrado.pk})
    made = Designation.objects.get()
    assert response.status_code == 302 and made.holder == rungrado
    assert AuditEntry.objects.filter(
        action=Action.CREATE, target_type="registry.designation", target_id=str(made.pk)
    ).exists()
    assert (made.listed_on, made.listed_on_precision) == (dt.date(2016, 12, 1), "month")


def test_the_holders_page_shows_its_designations_and_the_designated_badge(client, andy, figure):
    rungrado = organisation()
    factories.designation(rungrado, listed_on=dt.date(2016, 12, 2))
    ended = factories.designation(figure, ended_on=dt.date(2020, 1, 1), programme="DPRK3")
    client.force_login(andy)
    page = client.get(detail(rungrado, "organisations")).content.decode()
    assert "data-designated" in page and "Designated" in page
    assert "US OFAC" in page and "EO 13722" in page and "Dec. 2, 2016" in page
    # Delisted: the designation is listed with its end, the badge is gone.
    page = client.get(detail(figure, "public-figures")).content.decode()
    assert "DPRK3" in page and "Jan. 1, 2020" in page and "data-designated" not in page
    listing = client.get("/app/organisations/").content.decode()
    assert listing.count("data-designated") == 1
    ended.ended_on = None
    ended.save()
    assert "data-designated" in client.get("/app/public-figures/").content.decode()


def test_a_designation_the_reader_may_not_see_gives_no_badge(client, andy, rita):
    rungrado = organisation()
    factories.designation(rungrado, access_level=CONFIDENTIAL, programme="KPe.SECRET")
    client.force_login(andy)
    page = client.get(detail(rungrado, "organisations")).content.decode()
    assert "data-designated" not in page and "KPe.SECRET" not in page
    assert "data-designated" not in client.get("/app/organisations/").content.decode()
    client.force_login(rita)
    assert "data-designated" in client.get(detail(rungrado, "organisations")).content.decode()


def test_the_demo_designated_organisations_carry_their_ofac_designation(db):
    from unseen.demo.loading import DESIGNATED, load_designated_organisations

    load_designated_organisations()
    for name, _kind, _country, day, _reason in DESIGNATED:
        designation = Designation.objects.get(organisation__name=name)
        assert (designation.authority, designation.listed_on) == ("US OFAC", day)
        assert designation.listed_on_precision == "day" and designation.access_level == PUBLIC
        # One source behind both: the claim on the organisation and the one on its designation.
        [claim] = designation.evidence_trail()
        [organisation_claim] = designation.organisation.evidence_trail()
        assert claim.source == organisation_claim.source
    mansudae = Designation.objects.get(organisation__name__startswith="Mansudae")
    assert mansudae.programme == "EO 13722"
