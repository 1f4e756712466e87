"""FollowTheMoney both ways: public figures, relations and designations exported in stock
schemata, at each level only what that level releases, and imported back the same.

Every name, identifier and reference here is made up for the test.
"""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from unseen.accounts.models import AccessLevel
from unseen.core.ftm_reading import read_entities, unseen_model
from unseen.documentation.importing_ftm import import_ftm
from unseen.documentation.models import Relation
from unseen.evidence.models import Claim, Credibility, Source, SourceKind
from unseen.publishing.exports.disclosure import controlled_tables
from unseen.publishing.exports.ftm import write_entities
from unseen.publishing.exports.selection import full_tables
from unseen.registry.models import (
    Designation,
    ExternalIdentifier,
    Organisation,
    OrganisationAlias,
    Person,
    PublicFigure,
    PublicFigureAlias,
    Site,
)

INTERNAL, CONFIDENTIAL, PUBLIC = AccessLevel.INTERNAL, AccessLevel.CONFIDENTIAL, AccessLevel.PUBLIC


def organisation(name, kind, country="", access_level=INTERNAL, aliases=(), notes=""):
    made = Organisation.objects.create(
        name=name, kind=kind, country=country, access_level=access_level, notes=notes
    )
    for alias in aliases:
        OrganisationAlias.objects.create(organisation=made, name=alias[0], script=alias[1])
    return made


def relation(kind, subject, target, access_level=INTERNAL, **fields):
    ends = {}
    for side, party in (("subject", subject), ("object", target)):
        end = {
            Organisation: "organisation",
            PublicFigure: "figure",
            Person: "person",
            Site: "site",
        }[type(party)]
        ends[f"{side}_{end}"] = party
    return Relation.objects.create(kind=kind, access_level=access_level, **ends, **fields)


@pytest.fixture
def network(db):
    """Organisations, a public figure, relations of every kind with dates, designations."""
    report = Source.objects.create(
        title="Fictional report on fictional companies",
        kind=SourceKind.PUBLIC_REPORT,
        url="https://example.org/fictional-report",
        access_level=INTERNAL,
    )
    parent = organisation(
        "Fictional Parent Trading Corp",
        "trading_company",
        "KP",
        aliases=[("가상부모무역회사", "Hang"), ("Fictional Parent General Trading", "Latn")],
        notes="Seen in two reports.\nAddress: 1 Imaginary Street, Testville",
    )
    child = organisation(
        "Fictional Child Construction LLC",
        "host_employer",
        "RU",
        aliases=[("Фиктивная Дочь Строй", "Cyrl")],
    )
    ministry = organisation("Fictional Ministry of Tests", "state_organ", "KP")
    renamed = organisation("Fictional Renamed Co", "other", "RU")
    ExternalIdentifier.objects.create(organisation=parent, scheme="company_register", value="R-1")
    ExternalIdentifier.objects.create(organisation=parent, scheme="un_1718", value="XXe.901")
    official = PublicFigure.objects.create(
        name="Fictional Official",
        name_hangul="가상 관리",
        position="Fictional general director",
        birth_year=1960,
        access_level=INTERNAL,
    )
    PublicFigureAlias.objects.create(figure=official, name="F. Official", script="Latn")
    ExternalIdentifier.objects.create(public_figure=official, scheme="ofac_sdn", value="99901")
    owns = relation(
        "owns",
        parent,
        child,
        share_percent=Decimal("51.50"),
        role="majority shareholder",
        start=dt.date(2016, 3, 1),
        start_precision="month",
        end=dt.date(2019, 1, 1),
        end_precision="year",
    )
    owns.add_claim(report, Credibility.PROBABLY_TRUE, "the report says 51.5 %")
    relation(
        "parent_of",
        parent,
        child,
        start=dt.date(2012, 1, 1),
        start_precision="year",
        end=dt.date(2016, 6, 1),
        end_precision="month",
    )
    relation(
        "director_of",
        official,
        parent,
        role="general director",
        start=dt.date(2015, 1, 20),
        start_precision="day",
    )
    relation("employs", ministry, official)
    relation("member_of", parent, ministry)
    relation("renamed_to", child, renamed, start=dt.date(2018, 1, 1), start_precision="year")
    relation("contracts_with", child, renamed, role="subcontractor")
    relation("dispatches_workers_to", parent, child)
    relation("unknown_link", official, ministry, role="adviser")
    un = Designation.objects.create(
        organisation=parent,
        authority="Fictional Security Council Committee",
        programme="FAB-1718",
        reference="XXe.901",
        listed_on=dt.date(2017, 8, 5),
        listed_on_precision="day",
        reason="Fabricated reason.",
        access_level=INTERNAL,
    )
    un.add_claim(report, Credibility.CONFIRMED)
    Designation.objects.create(
        public_figure=official,
        authority="Fictional Treasury",
        programme="FAB3",
        reference="99901",
        listed_on=dt.date(2018, 1, 1),
        listed_on_precision="year",
        ended_on=dt.date(2020, 5, 1),
        access_level=INTERNAL,
    )
    # Ends the import does not bring back: a pseudonymous person and a site.
    worker = Person.objects.create(access_level=INTERNAL)
    site = Site.objects.create(name="Fictional site", kind="other", country="RU")
    relation("employs", child, worker)
    relation("operates_site", child, site)
    return {"parent": parent, "child": child, "ministry": ministry, "official": official}


