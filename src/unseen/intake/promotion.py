"""Approving a public sighting: it becomes a Sighting resting on a public-report Source and a Claim.

All in one transaction, written to the audit log. The place is coarsened to the centre of a grid
cell (10 km by default, never finer unless an administrator chooses "as reported"), so a published
point cannot lead back to the doorstep a reporter stood on. The reporter's contact details stay in
the vault: nothing of them reaches the Sighting, the Source or the Claim.
"""

import math
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from unseen.accounts.models import AccessLevel
from unseen.accounts.roles import Role
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.documentation.models import Sighting
from unseen.evidence.models import Credibility, DatePrecision, Reliability, Source, SourceKind
from unseen.registry.models import CoordinatePrecision

from .models import Kind, Status, Submission

KM_PER_DEGREE = 111.32
DEFAULT_GRID_KM = 10
MIN_GRID_KM = 10


class PromotionRefused(Exception):
    """The submission cannot be promoted as asked; the reason is for the moderator."""


def coarsen(latitude: float, longitude: float, grid_km: float) -> tuple[float, float]:
    """The centre of the `grid_km` cell the point lies in (cells keep their width in km at any latitude)."""
    lat_step = grid_km / KM_PER_DEGREE
    row = math.floor((latitude + 90) / lat_step)
    centre_lat = min(90.0, -90 + (row + 0.5) * lat_step)
    shrink = max(math.cos(math.radians(centre_lat)), 0.01)
    lon_step = min(360.0, grid_km / (KM_PER_DEGREE * shrink))
    column = math.floor((longitude + 180) / lon_step)
    centre_lon = -180 + (column + 0.5) * lon_step
    if centre_lon > 180:
        centre_lon -= 360
    return round(centre_lat, 4), round(centre_lon, 4)


def precision_for(grid_km: int) -> str:
    if grid_km <= 0:
        return ""  # as reported: how precise, nobody knows
    return CoordinatePrecision.CITY if grid_km <= 20 else CoordinatePrecision.REGION


def _source_title(submission: Submission) -> str:
    where = submission.place or submission.country or "place not given"
    return f"Public report received {submission.received_on:%Y-%m} ({where[:80]})"


def promote(
    submission: Submission,
    *,
    user: Any,
    publish: bool = True,
    grid_km: int = DEFAULT_GRID_KM,
) -> Sighting:
    """Turn an approved sighting (or an addition to one) into evidence; returns the Sighting."""
    if submission.kind == Kind.COMMENT:
        raise PromotionRefused("comments are published, not promoted")
    if grid_km < MIN_GRID_KM and getattr(user, "role", "") != Role.ADMINISTRATOR:
        raise PermissionDenied("only administrators may publish a place finer than 10 km")
    level = AccessLevel.PUBLIC if publish else AccessLevel.INTERNAL
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status != Status.PENDING:
            raise PromotionRefused("this submission has already been decided")
        parent = locked.parent
        source = Source.objects.create(
            kind=SourceKind.PUBLIC_REPORT,
            title=_source_title(parent or locked),
            date=locked.received_on.replace(day=1),
            date_precision=DatePrecision.MONTH,
            language=locked.language[:8],
            reliability=Reliability.F,
            access_level=level,
            notes="Sent in by a member of the public; not yet corroborated.",
        )
        if parent is not None and parent.sighting_id is not None:
            sighting = parent.sighting
            assert sighting is not None
            field = "description"
        else:
            base = locked  # an addition to a report not (yet) promoted stands on its own
            latitude, longitude = base.latitude, base.longitude
            if latitude is not None and longitude is not None and grid_km > 0:
                latitude, longitude = coarsen(latitude, longitude, grid_km)
            sighting = Sighting.objects.create(
                description=base.description,
                place=base.place,
                country=base.country,
                latitude=latitude,
                longitude=longitude,
                coordinate_precision=precision_for(grid_km) if latitude is not None else "",
                observed_from=base.observed_from,
                observed_to=base.observed_to,
                workers_low=base.workers_low,
                workers_high=base.workers_high,
                work_kind=base.work_kind,
                access_level=level,
            )
            field = ""
        sighting.add_claim(
            source, Credibility.CANNOT_JUDGE, statement=locked.description[:1000], field=field
        )
        locked.status = Status.APPROVED
        locked.decided_on = timezone.localdate()
        locked.sighting = sighting
        locked.save(update_fields=["status", "decided_on", "sighting"])
        record(
            Action.UPDATE,
            locked,
            actor=user.get_username(),
            detail={
                "decision": "approved",
                "promoted_to": sighting._meta.label_lower,
                "sighting_id": sighting.pk,
                "published": publish,
                "grid_km": grid_km,
            },
        )
    submission.refresh_from_db()
    return sighting
