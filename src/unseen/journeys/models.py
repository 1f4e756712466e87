"""A testimony's journey as an ordered list of events, from recruitment to exit (ADR 0045).

An event belongs to one testimony and has no access level of its own: whoever may read the
testimony may read its journey, and no one else (`JourneyEvent.objects.visible_to`). The stages
follow what returned workers describe and map onto the Human Trafficking Case Data Standard's
historic trafficking events (recruitment, transit, exploitation; docs/facts/htcds.md).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from unseen.accounts.models import UserLike
from unseen.constraints import choices_constraint
from unseen.documentation.models import (
    Deployment,
    Finding,
    Indicator,
    IndicatorCoding,
    RecruitmentChannel,
    Testimony,
)
from unseen.evidence.models import DatePrecision
from unseen.evidence.revisions import history
from unseen.registry.models import CoordinatePrecision, Organisation, Site


class Stage(models.TextChoices):
    """The stages of a journey, in the order they are lived."""

    RECRUITMENT = "recruitment", _("Recruitment")
    VETTING = "vetting", _("Vetting")
    DEPARTURE = "departure", _("Training and departure")
    TRANSIT = "transit", _("Transit")
    DEPLOYMENT = "deployment", _("Deployment")
    EXPLOITATION = "exploitation", _("Exploitation")
    EXIT = "exit", _("Exit")


class ExitKind(models.TextChoices):
    CONTRACT_END = "contract_end", _("Returned home at the end of the contract")
    RECALLED = "recalled", _("Recalled or sent home early")
    ESCAPE = "escape", _("Escaped")
    DEFECTION = "defection", _("Defected")
    DEATH = "death", _("Died")
    # Not an exit, but what a testimony may say instead of one; it keeps the old outcome.
    STILL_ABROAD = "still_abroad", _("Still abroad when last heard of")


class OrganisationRole(models.TextChoices):
    """The part an organisation played (a subset of HTCDS's perpetrator RoleInProcess)."""

    RECRUITER = "recruiter", _("Recruiter or intermediary")
    BROKER = "broker", _("Broker or travel agent")
    TRANSPORTER = "transporter", _("Transporter")
    EXPLOITER = "exploiter", _("Employer or exploiter")
    CONTROLLER = "controller", _("Kept workers under control")
    OTHER = "other", _("Other")


class DocumentHolder(models.TextChoices):
    WORKER = "worker", _("The worker")
    MANAGER = "manager", _("A manager or minder from the home country")
    EMPLOYER = "employer", _("The employer abroad")
    STATE = "state", _("A state organ or embassy")
    UNKNOWN = "unknown", _("Unknown")


class IsicSection(models.TextChoices):
    """ISIC Rev. 4 sections, as HTCDS's Labour Industry uses them."""

    A = "A", _("A: Agriculture, forestry and fishing")
    B = "B", _("B: Mining and quarrying")
    C = "C", _("C: Manufacturing")
    D = "D", _("D: Electricity, gas, steam and air conditioning supply")
    E = "E", _("E: Water supply, sewerage and waste management")
    F = "F", _("F: Construction")
    G = "G", _("G: Wholesale and retail trade")
    H = "H", _("H: Transportation and storage")
    I = "I", _("I: Accommodation and food service activities")  # noqa: E741
    J = "J", _("J: Information and communication")
    K = "K", _("K: Financial and insurance activities")
    L = "L", _("L: Real estate activities")
    M = "M", _("M: Professional, scientific and technical activities")
    N = "N", _("N: Administrative and support service activities")
    O = "O", _("O: Public administration and defence")  # noqa: E741
    P = "P", _("P: Education")
    Q = "Q", _("Q: Human health and social work activities")
    R = "R", _("R: Arts, entertainment and recreation")
    S = "S", _("S: Other service activities")
    T = "T", _("T: Activities of households as employers")
    U = "U", _("U: Activities of extraterritorial organisations")


class JourneyEventQuerySet(models.QuerySet["JourneyEvent"]):
    def visible_to(self, user: UserLike) -> "JourneyEventQuerySet":
        """Events of the testimonies `user` may read: a journey is as secret as its testimony."""
        return self.filter(testimony__in=Testimony.objects.visible_to(user))

    def in_order(self) -> "JourneyEventQuerySet":
        return self.order_by("testimony_id", "position", "id")


class JourneyEvent(models.Model):
    """One step of a testimony's journey: what happened, when and where, as precisely as known.

    Which fields apply depends on the stage (`FIELDS_BY_STAGE`); the others stay empty.
    """

    testimony = models.ForeignKey(
        Testimony,
        on_delete=models.CASCADE,
        related_name="journey_events",
        verbose_name=_("Testimony"),
    )
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("Position"))
    stage = models.CharField(max_length=12, choices=Stage.choices, verbose_name=_("Stage"))

    # When: partial dates, as elsewhere (2019 is 2019-01-01 with precision "year").
    date_start = models.DateField(null=True, blank=True, verbose_name=_("From"))
    date_start_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        default="",
        verbose_name=_("From: precision"),
    )
    date_end = models.DateField(null=True, blank=True, verbose_name=_("Until"))
    date_end_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        default="",
        verbose_name=_("Until: precision"),
    )

    # Where: a country, a place name, and a point only as precise as the testimony allows.
    country = models.CharField(
        max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2."), verbose_name=_("Country")
    )
    place = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("City, region or crossing."),
        verbose_name=_("Place"),
    )
    latitude = models.FloatField(null=True, blank=True, verbose_name=_("Latitude"))
    longitude = models.FloatField(null=True, blank=True, verbose_name=_("Longitude"))
    place_precision = models.CharField(
        max_length=13,
        choices=CoordinatePrecision.choices,
        blank=True,
        default="",
        verbose_name=_("Place precision"),
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journey_events",
        verbose_name=_("Site"),
    )

    # Who: the organisation at this step and the part it played.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journey_events",
        verbose_name=_("Organisation"),
    )
    organisation_role = models.CharField(
        max_length=11,
        choices=OrganisationRole.choices,
        blank=True,
        default="",
        verbose_name=_("Its role"),
    )

    # Recruitment.
    channel = models.CharField(
        max_length=20,
        choices=RecruitmentChannel.choices,
        blank=True,
        default="",
        verbose_name=_("Recruitment channel"),
    )
    # Vetting.
    health_check = models.CharField(
        max_length=7,
        choices=Finding.choices,
        default=Finding.UNKNOWN,
        verbose_name=_("Health check"),
    )
    loyalty_check = models.CharField(
        max_length=7,
        choices=Finding.choices,
        default=Finding.UNKNOWN,
        verbose_name=_("Loyalty or background check"),
    )
    bribe_paid = models.CharField(
        max_length=7, choices=Finding.choices, default=Finding.UNKNOWN, verbose_name=_("Bribe paid")
    )
    bribe_amount_usd = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, verbose_name=_("Bribe (USD)")
    )
    months_waited = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("Months waited")
    )
    # Transit (and wherever documents changed hands).
    route = models.CharField(max_length=300, blank=True, verbose_name=_("Route"))
    border_crossings = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("Border crossings")
    )
    documents_held_by = models.CharField(
        max_length=8,
        choices=DocumentHolder.choices,
        blank=True,
        default="",
        verbose_name=_("Documents held by"),
    )
    # Deployment.
    sector = models.CharField(
        max_length=1,
        choices=IsicSection.choices,
        blank=True,
        default="",
        verbose_name=_("Sector (ISIC section)"),
    )
    deployment = models.ForeignKey(
        Deployment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="journey_events",
        verbose_name=_("Deployment record"),
    )
    # Exit.
    exit_kind = models.CharField(
        max_length=12,
        choices=ExitKind.choices,
        blank=True,
        default="",
        verbose_name=_("How it ended"),
    )
    notes = models.TextField(
        blank=True,
        help_text=_("What the testimony says of this step; nothing that identifies anyone."),
        verbose_name=_("Notes"),
    )

    history = history()
    objects = JourneyEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("journey event")
        verbose_name_plural = _("journey events")
        ordering = ["testimony", "position", "id"]
        indexes = [models.Index(fields=["testimony", "position"], name="journey_event_order")]
        constraints = [
            choices_constraint("stage", Stage, "journey_event_stage_valid"),
            choices_constraint(
                "date_start_precision",
                DatePrecision,
                "journey_event_start_precision_valid",
                allow_blank=True,
            ),
            choices_constraint(
                "date_end_precision",
                DatePrecision,
                "journey_event_end_precision_valid",
                allow_blank=True,
            ),
            models.CheckConstraint(
                condition=models.Q(date_start__isnull=True)
                | models.Q(date_end__isnull=True)
                | models.Q(date_start__lte=models.F("date_end")),
                name="journey_event_dates_ordered",
            ),
            models.CheckConstraint(
                condition=(models.Q(latitude__isnull=True) & models.Q(longitude__isnull=True))
                | (
                    models.Q(latitude__gte=-90, latitude__lte=90)
                    & models.Q(longitude__gte=-180, longitude__lte=180)
                ),
                name="journey_event_coordinates_valid",
            ),
            choices_constraint(
                "place_precision",
                CoordinatePrecision,
                "journey_event_place_precision_valid",
                allow_blank=True,
            ),
            choices_constraint(
                "organisation_role",
                OrganisationRole,
                "journey_event_role_valid",
                allow_blank=True,
            ),
            choices_constraint(
                "channel", RecruitmentChannel, "journey_event_channel_valid", allow_blank=True
            ),
            choices_constraint("health_check", Finding, "journey_event_health_valid"),
            choices_constraint("loyalty_check", Finding, "journey_event_loyalty_valid"),
            choices_constraint("bribe_paid", Finding, "journey_event_bribe_valid"),
            models.CheckConstraint(
                condition=models.Q(bribe_amount_usd__isnull=True)
                | models.Q(bribe_amount_usd__gte=0),
                name="journey_event_bribe_not_negative",
            ),
            choices_constraint(
                "documents_held_by",
                DocumentHolder,
                "journey_event_documents_valid",
                allow_blank=True,
            ),
            choices_constraint(
                "sector", IsicSection, "journey_event_sector_valid", allow_blank=True
            ),
            choices_constraint("exit_kind", ExitKind, "journey_event_exit_valid", allow_blank=True),
        ]

    def __str__(self) -> str:
        # Names nothing from the testimony: an event is listed where little else may be shown.
        return f"{self.get_stage_display()} ({self.position + 1})"

    def clean(self) -> None:
        """Refuse values in fields that do not belong to this stage, naming each one."""
        errors = {
            name: _("Not part of the stage “%(stage)s”.") % {"stage": self.get_stage_display()}
            for name in self.misplaced_fields()
        }
        if errors:
            raise ValidationError(errors)

    def misplaced_fields(self) -> list[str]:
        keep = FIELDS_BY_STAGE.get(self.stage, frozenset())
        return [
            name
            for name, empty in STAGE_FIELDS.items()
            if name not in keep and getattr(self, _attribute(name)) != _raw(empty)
        ]


