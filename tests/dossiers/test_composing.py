"""What a dossier says, for whom: the reader's access decides everything in it, every note
leads to a source the reader may see, and the same data gives the same document."""

import datetime as dt
import hashlib
import re

import pytest

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.documentation.models import (
    Act,
    Deployment,
    Finding,
    Incident,
    Indicator,
    Relation,
    RelationKind,
    Testimony,
)
from unseen.dossiers.composing import compose
from unseen.dossiers.subjects import NotReadable, Subject
from unseen.evidence.models import Claim, Credibility, Reliability, Source, SourceKind
from unseen.registry.models import Organisation, OrganisationKind, Person
from unseen.registry.vault import Identity, store_identity

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    org = Organisation.objects.create(
        name="Rungrado Test Trading",
        kind=OrganisationKind.TRADING_COMPANY,
        country="KP",
        access_level=AccessLevel.INTERNAL,
    )
    org.add_claim(
        factories.source("Public report on Rungrado"),
        Credibility.PROBABLY_TRUE,
        "named as the dispatcher",
    )
    return org


def _deploy(org, *, access_level=AccessLevel.INTERNAL, source=None, statement="", year=2017):
    made = Deployment.objects.create(
        host_country="RU",
        sector="construction",
        workers_low=100,
        workers_high=300,
        access_level=access_level,
        dispatcher=org,
        period_start=dt.date(year, 1, 1),
        period_start_precision="year",
        period_end=dt.date(year + 1, 1, 1),
        period_end_precision="year",
    )
    if source is not None:
        made.add_claim(source, Credibility.POSSIBLY_TRUE, statement)
    return made


def _text(composition):
    return re.sub(r"\s+", " ", composition.html)


def test_a_confidential_claim_is_absent_for_the_analyst_and_marked_for_the_researcher(
    organisation, andy, rita
):
    secret = factories.source("Defector interview K-7", access_level=AccessLevel.CONFIDENTIAL)
    _deploy(organisation, source=secret, statement="seen at the Amursk camp")
    _deploy(
        organisation,
        access_level=AccessLevel.CONFIDENTIAL,
        year=2019,
        source=factories.source("Open report"),
        statement="a confidential deployment",
    )
    subject = Subject("organisation", str(organisation.pk))

    for_andy = compose(subject, andy, "en")
    assert "Defector interview K-7" not in for_andy.html
    assert "seen at the Amursk camp" not in for_andy.html
    assert "a confidential deployment" not in for_andy.html
    assert for_andy.highest_level == AccessLevel.INTERNAL
    assert "INTERNAL" in for_andy.html and "CONFIDENTIAL" not in for_andy.html

    for_rita = compose(subject, rita, "en")
    assert "Defector interview K-7" in for_rita.html
    assert "seen at the Amursk camp" in for_rita.html
    assert for_rita.highest_level == AccessLevel.CONFIDENTIAL
    # The marking stands in the page's margin boxes (header and footer of every page).
    assert re.search(r'@top-right \{ content: "CONFIDENTIAL"', for_rita.html)
    assert re.search(r'@bottom-left \{ content: "CONFIDENTIAL"', for_rita.html)


def test_a_dossier_of_internal_records_says_internal(organisation, rita):
    _deploy(organisation, source=factories.source("Open report"), statement="100 to 300")
    composition = compose(Subject("organisation", str(organisation.pk)), rita, "en")
    assert composition.highest_level == AccessLevel.INTERNAL
    assert '@top-right { content: "INTERNAL"' in composition.html
    assert "CONFIDENTIAL" not in composition.html


