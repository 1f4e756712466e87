from collections.abc import Collection, Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from unseen.accounts.models import AccessLevel, UserLike, visible_access_levels
from unseen.constraints import choices_constraint

from .revisions import history


class Reliability(models.TextChoices):
    """Admiralty scale for a source."""

    A = "A", _("A – completely reliable")
    B = "B", _("B – usually reliable")
    C = "C", _("C – fairly reliable")
    D = "D", _("D – not usually reliable")
    E = "E", _("E – unreliable")
    F = "F", _("F – reliability cannot be judged")


class Credibility(models.IntegerChoices):
    """Admiralty scale for a claim."""

    CONFIRMED = 1, _("1 – confirmed by other sources")
    PROBABLY_TRUE = 2, _("2 – probably true")
    POSSIBLY_TRUE = 3, _("3 – possibly true")
    DOUBTFUL = 4, _("4 – doubtful")
    IMPROBABLE = 5, _("5 – improbable")
    CANNOT_JUDGE = 6, _("6 – truth cannot be judged")


class SourceKind(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    SIGHTING = "sighting", _("Sighting")
    DOCUMENT = "document", _("Document")
    MEDIA_REPORT = "media_report", _("Media report")
    OFFICIAL_STATISTIC = "official_statistic", _("Official statistic")
    SANCTIONS_LIST = "sanctions_list", _("Sanctions list")
    DATASET = "dataset", _("Dataset")
    PUBLIC_REPORT = "public_report", _("Public report")


class DatePrecision(models.TextChoices):
    """How much of a stored date is known: 2019 is stored as 2019-01-01 with precision 'year'."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class ReviewState(models.TextChoices):
    """Where a record stands in review before publishing (ADR 0025)."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    REVIEWED = "reviewed", _("Reviewed")


class RecordQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: UserLike) -> "RecordQuerySet":
        """Records whose access level `user` may read (anonymous: public only)."""
        return self.filter(access_level__in=visible_access_levels(user))

    def published(self) -> "RecordQuerySet":
        return self.filter(access_level=AccessLevel.PUBLIC)

    def synthetic(self) -> "RecordQuerySet":
        return self.filter(is_synthetic=True)


