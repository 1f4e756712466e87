"""The platform's deployment records as inputs of the revenue model (`unseen revenue` without FILE).

Each deployment with a place and a period becomes one `InputRow` per calendar year it covers,
labelled "deployment <id>"; its source and confidence are those of its strongest claim (the
import's grading read backwards: credibility 1–2 is high, 3 medium, 4–6 low; ADR 0002).
Records are read with full access, as commands run by administrators are (see
`Record.evidence_trail`); deployments of one person (no headcount) carry no workers and so are
left out by the model as "no headcount reported".
"""

from decimal import Decimal

from unseen.accounts.models import UserLike, visible_access_levels
from unseen.core.places import Host
from unseen.core.revenue import InputRow, row_from_fields

from .models import Deployment

# A multi-year deployment with no end date is taken for its first year only.
MAX_YEARS = 50


def _confidence(credibility: int | None) -> str:
    if credibility is None or credibility >= 4:
        return "low"
    return "high" if credibility <= 2 else "medium"


def deployment_inputs(year: int | None = None, user: UserLike | None = None) -> list[InputRow]:
    """Every deployment (or those covering `year`) as revenue inputs, one row per year covered.

    With a `user`, only the deployments and sources that user may read (the revenue page);
    without, everything (commands run by administrators).
    """
    deployments = Deployment.objects.exclude(period_start=None).prefetch_related(
        "supporting_claims__source"
    )
    levels = None
    if user is not None:
        levels = visible_access_levels(user)
        deployments = deployments.filter(access_level__in=levels)
    if year is not None:
        deployments = deployments.in_year(year)
    rows: list[InputRow] = []
    for deployment in deployments.order_by("id"):
        host = Host(country=deployment.host_country, region=deployment.host_region)
        if not (host.country or host.region):
            continue
        claims = sorted(
            (
                claim
                for claim in deployment.supporting_claims.all()
                if levels is None or claim.source.access_level in levels
            ),
            key=lambda c: (c.credibility, c.pk),
        )
        strongest = claims[0] if claims else None
        start = deployment.period_start.year
        end = deployment.period_end.year if deployment.period_end else start
        years = range(start, min(end, start + MAX_YEARS) + 1)
        for one in years if year is None else [year]:
            rows.append(
                row_from_fields(
                    deployment.pk,
                    host,
                    one,
                    deployment.sector or "unspecified",
                    {
                        "workers": (deployment.workers_low, deployment.workers_high),
                        "wage": (
                            _float(deployment.monthly_wage_usd_low),
                            _float(deployment.monthly_wage_usd_high),
                        ),
                        "share": (
                            _float(deployment.state_share_low),
                            _float(deployment.state_share_high),
                        ),
                    },
                    source=strongest.source.title if strongest else "",
                    confidence=_confidence(strongest.credibility if strongest else None),
                    label=f"deployment {deployment.pk}",
                )
            )
    return rows


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(str(value))
