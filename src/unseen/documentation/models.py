import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from unseen.accounts.models import UserLike, visible_access_levels
from unseen.constraints import choices_constraint, ordered_range_constraint
from unseen.core.places import Host
from unseen.core.schemas import is_proxy_sector
from unseen.evidence.models import (
    DatePrecision,
    Record,
    RecordQuerySet,
    Source,
    access_level_constraint,
)
from unseen.evidence.revisions import history
from unseen.registry.models import (
    CoordinatePrecision,
    Organisation,
    Person,
    PublicFigure,
    Site,
    coordinates_constraints,
)


class Indicator(models.TextChoices):
    """The 11 ILO indicators of forced labour (ILO SAP-FL, Indicators of Forced Labour, 2012)."""

    ABUSE_OF_VULNERABILITY = "abuse_of_vulnerability", _("Abuse of vulnerability")
    DECEPTION = "deception", _("Deception")
    RESTRICTION_OF_MOVEMENT = "restriction_of_movement", _("Restriction of movement")
    ISOLATION = "isolation", _("Isolation")
    PHYSICAL_SEXUAL_VIOLENCE = "physical_sexual_violence", _("Physical and sexual violence")
    INTIMIDATION_THREATS = "intimidation_threats", _("Intimidation and threats")
    RETENTION_OF_DOCUMENTS = "retention_of_documents", _("Retention of identity documents")
    WITHHOLDING_OF_WAGES = "withholding_of_wages", _("Withholding of wages")
    DEBT_BONDAGE = "debt_bondage", _("Debt bondage")
    ABUSIVE_CONDITIONS = "abusive_conditions", _("Abusive working and living conditions")
    EXCESSIVE_OVERTIME = "excessive_overtime", _("Excessive overtime")


class Finding(models.TextChoices):
    """Present / absent / unknown: used for indicators and for yes-no facts of the journey."""

    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    UNKNOWN = "unknown", _("Unknown")


class RecruitmentChannel(models.TextChoices):
    STATE_ASSIGNMENT = "state_assignment", _("Assigned by a state organ or workplace")
    APPLIED = "applied", _("Applied through an agency or company")
    PERSONAL_CONNECTION = "personal_connection", _("Through a personal connection")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Testimony(Record):
    """An interview: a source with its interviewee, consent and ILO coding (its journey: journeys)."""

    source = models.OneToOneField(
        Source, on_delete=models.PROTECT, related_name="testimony", verbose_name=_("Source")
    )
    interviewee = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="testimonies",
        verbose_name=_("Interviewee"),
    )
    interview_date = models.DateField(null=True, blank=True, verbose_name=_("Interview date"))
    interview_date_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        default="",
        verbose_name=_("Interview date precision"),
    )
    interview_language = models.CharField(
        max_length=8, default="ko", verbose_name=_("Interview language")
    )
    interview_country = models.CharField(
        max_length=2,
        blank=True,
        help_text=_("Where the interview took place."),
        verbose_name=_("Interview country"),
    )
    interviewer_code = models.CharField(
        max_length=30,
        blank=True,
        help_text=_("Staff code, not a name."),
        verbose_name=_("Interviewer code"),
    )
    consent_to_use = models.BooleanField(default=False, verbose_name=_("Consent to use"))
    consent_to_publish = models.BooleanField(default=False, verbose_name=_("Consent to publish"))
    summary = models.TextField(
        blank=True,
        help_text=_("Non-identifying summary of what was told."),
        verbose_name=_("Summary"),
    )

    history = history()

    class Meta:
        verbose_name = _("testimony")
        verbose_name_plural = _("testimonies")
        ordering = ["-interview_date", "id"]
        constraints = [
            access_level_constraint("testimony"),
            models.CheckConstraint(
                condition=models.Q(consent_to_publish=False) | models.Q(consent_to_use=True),
                name="testimony_publish_needs_use_consent",
            ),
            choices_constraint(
                "interview_date_precision",
                DatePrecision,
                "testimony_date_precision_valid",
                allow_blank=True,
            ),
        ]

    def __str__(self) -> str:
        # Names no related record: a testimony is listed where its source may not be readable.
        return f"Testimony {self.pk}"

    def code(self, indicator: Indicator, finding: Finding, note: str = "") -> "IndicatorCoding":
        coding, _created = IndicatorCoding.objects.update_or_create(
            testimony=self, indicator=indicator, defaults={"finding": finding, "note": note}
        )
        return coding

    def indicator_profile(self) -> dict[str, str]:
        """Every one of the 11 indicators with its finding; uncoded ones are unknown."""
        coded = dict(self.codings.values_list("indicator", "finding"))
        return {indicator: coded.get(indicator, Finding.UNKNOWN) for indicator in Indicator.values}


