"""Lists for the sanctions tests: FollowTheMoney lines built in place, loaded as a list version."""

import hashlib
import json

import pytest

from unseen.accounts.models import AccessLevel
from unseen.registry.models import Organisation, OrganisationKind
from unseen.sanctions.loading import load_lines


def company(entity_id: str, name: str, *aliases: str, country: str = "kp", **extra) -> dict:
    properties = {"name": [name], "country": [country], **extra}
    if aliases:
        properties["alias"] = list(aliases)
    return {"id": entity_id, "schema": "Company", "properties": properties}


def sanction(entity_id: str, *, programme: str = "UN-SC1718", listed: str = "2017-08-05", **extra):
    properties = {
        "entity": [entity_id],
        "authority": ["UN Security Council 1718 Committee"],
        "program": [programme],
        "listingDate": [listed],
        **extra,
    }
    return {"id": f"{entity_id}-s", "schema": "Sanction", "properties": properties}


def lines_of(*entities: dict) -> list[str]:
    return [json.dumps(entity, ensure_ascii=False) for entity in entities]


def load(entities, *, version="1", code="un_sc_sanctions", **options):
    lines = lines_of(*entities)
    data = "\n".join(lines).encode()
    return load_lines(
        lines,
        sha256=hashlib.sha256(data).hexdigest(),
        code=code,
        title="UN Security Council Consolidated List",
        authority="UN Security Council 1718 Committee",
        version=version,
        **options,
    ).sanctions_list


MOP = company(
    "NK-mop",
    "Mansudae Overseas Project Group of Companies",
    "만수대해외개발회사그룹",
)
KGCEC = company("NK-kgcec", "Korea General Corporation for External Construction", "KGCEC")
OTHER = company("NK-tanchon", "Tanchon Commercial Bank")


@pytest.fixture
def un_list(db):
    return load([MOP, sanction("NK-mop", unscId=["KPe.050"]), KGCEC, sanction("NK-kgcec"), OTHER])


@pytest.fixture
def mop(db):
    return Organisation.objects.create(
        name="Mansudae Overseas Project",
        kind=OrganisationKind.TRADING_COMPANY,
        country="KP",
        access_level=AccessLevel.PUBLIC,
    )