class Record(models.Model):
    """What every documented thing shares: who may see it, whether it is demo data, its evidence."""

    access_level = models.CharField(
        max_length=12,
        choices=AccessLevel.choices,
        default=AccessLevel.INTERNAL,
        verbose_name=_("Access level"),
    )
    is_synthetic = models.BooleanField(
        default=False,
        help_text=_("Generated demo data, not a real record."),
        verbose_name=_("Synthetic (demo data)"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("Created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("Updated at"))
    # Review before publishing (ADR 0025). Written only by `evidence.reviewing`, with
    # QuerySet.update: a review is not an edit, so it leaves no revision and names no new editor.
    review_state = models.CharField(
        max_length=17,
        choices=ReviewState.choices,
        default=ReviewState.DRAFT,
        verbose_name=_("Review state"),
    )
    reviewed_by = models.CharField(
        max_length=150, blank=True, default="", verbose_name=_("Reviewed by")
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("Reviewed at"))
    # Deleting a record deletes the claims about it (never the sources they came from).
    supporting_claims = GenericRelation("evidence.Claim")
    # Its tags go with it.
    tags = GenericRelation("evidence.Tag")

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def from_db(
        cls,
        db: str | None,
        field_names: Collection[str],
        values: Collection[Any],
        **kwargs: Any,
    ) -> "Record":
        instance = super().from_db(db, field_names, values, **kwargs)
        # The level as stored: a save that makes the record public is checked against it
        # (`evidence.reviewing`) without reading the row again.
        instance.__dict__["_stored_access_level"] = instance.__dict__.get("access_level")
        return instance

    def clean(self) -> None:
        super().clean()
        from .reviewing import publication_refusal  # it imports this module

        refusal = publication_refusal(self)
        if refusal:
            from django.core.exceptions import ValidationError

            raise ValidationError({"access_level": refusal})

    def is_visible_to(self, user: UserLike) -> bool:
        return self.access_level in visible_access_levels(user)

    def evidence_trail(self, user: UserLike | None = None) -> models.QuerySet["Claim"]:
        """The claims this record rests on, strongest first, with their sources.

        Claims `user` may not read (`ClaimQuerySet.visible_to`) are left out; pass no user for the full trail
        (commands and exports run by administrators).
        """
        claims = self.supporting_claims.select_related("source")
        if user is not None:
            claims = claims.visible_to(user)
        return claims.order_by("credibility", "source__reliability", "id")

    def add_claim(
        self, source: "Source", credibility: int, statement: str = "", field: str = ""
    ) -> "Claim":
        return Claim.objects.create(
            source=source, credibility=credibility, statement=statement, field=field, subject=self
        )


def access_level_constraint(model: str) -> models.CheckConstraint:
    return choices_constraint("access_level", AccessLevel, f"{model}_access_level_valid")


class Source(Record):
    """Where information came from."""

    kind = models.CharField(max_length=20, choices=SourceKind.choices, verbose_name=_("Kind"))
    title = models.TextField(
        help_text=_("Citation: who said it, where, when."), verbose_name=_("Title")
    )
    url = models.URLField(max_length=500, blank=True, verbose_name=_("URL"))
    date = models.DateField(null=True, blank=True, verbose_name=_("Date"))
    date_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        default="",
        verbose_name=_("Date precision"),
    )
    language = models.CharField(
        max_length=8,
        blank=True,
        help_text=_("ISO 639-1 code, e.g. en, ko."),
        verbose_name=_("Language"),
    )
    reliability = models.CharField(
        max_length=1,
        choices=Reliability.choices,
        default=Reliability.F,
        verbose_name=_("Reliability"),
    )
    notes = models.TextField(blank=True, verbose_name=_("Notes"))

    history = history()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["title"]
        constraints = [
            choices_constraint("kind", SourceKind, "source_kind_valid"),
            choices_constraint("reliability", Reliability, "source_reliability_valid"),
            choices_constraint(
                "date_precision", DatePrecision, "source_date_precision_valid", allow_blank=True
            ),
            access_level_constraint("source"),
        ]
        indexes = [models.Index(fields=["title"], name="source_title_idx")]

    def __str__(self) -> str:
        return self.title[:120]


class PublishedFigure(Record):
    """A figure published by others (ADR 0042): "$1.2–2.3 bn a year", as its publisher put it.

    Who published it is a claim from that source (``add_claim``); where the publisher attributes
    the figure to an earlier source, ``derives_from`` names that source, so the pages can say which
    figures all trace back to one original. One end may be open: "up to" (no low) or "more than"
    (no high). Loaded from ``unseen/core/revenue/data/published.csv`` by its ``key``.
    """

    key = models.SlugField(max_length=80, unique=True, verbose_name=_("Key"))
    quantity = models.CharField(
        max_length=40,
        default="revenue",
        help_text=_("What the figure measures: revenue is USD a year to the state."),
        verbose_name=_("Quantity"),
    )
    period = models.CharField(max_length=40, verbose_name=_("Period"))
    low = models.FloatField(null=True, blank=True, verbose_name=_("Low"))
    high = models.FloatField(null=True, blank=True, verbose_name=_("High"))
    basis = models.TextField(blank=True, verbose_name=_("Stated basis"))
    derives_from = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="derived_figures",
        help_text=_("The earlier source the publisher attributes the figure to."),
        verbose_name=_("Derives from"),
    )

    class Meta:
        verbose_name = _("published figure")
        verbose_name_plural = _("published figures")
        ordering = ["quantity", "period", "key"]
        constraints = [
            access_level_constraint("publishedfigure"),
            models.CheckConstraint(
                condition=~models.Q(low=None, high=None), name="publishedfigure_has_a_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.period})"


def record_models() -> list[type[Record]]:
    """Every concrete kind of record (what a claim may be about)."""
    return [model for model in apps.get_models() if issubclass(model, Record)]


class ClaimQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: UserLike) -> "ClaimQuerySet":
        """Claims whose source and whose subject `user` may both read.

        A claim readable through its source alone would name and link the record it is about:
        a public source's claim about a confidential testimony is confidential too.
        """
        levels = visible_access_levels(user)
        if set(levels) >= set(AccessLevel.values):
            return self.all()
        readable_subject = models.Q()
        for model in record_models():
            readable_subject |= models.Q(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=readable_records(model._default_manager.all(), user).values("pk"),
            )
        return self.filter(readable_subject, source__access_level__in=levels)


class Claim(models.Model):
    """One piece of information taken from a source, supporting one record (or one field of it)."""

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="claims", verbose_name=_("Source")
    )
    credibility = models.PositiveSmallIntegerField(
        choices=Credibility.choices, verbose_name=_("Credibility")
    )
    statement = models.TextField(
        blank=True, help_text=_("What the source says, in brief."), verbose_name=_("Statement")
    )
    field = models.CharField(
        max_length=50,
        blank=True,
        help_text=_("The field it supports; blank for the whole record."),
        verbose_name=_("Field"),
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name=_("Content type")
    )
    object_id = models.PositiveBigIntegerField(verbose_name=_("Record ID"))
    subject = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("Created at"))

    objects = ClaimQuerySet.as_manager()

    history = history()

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["credibility", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credibility__gte=1, credibility__lte=6),
                name="claim_credibility_1_to_6",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="claim_subject_idx")]

    def __str__(self) -> str:
        return f"{self.get_credibility_display()} · {self.source}"

    def is_visible_to(self, user: UserLike) -> bool:
        subject = self.subject
        return (
            isinstance(subject, Record)
            and subject.is_visible_to(user)
            and self.source.is_visible_to(user)
        )