class IndicatorCoding(models.Model):
    testimony = models.ForeignKey(
        Testimony, on_delete=models.CASCADE, related_name="codings", verbose_name=_("Testimony")
    )
    indicator = models.CharField(
        max_length=30, choices=Indicator.choices, verbose_name=_("Indicator")
    )
    finding = models.CharField(
        max_length=7, choices=Finding.choices, default=Finding.UNKNOWN, verbose_name=_("Finding")
    )
    note = models.TextField(
        blank=True, help_text=_("Where in the testimony, why coded so."), verbose_name=_("Note")
    )

    history = history()

    class Meta:
        verbose_name = _("indicator coding")
        verbose_name_plural = _("indicator codings")
        ordering = ["testimony", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["testimony", "indicator"], name="coding_once_per_indicator"
            ),
            choices_constraint("indicator", Indicator, "coding_indicator_valid"),
            choices_constraint("finding", Finding, "coding_finding_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()}: {self.get_finding_display()}"


class DeploymentQuerySet(RecordQuerySet):
    def headcounts(self) -> "DeploymentQuerySet":
        """Deployments that count workers: proxies (entries, plans) left out."""
        return self.filter(is_proxy=False)

    def in_year(self, year: int) -> "DeploymentQuerySet":
        return self.filter(period_start__year__lte=year, period_end__year__gte=year)


class Deployment(Record):
    """Workers — one person or a headcount range — at a site or in a country, for a period."""

    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deployments",
        verbose_name=_("Person"),
    )
    workers_low = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("Workers, low"))
    workers_high = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("Workers, high")
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deployments",
        verbose_name=_("Site"),
    )
    host_country = models.CharField(
        max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2."), verbose_name=_("Host country")
    )
    host_region = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("For figures spanning countries: World, Southeast Asia, QA/AE."),
        verbose_name=_("Host region"),
    )
    sector = models.CharField(max_length=200, blank=True, verbose_name=_("Sector"))
    is_proxy = models.BooleanField(
        default=False,
        editable=False,
        help_text=_("Entries or plans, not a count of workers."),
        verbose_name=_("Proxy figure"),
    )
    period_start = models.DateField(null=True, blank=True, verbose_name=_("Period start"))
    period_start_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        default="",
        verbose_name=_("Period start precision"),
    )
    period_end = models.DateField(null=True, blank=True, verbose_name=_("Period end"))
    period_end_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        default="",
        verbose_name=_("Period end precision"),
    )
    dispatcher = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatched",
        help_text=_("The North Korean organisation that sent the workers."),
        verbose_name=_("Dispatcher"),
    )
    employer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employed",
        help_text=_("The host-country employer."),
        verbose_name=_("Employer"),
    )
    monthly_wage_usd_low = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        verbose_name=_("Monthly wage (USD), low"),
    )
    monthly_wage_usd_high = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        verbose_name=_("Monthly wage (USD), high"),
    )
    state_share_low = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("The state's share of the wage, as a fraction from 0 to 1."),
        verbose_name=_("State share, low"),
    )
    state_share_high = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("The state's share of the wage, as a fraction from 0 to 1."),
        verbose_name=_("State share, high"),
    )
    hours_per_day = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True, verbose_name=_("Hours per day")
    )

    objects: ClassVar[models.Manager["Deployment"]] = DeploymentQuerySet.as_manager()

    history = history()

    class Meta:
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        ordering = ["period_start", "host_country", "id"]
        constraints = [
            access_level_constraint("deployment"),
            ordered_range_constraint("workers_low", "workers_high", "deployment_workers_ordered"),
            ordered_range_constraint(
                "monthly_wage_usd_low", "monthly_wage_usd_high", "deployment_wage_ordered"
            ),
            ordered_range_constraint(
                "state_share_low", "state_share_high", "deployment_share_ordered"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(state_share_high__isnull=True) | models.Q(state_share_high__lte=1)
                ),
                name="deployment_share_at_most_one",
            ),
            models.CheckConstraint(
                condition=models.Q(person__isnull=True)
                | models.Q(workers_low__isnull=True, workers_high__isnull=True),
                name="deployment_person_or_headcount",
            ),
            models.CheckConstraint(
                condition=~models.Q(site__isnull=True, host_country="", host_region=""),
                name="deployment_has_a_place",
            ),
            models.CheckConstraint(
                condition=models.Q(hours_per_day__isnull=True)
                | models.Q(hours_per_day__gte=0, hours_per_day__lte=24),
                name="deployment_hours_in_a_day",
            ),
            choices_constraint(
                "period_start_precision",
                DatePrecision,
                "deployment_start_precision_valid",
                allow_blank=True,
            ),
            choices_constraint(
                "period_end_precision",
                DatePrecision,
                "deployment_end_precision_valid",
                allow_blank=True,
            ),
        ]
        indexes = [
            models.Index(
                fields=["host_country", "period_start", "period_end", "access_level"],
                name="deployment_country_period_idx",
            ),
            models.Index(
                fields=["access_level", "period_start", "id"], name="deployment_access_idx"
            ),
            models.Index(fields=["period_start", "id"], name="deployment_start_idx"),
        ]

    def __str__(self) -> str:
        year = self.period_start.year if self.period_start else "?"
        # Names no related record (its site may be beyond the reader's level); save() copies the
        # site's country into host_country, so the host is known whenever a site is.
        return f"{self.host.label or 'place unknown'} {year}: {self.sector or 'workers'}"

    @property
    def host(self) -> Host:
        return Host(country=self.host_country, region=self.host_region)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.is_proxy = is_proxy_sector(self.sector)
        if self.site is not None and not self.host_country and not self.host_region:
            self.host_country = self.site.country
        super().save(*args, **kwargs)


