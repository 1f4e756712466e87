import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

from unseen.accounts.models import UserLike
from unseen.constraints import choices_constraint
from unseen.evidence.models import Claim, DatePrecision, Record, access_level_constraint
from unseen.evidence.revisions import history

PSEUDONYM_PREFIX = "P-"

# Sent (with `instance`) once a new person's pseudonym is written: the save before it carried only
# a placeholder, so whatever mirrors persons (the search index) reads them again here.
pseudonym_given = Signal()


class MergeableRecord(Record):
    """A record that may turn out to be the same entity as another one (record linkage).

    Merging moves nothing: the merged record keeps its claims, sources and everything that points
    at it, and only says which record it is now part of. Undoing a merge clears that one field,
    so both records are back exactly as they were. The surviving record's evidence trail shows the
    claims of every record merged into it.
    """

    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_records",
        verbose_name=_("Merged into"),
    )

    class Meta:
        abstract = True

    def merged_family(self) -> list[int]:
        """Primary keys of this record and of every record merged into it, however deep."""
        family = [self.pk]
        frontier = [self.pk]
        manager = type(self)._default_manager
        while frontier:
            # A keyword dict: django-stubs cannot resolve a lookup on an abstract model's FK.
            below = manager.filter(**{"merged_into__in": frontier})
            frontier = [pk for pk in below.values_list("pk", flat=True) if pk not in family]
            family.extend(frontier)
        return family

    def evidence_trail(self, user: UserLike | None = None) -> models.QuerySet[Claim]:
        family = self.merged_family()
        if len(family) == 1:
            return super().evidence_trail(user)
        claims = Claim.objects.filter(
            content_type=ContentType.objects.get_for_model(type(self)), object_id__in=family
        ).select_related("source")
        if user is not None:
            # A record merged into this one beyond the user's level is absent, and its claims too.
            claims = claims.visible_to(user)
        return claims.order_by("credibility", "source__reliability", "id")


class Sex(models.TextChoices):
    FEMALE = "f", _("Female")
    MALE = "m", _("Male")
    OTHER = "x", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Person(MergeableRecord):
    """A pseudonymous person. Nothing here identifies anyone; identity lives in the vault."""

    pseudonym = models.CharField(
        max_length=20, unique=True, editable=False, verbose_name=_("Pseudonym")
    )
    sex = models.CharField(
        max_length=7, choices=Sex.choices, default=Sex.UNKNOWN, verbose_name=_("Sex")
    )
    birth_year = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("Birth year")
    )
    home_province = models.CharField(max_length=100, blank=True, verbose_name=_("Home province"))
    nationality = models.CharField(
        max_length=2,
        default="KP",
        help_text=_("ISO 3166-1 alpha-2."),
        verbose_name=_("Nationality"),
    )
    source_record_id = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("The record's id in the source it came from."),
        verbose_name=_("Source record ID"),
    )
    notes = models.TextField(blank=True, verbose_name=_("Notes"))

    history = history()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["pseudonym"]
        constraints = [
            choices_constraint("sex", Sex, "person_sex_valid"),
            access_level_constraint("person"),
        ]

    def __str__(self) -> str:
        return self.pseudonym

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pseudonym:
            super().save(*args, **kwargs)
            return
        # The pseudonym follows the primary key, so it is known only after the first insert.
        with transaction.atomic():
            self.pseudonym = temporary_pseudonym()
            super().save(*args, **kwargs)
            self.pseudonym = pseudonym_for(self.pk)
            Person.objects.filter(pk=self.pk).update(pseudonym=self.pseudonym)
            pseudonym_given.send(sender=Person, instance=self)


def temporary_pseudonym() -> str:
    """A unique placeholder until the primary key is known."""
    return f"~{uuid.uuid4().hex[:16]}"


def pseudonym_for(pk: int) -> str:
    return f"{PSEUDONYM_PREFIX}{pk:05d}"


