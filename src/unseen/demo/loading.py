"""`unseen demo`: the sourced backbone, the sanctioned organisations, synthetic records, synthetic
lists for record linkage, demo evidence files, demo sign-ins."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from unseen.accounts.models import AccessLevel, User
from unseen.accounts.roles import Role
from unseen.core.scripts import detect_script
from unseen.documentation.importing import import_file
from unseen.documentation.models import Deployment, Relation, RelationKind
from unseen.estimation import revenue_sources
from unseen.evidence.models import Credibility, DatePrecision, Reliability, Source, SourceKind
from unseen.registry.models import (
    Designation,
    Organisation,
    OrganisationAlias,
    OrganisationKind,
    PublicFigure,
)

from . import files, lists, sanctions, synthetic
from .findings import load_findings

DEPLOYMENTS_CSV = Path(__file__).parent / "data" / "nk-deployments.csv"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    confidential_access: bool


# Demo-only passwords, printed by `make demo`: never use the demo database for real records.
DEMO_LOGINS = [
    DemoLogin("admin", "admin-demo-pass", Role.ADMINISTRATOR, True),
    DemoLogin("researcher", "researcher-demo-pass", Role.RESEARCHER, True),
    DemoLogin("analyst", "analyst-demo-pass", Role.ANALYST, False),
    DemoLogin("moderator", "moderator-demo-pass", Role.MODERATOR, False),
]

# Entities designated for exporting North Korean labour (real, public). Each source cites the US
# Treasury (OFAC) designation itself; docs/facts/nk-facts.md §4.3 lists them with the pages they
# were read in.
DESIGNATED = [
    (
        "Mansudae Overseas Project Group of Companies",
        OrganisationKind.TRADING_COMPANY,
        "KP",
        date(2016, 12, 2),
        "under EO 13722: construction and monuments, labour export",
    ),
    (
        "Korea General Corporation for External Construction",
        OrganisationKind.TRADING_COMPANY,
        "KP",
        date(2016, 12, 2),
        "labourers to the Middle East",
    ),
    (
        "Namgang Construction",
        OrganisationKind.TRADING_COMPANY,
        "KP",
        date(2016, 12, 2),
        "labourers to the Middle East and Asia",
    ),
    (
        "Korea Rungrado General Trading Corporation",
        OrganisationKind.TRADING_COMPANY,
        "KP",
        date(2016, 12, 2),
        "labourers to Poland",
    ),
    (
        "Korea Cholsan General Trading Corporation",
        OrganisationKind.TRADING_COMPANY,
        "KP",
        date(2020, 11, 19),
        "",
    ),
    (
        "Mokran LLC",
        OrganisationKind.HOST_EMPLOYER,
        "RU",
        date(2020, 11, 19),
        "Russian construction company using DPRK labour",
    ),
    (
        "Korea Namgang Trading Corporation",
        OrganisationKind.TRADING_COMPANY,
        "KP",
        date(2020, 1, 14),
        "under EO 13722 and NKSPEA: visas, passports, departures, repatriation of funds",
    ),
    (
        "Beijing Sukbakso",
        OrganisationKind.OTHER,
        "CN",
        date(2020, 1, 14),
        "lodging facility in China for dispatched workers",
    ),
]


def designation_title(day: date, reason: str) -> str:
    """The citation of a designation: who published it, when, and why it names the entity."""
    title = f"US Department of the Treasury (OFAC), sanctions designation of {day.day} {day:%b %Y}"
    return f"{title}: {reason}" if reason else title


# Real, sourced links around the designated organisations (docs/facts/nk-facts.md §4.3), each fact
# with the source the facts file names for it; dates only where the source publishes them. How a
# link is kept follows ADR 0032: an organisation sending workers to a country is a deployment (with
# no headcount where the source gives none), a standing link between two parties is a relation.
LEIDEN_2016 = "leiden"
OFAC_SILVERSTAR = "designation of the Silver Star network"
SILVERSTAR_DAY = date(2018, 9, 13)
SILVERSTAR_REASON = (
    "IT workers: Yanbian Silverstar Network Technology (China Silver Star), its North Korean CEO "
    "Jong Song Hwa and its Russia-based front company Volasys Silver Star"
)


def _real_sources() -> dict[str, Source]:
    """The sources of the links below: the Leiden report, OFAC's designations."""
    sources = {
        LEIDEN_2016: Source.objects.create(
            kind=SourceKind.PUBLIC_REPORT,
            title="Leiden Asia Centre, Slaves to the System (Breuker & van Gardingen, Jul 2016)",
            url="https://docslib.org/doc/8374061/slaves-to-the-system",
            date=date(2016, 7, 1),
            date_precision=DatePrecision.MONTH,
            # A named research institute: medium confidence in the facts file (ADR 0002).
            reliability=Reliability.C,
            language="en",
            access_level=AccessLevel.PUBLIC,
        ),
        OFAC_SILVERSTAR: Source.objects.create(
            kind=SourceKind.SANCTIONS_LIST,
            title=designation_title(SILVERSTAR_DAY, SILVERSTAR_REASON),
            url="https://home.treasury.gov/news/press-releases/sm481",
            date=SILVERSTAR_DAY,
            date_precision=DatePrecision.DAY,
            reliability=Reliability.A,
            language="en",
            access_level=AccessLevel.PUBLIC,
        ),
    }
    for name, _kind, _country, day, reason in DESIGNATED:
        sources[designation_of(name)] = Source.objects.get(
            title=designation_title(day, reason), is_synthetic=False
        )
    return sources


