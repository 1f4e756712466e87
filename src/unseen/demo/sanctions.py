"""The demo's sanctions list: `data/sanctions.csv` turned into FollowTheMoney lines and loaded as
the list `demo_labour_export`, like any list version (`unseen.sanctions.loading`).

Each row becomes a party (Company, Organization or Person) and a `Sanction` entity carrying the
authority, programme, listing date and the URL of the source the row was compiled from. Hangul
renderings that are ours, not the list's, say so in the party's notes. The demo also records the
designated parties the demo's organisations lack (the IT companies of the September 2018
designation and their CEO, a public figure), each resting on the row's source, and runs one
cross-reference so that the review queue has something in it.
"""

import csv
import hashlib
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from unseen.accounts.models import AccessLevel
from unseen.evidence.models import Credibility, DatePrecision, Reliability, Source, SourceKind
from unseen.registry.models import (
    IdentifierScheme,
    Organisation,
    OrganisationAlias,
    OrganisationKind,
    PublicFigure,
    Script,
)
from unseen.sanctions.loading import LoadResult, load_lines
from unseen.sanctions.models import XrefRun
from unseen.sanctions.xref import execute, start_run

SANCTIONS_CSV = Path(__file__).parent / "data" / "sanctions.csv"
LIST_CODE = "demo_labour_export"
LIST_TITLE = "Designations touching labour export (Unseen demo compilation)"
LIST_AUTHORITY = "US OFAC and UN Security Council 1718 Committee, compiled by Unseen"
LIST_VERSION = "2026-12"
AUTHORITIES = {
    "OFAC SDN": "US Department of the Treasury, Office of Foreign Assets Control",
    "UN 1718": "UN Security Council 1718 Committee",
}
PREFIXES = {"OFAC SDN": "ofac", "UN 1718": "un"}


def rows() -> list[dict[str, str]]:
    with SANCTIONS_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def entity_id(row: dict[str, str]) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", row["name"].lower()).strip("-")
    return f"{PREFIXES[row['list']]}-{slug}"


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def ftm_lines(table: list[dict[str, str]]) -> list[str]:
    """One party and one Sanction entity per row, as FollowTheMoney JSON lines."""
    lines = []
    for row in table:
        party_id = entity_id(row)
        aliases = [
            *_split(row["aliases_latin"]),
            *_split(row["aliases_other"]),
            *_split(row["aliases_hangul"]),
        ]
        properties: dict[str, list[str]] = {"name": [row["name"]], "topics": ["sanction"]}
        if aliases:
            properties["alias"] = aliases
        if row["country"]:
            key = "nationality" if row["schema"] == "Person" else "country"
            properties[key] = [row["country"].lower()]
        if row["address"]:
            properties["address"] = [row["address"]]
        if row["reference"]:
            properties["unscId" if row["list"] == "UN 1718" else "idNumber"] = [row["reference"]]
        if row["aliases_hangul"] and row["hangul_note"]:
            properties["notes"] = [f"Hangul {row['aliases_hangul']}: {row['hangul_note']}"]
        lines.append(
            json.dumps({"id": party_id, "schema": row["schema"], "properties": properties})
        )
        sanction: dict[str, list[str]] = {
            "entity": [party_id],
            "authority": [AUTHORITIES[row["list"]]],
            "sourceUrl": [row["source_url"]],
            "summary": [row["source_title"]],
        }
        if row["programme"]:
            sanction["program"] = [row["programme"]]
        if row["listed_on"]:
            sanction["listingDate"] = [row["listed_on"]]
        if row["reference"] and row["list"] == "UN 1718":
            sanction["unscId"] = [row["reference"]]
        elif row["reference"]:
            sanction["authorityId"] = [row["reference"]]
        lines.append(
            json.dumps({"id": f"{party_id}-sanction", "schema": "Sanction", "properties": sanction})
        )
    return lines