class PersonIdentity(models.Model):
    """Identifying fields of one person. Read and written only through `registry.vault`.

    Every text field holds AES-GCM ciphertext (`core.sealing`), never the value itself.

    No reverse accessor from Person (related_name="+"): code holding a person cannot wander
    into its identity by accident.
    """

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("Person")
    )
    full_name = models.TextField(blank=True, verbose_name=_("Full name"))
    family_name = models.TextField(blank=True, verbose_name=_("Family name"))
    given_name = models.TextField(blank=True, verbose_name=_("Given name"))
    name_hangul = models.TextField(blank=True, verbose_name=_("Name in Hangul"))
    birth_date = models.TextField(
        blank=True, help_text=_("Partial date, e.g. 1984 or 1984-03."), verbose_name=_("Birth date")
    )
    birth_place = models.TextField(blank=True, verbose_name=_("Birth place"))
    address = models.TextField(blank=True, verbose_name=_("Address"))
    phone = models.TextField(blank=True, verbose_name=_("Phone"))
    email = models.TextField(blank=True, verbose_name=_("Email"))
    identifier = models.TextField(
        blank=True, help_text=_("Passport or other document number."), verbose_name=_("Identifier")
    )
    # Keyed blind indexes (HMAC-SHA256 of the normalised value): equality search, no plaintext.
    name_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # Of the name's romanisation-folded key (vault.folded_name_key): Ri Chol Su, Lee Chul-soo
    # and 리철수 index alike.
    folded_name_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    birth_date_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    # Revisions hold the fields sealed exactly as here (ADR 0021): opened only through the vault,
    # re-sealed by a key rotation like the record. The blind indexes stay out: nothing searches
    # old identities, and a kept hash of an old name would still match a guess of it.
    history = history(excluded_fields=["name_index", "folded_name_index", "birth_date_index"])

    class Meta:
        verbose_name = _("person identity")
        verbose_name_plural = _("person identities")

    def __str__(self) -> str:
        return f"identity of person #{self.person_id}"


class OrganisationKind(models.TextChoices):
    STATE_ORGAN = "state_organ", _("State organ")
    TRADING_COMPANY = "trading_company", _("Trading company")
    FRONT_COMPANY = "front_company", _("Front company")
    HOST_EMPLOYER = "host_employer", _("Host-country employer")
    BROKER = "broker", _("Broker")
    OTHER = "other", _("Other")


class Organisation(MergeableRecord):
    name = models.CharField(max_length=300, verbose_name=_("Name"))
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices, verbose_name=_("Kind"))
    country = models.CharField(
        max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2."), verbose_name=_("Country")
    )
    notes = models.TextField(blank=True, verbose_name=_("Notes"))

    history = history()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            choices_constraint("kind", OrganisationKind, "organisation_kind_valid"),
            access_level_constraint("organisation"),
        ]

    def __str__(self) -> str:
        return self.name


class Script(models.TextChoices):
    """ISO 15924 codes of the scripts names are written in."""

    LATIN = "Latn", _("Latin")
    HANGUL = "Hang", _("Hangul")
    HAN = "Hani", _("Chinese characters")
    CYRILLIC = "Cyrl", _("Cyrillic")
    ARABIC = "Arab", _("Arabic")
    OTHER = "Zyyy", _("Other")