def designation_of(name: str) -> str:
    """The key of the OFAC designation of the designated organisation `name`."""
    return f"designation of {name}"


# (name, kind, country, aliases, notes, source, credibility, what the source says)
NAMED_BESIDE = [
    (
        "Armex Sp. z o.o.",
        OrganisationKind.BROKER,
        "PL",
        [],
        "Polish intermediary through which North Korean workers were supplied to Polish firms.",
        LEIDEN_2016,
        Credibility.POSSIBLY_TRUE,
        "Polish intermediary in the supply of North Korean workers to Poland",
    ),
    (
        "Yanbian Silverstar Network Technology Co., Ltd.",
        OrganisationKind.OTHER,
        "CN",
        ["China Silver Star"],
        "Jilin, China. Nominally a Chinese IT company, managed and controlled by North Koreans.",
        OFAC_SILVERSTAR,
        Credibility.CONFIRMED,
        "designated",
    ),
    (
        "Volasys Silver Star",
        OrganisationKind.FRONT_COMPANY,
        "RU",
        [],
        "Vladivostok, Russia. Front company of China Silver Star for North Korean IT workers.",
        OFAC_SILVERSTAR,
        Credibility.CONFIRMED,
        "designated",
    ),
]

# (subject, kind, object, start year or None, role, source, credibility, what the source says)
REAL_RELATIONS = [
    (
        "Korea Rungrado General Trading Corporation",
        RelationKind.DISPATCHES_WORKERS_TO,
        "Armex Sp. z o.o.",
        None,
        "Polish intermediary",
        LEIDEN_2016,
        Credibility.POSSIBLY_TRUE,
        "Rungrado sent North Korean workers to Poland through the intermediary Armex",
    ),
    (
        "Volasys Silver Star",
        RelationKind.UNKNOWN_LINK,
        "Yanbian Silverstar Network Technology Co., Ltd.",
        2017,  # "In early 2017 ... created Volasys Silver Star as a Russia-based front company"
        "Russia-based front company",
        OFAC_SILVERSTAR,
        Credibility.PROBABLY_TRUE,
        "created in early 2017 by a China Silver Star employee as its Russia-based front company",
    ),
    (
        "Jong Song Hwa",
        RelationKind.DIRECTOR_OF,
        "Yanbian Silverstar Network Technology Co., Ltd.",
        None,
        "CEO",
        OFAC_SILVERSTAR,
        Credibility.PROBABLY_TRUE,
        "Jong Song Hwa is the North Korean CEO of China Silver Star",
    ),
]

# Workers sent to a country, told without a headcount or a period: deployments (ADR 0032).
# (dispatcher, employer, host country, sector, source, credibility, what the source says)
REAL_DISPATCHES = [
    (
        "Korea Rungrado General Trading Corporation",
        None,
        "PL",
        "",
        designation_of("Korea Rungrado General Trading Corporation"),
        Credibility.CONFIRMED,
        "designated for sending labourers to Poland",
    ),
    (
        "Korea Cholsan General Trading Corporation",
        None,
        "PL",
        "",
        LEIDEN_2016,
        Credibility.POSSIBLY_TRUE,
        "Cholsan sent North Korean workers to Poland",
    ),
    (
        "Korea Cholsan General Trading Corporation",
        None,
        "RU",
        "",
        designation_of("Korea Cholsan General Trading Corporation"),
        Credibility.CONFIRMED,
        "a network of Russian companies under the name Cholsan obtained work permits for "
        "North Korean workers in Russia",
    ),
    (
        None,
        "Mokran LLC",
        "RU",
        "construction",
        designation_of("Mokran LLC"),
        Credibility.CONFIRMED,
        "Mokran LLC, a Russian construction company, used North Korean labour",
    ),
]