def test_every_note_resolves_to_a_source_and_claim_the_reader_may_see(organisation, andy):
    hidden = factories.source("Hidden", access_level=AccessLevel.CONFIDENTIAL)
    _deploy(organisation, source=hidden, statement="hidden")
    _deploy(
        organisation, source=factories.source("Seen", reliability=Reliability.C), statement="seen"
    )
    composition = compose(Subject("organisation", str(organisation.pk)), andy, "en")
    assert composition.footnotes
    assert [note["n"] for note in composition.footnotes] == list(
        range(1, len(composition.footnotes) + 1)
    )
    for note in composition.footnotes:
        source = Source.objects.get(pk=note["source"])
        assert source.is_visible_to(andy)
        # The note names the source by its code; the list of sources gives it in full.
        assert f"S{source.pk}, reliability {source.reliability}" in composition.html
        assert re.search(rf"<td>S{source.pk}</td><td>{source.title}", composition.html)
        if note["claim"] is not None:
            claim = Claim.objects.get(pk=note["claim"])
            assert claim.is_visible_to(andy) and claim.source_id == source.pk
    assert "Hidden" not in composition.html
    # Grades stand with every note: the source's reliability and the claim's credibility.
    assert "C – fairly reliable" in composition.html
    assert "3 – possibly true" in composition.html


def test_a_relation_with_an_unreadable_end_is_absent(organisation, andy, rita):
    secret_partner = Organisation.objects.create(
        name="Shadow Partner LLC",
        kind=OrganisationKind.FRONT_COMPANY,
        access_level=AccessLevel.CONFIDENTIAL,
    )
    open_partner = Organisation.objects.create(
        name="Open Partner LLC", kind=OrganisationKind.BROKER, access_level=AccessLevel.INTERNAL
    )
    for partner in (secret_partner, open_partner):
        Relation.objects.create(
            kind=RelationKind.CONTRACTS_WITH,
            subject_organisation=organisation,
            object_organisation=partner,
            access_level=AccessLevel.INTERNAL,
        )
    subject = Subject("organisation", str(organisation.pk))
    for_andy = compose(subject, andy, "en")
    assert "Open Partner LLC" in for_andy.html
    assert "Shadow Partner LLC" not in for_andy.html
    assert for_andy.html.count("contracts with") == 1
    assert "Shadow Partner LLC" in compose(subject, rita, "en").html


def test_a_person_dossier_names_the_pseudonym_and_nothing_from_the_vault(rita):
    person = Person.objects.create(sex="f", birth_year=1988, access_level=AccessLevel.INTERNAL)
    store_identity(
        person,
        Identity(
            full_name="Kim Sol Hwa",
            name_hangul="김설화",
            phone="+82 10 5555 0142",
            birth_place="Chongjin",
        ),
    )
    interview = factories.source(
        "Interview T-9", kind=SourceKind.INTERVIEW, access_level=AccessLevel.INTERNAL
    )
    testimony = Testimony.objects.create(
        source=interview, interviewee=person, access_level=AccessLevel.INTERNAL
    )
    testimony.code(Indicator.RETENTION_OF_DOCUMENTS, Finding.PRESENT)
    incident = Incident.objects.create(
        act=Act.PASSPORT_CONFISCATION, country="RU", access_level=AccessLevel.INTERNAL
    )
    incident.victims.add(person)
    incident.add_claim(interview, Credibility.PROBABLY_TRUE, "passport taken on arrival")

    composition = compose(Subject("person", str(person.pk)), rita, "en")
    assert person.pseudonym in composition.html
    for identifying in ("Kim Sol Hwa", "김설화", "5555 0142", "Chongjin"):
        assert identifying not in composition.html
    assert "passport taken on arrival" in composition.html
    assert "Retention of identity documents" in composition.html  # the indicator matrix


def test_a_korean_dossier_has_korean_headings(organisation, rita):
    _deploy(organisation, source=factories.source("Open report"), statement="100 to 300")
    composition = compose(Subject("organisation", str(organisation.pk)), rita, "ko")
    assert '<html lang="ko">' in composition.html
    for heading in ("요약", "관계", "파견"):
        assert f"<h2>{heading}</h2>" in composition.html
    assert "내부 · INTERNAL" in composition.html  # the marking in both languages
    assert "Noto Sans CJK KR" in composition.html