class OrganisationAlias(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="aliases",
        verbose_name=_("Organisation"),
    )
    name = models.CharField(max_length=300, verbose_name=_("Name"))
    script = models.CharField(
        max_length=4, choices=Script.choices, default=Script.LATIN, verbose_name=_("Script")
    )

    class Meta:
        verbose_name = _("organisation alias")
        verbose_name_plural = _("organisation aliases")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="alias_unique_per_organisation"
            ),
            choices_constraint("script", Script, "alias_script_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class IdentifierScheme(models.TextChoices):
    UN_1718 = "un_1718", _("UN 1718 Committee list")
    OFAC_SDN = "ofac_sdn", _("US OFAC SDN list")
    OPENSANCTIONS = "opensanctions", _("OpenSanctions")
    COMPANY_REGISTER = "company_register", _("Company register")
    OTHER = "other", _("Other")


class PublicFigure(MergeableRecord):
    """An official or a designated individual, named in public sources: recorded by name.

    Not a `Person`: a person is a witness or a worker, known by a pseudonym, whose identifying
    fields live sealed in the vault. A public figure's name is what public sources already print
    (a sanctions list, a press release), so it is plain text and searchable. The two never mix: a
    public figure has no vault identity, record linkage never compares one with a person, and no
    form turns a person into a public figure or back (docs/decisions/0031-public-figures.md).
    """

    name = models.CharField(
        max_length=300,
        help_text=_("As public sources print it, in Latin letters."),
        verbose_name=_("Name"),
    )
    name_hangul = models.CharField(max_length=100, blank=True, verbose_name=_("Name in Hangul"))
    position = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Title or role as published, e.g. 'CEO of …' or 'Minister of …'."),
        verbose_name=_("Position"),
    )
    nationality = models.CharField(
        max_length=2,
        default="KP",
        blank=True,
        help_text=_("ISO 3166-1 alpha-2."),
        verbose_name=_("Nationality"),
    )
    birth_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Only as a public source publishes it."),
        verbose_name=_("Birth year"),
    )
    notes = models.TextField(blank=True, verbose_name=_("Notes"))

    history = history()

    class Meta:
        verbose_name = _("public figure")
        verbose_name_plural = _("public figures")
        ordering = ["name", "id"]
        constraints = [access_level_constraint("publicfigure")]

    def __str__(self) -> str:
        return self.name


class PublicFigureAlias(models.Model):
    figure = models.ForeignKey(
        PublicFigure,
        on_delete=models.CASCADE,
        related_name="aliases",
        verbose_name=_("Public figure"),
    )
    name = models.CharField(max_length=300, verbose_name=_("Name"))
    script = models.CharField(
        max_length=4, choices=Script.choices, default=Script.LATIN, verbose_name=_("Script")
    )

    class Meta:
        verbose_name = _("public figure alias")
        verbose_name_plural = _("public figure aliases")
        constraints = [
            models.UniqueConstraint(fields=["figure", "name"], name="alias_unique_per_figure"),
            choices_constraint("script", Script, "figure_alias_script_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class ExternalIdentifier(models.Model):
    """A list's or register's identifier of one organisation or one public figure."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="identifiers",
        verbose_name=_("Organisation"),
    )
    public_figure = models.ForeignKey(
        PublicFigure,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="identifiers",
        verbose_name=_("Public figure"),
    )
    scheme = models.CharField(
        max_length=20, choices=IdentifierScheme.choices, verbose_name=_("Scheme")
    )
    value = models.CharField(max_length=100, verbose_name=_("Value"))

    class Meta:
        verbose_name = _("external identifier")
        verbose_name_plural = _("external identifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "value"], name="identifier_unique_per_scheme"
            ),
            choices_constraint("scheme", IdentifierScheme, "identifier_scheme_valid"),
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False, public_figure__isnull=True)
                | models.Q(organisation__isnull=True, public_figure__isnull=False),
                name="identifier_names_one_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()}: {self.value}"


class Designation(Record):
    """A sanctions designation of one organisation or one public figure, as the list published it.

    The fact that a list names the entity; the claims on it cite the list at the version it was
    read from. Written by hand, by an FtM import, or by accepting a cross-reference match.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="designations",
        verbose_name=_("Organisation"),
    )
    public_figure = models.ForeignKey(
        PublicFigure,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="designations",
        verbose_name=_("Public figure"),
    )
    authority = models.CharField(
        max_length=200,
        help_text=_("Who designated: e.g. UN Security Council 1718 Committee, US OFAC, EU."),
        verbose_name=_("Authority"),
    )
    programme = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("The sanctions programme, e.g. UN-SC1718, DPRK3, EO13722."),
        verbose_name=_("Programme"),
    )
    reference = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("The list's own reference, e.g. KPe.033."),
        verbose_name=_("Reference"),
    )
    listed_on = models.DateField(null=True, blank=True, verbose_name=_("Listed on"))
    listed_on_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        default="",
        verbose_name=_("Listing date precision"),
    )
    ended_on = models.DateField(null=True, blank=True, verbose_name=_("Delisted on"))
    reason = models.TextField(blank=True, verbose_name=_("Reason"))
    list_code = models.CharField(
        max_length=60,
        blank=True,
        help_text=_("The imported list it was read from; blank when entered by hand."),
        verbose_name=_("List"),
    )

    history = history()

    class Meta:
        verbose_name = _("designation")
        verbose_name_plural = _("designations")
        ordering = ["listed_on", "id"]
        constraints = [
            access_level_constraint("designation"),
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False, public_figure__isnull=True)
                | models.Q(organisation__isnull=True, public_figure__isnull=False),
                name="designation_names_one_holder",
            ),
            choices_constraint(
                "listed_on_precision",
                DatePrecision,
                "designation_date_precision_valid",
                allow_blank=True,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authority} {self.reference or self.programme}".strip()

    @property
    def holder(self) -> "Organisation | PublicFigure":
        holder = self.organisation or self.public_figure
        assert holder is not None  # the check constraint keeps exactly one
        return holder