def _attribute(name: str) -> str:
    return "deployment_id" if name == "deployment" else name


def _raw(empty: Any) -> Any:
    return str(empty) if isinstance(empty, models.TextChoices) else empty


class JourneyIndicator(models.Model):
    """An ILO indicator found at one step of the journey, citing where the testimony says so."""

    event = models.ForeignKey(
        JourneyEvent,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("Journey event"),
    )
    indicator = models.CharField(
        max_length=30, choices=Indicator.choices, verbose_name=_("Indicator")
    )
    passage = models.TextField(
        verbose_name=_("Passage"),
        help_text=_(
            "Where the testimony says so: its words, or the page or time in the transcript."
        ),
    )

    history = history()

    class Meta:
        verbose_name = _("indicator at a journey stage")
        verbose_name_plural = _("indicators at journey stages")
        ordering = ["event", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "indicator"], name="journey_indicator_once_per_event"
            ),
            choices_constraint("indicator", Indicator, "journey_indicator_valid"),
            # An indicator without its passage is an assertion, not a coding.
            models.CheckConstraint(
                condition=~models.Q(passage=""), name="journey_indicator_cites_passage"
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_indicator_display())

    def code_testimony(self) -> str:
        """Code the testimony for this indicator; returns its testimony-level finding after.

        The testimony's coding says whether the testimony as a whole tells of each indicator. An
        indicator cited at one of its stages, with the passage that says so, is exactly such a
        telling: "unknown" is no longer true, so it becomes "present" (with the passage as its
        note if it had none), and the indicator matrix and the flows count it without a second
        step. "Present" stays. "Absent" is kept: a coder decided it, and a stage that contradicts
        them is for a person to settle (the editor is told), not for a save to overwrite
        silently.
        """
        testimony = self.event.testimony
        coding = (
            IndicatorCoding.objects.select_for_update()
            .filter(testimony=testimony, indicator=self.indicator)
            .first()
        )
        if coding is None:
            coding = testimony.code(Indicator(self.indicator), Finding.PRESENT, self.passage)
        elif coding.finding == Finding.UNKNOWN:
            coding.finding = Finding.PRESENT
            coding.note = coding.note or self.passage
            coding.save()
        return str(coding.finding)


# The stage-specific fields and their empty values; every stage keeps the common ones.
STAGE_FIELDS: dict[str, Any] = {
    "channel": "",
    "health_check": Finding.UNKNOWN,
    "loyalty_check": Finding.UNKNOWN,
    "bribe_paid": Finding.UNKNOWN,
    "bribe_amount_usd": None,
    "months_waited": None,
    "route": "",
    "border_crossings": None,
    "sector": "",
    "deployment": None,
    "exit_kind": "",
}
FIELDS_BY_STAGE: dict[str, frozenset[str]] = {
    Stage.RECRUITMENT: frozenset({"channel"}),
    Stage.VETTING: frozenset(
        {"health_check", "loyalty_check", "bribe_paid", "bribe_amount_usd", "months_waited"}
    ),
    Stage.DEPARTURE: frozenset({"route"}),
    Stage.TRANSIT: frozenset({"route", "border_crossings"}),
    Stage.DEPLOYMENT: frozenset({"sector", "deployment"}),
    Stage.EXPLOITATION: frozenset(),
    Stage.EXIT: frozenset({"exit_kind", "route", "border_crossings"}),
}