class Act(models.TextChoices):
    PASSPORT_CONFISCATION = "passport_confiscation", _("Passport confiscation")
    BEATING = "beating", _("Beating")
    SEXUAL_VIOLENCE = "sexual_violence", _("Sexual violence")
    SURVEILLANCE = "surveillance", _("Surveillance")
    PUNISHMENT = "punishment", _("Punishment")
    WAGE_WITHHOLDING = "wage_withholding", _("Wage withholding")
    FORCED_RETURN = "forced_return", _("Forced return")
    DEATH = "death", _("Death")
    ESCAPE = "escape", _("Escape")
    OTHER = "other", _("Other")


class Incident(Record):
    """An act: who did what to whom, when and where."""

    act = models.CharField(max_length=25, choices=Act.choices, verbose_name=_("Act"))
    description = models.TextField(blank=True, verbose_name=_("Description"))
    date = models.DateField(null=True, blank=True, verbose_name=_("Date"))
    date_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        default="",
        verbose_name=_("Date precision"),
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("Site"),
    )
    country = models.CharField(max_length=2, blank=True, verbose_name=_("Country"))
    place = models.CharField(max_length=300, blank=True, verbose_name=_("Place"))
    victims = models.ManyToManyField(
        Person, blank=True, related_name="incidents_suffered", verbose_name=_("Victims")
    )
    perpetrator_organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="incidents",
        verbose_name=_("Perpetrator organisations"),
    )
    perpetrator_description = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("E.g. 'site minder (MSS)'; roles, not names."),
        verbose_name=_("Perpetrator description"),
    )

    history = history()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-date", "id"]
        constraints = [
            access_level_constraint("incident"),
            choices_constraint("act", Act, "incident_act_valid"),
            choices_constraint(
                "date_precision", DatePrecision, "incident_date_precision_valid", allow_blank=True
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_act_display()} ({self.date or 'date unknown'})"


class RelationKind(models.TextChoices):
    """How two parties relate. Read "subject <kind> object"."""

    PARENT_OF = "parent_of", _("is the parent of")
    OWNS = "owns", _("owns")
    DIRECTOR_OF = "director_of", _("is a director of")
    EMPLOYS = "employs", _("employs")
    MEMBER_OF = "member_of", _("is a member of")
    OPERATES_SITE = "operates_site", _("operates the site")
    DISPATCHES_WORKERS_TO = "dispatches_workers_to", _("dispatches workers to")
    CONTRACTS_WITH = "contracts_with", _("contracts with")
    RENAMED_TO = "renamed_to", _("was renamed to or succeeded by")
    UNKNOWN_LINK = "unknown_link", _("is linked to")


# The ends each kind allows: (subjects, objects), by end name. A site is only ever an object, and
# only of the kinds that can be about a place.
SUBJECT_ENDS = ("subject_organisation", "subject_figure", "subject_person")
OBJECT_ENDS = ("object_organisation", "object_figure", "object_person", "object_site")
ALLOWED_ENDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    RelationKind.PARENT_OF: (("subject_organisation",), ("object_organisation",)),
    RelationKind.OWNS: (
        ("subject_organisation", "subject_figure", "subject_person"),
        ("object_organisation", "object_site"),
    ),
    RelationKind.DIRECTOR_OF: (("subject_figure", "subject_person"), ("object_organisation",)),
    RelationKind.EMPLOYS: (
        ("subject_organisation",),
        ("object_figure", "object_person"),
    ),
    RelationKind.MEMBER_OF: (
        ("subject_organisation", "subject_figure", "subject_person"),
        ("object_organisation",),
    ),
    RelationKind.OPERATES_SITE: (("subject_organisation",), ("object_site",)),
    RelationKind.DISPATCHES_WORKERS_TO: (
        ("subject_organisation",),
        ("object_organisation", "object_site"),
    ),
    RelationKind.CONTRACTS_WITH: (("subject_organisation",), ("object_organisation",)),
    RelationKind.RENAMED_TO: (("subject_organisation",), ("object_organisation",)),
    RelationKind.UNKNOWN_LINK: (SUBJECT_ENDS, OBJECT_ENDS),
}


