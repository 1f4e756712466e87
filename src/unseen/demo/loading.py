"""`unseen demo`: the sourced backbone, the sanctioned organisations, synthetic records, synthetic
lists for record linkage, demo sign-ins."""

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

from . import lists, synthetic

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
    counts.update({f"synthetic {name}": count for name, count in synthetic.generate().items()})
    counts.update(
        {f"synthetic linkage {name}": count for name, count in lists.load_lists().items() if count}
    )
    return counts
