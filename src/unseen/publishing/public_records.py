"""What the public page of one organisation, site or host country holds, built from public records
and public sources only; the public search across them; the trail of a published estimate."""

from typing import Any

from unseen.accounts.models import AccessLevel
from unseen.estimation.models import EstimateRun, RunKind
from unseen.registry.models import Organisation, Site


def organisation_page(pk: int) -> dict[str, Any] | None:
    record = Organisation.objects.filter(pk=pk, access_level=AccessLevel.PUBLIC).first()
    if record is None:
        return None
    return {"record": {"id": record.pk, "name": record.name}}


def site_page(pk: int) -> dict[str, Any] | None:
    record = Site.objects.filter(pk=pk, access_level=AccessLevel.PUBLIC).first()
    if record is None:
        return None
    return {"record": {"id": record.pk, "name": record.name}}


def country_page(code: str) -> dict[str, Any] | None:
    if not Site.objects.filter(country=code, access_level=AccessLevel.PUBLIC).exists():
        return None
    return {"code": code}


def search(query: str) -> dict[str, Any]:
    return {"results": []}


def estimate_page(pk: int) -> dict[str, Any] | None:
    run = EstimateRun.objects.on_public_site().filter(pk=pk).first()
    return None if run is None else {"run": {"id": run.pk, "title": run.title}}


def revenue_page(pk: int) -> dict[str, Any] | None:
    run = EstimateRun.objects.on_public_site(kind=RunKind.REVENUE).filter(pk=pk).first()
    return None if run is None else {"run": {"id": run.pk, "title": run.title}}
