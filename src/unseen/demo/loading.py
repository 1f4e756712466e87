"""`unseen demo`: the sourced backbone, the sanctioned organisations, synthetic records, synthetic
lists for record linkage, demo sign-ins."""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from unseen.accounts.models import AccessLevel, User
from unseen.accounts.roles import Role
from unseen.documentation.importing import import_file
from unseen.documentation.models import Deployment
from unseen.evidence.models import Credibility, Reliability, Source, SourceKind
from unseen.registry.models import Organisation, OrganisationKind

from . import lists, synthetic

DEPLOYMENTS_CSV = Path(__file__).parent / "data" / "nk-deployments.csv"
FACTS = "shared/data/nk-facts.md §4.3"


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

# Entities designated for exporting North Korean labour, as the fact base records them (real, public).
DESIGNATED = [
    (
        "Mansudae Overseas Project Group of Companies",
        OrganisationKind.TRADING_COMPANY,
        "KP",
        "US Treasury OFAC designation, 2 Dec 2016 (EO 13722): construction and monuments, labour export",
    ),
    (
        "Korea General Corporation for External Construction",
        OrganisationKind.TRADING_COMPANY,
        "KP",
        "US Treasury OFAC designation, 2 Dec 2016: labourers to the Middle East",
    ),
    (
        "Namgang Construction",
        OrganisationKind.TRADING_COMPANY,
        "KP",
        "US Treasury OFAC designation, 2 Dec 2016: labourers to the Middle East and Asia",
    ),
    (
        "Korea Rungrado General Trading Corporation",
        OrganisationKind.TRADING_COMPANY,
        "KP",
        "US Treasury OFAC designation, 2 Dec 2016: labourers to Poland",
    ),
    (
        "Korea Cholsan General Trading Corporation",
        OrganisationKind.TRADING_COMPANY,
        "KP",
        "US Treasury OFAC designation, 19 Nov 2020",
    ),
    (
        "Mokran LLC",
        OrganisationKind.HOST_EMPLOYER,
        "RU",
        "US Treasury OFAC designation, 19 Nov 2020: Russian construction company using DPRK labour",
    ),
    (
        "Korea Namgang Trading Corporation",
        OrganisationKind.TRADING_COMPANY,
        "KP",
        "US Treasury OFAC designation, 14 Jan 2020: visas, passports, departures, repatriation of funds",
    ),
    (
        "Beijing Sukbakso",
        OrganisationKind.OTHER,
        "CN",
        "US Treasury OFAC designation, 14 Jan 2020: lodging facility in China for dispatched workers",
    ),
]


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
    for name, kind, country, designation in DESIGNATED:
        organisation = Organisation.objects.create(
            name=name,
            kind=kind,
            country=country,
            access_level=AccessLevel.PUBLIC,
            notes=f"Named in a sanctions designation ({FACTS}).",
        )
        source = Source.objects.create(
            kind=SourceKind.SANCTIONS_LIST,
            title=f"{designation} (via {FACTS})",
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
    result = import_file(DEPLOYMENTS_CSV, "deployments", default_access_level=AccessLevel.PUBLIC)
    counts = {f"sourced {name}": count for name, count in result.created.items()}
    counts["designated organisations"] = load_designated_organisations()
    counts.update({f"synthetic {name}": count for name, count in synthetic.generate().items()})
    counts.update(
        {f"synthetic linkage {name}": count for name, count in lists.load_lists().items() if count}
    )
    return counts