class SiteKind(models.TextChoices):
    RESTAURANT = "restaurant", _("Restaurant")
    CONSTRUCTION_SITE = "construction_site", _("Construction site")
    LOGGING_CAMP = "logging_camp", _("Logging camp")
    DORMITORY = "dormitory", _("Dormitory")
    SHIPYARD = "shipyard", _("Shipyard")
    FACTORY = "factory", _("Factory")
    IT_OFFICE = "it_office", _("IT office")
    FARM = "farm", _("Farm")
    FISHERY = "fishery", _("Fishery or seafood plant")
    MINE = "mine", _("Mine")
    OTHER = "other", _("Other")


class CoordinatePrecision(models.TextChoices):
    """How far the true place may lie from the stored point."""

    EXACT = "exact", _("Exact (within 100 m)")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood (within 2 km)")
    CITY = "city", _("City")
    REGION = "region", _("Region or province")
    COUNTRY = "country", _("Country")


def coordinates_constraints(model: str) -> list[models.CheckConstraint]:
    both_or_neither = (models.Q(latitude__isnull=True) & models.Q(longitude__isnull=True)) | (
        models.Q(latitude__isnull=False)
        & models.Q(longitude__isnull=False)
        & models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180)
    )
    return [
        models.CheckConstraint(condition=both_or_neither, name=f"{model}_coordinates_valid"),
        choices_constraint(
            "coordinate_precision",
            CoordinatePrecision,
            f"{model}_precision_valid",
            allow_blank=True,
        ),
    ]


class Site(MergeableRecord):
    """A place of work or residence abroad."""

    name = models.CharField(max_length=300, verbose_name=_("Name"))
    kind = models.CharField(max_length=20, choices=SiteKind.choices, verbose_name=_("Kind"))
    country = models.CharField(
        max_length=2, help_text=_("ISO 3166-1 alpha-2."), verbose_name=_("Country")
    )
    city = models.CharField(max_length=200, blank=True, verbose_name=_("City"))
    latitude = models.FloatField(null=True, blank=True, verbose_name=_("Latitude"))
    longitude = models.FloatField(null=True, blank=True, verbose_name=_("Longitude"))
    coordinate_precision = models.CharField(
        max_length=13,
        choices=CoordinatePrecision.choices,
        blank=True,
        default="",
        verbose_name=_("Coordinate precision"),
    )
    notes = models.TextField(blank=True, verbose_name=_("Notes"))

    history = history()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["country", "name"]
        constraints = [
            choices_constraint("kind", SiteKind, "site_kind_valid"),
            access_level_constraint("site"),
            *coordinates_constraints("site"),
        ]

    def __str__(self) -> str:
        return self.name


class VaultKey(models.Model):
    """One data key of the identity vault, wrapped by one master key (never stored here).

    During a master-key rotation a version is wrapped under both the old and the new master key;
    `unseen keys retire` then drops the old wrapping. See `registry.keys`.
    """

    version = models.PositiveIntegerField()
    master_key_id = models.CharField(_("master key ID"), max_length=16)
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "vault key"
        constraints = [
            models.UniqueConstraint(
                fields=["version", "master_key_id"], name="vault_key_unique_wrapping"
            )
        ]

    def __str__(self) -> str:
        return f"data key v{self.version} under master {self.master_key_id}"