def _one_of(ends: tuple[str, ...]) -> models.Q:
    """Exactly one of the nullable foreign keys `ends` is set."""
    condition = models.Q()
    for end in ends:
        others = {f"{other}__isnull": True for other in ends if other != end}
        condition |= models.Q(**{f"{end}__isnull": False}, **others)
    return condition


def ends_readable(levels: list[str]) -> models.Q:
    """Relations whose both ends are at `levels` (an end not set is no obstacle)."""
    condition = models.Q()
    for end in (*SUBJECT_ENDS, *OBJECT_ENDS):
        condition &= models.Q(**{f"{end}__isnull": True}) | models.Q(
            **{f"{end}__access_level__in": levels}
        )
    return condition


class RelationQuerySet(RecordQuerySet):
    def visible_to(self, user: UserLike) -> "RelationQuerySet":
        """Relations `user` may read: its own level and both ends'. A relation to a record beyond
        the reader is absent, not shown with a blank end: its kind and dates alone would tell
        that something confidential is there (no ghost)."""
        levels = visible_access_levels(user)
        return self.filter(models.Q(access_level__in=levels) & ends_readable(levels))

    def valid_on(self, day: dt.date) -> "RelationQuerySet":
        """Relations in force on `day`. Dates are stored at the start of their precision, so an
        end known only to the year (2019, stored 2019-01-01) covers all of 2019: compared by
        month or year, not by day."""
        started = models.Q(start__isnull=True) | models.Q(start__lte=day)
        not_ended = (
            models.Q(end__isnull=True)
            | models.Q(end__gte=day)
            | models.Q(end_precision=DatePrecision.YEAR, end__year=day.year)
            | models.Q(end_precision=DatePrecision.MONTH, end__year=day.year, end__month=day.month)
        )
        return self.filter(started & not_ended)

    def touching(self, record: models.Model) -> "RelationQuerySet":
        """Relations with `record` at either end."""
        return self.touching_any(type(record), [record.pk])

    def touching_any(self, model: type[models.Model], pks: list[Any]) -> "RelationQuerySet":
        """Relations with any of these records of `model` at either end."""
        ends = {
            "Organisation": ("subject_organisation", "object_organisation"),
            "PublicFigure": ("subject_figure", "object_figure"),
            "Person": ("subject_person", "object_person"),
            "Site": ("object_site",),
        }[model.__name__]
        condition = models.Q()
        for end in ends:
            condition |= models.Q(**{f"{end}__in": pks})
        return self.filter(condition)