def tag_text(text: str) -> str:
    """A tag as kept and compared: spacing folded, so "to check" and "to  check " are one tag."""
    return " ".join(str(text).split())


class Tag(models.Model):
    """A free-text label a team puts on a record ("to verify", "report 2025"), to list it again.

    Internal only: a tag is seen with its record, by whoever may read the record, and never on
    the public side. Kept beside the record (not a field of it), so tagging is not an edit of the
    record's values; the record's revision names "tags" as what changed (ADR 0027).
    """

    name = models.CharField(max_length=50, verbose_name=_("Tag"))
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("Content type")
    )
    object_id = models.PositiveBigIntegerField(verbose_name=_("Record ID"))
    record = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("Created at"))

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "name"], name="tag_once_per_record"
            )
        ]
        indexes = [models.Index(fields=["name", "content_type"], name="tag_name_idx")]

    def __str__(self) -> str:
        return self.name


def readable_records(records: models.QuerySet[Any], user: UserLike) -> models.QuerySet[Any]:
    """The records of `records` `user` may read: by their level, or by their queryset's own
    `visible_to` where a kind asks more (a relation: both its ends too)."""
    if isinstance(records, RecordQuerySet):
        return records.visible_to(user)
    return records.filter(access_level__in=visible_access_levels(user))


def visible_related(value: Any, user: UserLike) -> Any:
    """What of a related value `user` may see; the one gate for every relation a page renders.

    A record (or claim) beyond the user's level becomes None, exactly as if the relation were
    empty: no name, no link, no id, no count. A queryset or related manager of records or claims
    is filtered in the database; any other iterable is filtered in Python. Values that are not
    records (a content type, a date, text) pass through unchanged.
    """
    if isinstance(value, Record | Claim):
        return value if value.is_visible_to(user) else None
    if isinstance(value, models.Manager):
        value = value.all()
    if isinstance(value, models.QuerySet):
        if issubclass(value.model, Record):
            return readable_records(value, user)
        if isinstance(value, ClaimQuerySet):
            return value.visible_to(user)
        if issubclass(value.model, Claim):
            return Claim.objects.visible_to(user).filter(pk__in=value.values("pk"))
        return value
    if isinstance(value, list | tuple | set):
        return [item for item in value if visible_related(item, user) is not None]
    return value


