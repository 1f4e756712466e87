"""`unseen demo`: the sourced backbone, the sanctioned organisations, synthetic records, synthetic
lists for record linkage, demo evidence files, demo sign-ins."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction

from unseen.accounts.models import AccessLevel, User
from unseen.accounts.roles import Role
from unseen.documentation.importing import import_file
from unseen.documentation.models import Deployment
from unseen.evidence.models import Credibility, DatePrecision, Reliability, Source, SourceKind
from unseen.registry.models import Organisation, OrganisationKind

from . import files, lists, sanctions, synthetic

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


def load_designated_organisations() -> int:
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
    counts["designated organisations"] = load_designated_organisations()
    counts.update(sanctions.load_demo_sanctions())
    counts.update({f"synthetic {name}": count for name, count in synthetic.generate().items()})
    counts.update(
        {f"synthetic linkage {name}": count for name, count in lists.load_lists().items() if count}
    )
    counts["evidence files"] = load_evidence_files()
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