def load_list() -> LoadResult:
    """Load the demo list (once: the same file again changes nothing)."""
    lines = ftm_lines(rows())
    data = "\n".join(lines).encode("utf-8")
    return load_lines(
        lines,
        sha256=hashlib.sha256(data).hexdigest(),
        code=LIST_CODE,
        title=LIST_TITLE,
        authority=LIST_AUTHORITY,
        version=LIST_VERSION,
        scheme=IdentifierScheme.OTHER,
        # A compilation of published designations, each row citing its source; public as the
        # demo's other published figures are.
        access_level=AccessLevel.PUBLIC,
        reliability=Reliability.B,
        file_name=SANCTIONS_CSV.name,
    )


# The designated parties of the file the demo has no record of yet, recorded as a researcher
# would from the row's source, in their own spelling (so the cross-reference has names to fold).
OTHER_PARTIES: list[dict[str, Any]] = [
    {
        "name": "Yanbian Silverstar Network Technology Co., Ltd.",
        "kind": OrganisationKind.FRONT_COMPANY,
        "country": "CN",
        "aliases": ["China Silver Star"],
        "row": "Yanbian Silverstar Network Technology Co., Ltd.",
    },
    {
        "name": "Volasys Silver Star",
        "kind": OrganisationKind.FRONT_COMPANY,
        "country": "RU",
        "aliases": [],
        "row": "Volasys Silver Star",
    },
]
FIGURE = {
    "name": "Jong Song Hwa",
    "position": "CEO of Yanbian Silverstar Network Technology Co., Ltd. (as the Treasury names it)",
    "row": "Jong Song Hwa",
}


def _source(row: dict[str, str], reason: str) -> Source:
    """The designation itself as the source, titled as the demo's other designations are."""
    from .loading import designation_title  # it imports this module

    day = date.fromisoformat(row["listed_on"])
    title = designation_title(day, reason)
    found = Source.objects.filter(title=title, is_synthetic=False).first()
    if found is not None:
        return found
    return Source.objects.create(
        kind=SourceKind.SANCTIONS_LIST,
        title=title,
        url=row["source_url"],
        date=day,
        date_precision=DatePrecision.DAY,
        reliability=Reliability.A,
        language="en",
        access_level=AccessLevel.PUBLIC,
        notes=row["source_title"],
    )


#: Why the September 2018 designation names them (the Treasury's press release sm481).
IT_WORKERS = (
    "revenue from North Korean IT workers abroad, through front companies in China and Russia"
)


def record_other_parties() -> int:
    """The file's designated parties the demo lacks, each with a claim on its row's source."""
    by_name = {row["name"]: row for row in rows()}
    made = 0
    for party in OTHER_PARTIES:
        row = by_name[party["row"]]
        organisation, created = Organisation.objects.get_or_create(
            name=party["name"],
            is_synthetic=False,
            defaults={
                "kind": party["kind"],
                "country": party["country"],
                "access_level": AccessLevel.PUBLIC,
                "notes": "Named in a US Treasury (OFAC) designation for exporting North Korean "
                "labour (IT workers).",
            },
        )
        if created:
            made += 1
            for alias in party["aliases"]:
                OrganisationAlias.objects.create(
                    organisation=organisation, name=alias, script=Script.LATIN
                )
            organisation.add_claim(_source(row, IT_WORKERS), Credibility.CONFIRMED, "designated")
    row = by_name[FIGURE["row"]]
    figure, created = PublicFigure.objects.get_or_create(
        name=FIGURE["name"],
        is_synthetic=False,
        defaults={
            "position": FIGURE["position"],
            "nationality": "KP",
            "access_level": AccessLevel.PUBLIC,
        },
    )
    if created:
        made += 1
        figure.add_claim(_source(row, IT_WORKERS), Credibility.CONFIRMED, "designated; CEO")
    return made


def load_demo_sanctions() -> dict[str, Any]:
    """The list, the parties it names that the demo lacks, and one cross-reference run."""
    result = load_list()
    parties = record_other_parties()
    run: XrefRun = start_run(result.sanctions_list, user=None, queue=False)
    run = execute(run.pk)
    return {
        "sanctions list entities": result.entities,
        "designated parties added": parties,
        "cross-reference candidates": run.counts.get("candidates", 0),
    }