class Relation(Record):
    """A typed, dated relation between two parties, told by sources like every other fact.

    "Subject kind object": Rungrado General Trading *dispatches workers to* a Polish shipyard,
    from 2012 to 2016. Exactly one subject end and one object end is set; `ALLOWED_ENDS` says which
    ends each kind takes. Who sent a deployment's workers stays on the deployment
    (docs/decisions/0032-relations-and-deployments.md): the graph derives that edge from it.
    """

    kind = models.CharField(max_length=25, choices=RelationKind.choices, verbose_name=_("Kind"))
    subject_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relations_as_subject",
        verbose_name=_("From organisation"),
    )
    subject_figure = models.ForeignKey(
        PublicFigure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relations_as_subject",
        verbose_name=_("From public figure"),
    )
    subject_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relations_as_subject",
        verbose_name=_("From person"),
    )
    object_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relations_as_object",
        verbose_name=_("To organisation"),
    )
    object_figure = models.ForeignKey(
        PublicFigure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relations_as_object",
        verbose_name=_("To public figure"),
    )
    object_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relations_as_object",
        verbose_name=_("To person"),
    )
    object_site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relations",
        verbose_name=_("To site"),
    )
    start = models.DateField(null=True, blank=True, verbose_name=_("Start"))
    start_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        default="",
        verbose_name=_("Start precision"),
    )
    end = models.DateField(null=True, blank=True, verbose_name=_("End"))
    end_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        default="",
        verbose_name=_("End precision"),
    )
    share_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For ownership: the share held, in per cent."),
        verbose_name=_("Share (%)"),
    )
    role = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("E.g. 'general director', 'majority shareholder'."),
        verbose_name=_("Role"),
    )
    description = models.TextField(blank=True, verbose_name=_("Description"))

    objects: ClassVar[models.Manager["Relation"]] = RelationQuerySet.as_manager()

    # The list's headings of `subject` and `object`, which are not fields (any of three or four).
    column_labels: ClassVar[dict[str, Any]] = {
        "subject": _("From (subject)"),
        "object": _("To (object)"),
    }

    history = history()

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        ordering = ["start", "id"]
        constraints = [
            access_level_constraint("relation"),
            choices_constraint("kind", RelationKind, "relation_kind_valid"),
            models.CheckConstraint(condition=_one_of(SUBJECT_ENDS), name="relation_one_subject"),
            models.CheckConstraint(condition=_one_of(OBJECT_ENDS), name="relation_one_object"),
            models.CheckConstraint(
                condition=models.Q(start__isnull=True)
                | models.Q(end__isnull=True)
                | models.Q(start__lte=models.F("end")),
                name="relation_dates_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(share_percent__isnull=True)
                | models.Q(kind=RelationKind.OWNS, share_percent__gte=0, share_percent__lte=100),
                name="relation_share_only_of_ownership",
            ),
            choices_constraint(
                "start_precision", DatePrecision, "relation_start_precision_valid", allow_blank=True
            ),
            choices_constraint(
                "end_precision", DatePrecision, "relation_end_precision_valid", allow_blank=True
            ),
        ]
        indexes = [
            models.Index(fields=["access_level", "kind"], name="relation_access_idx"),
            models.Index(fields=["start", "end"], name="relation_period_idx"),
        ]

    def __str__(self) -> str:
        # Names no party: either end may be beyond the reader's level.
        return f"Relation {self.pk}: {self.get_kind_display()}"

    @property
    def subject(self) -> "Organisation | PublicFigure | Person | None":
        return self.subject_organisation or self.subject_figure or self.subject_person

    @property
    def object(self) -> "Organisation | PublicFigure | Person | Site | None":
        return (
            self.object_organisation or self.object_figure or self.object_person or self.object_site
        )

    def is_visible_to(self, user: UserLike) -> bool:
        levels = visible_access_levels(user)
        ends = (self.subject, self.object)
        return self.access_level in levels and all(
            end is None or end.access_level in levels for end in ends
        )

    def valid_on(self, day: dt.date) -> bool:
        if self.start is not None and self.start > day:
            return False
        if self.end is None or self.end >= day:
            return True
        if self.end_precision == DatePrecision.YEAR:
            return self.end.year == day.year
        if self.end_precision == DatePrecision.MONTH:
            return (self.end.year, self.end.month) == (day.year, day.month)
        return False

    def clean(self) -> None:
        super().clean()
        from django.core.exceptions import ValidationError

        subjects, objects = ALLOWED_ENDS.get(self.kind, (SUBJECT_ENDS, OBJECT_ENDS))
        errors: dict[str, str] = {}
        set_subjects = [end for end in SUBJECT_ENDS if getattr(self, f"{end}_id") is not None]
        set_objects = [end for end in OBJECT_ENDS if getattr(self, f"{end}_id") is not None]
        if len(set_subjects) != 1:
            errors["subject_organisation"] = str(
                _("Choose exactly one party the relation is from.")
            )
        elif set_subjects[0] not in subjects:
            errors[set_subjects[0]] = str(_("This kind of relation cannot start here."))
        if len(set_objects) != 1:
            errors["object_organisation"] = str(_("Choose exactly one party the relation is to."))
        elif set_objects[0] not in objects:
            errors[set_objects[0]] = str(_("This kind of relation cannot end here."))
        if (
            len(set_subjects) == 1
            and len(set_objects) == 1
            and self.subject_organisation_id is not None
            and self.subject_organisation_id == self.object_organisation_id
        ):
            errors["object_organisation"] = str(_("An organisation cannot relate to itself."))
        if self.share_percent is not None and self.kind != RelationKind.OWNS:
            errors["share_percent"] = str(_("A share is only for ownership."))
        if self.start and self.end and self.start > self.end:
            errors["end"] = str(_("The end is before the start."))
        if errors:
            raise ValidationError(errors)


