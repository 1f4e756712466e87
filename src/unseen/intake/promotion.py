"""Approving a public sighting: it becomes a Sighting resting on a public-report Source and a Claim.

All in one transaction, written to the audit log. What the public sees is what the moderator wrote
for it: a coarse place label and a description (`Publication`). The reporter's own words can name
a doorstep or a neighbour, so they stay in the Sighting's internal `place` and `description` and
never reach a public field, the Source's title or the Claim. The observed dates are stored at the
precision the moderator chose (a month by default) and the point is moved to the centre of a grid
cell (10 km by default); only an administrator may keep the pin as reported, and only unpublished.
The reporter's contact details stay in the vault: nothing of them reaches the Sighting, the Source
or the Claim.
"""

import math
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unseen.accounts.models import AccessLevel, UserLike
from unseen.accounts.roles import Role
from unseen.audit.log import record
from unseen.audit.models import Action
from unseen.core.places import country_name
from unseen.documentation.models import Sighting
from unseen.evidence.models import Credibility, DatePrecision, Reliability, Source, SourceKind
from unseen.evidence.revisions import revising
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


@dataclass(frozen=True)
class Publication:
    """What the moderator wrote or chose for the public; nothing else of a report is published."""

    description: str
    place_label: str = ""
    work_kind: str = ""
    date_precision: str = DatePrecision.MONTH
    grid_km: int = DEFAULT_GRID_KM
    publish: bool = False


def _source_title(submission: Submission) -> str:
    # Cited on public pages and kept in public exports: the month and the country (picked from a
    # list), never the words the reporter typed.
    country = f", {country_name(submission.country)}" if submission.country else ""
    return f"Public report received {submission.received_on:%Y-%m}{country} (submission {submission.pk})"


def promote(submission: Submission, *, user: UserLike, publication: Publication) -> Sighting:
    """Turn an approved sighting (or an addition to one) into evidence; returns the Sighting."""
    if submission.kind == Kind.COMMENT:
        raise PromotionRefused("comments are published, not promoted")
    grid_km = publication.grid_km
    if grid_km < MIN_GRID_KM and getattr(user, "role", "") != Role.ADMINISTRATOR:
        raise PermissionDenied("only administrators may keep a place finer than 10 km")
    if grid_km < MIN_GRID_KM and publication.publish:
        # The privacy notice promises reporters a published place at least this coarse.
        raise PromotionRefused(f"a published place is at least {MIN_GRID_KM} km coarse")
    if not publication.description.strip():
        raise PromotionRefused("write the description the public will read")
    level = AccessLevel.PUBLIC if publication.publish else AccessLevel.INTERNAL
    # The moderator's decision is the reason for the records it writes, as an edit's reason is.
    with (
        transaction.atomic(),
        revising(_("Moderation: public report %(number)s approved") % {"number": submission.pk}),
    ):
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status != Status.PENDING:
            raise PromotionRefused("this submission has already been decided")
        parent = locked.parent
        source = Source.objects.create(
            kind=SourceKind.PUBLIC_REPORT,
            title=_source_title(locked),
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
            # The addition's own words join the internal description, for the team to read.
            sighting.description = f"{sighting.description}\n\nAdded later: {locked.description}"
            sighting.save(update_fields=["description"])
            field = "description"
        else:
            if not publication.place_label.strip():
                raise PromotionRefused("write the place as the public will see it")
            base = locked  # an addition to a report not (yet) promoted stands on its own
            latitude, longitude = base.latitude, base.longitude
            if latitude is not None and longitude is not None and grid_km > 0:
                latitude, longitude = coarsen(latitude, longitude, grid_km)
            placed = latitude is not None
            sighting = Sighting.objects.create(
                description=base.description,
                place=base.place,
                public_place_label=publication.place_label.strip(),
                public_description=publication.description.strip(),
                country=base.country,
                latitude=latitude,
                longitude=longitude,
                coordinate_precision=precision_for(grid_km) if placed else "",
                coordinate_grid_km=grid_km if placed and grid_km > 0 else None,
                observed_from=base.observed_from,
                observed_to=base.observed_to,
                observed_precision=publication.date_precision,
                workers_low=base.workers_low,
                workers_high=base.workers_high,
                # Published as the moderator confirmed it; as typed, it stays on the submission.
                work_kind=publication.work_kind.strip(),
                access_level=level,
            )
            field = ""
        sighting.add_claim(
            source,
            Credibility.CANNOT_JUDGE,
            statement=publication.description.strip()[:1000],
            field=field,
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
                "published": publication.publish,
                "grid_km": grid_km,
                "date_precision": publication.date_precision,
            },
        )
    submission.refresh_from_db()
    return sighting