# --- derived records -----------------------------------------------------------------------------

#: Most open first.
ACCESS_ORDER: tuple[str, ...] = (AccessLevel.PUBLIC, AccessLevel.INTERNAL, AccessLevel.CONFIDENTIAL)


def strictest_access_level(levels: Iterable[str]) -> str:
    """The most restrictive of `levels`.

    Deny by default: a level we do not know (an input since deleted reads as "missing") counts as
    confidential, and no levels at all as internal, the default of every record.
    """
    known = [level if level in ACCESS_ORDER else AccessLevel.CONFIDENTIAL for level in levels]
    return str(max(known, key=ACCESS_ORDER.index, default=AccessLevel.INTERNAL))


def derived_access_level(levels: Iterable[str]) -> str:
    """The access level of a result derived from inputs at `levels` (issue 14).

    The strictest of them, and never public: a derived result (a run, a dossier, an export) is new
    analysis, and only publishing it, once every input is public, makes it public.
    """
    return strictest_access_level([AccessLevel.INTERNAL, *levels])


def level_as_input(access_level: str, input_access_level: str | None = None) -> str:
    """What a record passes on to the results derived from it.

    A record's own level; but a derived record at the level its inputs give it passes on its
    inputs' level, so that a result derived from public inputs in two steps (an estimate from a
    linkage run of public sources) may be published. One raised beyond that passes on its own.
    """
    if input_access_level is None or access_level != derived_access_level([input_access_level]):
        return access_level
    return input_access_level


def input_of(record: models.Model, label: str = "") -> dict[str, Any]:
    """One input of a derived record: a stored record, named by model and id, at its level now."""
    return {
        "model": record._meta.label_lower,
        "pk": record.pk,
        "access_level": level_as_input(
            record.access_level,  # type: ignore[attr-defined]
            getattr(record, "input_access_level", None),
        ),
        "label": label or f"{record._meta.model_name} {record.pk}",
    }


def declared_input(label: str, access_level: str, count: int | None = None) -> dict[str, Any]:
    """An input that is not one stored record: an uploaded table at the level its uploader
    declared, or many records summed up at their strictest level (`count` of them)."""
    entry: dict[str, Any] = {"model": "", "pk": None, "access_level": access_level, "label": label}
    if count is not None:
        entry["count"] = count
    return entry


def at_least_as_strict_constraint(model: str) -> models.CheckConstraint:
    """The database's half of the rule: a derived record is never more open than its inputs."""
    levels = ACCESS_ORDER
    allowed = models.Q()
    for i, level in enumerate(levels):
        allowed |= models.Q(input_access_level=level, access_level__in=levels[i:])
    return models.CheckConstraint(condition=allowed, name=f"{model}_at_least_its_inputs_level")