def _designate(source: Source, **holder: Any) -> None:
    """The Silver Star network's OFAC designation (13 Sep 2018) of one of its parties."""
    designation = Designation.objects.create(
        authority="US OFAC",
        listed_on=SILVERSTAR_DAY,
        listed_on_precision=DatePrecision.DAY,
        reason=SILVERSTAR_REASON,
        access_level=AccessLevel.PUBLIC,
        **holder,
    )
    designation.add_claim(source, Credibility.CONFIRMED, "listed by the US Treasury (OFAC)")


def load_real_relations() -> dict[str, int]:
    """The organisations and public figure named beside the designated ones, and the real links
    between them: public records, never synthetic, each fact resting on its source."""
    sources = _real_sources()
    public = AccessLevel.PUBLIC
    for name, kind, country, aliases, notes, source, credibility, says in NAMED_BESIDE:
        organisation = Organisation.objects.create(
            name=name, kind=kind, country=country, notes=notes, access_level=public
        )
        for alias in aliases:
            OrganisationAlias.objects.create(
                organisation=organisation, name=alias, script=detect_script(alias)
            )
        organisation.add_claim(sources[source], credibility, says)
        if source == OFAC_SILVERSTAR:
            _designate(sources[source], organisation=organisation)
    figure = PublicFigure.objects.create(
        name="Jong Song Hwa",
        # No Hangul: the designation prints the name in Latin letters only, and a rendering of
        # ours would be a guess about a real person's name.
        position="CEO of Yanbian Silverstar Network Technology (China Silver Star)",
        nationality="KP",
        access_level=public,
    )
    figure.add_claim(sources[OFAC_SILVERSTAR], Credibility.CONFIRMED, "designated")
    _designate(sources[OFAC_SILVERSTAR], public_figure=figure)
    parties = {o.name: o for o in Organisation.objects.filter(is_synthetic=False)}
    for subject, relation_kind, object_, year, role, source, credibility, says in REAL_RELATIONS:
        ends: dict[str, Any] = {"object_organisation": parties[object_]}
        if subject == figure.name:
            ends["subject_figure"] = figure
        else:
            ends["subject_organisation"] = parties[subject]
        relation = Relation.objects.create(
            kind=relation_kind,
            role=role,
            access_level=public,
            **ends,
            **({"start": date(year, 1, 1), "start_precision": DatePrecision.YEAR} if year else {}),
        )
        relation.add_claim(sources[source], credibility, says)
    for dispatcher, employer, host, sector, source, credibility, says in REAL_DISPATCHES:
        deployment = Deployment.objects.create(
            dispatcher=parties.get(dispatcher or ""),
            employer=parties.get(employer or ""),
            host_country=host,
            sector=sector,
            access_level=public,
        )
        deployment.add_claim(sources[source], credibility, says)
    return {
        "organisations": len(NAMED_BESIDE),
        "public figures": 1,
        "relations": len(REAL_RELATIONS),
        "deployments": len(REAL_DISPATCHES),
    }


def is_loaded() -> bool:
    return Deployment.objects.exists() or Source.objects.synthetic().exists()


def ensure_logins() -> list[DemoLogin]:
    for login in DEMO_LOGINS:
        user, created = User.objects.get_or_create(username=login.username)
        if created:
            user.role = login.role
            user.confidential_access = login.confidential_access
            user.set_password(login.password)
            user.save()
    return DEMO_LOGINS


# The programme each designation was made under, where docs/facts/nk-facts.md §4.3 gives it; the
# others are left blank rather than guessed.
PROGRAMMES = {
    "Mansudae Overseas Project Group of Companies": "EO 13722",
    "Korea Namgang Trading Corporation": "EO 13722; NKSPEA",
}