def at_precision(day: dt.date | None, precision: str) -> dt.date | None:
    """The first day of the month or year `day` falls in, as `DatePrecision` stores dates."""
    if day is None or precision in ("", DatePrecision.DAY):
        return day
    if precision == DatePrecision.MONTH:
        return day.replace(day=1)
    return day.replace(month=1, day=1)


class Sighting(Record):
    """Workers observed at a place and time, with the uncertainty of each.

    Two kinds of text: `description` and `place` are internal (for a public report, the reporter's
    own words, which can name a doorstep or a neighbour); `public_place_label` and
    `public_description` are what a moderator or researcher wrote for the public, and the only
    text public pages and public exports may show.
    """

    description = models.TextField(
        verbose_name=_("Description (internal)"),
        help_text=_("Never published: public pages show the public description."),
    )
    place = models.CharField(
        max_length=300,
        blank=True,
        verbose_name=_("Place (internal)"),
        help_text=_("Never published: public pages show the public place label."),
    )
    public_place_label = models.CharField(
        max_length=120,
        blank=True,
        verbose_name=_("Public place label"),
        help_text=_("A settlement or region, as the public sees it; never a street or building."),
    )
    public_description = models.TextField(
        blank=True,
        verbose_name=_("Public description"),
        help_text=_("What the public reads: written for publication, naming nobody."),
    )
    country = models.CharField(max_length=2, blank=True, verbose_name=_("Country"))
    latitude = models.FloatField(null=True, blank=True, verbose_name=_("Latitude"))
    longitude = models.FloatField(null=True, blank=True, verbose_name=_("Longitude"))
    coordinate_precision = models.CharField(
        max_length=13,
        choices=CoordinatePrecision.choices,
        blank=True,
        default="",
        verbose_name=_("Coordinate precision"),
    )
    observed_from = models.DateField(null=True, blank=True, verbose_name=_("Observed from"))
    observed_to = models.DateField(null=True, blank=True, verbose_name=_("Observed to"))
    # Blank: the dates are as precise as they were entered (records typed by staff).
    observed_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        default="",
        verbose_name=_("Observed dates precision"),
    )
    # The width of the grid cell the point was moved to the centre of, as a moderator chose it;
    # empty when nobody coarsened the point (then `coordinate_precision` alone says how exact).
    coordinate_grid_km = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("Coordinate grid (km)")
    )
    workers_low = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("Workers, low"))
    workers_high = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("Workers, high")
    )
    work_kind = models.CharField(max_length=200, blank=True, verbose_name=_("Work kind"))
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sightings",
        verbose_name=_("Site"),
    )

    history = history()

    class Meta:
        verbose_name = _("sighting")
        verbose_name_plural = _("sightings")
        ordering = ["-observed_from", "id"]
        constraints = [
            access_level_constraint("sighting"),
            ordered_range_constraint("workers_low", "workers_high", "sighting_workers_ordered"),
            models.CheckConstraint(
                condition=models.Q(observed_from__isnull=True)
                | models.Q(observed_to__isnull=True)
                | models.Q(observed_from__lte=models.F("observed_to")),
                name="sighting_dates_ordered",
            ),
            *coordinates_constraints("sighting"),
            choices_constraint(
                "observed_precision",
                DatePrecision,
                "sighting_observed_precision_valid",
                allow_blank=True,
            ),
        ]

    def __str__(self) -> str:
        # Names in logs and audit entries: never the internal place, which may be an address.
        return f"Sighting {self.pk}: {self.public_place_label or self.country or 'place unknown'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Stored at the chosen precision, so no reader of the record finds the day it hides.
        self.observed_from = at_precision(self.observed_from, self.observed_precision)
        self.observed_to = at_precision(self.observed_to, self.observed_precision)
        super().save(*args, **kwargs)