def entities_of(path: Path) -> dict[str, dict]:
    return {e["id"]: e for e in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def test_it_exports_figures_relations_and_designations_in_stock_schemata(network, tmp_path):
    path = tmp_path / "entities.ftm.json"
    write_entities(path, full_tables())
    read_entities(path.read_text(encoding="utf-8").splitlines(), unseen_model())  # all valid
    written = entities_of(path)
    parent, child = network["parent"], network["child"]

    assert written[f"organisation-{parent.pk}"]["schema"] == "Company"
    assert written[f"organisation-{network['ministry'].pk}"]["schema"] == "PublicBody"
    parent_entity = written[f"organisation-{parent.pk}"]["properties"]
    assert parent_entity["classification"] == ["trading_company"]
    assert parent_entity["registrationNumber"] == ["R-1"]
    assert parent_entity["address"] == ["1 Imaginary Street, Testville"]
    (address_id,) = parent_entity["addressEntity"]
    assert written[address_id]["schema"] == "Address"

    figure = written[f"publicfigure-{network['official'].pk}"]
    assert figure["schema"] == "Person"
    assert figure["properties"]["name"] == ["Fictional Official", "가상 관리"]
    assert figure["properties"]["birthDate"] == ["1960"]

    by_schema: dict[str, list[dict]] = {}
    for entity in written.values():
        by_schema.setdefault(entity["schema"], []).append(entity["properties"])
    owns = next(p for p in by_schema["Ownership"] if "percentage" in p)
    assert owns["owner"] == [f"organisation-{parent.pk}"]
    assert owns["asset"] == [f"organisation-{child.pk}"]
    assert (owns["startDate"], owns["endDate"], owns["percentage"]) == (
        ["2016-03"],
        ["2019"],
        ["51.50"],
    )
    # The claim's source and statement go with the relation.
    assert owns["sourceUrl"] == ["https://example.org/fictional-report"]
    assert owns["publisher"] == ["Fictional report on fictional companies"]
    assert owns["summary"] == ["the report says 51.5 %"]
    parent_of = next(p for p in by_schema["Ownership"] if "percentage" not in p)
    assert parent_of["role"] == ["parent company"]
    roles = sorted(p["role"][0] for p in by_schema["UnknownLink"])
    assert roles == ["adviser", "contracts with", "dispatches workers to", "operates the site"]
    assert len(by_schema["Directorship"]) == len(by_schema["Membership"]) == 1
    assert len(by_schema["Succession"]) == 1 and len(by_schema["Employment"]) == 2
    sanctions = {p["authorityId"][0]: p for p in by_schema["Sanction"]}
    assert sanctions["XXe.901"]["unscId"] == ["XXe.901"]
    assert sanctions["XXe.901"]["listingDate"] == ["2017-08-05"]
    assert sanctions["99901"]["listingDate"] == ["2018"]
    assert {p["type"][0]: p["number"][0] for p in by_schema["Identification"]} == {
        "un_1718": "XXe.901",
        "ofac_sdn": "99901",
    }


def snapshot():
    """What the round trip must keep: entities, names, identifiers, relations, designations."""

    def party(record):
        return record.name if record is not None else None

    return {
        "organisations": {
            (
                o.name,
                o.kind,
                o.country,
                frozenset((a.name, a.script) for a in o.aliases.all()),
                frozenset(
                    (i.scheme, i.value)
                    for i in o.identifiers.all()
                    if not i.value.startswith("ftm:")
                ),
                tuple(line for line in o.notes.splitlines() if line.startswith("Address: ")),
            )
            for o in Organisation.objects.all()
        },
        "figures": {
            (
                f.name,
                f.name_hangul,
                f.position,
                f.nationality,
                f.birth_year,
                frozenset(a.name for a in f.aliases.all()),
                frozenset(
                    (i.scheme, i.value)
                    for i in f.identifiers.all()
                    if not i.value.startswith("ftm:")
                ),
            )
            for f in PublicFigure.objects.all()
        },
        "relations": {
            (
                r.kind,
                party(r.subject_organisation or r.subject_figure),
                party(r.object_organisation or r.object_figure),
                r.start,
                r.start_precision,
                r.end,
                r.end_precision,
                r.share_percent,
                r.role,
            )
            for r in Relation.objects.filter(
                subject_person=None, object_person=None, object_site=None
            )
        },
        "designations": {
            (
                party(d.organisation or d.public_figure),
                d.authority,
                d.programme,
                d.reference,
                d.listed_on,
                d.listed_on_precision,
                d.ended_on,
                d.reason,
            )
            for d in Designation.objects.all()
        },
    }


def empty_the_database():
    Claim.objects.all().delete()
    Relation.objects.all().delete()
    for model in (Designation, ExternalIdentifier, Organisation, PublicFigure, Person, Site):
        model.objects.all().delete()
    Source.objects.all().delete()


def test_an_ftm_file_exported_by_unseen_imports_back_the_same(network, tmp_path):
    before = snapshot()
    assert len(before["relations"]) == 9 and len(before["designations"]) == 2
    path = tmp_path / "entities.ftm.json"
    write_entities(path, full_tables())

    empty_the_database()
    assert not Organisation.objects.exists() and not Relation.objects.exists()
    result = import_ftm(path, title="Unseen export")

    assert snapshot() == before
    assert result.created["organisations"] == 4 and result.created["public_figures"] == 1
    assert result.created["relations"] == 9 and result.created["designations"] == 2
    # The pseudonymous person and the site are not brought back, nor what joins them.
    assert not Person.objects.exists() and not Site.objects.exists()
    assert result.skipped["Employment (an end is neither in the file nor known)"] == 1
    assert result.skipped["UnknownLink (an end is neither in the file nor known)"] == 1
    # Each record cites the file, and the claim says what the file's entity cited.
    owns = Relation.objects.get(kind="owns")
    (claim,) = owns.evidence_trail()
    assert claim.source.title == "Unseen export"
    assert "the report says 51.5 %" in claim.statement
    assert "https://example.org/fictional-report" in claim.statement

    # And once more: nothing doubles.
    counts = {m: m.objects.count() for m in (Organisation, PublicFigure, Relation, Designation)}
    import_ftm(path, title="Unseen export")
    assert {m: m.objects.count() for m in counts} == counts
    assert snapshot() == before


def controlled_entities(level, tmp_path):
    controlled = controlled_tables(level, "Fictional recipient", 1, None, None, tmp_path)
    path = tmp_path / f"{level}.ftm.json"
    write_entities(path, controlled.tables)
    return list(entities_of(path).values())


@pytest.mark.usefixtures("export_key")
def test_a_controlled_export_releases_a_relation_only_with_both_its_ends(network, tmp_path):
    secret = organisation("Fictional Confidential Front", "front_company", "CN", CONFIDENTIAL)
    relation("owns", network["parent"], secret, share_percent=Decimal(10))
    hidden = PublicFigure.objects.create(
        name="Fictional Hidden Official", access_level=CONFIDENTIAL
    )
    relation("director_of", hidden, network["parent"])
    Designation.objects.create(public_figure=hidden, authority="Fictional Treasury")

    written = controlled_entities("pseudonymised", tmp_path)
    text = json.dumps(written, ensure_ascii=False)
    # Public figures go out by name when their access level is within the export's.
    assert "Fictional Official" in text and "가상 관리" in text
    # Nothing of a confidential end, nor of the relations and designations that touch it.
    assert "Fictional Confidential Front" not in text and "Fictional Hidden Official" not in text
    ids = {e["id"] for e in written}
    for entity in written:
        for prop in ("owner", "asset", "director", "organization", "subject", "object", "entity"):
            for end in entity["properties"].get(prop, []):
                assert end in ids, (entity["schema"], prop)
    # No relation with a (pseudonymous) person at either end below full: it would sit beside
    # the person's pseudonym outside the k-anonymity key.
    employees = [v for e in written for v in e["properties"].get("employee", [])]
    assert employees and not [v for v in employees if v.startswith("person-")]
    assert sum(e["schema"] == "Employment" for e in written) == 1  # the ministry's of the official
    # Below full, ids are pseudonyms and free text (claim statements, reasons, notes) stays in.
    assert f"organisation-{network['parent'].pk}" not in ids
    assert f"publicfigure-{network['official'].pk}" not in ids
    assert "summary" not in text and "Fabricated reason" not in text
    assert "Imaginary Street" not in text

    public = controlled_entities("public", tmp_path)
    assert not public  # nothing in the network is public


@pytest.mark.usefixtures("export_key")
def test_a_public_export_names_a_public_figure_and_its_public_relations(network, tmp_path):
    official, ministry = network["official"], network["ministry"]
    for record in (official, ministry):
        type(record).objects.filter(pk=record.pk).update(access_level=PUBLIC)
    Relation.objects.filter(kind="employs", subject_organisation=ministry).update(
        access_level=PUBLIC
    )
    written = controlled_entities("public", tmp_path)
    assert sorted(e["schema"] for e in written) == [
        "Employment",
        "Identification",
        "Person",
        "PublicBody",
    ]
    (person,) = [e for e in written if e["schema"] == "Person"]
    assert person["properties"]["name"] == ["Fictional Official", "가상 관리"]