def load_designated_organisations() -> int:
    """The designated organisations, each with its OFAC designation as a record and a claim on
    both citing the designation."""
    for name, kind, country, day, reason in DESIGNATED:
        organisation = Organisation.objects.create(
            name=name,
            kind=kind,
            country=country,
            access_level=AccessLevel.PUBLIC,
            notes="Named in a US Treasury (OFAC) designation for exporting North Korean labour.",
        )
        source = Source.objects.create(
            kind=SourceKind.SANCTIONS_LIST,
            title=designation_title(day, reason),
            date=day,
            date_precision=DatePrecision.DAY,
            reliability=Reliability.A,
            language="en",
            access_level=AccessLevel.PUBLIC,
        )
        organisation.add_claim(source, Credibility.CONFIRMED, "designated")
        designation = Designation.objects.create(
            organisation=organisation,
            authority="US OFAC",
            programme=PROGRAMMES.get(name, ""),
            listed_on=day,
            listed_on_precision=DatePrecision.DAY,
            reason=reason,
            access_level=AccessLevel.PUBLIC,
        )
        designation.add_claim(source, Credibility.CONFIRMED, "listed by the US Treasury (OFAC)")
    return len(DESIGNATED)


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Load everything once; returns counts. Does nothing when demo data is already there."""
    if is_loaded():
        return {}
    result = import_file(
        DEPLOYMENTS_CSV,
        "deployments",
        default_access_level=AccessLevel.PUBLIC,
        published_elsewhere=True,  # figures from published reports, each row citing its report
    )
    counts = {f"sourced {name}": count for name, count in result.created.items()}
    # The sources the revenue defaults and scenarios cite, and the figures others published
    # (ADR 0042): after the deployments, so a source both cite is one record.
    counts.update(revenue_sources.load())
    counts["designated organisations"] = load_designated_organisations()
    counts.update({f"real {name}": n for name, n in load_real_relations().items()})
    counts.update(sanctions.load_demo_sanctions())
    counts.update({f"synthetic {name}": count for name, count in synthetic.generate().items()})
    counts.update(
        {f"synthetic linkage {name}": count for name, count in lists.load_lists().items() if count}
    )
    counts["evidence files"] = load_evidence_files()
    counts.update({f"demo {name}": n for name, n in load_findings().items()})
    return counts


# Each demo file stands behind a demo source of its own. The two documents are synthetic (every
# name and party invented): the demo researcher has marked them as needing no redaction, and the
# roster, reviewed by the demo admin, is public, so the public gallery shows it with its credit and
# licence line. The NASA
# photo shows a real face: its redaction is left to a person (the redaction queue), so it stays
# internal until someone confirms the proposed box.
DEMO_FILE_SOURCES = {
    "synthetic-crew-roster.pdf": (
        "SYNTHETIC crew roster of an invented construction crew (demo data)",
        AccessLevel.PUBLIC,
    ),
    "synthetic-contract-scan.png": (
        "SYNTHETIC scanned labour contract (demo data)",
        AccessLevel.INTERNAL,
    ),
    "nasa-astronaut-eileen-collins.jpg": (
        "Sample photograph for face redaction: NASA, public domain (demo data)",
        AccessLevel.INTERNAL,
    ),
}
NOT_NEEDED_REASON = "Synthetic demo document: every name and party in it is invented."


def load_evidence_files() -> int:
    """Store the demo's evidence files (unseen.demo.files) through unseen.files, as an upload
    would: hashed, encrypted, checked, thumbnailed, in custody."""
    from unseen.evidence import reviewing
    from unseen.files import redacting, storing

    ensure_logins()  # the people who decide: the demo researcher, and the admin who reviews
    researcher = User.objects.get(username="researcher")
    admin = User.objects.get(username="admin")
    for demo in files.demo_files():
        title, level = DEMO_FILE_SOURCES[demo.name]
        source = Source.objects.create(
            kind=SourceKind.DOCUMENT,
            title=title,
            language="ko" if demo.synthetic else "en",
            access_level=level,
            is_synthetic=True,  # the source record is demo data, whatever the file is
        )
        received = storing.receive(
            [demo.content],
            name=demo.name,
            user=researcher,
            title_en=demo.title_en,
            title_ko=demo.title_ko,
            description_en=demo.description_en,
            description_ko=demo.description_ko,
            creator=demo.creator,
            credit=demo.credit,
            licence=demo.licence,
            is_synthetic=demo.synthetic,
        )
        file = received.file
        storing.attach(file, source, researcher)
        if demo.synthetic:
            redacting.mark_not_needed(file, researcher, NOT_NEEDED_REASON)
            file.refresh_from_db()
            if level == AccessLevel.PUBLIC:
                # Published as any record is: a second person reviews it first (ADR 0025).
                reviewing.send_to_review(file, researcher)
                reviewing.approve(file, admin)
                file.access_level = AccessLevel.PUBLIC
                file.save()
    return len(DEMO_FILE_SOURCES)