class SearchEntry(models.Model):
    """One record as the search reads it: its text in both languages, its level and its facets.

    Written only by `documentation.indexing` (on every save and delete, and by `unseen search
    rebuild`); read only by `documentation.searching`, which filters by `access_level` first. The
    body is folded (NFKC, case-folded) and holds the English and Korean labels of the record's
    vocabulary values and countries, so "벌목" and "logging" find the same deployment. A full-text
    index over `body` is made by the migration: FTS5 with trigrams on SQLite, pg_trgm on PostgreSQL
    (docs/decisions/0013-full-text-search.md).
    """

    # Derived from the records: left out of backups and written again after a restore, and not
    # audited (the edit of the record it mirrors is).
    rebuilt_after_restore = True
    audit_exempt = True

    kind = models.CharField(max_length=20, verbose_name=_("Kind"))
    object_id = models.PositiveBigIntegerField(verbose_name=_("Record ID"))
    access_level = models.CharField(max_length=12, verbose_name=_("Access level"))
    title = models.CharField(max_length=300, verbose_name=_("Title"))
    body = models.TextField(verbose_name=_("Text"))
    # The body's CJK bigrams and short words, space-separated (unseen.core.bigrams): a word-token
    # index over it finds two-letter words (임금) that the trigram index over `body` cannot.
    tokens = models.TextField(blank=True, default="", verbose_name=_("Tokens"))
    country = models.CharField(max_length=2, blank=True, verbose_name=_("Country"))
    # Category keys between bars ("|logging|construction|"): a sector text may name several.
    sectors = models.CharField(max_length=200, blank=True, verbose_name=_("Sector"))
    year = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("Year"))
    grade = models.CharField(max_length=1, blank=True, verbose_name=_("Grade"))

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="searchentry_one_per_record")
        ]
        indexes = [
            models.Index(fields=["access_level", "kind"], name="searchentry_access_idx"),
            models.Index(fields=["country"], name="searchentry_country_idx"),
            models.Index(fields=["year"], name="searchentry_year_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class SavedSearch(models.Model):
    """The filters of a list, or a search, kept under a name: its owner's, or shared with the team.

    Only the query string is kept (the list's filters and words, or the search's), never its
    results: opening it runs the query again, at the reader's access levels, so a shared search
    never shows a colleague what their level hides (docs/decisions/0024-saved-searches.md).
    """

    SEARCH = "search"  # `kind` of a search of every kind (/app/search/); otherwise a list's kind

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_searches",
        verbose_name=_("Owner"),
    )
    name = models.CharField(max_length=100, verbose_name=_("Name"))
    kind = models.CharField(max_length=20, verbose_name=_("Kind"))
    query = models.CharField(max_length=1000, blank=True, verbose_name=_("Query"))
    shared = models.BooleanField(default=False, verbose_name=_("Shared with the team"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("Created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("Updated at"))

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        # Audit entries name the row by its number only; the name is the owner's words.
        return f"Saved search {self.pk}"


class SavedSearchVisit(models.Model):
    """When one reader last opened one saved search: "new since you last looked" is per reader,
    so a shared search has one row per colleague who opened it."""

    # Written on every opening, and holding only a time: auditing it would log each read of a
    # list, which the list's own search entries already do. Changes to the search are audited.
    audit_exempt = True

    saved_search = models.ForeignKey(
        SavedSearch, on_delete=models.CASCADE, related_name="visits", verbose_name=_("Saved search")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_search_visits",
        verbose_name=_("User"),
    )
    last_seen_at = models.DateTimeField(verbose_name=_("Last looked at"))

    class Meta:
        verbose_name = _("saved search visit")
        verbose_name_plural = _("saved search visits")
        constraints = [
            models.UniqueConstraint(
                fields=["saved_search", "user"], name="savedsearchvisit_one_per_reader"
            )
        ]

    def __str__(self) -> str:
        return f"Visit of saved search {self.saved_search_id}"