def test_composing_twice_gives_the_same_html(organisation, rita):
    for year in (2015, 2016, 2017):
        _deploy(
            organisation,
            year=year,
            source=factories.source(f"Report {year}"),
            statement=f"{year} figure",
        )
    subject = Subject("organisation", str(organisation.pk))
    first, second = compose(subject, rita, "en"), compose(subject, rita, "en")
    assert (
        hashlib.sha256(first.html.encode()).digest()
        == hashlib.sha256(second.html.encode()).digest()
    )
    assert first.recipe == second.recipe and first.footnotes == second.footnotes
    assert "<svg" in first.html  # the headcount chart, inline
    newest = max(Deployment.objects.values_list("updated_at", flat=True))
    assert f'content="{newest.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}"' in first.html


def test_a_subject_beyond_the_reader_is_not_readable(andy):
    hidden = Organisation.objects.create(
        name="Hidden Org", kind=OrganisationKind.OTHER, access_level=AccessLevel.CONFIDENTIAL
    )
    with pytest.raises(NotReadable):
        compose(Subject("organisation", str(hidden.pk)), andy, "en")


def test_a_country_and_a_saved_search_compose_from_what_they_find(organisation, rita, andy):
    from unseen.documentation.models import SavedSearch

    _deploy(organisation, source=factories.source("Open report"), statement="country figure")
    site = factories.site("Amursk Camp", country="RU")
    site.latitude, site.longitude, site.coordinate_precision = 50.2, 136.9, "city"
    site.save()
    country = compose(Subject("country", "RU"), rita, "en")
    assert "country figure" in country.html and "Amursk Camp" in country.html
    assert 'class="map"' in country.html
    saved = SavedSearch.objects.create(
        owner=andy, name="Russia deployments", kind="deployments", query="country=RU", shared=True
    )
    listed = compose(Subject("saved-search", str(saved.pk)), rita, "en")
    assert "country figure" in listed.html
    assert listed.recipe["counts"]["documentation.deployment"] == 1


def test_files_behind_cited_sources_show_credit_licence_and_hash_when_readable(
    organisation, andy, rita
):
    from unseen.files import storing
    from unseen.files.models import EvidenceFile, Licence

    report = factories.source("Field report with a photo")
    _deploy(organisation, source=report, statement="photographed at the gate")
    shown = storing.receive([b"a photo of the gate"], name="gate.txt", user=rita).file
    hidden = storing.receive([b"a confidential scan"], name="scan.txt", user=rita).file
    EvidenceFile.objects.filter(pk=shown.pk).update(
        credit="Photo: a (synthetic) reporter",
        licence=Licence.CC_BY,
        access_level=AccessLevel.INTERNAL,
    )
    EvidenceFile.objects.filter(pk=hidden.pk).update(access_level=AccessLevel.CONFIDENTIAL)
    for file in (shown, hidden):
        storing.attach(file, report, rita)

    composition = compose(Subject("organisation", str(organisation.pk)), andy, "en")
    assert shown.sha256 in composition.html
    assert "Photo: a (synthetic) reporter" in composition.html and "CC BY 4.0" in composition.html
    assert hidden.sha256 not in composition.html
    assert hidden.sha256 in compose(Subject("organisation", str(organisation.pk)), rita, "en").html


def test_a_confidential_record_named_in_a_row_raises_the_marking(organisation, rita, andy):
    camp = factories.site("Closed Camp 9", access_level=AccessLevel.CONFIDENTIAL)
    deployed = _deploy(organisation, source=factories.source("Open report"), statement="at a camp")
    deployed.site = camp
    deployed.save()
    subject = Subject("organisation", str(organisation.pk))
    for_rita = compose(subject, rita, "en")
    assert "Closed Camp 9" in for_rita.html
    assert for_rita.highest_level == AccessLevel.CONFIDENTIAL
    for_andy = compose(subject, andy, "en")
    assert "Closed Camp 9" not in for_andy.html and "at a camp" in for_andy.html
    assert for_andy.highest_level == AccessLevel.INTERNAL