class DerivedRecord(Record):
    """A record computed from other records: a run, and whatever is derived later (dossiers,
    exports, graphs). It takes the most restrictive access level of everything it read.

    `derived_from` freezes the inputs (model, id, level, a label to name them by); the stricter of
    their frozen and current levels decides `input_access_level`, and with it `access_level`.
    A derived record is published only when every input is public, and withdrawing it restores
    the derived level.
    """

    input_access_level = models.CharField(
        max_length=12,
        choices=AccessLevel.choices,
        default=AccessLevel.INTERNAL,
        verbose_name=_("Access level of its inputs"),
        help_text=_("The most restrictive level of everything it was derived from."),
    )
    derived_from = models.JSONField(
        default=list,
        verbose_name=_("Derived from"),
        help_text=_("Its inputs: model, id, access level and label of each."),
    )

    class Meta:
        abstract = True

    def derive_from(self, inputs: Iterable[dict[str, Any]]) -> None:
        """Take the inputs' levels: the record becomes as restricted as the strictest of them.

        Adds to the inputs already recorded, so a record read in more steps (a linkage run when
        queued, then when its job gathers) keeps the strictest of all.
        """
        self.derived_from = [*self.derived_from, *inputs]
        levels = [entry["access_level"] for entry in self.derived_from]
        self.input_access_level = strictest_access_level(levels)
        self.access_level = derived_access_level([self.access_level, self.input_access_level])

    def current_input_levels(self) -> list[tuple[str, str]]:
        """(label, level) of every input, stored ones at the stricter of their frozen and current
        level; one deleted since counts as "missing"."""
        from django.apps import apps

        by_model: dict[str, list[Any]] = {}
        for entry in self.derived_from:
            if entry.get("model"):
                by_model.setdefault(entry["model"], []).append(entry["pk"])
        now: dict[tuple[str, Any], str] = {}
        for label, pks in by_model.items():
            model = apps.get_model(label)
            found = model._default_manager.filter(pk__in=pks)
            if issubclass(model, DerivedRecord):
                for pk, level, inputs in found.values_list(
                    "pk", "access_level", "input_access_level"
                ):
                    now[label, pk] = level_as_input(level, inputs)
            else:
                for pk, level in found.values_list("pk", "access_level"):
                    now[label, pk] = level
        levels = []
        for entry in self.derived_from:
            level = entry["access_level"]
            if entry.get("model"):
                current = now.get((entry["model"], entry["pk"]))
                level = "missing" if current is None else strictest_access_level([level, current])
            levels.append((str(entry.get("label", "")), level))
        return levels

    def publication_problems(self) -> list[str]:
        """Why it may not be public: each input (by label) that is not public, now or when read.

        A record derived from nothing recorded (made before its inputs were kept) is refused.
        """
        if not self.derived_from:
            return [str(_("its inputs are not recorded"))]
        blocking: dict[str, set[str]] = {}
        for label, level in self.current_input_levels():
            if level != AccessLevel.PUBLIC:
                blocking.setdefault(label, set()).add(level)
        return [f"{label}: {', '.join(sorted(levels))}" for label, levels in blocking.items()]

    def restored_access_level(self) -> str:
        """The level it returns to when withdrawn: its inputs' as they are now, at least internal."""
        current = [level for _label, level in self.current_input_levels()]
        self.input_access_level = strictest_access_level([self.input_access_level, *current])
        return derived_access_level([self.input_access_level])


# --- review before publishing (ADR 0025) ---------------------------------------------------------


class ReviewComment(models.Model):
    """A reviewer's remark on one field of a record (or the whole record, `field_name` blank).

    Never public: it is shown beside the field on the record page and the review page only."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("Content type")
    )
    object_id = models.PositiveBigIntegerField(verbose_name=_("Record ID"))
    record = GenericForeignKey("content_type", "object_id")
    field_name = models.CharField(max_length=50, blank=True, verbose_name=_("Field"))
    text = models.TextField(verbose_name=_("Comment"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_comments",
        verbose_name=_("By"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("Created at"))
    resolved = models.BooleanField(default=False, verbose_name=_("Resolved"))

    class Meta:
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="review_comment_record_idx")
        ]

    def __str__(self) -> str:
        return f"{self.field_name or '—'}: {self.text[:60]}"


class ClaimSignOff(models.Model):
    """A reviewer's sign-off of one claim, as the claim and its source's grade stood then.

    `fingerprint` and `reliability` are what was signed; a save that changes either deletes the
    sign-off (`evidence.reviewing`), so a sign-off never outlives what it vouched for."""

    claim = models.OneToOneField(
        Claim, on_delete=models.CASCADE, related_name="sign_off", verbose_name=_("Claim")
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="claim_sign_offs",
        verbose_name=_("Signed off by"),
    )
    signed_at = models.DateTimeField(auto_now_add=True, verbose_name=_("Signed off at"))
    fingerprint = models.CharField(max_length=64)
    reliability = models.CharField(max_length=1, choices=Reliability.choices)

    class Meta:
        verbose_name = _("claim sign-off")
        verbose_name_plural = _("claim sign-offs")

    def __str__(self) -> str:
        return f"{self.claim_id} ✓"
