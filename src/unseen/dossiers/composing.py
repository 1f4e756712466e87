"""What a dossier says: everything one reader may see about its subject, each statement numbered
to the claims and sources behind it, as one HTML document for `unseen.core.pdf.render_pdf`.

Three rules hold everywhere here:

- The reader's access decides. Records come through `readable_records` (a relation through its
  `visible_to`, which asks both its ends too), claims through `ClaimQuerySet.visible_to` (claim's
  record and source both readable), files through `files.access.visible_files`. A related record
  the reader may not read (a deployment's confidential site) is left blank, as on the app's pages.
- The same data gives the same HTML: everything is ordered by primary key or by a stored value
  with the key last, the creation date is the newest change among what is included (never the
  clock), and nothing is random. `render_pdf` then gives the same bytes.
- Notes stay cheap to lay out (`float: footnote` over hundreds of notes costs seconds): a claim is
  numbered once, where it is first cited, and listed in the notes at the end of that section;
  later statements resting on it carry the same number.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q, QuerySet
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from unseen.accounts.models import AccessLevel, UserLike
from unseen.audit.log import last_change_id
from unseen.core.places import country_name
from unseen.documentation.indicators import indicator_matrix
from unseen.documentation.models import (
    Deployment,
    Finding,
    Incident,
    Indicator,
    Relation,
    SavedSearch,
    Sighting,
    Testimony,
)
from unseen.evidence.models import (
    Claim,
    DatePrecision,
    Record,
    Source,
    readable_records,
    strictest_access_level,
)
from unseen.files.access import visible_files
from unseen.files.models import Attachment, EvidenceFile
from unseen.registry.models import CoordinatePrecision, Designation, Organisation, Person, Site

from . import charts
from .subjects import COUNTRY, ORGANISATION, PERSON, SAVED_SEARCH, SITE, Subject, resolve

# Rows per table at most: a saved search of every deployment would otherwise be thousands of
# pages. The section says how many more there were.
MAX_ROWS = 1500
# Testimonies shown one by one under the indicator matrix (the counts cover all of them).
MAX_TESTIMONY_ROWS = 200
# How each kind is listed; the primary key last, so that equal values keep one order.
ORDER: dict[type[Any], tuple[Any, ...]] = {
    # Undated rows after the dated ones, whatever the database's habit with NULLs.
    Deployment: (F("period_start").asc(nulls_last=True),),
    Incident: (F("date").asc(nulls_last=True),),
    Sighting: (F("observed_from").asc(nulls_last=True),),
    Relation: (F("start").asc(nulls_last=True),),
    Site: ("country", "name"),
    Organisation: ("name",),
    Person: ("pseudonym",),
    Designation: (F("listed_on").asc(nulls_last=True),),
}
# A date nobody can mistake for a real one, for a dossier with nothing in it.
EMPTY_DOSSIER_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

MARKINGS: dict[str, str] = {
    AccessLevel.PUBLIC: "PUBLIC",
    AccessLevel.INTERNAL: "INTERNAL",
    AccessLevel.CONFIDENTIAL: "CONFIDENTIAL",
}

MARKING_COLOURS: dict[str, str] = {
    AccessLevel.PUBLIC: "#2f6b3a",
    AccessLevel.INTERNAL: "#8a5a00",
    AccessLevel.CONFIDENTIAL: "#9b2c2c",
}


@dataclass(frozen=True)
class Composition:
    html: str  # complete HTML document, CSS inlined, charts inline SVG, no URLs
    assets: dict[str, tuple[bytes, str]]  # for asset:NAME (none yet: files are listed, not shown)
    title: str
    highest_level: str  # AccessLevel value of the most restricted thing included
    recipe: dict[str, Any]
    footnotes: list[dict[str, Any]]  # [{"n": 1, "claim": id, "source": id}, ...]


# --- notes -----------------------------------------------------------------------------------------


@dataclass
class Note:
    n: int
    claim: Claim | None  # None: the source itself (a testimony's interview)
    source: Source


@dataclass
class Notes:
    """Claims (or sources) numbered in the order they are first cited, section by section."""

    numbers: dict[tuple[str, int], int] = field(default_factory=dict)
    all: list[Note] = field(default_factory=list)
    current: list[Note] = field(default_factory=list)

    def _number(self, key: tuple[str, int], claim: Claim | None, source: Source) -> int:
        if key not in self.numbers:
            note = Note(len(self.all) + 1, claim, source)
            self.numbers[key] = note.n
            self.all.append(note)
            self.current.append(note)
        return self.numbers[key]

    def cite(self, claims: Iterable[Claim]) -> list[int]:
        return sorted({self._number(("claim", c.pk), c, c.source) for c in claims})

    def cite_source(self, source: Source) -> int:
        return self._number(("source", source.pk), None, source)

    def close_section(self) -> list[Note]:
        notes, self.current = self.current, []
        return notes


# --- what a section holds --------------------------------------------------------------------------


@dataclass
class Row:
    cells: list[str]
    notes: list[int]
    level: str = ""  # shown when not public


@dataclass
class Fact:
    label: str
    value: str
    notes: list[int] = field(default_factory=list)


@dataclass
class Section:
    key: str
    title: str
    intro: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    figure: str = ""  # inline SVG
    figure_caption: str = ""
    more: int = 0  # rows left out past MAX_ROWS
    empty: str = ""
    notes: list[Note] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # what a special template reads

    @property
    def refs(self) -> bool:
        """Whether any row carries note numbers or a level (else no column for them)."""
        return any(row.notes or row.level for row in self.rows)


# --- formatting ------------------------------------------------------------------------------------


def date_text(day: dt.date | None, precision: str = "") -> str:
    if day is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{day.year}"
    if precision == DatePrecision.MONTH:
        return f"{day.year}-{day.month:02d}"
    return day.isoformat()


def period_text(start: dt.date | None, sp: str, end: dt.date | None, ep: str) -> str:
    first, last = date_text(start, sp), date_text(end, ep)
    if first and last and first != last:
        return f"{first} – {last}"
    if first and not last:
        return f"{first} –"
    if last and not first:
        return f"– {last}"
    return first


def range_text(low: Any, high: Any, unit: str = "") -> str:
    def one(value: Any) -> str:
        if isinstance(value, int):
            return f"{value:,}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")

    if low is None and high is None:
        return ""
    if low is None or high is None or low == high:
        return f"{one(low if low is not None else high)}{unit}"
    return f"{one(low)}–{one(high)}{unit}"


def place_name(code: str, language: str) -> str:
    return country_name(code, language) if code else ""


def source_code(source: Source) -> str:
    """How notes name a source; the list of sources at the end gives it in full."""
    return f"S{source.pk}"


def level_label(level: str) -> str:
    return "" if level == AccessLevel.PUBLIC else str(AccessLevel(level).label)


# --- the reader's view of the data -----------------------------------------------------------------


class Reading:
    """Everything composing asks of the database, filtered for one reader and cached per record."""

    def __init__(self, reader: UserLike, language: str) -> None:
        self.reader = reader
        self.language = language
        self.levels: list[str] = []
        self.changes: list[dt.datetime] = []
        self.included: dict[str, set[int]] = defaultdict(set)
        self._claims: dict[tuple[int, int], list[Claim]] = {}
        self._readable: dict[type[Any], set[int]] = {}
        self._unreadable: dict[type[Any], set[int]] = {}

    def readable(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return readable_records(queryset, self.reader)

    def readable_pks(self, model: type[Any], pks: Iterable[int | None]) -> set[int]:
        """Which of `pks` of `model` the reader may read (cached: ends of relations, sites of
        deployments and the like are asked again and again)."""
        readable = self._readable.setdefault(model, set())
        unreadable = self._unreadable.setdefault(model, set())
        asked = {pk for pk in pks if pk is not None}
        missing = asked - readable - unreadable
        if missing:
            found = set(
                self.readable(model._default_manager.filter(pk__in=missing)).values_list(
                    "pk", flat=True
                )
            )
            readable |= found
            unreadable |= missing - found
        return asked & readable

    def shown(self, value: Any) -> Any:
        """A related record if the reader may read it, else None (a blank, as in the app)."""
        if value is None or value.pk not in self.readable_pks(type(value), [value.pk]):
            return None
        # Named in the dossier, so its level counts towards the marking.
        self.include([value])
        return value

    def include(self, records: Iterable[Record]) -> None:
        for record in records:
            self.included[record._meta.label_lower].add(record.pk)
            self.levels.append(record.access_level)
            stamp = getattr(record, "updated_at", None) or getattr(record, "created_at", None)
            if stamp is not None:
                self.changes.append(stamp)

    def load_claims(self, model: type[Any], pks: Sequence[int]) -> None:
        """The claims on these records the reader may read, strongest first, in one query."""
        content_type = ContentType.objects.get_for_model(model)
        wanted = [pk for pk in pks if (content_type.pk, pk) not in self._claims]
        for pk in wanted:
            self._claims[(content_type.pk, pk)] = []
        for start in range(0, len(wanted), 900):
            claims = (
                Claim.objects.visible_to(self.reader)
                .filter(content_type=content_type, object_id__in=wanted[start : start + 900])
                .select_related("source")
                .order_by("credibility", "source__reliability", "id")
            )
            for claim in claims:
                self._claims[(content_type.pk, claim.object_id)].append(claim)

    def claims_of(self, record: Any) -> list[Claim]:
        content_type = ContentType.objects.get_for_model(type(record))
        if (content_type.pk, record.pk) not in self._claims:
            self.load_claims(type(record), [record.pk])
        return self._claims[(content_type.pk, record.pk)]


def _cite(reading: Reading, notes: Notes, record: Any, field_name: str | None = None) -> list[int]:
    claims = reading.claims_of(record)
    if field_name is not None:
        claims = [c for c in claims if c.field == field_name]
    return notes.cite(claims)


# --- gathering what the dossier covers -------------------------------------------------------------


@dataclass
class Scope:
    """The records a dossier covers, as querysets (readable only is applied when they are read)."""

    title: str
    summary: list[Fact] = field(default_factory=list)
    summary_record: Any = None
    summary_intro: str = ""
    organisations: QuerySet[Any] | None = None
    designations: QuerySet[Any] | None = None
    relations: QuerySet[Any] | None = None
    persons: QuerySet[Any] | None = None
    deployments: QuerySet[Any] | None = None
    sites: QuerySet[Any] | None = None
    incidents: QuerySet[Any] | None = None
    sightings: QuerySet[Any] | None = None
    testimonies: QuerySet[Any] | None = None
    sources: QuerySet[Any] | None = None
    hosts: set[str] = field(default_factory=set)
    # The country a country's dossier is about: not repeated after every site's name.
    country: str = ""


def _name(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Person):
        return value.pseudonym
    return str(value.name) if hasattr(value, "name") else str(value)


def _organisation_scope(org: Organisation, reading: Reading, notes: Notes) -> Scope:
    family = org.merged_family()
    deployments = Deployment.objects.filter(Q(dispatcher__in=family) | Q(employer__in=family))
    relations = Relation.objects.touching_any(Organisation, family)
    site_ids = set(deployments.filter(site__isnull=False).values_list("site_id", flat=True))
    site_ids |= set(
        relations.filter(object_site__isnull=False).values_list("object_site_id", flat=True)
    )
    aliases = ", ".join(org.aliases.order_by("name", "id").values_list("name", flat=True))
    identifiers = ", ".join(
        f"{i.get_scheme_display()}: {i.value}" for i in org.identifiers.order_by("scheme", "id")
    )
    claims = list(org.evidence_trail(reading.reader))
    whole = [c for c in claims if not c.field or c.field == "name"]
    facts = [
        Fact(_("Name"), org.name, notes.cite(whole)),
        Fact(_("Kind"), org.get_kind_display(), notes.cite(c for c in claims if c.field == "kind")),
        Fact(
            _("Country"),
            place_name(org.country, reading.language),
            notes.cite(c for c in claims if c.field == "country"),
        ),
    ]
    if aliases:
        facts.append(Fact(_("Also known as"), aliases))
    if identifiers:
        facts.append(Fact(_("Identifiers"), identifiers))
    if org.notes:
        facts.append(
            Fact(_("Notes"), org.notes, notes.cite(c for c in claims if c.field == "notes"))
        )
    return Scope(
        title=org.name,
        summary=facts,
        summary_record=org,
        designations=Designation.objects.filter(organisation__in=family),
        relations=relations,
        deployments=deployments,
        sites=Site.objects.filter(pk__in=site_ids),
        incidents=Incident.objects.filter(perpetrator_organisations__in=family).distinct(),
        hosts={org.country} if org.country else set(),
    )


def _site_scope(site: Site, reading: Reading, notes: Notes) -> Scope:
    family = site.merged_family()
    claims = list(site.evidence_trail(reading.reader))
    coordinates = ""
    if site.latitude is not None and site.longitude is not None:
        coordinates = f"{site.latitude:.4f}, {site.longitude:.4f}"
        if site.coordinate_precision:
            coordinates += f" ({site.get_coordinate_precision_display()})"
    facts = [
        Fact(
            _("Name"), site.name, notes.cite(c for c in claims if not c.field or c.field == "name")
        ),
        Fact(
            _("Kind"), site.get_kind_display(), notes.cite(c for c in claims if c.field == "kind")
        ),
        Fact(
            _("Country"),
            place_name(site.country, reading.language),
            notes.cite(c for c in claims if c.field == "country"),
        ),
    ]
    if site.city:
        facts.append(Fact(_("City"), site.city, notes.cite(c for c in claims if c.field == "city")))
    if coordinates:
        facts.append(
            Fact(
                _("Coordinates"),
                coordinates,
                notes.cite(c for c in claims if c.field in ("latitude", "longitude")),
            )
        )
    if site.notes:
        facts.append(Fact(_("Notes"), site.notes))
    deployments = Deployment.objects.filter(site__in=family)
    org_ids = set(deployments.values_list("dispatcher_id", flat=True)) | set(
        deployments.values_list("employer_id", flat=True)
    )
    return Scope(
        title=site.name,
        summary=facts,
        summary_record=site,
        organisations=Organisation.objects.filter(pk__in=org_ids - {None}),
        relations=Relation.objects.touching_any(Site, family),
        deployments=deployments,
        sites=Site.objects.filter(pk=site.pk),
        incidents=Incident.objects.filter(site__in=family),
        sightings=Sighting.objects.filter(site__in=family),
        hosts={site.country},
    )


def _country_scope(code: str, reading: Reading, notes: Notes) -> Scope:
    deployments = Deployment.objects.filter(host_country=code)
    org_ids = set(deployments.values_list("dispatcher_id", flat=True)) | set(
        deployments.values_list("employer_id", flat=True)
    )
    sites = Site.objects.filter(country=code, merged_into__isnull=True)
    name = place_name(code, reading.language)
    return Scope(
        title=name,
        summary=[Fact(_("Country"), f"{name} ({code})")],
        summary_intro=_(
            "Workers from North Korea documented in this host country: the deployments, sites, "
            "incidents and sightings recorded here, with the organisations that sent or employed "
            "them."
        ),
        organisations=Organisation.objects.filter(pk__in=org_ids - {None}),
        relations=Relation.objects.filter(object_site__in=sites),
        deployments=deployments,
        sites=sites,
        incidents=Incident.objects.filter(Q(country=code) | Q(site__country=code)),
        sightings=Sighting.objects.filter(Q(country=code) | Q(site__country=code)),
        hosts={code},
        country=code,
    )


def _person_scope(person: Person, reading: Reading, notes: Notes) -> Scope:
    # The registry's pseudonymous person only: nothing here opens the identity vault
    # (registry.vault), and the person's free-text notes and source record id stay out too,
    # as either could name or point at someone.
    family = person.merged_family()
    claims = list(person.evidence_trail(reading.reader))
    facts = [
        Fact(_("Pseudonym"), person.pseudonym, notes.cite(c for c in claims if not c.field)),
        Fact(_("Sex"), person.get_sex_display(), notes.cite(c for c in claims if c.field == "sex")),
    ]
    if person.birth_year:
        facts.append(
            Fact(
                _("Birth year"),
                str(person.birth_year),
                notes.cite(c for c in claims if c.field == "birth_year"),
            )
        )
    if person.home_province:
        facts.append(
            Fact(
                _("Home province"),
                person.home_province,
                notes.cite(c for c in claims if c.field == "home_province"),
            )
        )
    facts.append(Fact(_("Nationality"), place_name(person.nationality, reading.language)))
    deployments = Deployment.objects.filter(person__in=family)
    site_ids = set(deployments.values_list("site_id", flat=True)) - {None}
    org_ids = set(deployments.values_list("dispatcher_id", flat=True)) | set(
        deployments.values_list("employer_id", flat=True)
    )
    return Scope(
        title=person.pseudonym,
        summary=facts,
        summary_record=person,
        summary_intro=_(
            "A person is known here by a pseudonym only: no name or other identifying detail is "
            "included."
        ),
        organisations=Organisation.objects.filter(pk__in=org_ids - {None}),
        relations=Relation.objects.touching_any(Person, family),
        deployments=deployments,
        sites=Site.objects.filter(pk__in=site_ids),
        incidents=Incident.objects.filter(victims__in=family).distinct(),
        testimonies=Testimony.objects.filter(interviewee__in=family),
        hosts=set(deployments.exclude(host_country="").values_list("host_country", flat=True)),
    )


SEARCHABLE = {
    "organisations": "organisations",
    "sites": "sites",
    "persons": "persons",
    "deployments": "deployments",
    "incidents": "incidents",
    "sightings": "sightings",
    "relations": "relations",
    "testimonies": "testimonies",
    "sources": "sources",
    "designations": "designations",
}
MODELS = {
    "organisations": Organisation,
    "sites": Site,
    "persons": Person,
    "deployments": Deployment,
    "incidents": Incident,
    "sightings": Sighting,
    "relations": Relation,
    "testimonies": Testimony,
    "sources": Source,
    "designations": Designation,
}


def _saved_search_scope(saved: SavedSearch, reading: Reading, notes: Notes) -> Scope:
    """The records the saved search finds for this reader now, by kind, through the same code
    as the page it opens (`documentation.listing`, `documentation.searching`)."""
    from unseen.documentation import saving, searching
    from unseen.documentation.browsing import KINDS
    from unseen.documentation.listing import listed

    ids: dict[str, list[int]] = defaultdict(list)
    if saved.kind == SavedSearch.SEARCH:
        query = searching.parse(QueryDict(saved.query))
        if not query.errors and not query.empty:
            rows = searching.found(query, reading.reader).order_by("kind", "object_id")
            for kind, object_id in rows.values_list("kind", "object_id")[: searching.CANDIDATES]:
                ids[kind].append(object_id)
    elif saved.kind in KINDS:
        form, records = listed(KINDS[saved.kind], QueryDict(saved.query), reading.reader)
        if not form.is_bound or form.is_valid():
            ids[saved.kind] = list(records.order_by("pk").values_list("pk", flat=True))
    scope = Scope(
        title=saved.name,
        summary=[
            Fact(_("Saved search"), saved.name),
            Fact(_("Kind"), saving.kind_label(saved.kind)),
            Fact(_("Query"), saved.query or "—"),
        ],
        summary_intro=_(
            "The records this saved search finds for the reader of this dossier, at the reader's "
            "access levels, when the dossier was made."
        ),
    )
    for slug, attribute in SEARCHABLE.items():
        if ids.get(slug):
            setattr(scope, attribute, MODELS[slug]._default_manager.filter(pk__in=ids[slug]))
            scope.summary.append(Fact(capfirst(str(KINDS[slug].label)), f"{len(ids[slug]):,}"))
    return scope


SCOPES: dict[str, Callable[[Any, Reading, Notes], Scope]] = {
    ORGANISATION: _organisation_scope,
    SITE: _site_scope,
    COUNTRY: _country_scope,
    PERSON: _person_scope,
    SAVED_SEARCH: _saved_search_scope,
}


# --- sections --------------------------------------------------------------------------------------


def _records(
    reading: Reading, queryset: QuerySet[Any] | None, *related: str
) -> tuple[list[Any], int]:
    """The readable records of `queryset`, by primary key, at most MAX_ROWS (and how many more)."""
    if queryset is None:
        return [], 0
    readable = reading.readable(queryset).order_by(*ORDER.get(queryset.model, ()), "pk")
    records = (
        list(readable.select_related(*related)[: MAX_ROWS + 1])
        if related
        else list(readable[: MAX_ROWS + 1])
    )
    more = 0
    if len(records) > MAX_ROWS:
        more = readable.count() - MAX_ROWS
        records = records[:MAX_ROWS]
    if records:
        reading.load_claims(type(records[0]), [r.pk for r in records])
    reading.include(records)
    return records, more


def _table(
    key: str,
    title: str,
    columns: list[str],
    records: list[Any],
    more: int,
    cells: Callable[[Any], list[str]],
    reading: Reading,
    notes: Notes,
    empty: str,
) -> Section:
    rows = [
        Row(cells(record), _cite(reading, notes, record), level_label(record.access_level))
        for record in records
    ]
    columns, rows = _without_empty_columns(columns, rows)
    return Section(key, title, columns=columns, rows=rows, more=more, empty=empty)


def _without_empty_columns(columns: list[str], rows: list[Row]) -> tuple[list[str], list[Row]]:
    """A column no row fills says nothing (no employer known anywhere): left out."""
    if not rows:
        return columns, rows
    kept = [i for i in range(len(columns)) if any(row.cells[i] for row in rows)]
    for row in rows:
        row.cells = [row.cells[i] for i in kept]
    return [columns[i] for i in kept], rows


def _party(reading: Reading, relation: Relation, end: str) -> str:
    for name in (
        (
            ("subject_organisation", Organisation),
            ("subject_figure", None),
            ("subject_person", Person),
        )
        if end == "subject"
        else (
            ("object_organisation", Organisation),
            ("object_figure", None),
            ("object_person", Person),
            ("object_site", Site),
        )
    ):
        value = getattr(relation, name[0])
        if value is not None:
            return _name(reading.shown(value))
    return ""


def _relations_section(scope: Scope, reading: Reading, notes: Notes) -> Section | None:
    if scope.relations is None:
        return None
    # Relation.visible_to: the relation's level and both its ends'. One with an end beyond the
    # reader is absent altogether, not shown with a blank end.
    queryset = Relation.objects.visible_to(reading.reader).filter(
        pk__in=scope.relations.values("pk")
    )
    records, more = _records(
        reading,
        queryset,
        "subject_organisation",
        "subject_figure",
        "subject_person",
        "object_organisation",
        "object_figure",
        "object_person",
        "object_site",
    )
    for relation in records:
        reading.include(end for end in (relation.subject, relation.object) if end is not None)

    def cells(r: Relation) -> list[str]:
        detail = r.role or ""
        if r.share_percent is not None:
            detail = f"{detail} {r.share_percent}%".strip()
        return [
            _party(reading, r, "subject"),
            r.get_kind_display(),
            _party(reading, r, "object"),
            period_text(r.start, r.start_precision, r.end, r.end_precision),
            detail,
        ]

    return _table(
        "relations",
        _("Relations"),
        [_("From"), _("Relation"), _("To"), _("Period"), _("Role")],
        records,
        more,
        cells,
        reading,
        notes,
        _("No relation the reader may see."),
    )


def _headcount_ranges(deployments: list[Deployment]) -> list[charts.YearRange]:
    """Per year: for each host, the lowest and highest figure of the deployments covering that
    year (sources disagree about the same workers, so their figures are an envelope, not added
    up); hosts are then added up. Proxies (entries, plans) and single persons are left out."""
    envelopes: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for d in deployments:
        if d.is_proxy or d.person_id is not None or d.period_start is None:
            continue
        low = d.workers_low if d.workers_low is not None else d.workers_high
        high = d.workers_high if d.workers_high is not None else d.workers_low
        if low is None or high is None:
            continue
        end = d.period_end or d.period_start
        host = d.host_country or d.host_region or "?"
        for year in range(d.period_start.year, end.year + 1):
            known = envelopes[year].get(host)
            envelopes[year][host] = (
                (min(known[0], low), max(known[1], high)) if known else (low, high)
            )
    return [
        charts.YearRange(
            year,
            sum(low for low, _high in envelopes[year].values()),
            sum(high for _low, high in envelopes[year].values()),
        )
        for year in sorted(envelopes)
    ]


def _deployments_section(scope: Scope, reading: Reading, notes: Notes) -> Section | None:
    if scope.deployments is None:
        return None
    records, more = _records(reading, scope.deployments, "site", "person", "dispatcher", "employer")

    def cells(d: Deployment) -> list[str]:
        site = reading.shown(d.site)
        host = place_name(d.host_country, reading.language) if d.host_country else d.host_region
        if site is not None and d.host_country and d.host_country == scope.country:
            host = ""
        place = ", ".join(part for part in (_name(site), host) if part)
        person = reading.shown(d.person)
        workers = (
            person.pseudonym if person is not None else range_text(d.workers_low, d.workers_high)
        )
        if d.is_proxy and workers:
            proxy = _("proxy")
            workers = f"{workers} ({proxy})"
        return [
            period_text(
                d.period_start, d.period_start_precision, d.period_end, d.period_end_precision
            ),
            place,
            workers,
            d.sector,
            _name(reading.shown(d.dispatcher)),
            _name(reading.shown(d.employer)),
            range_text(d.monthly_wage_usd_low, d.monthly_wage_usd_high),
        ]

    section = _table(
        "deployments",
        _("Deployments"),
        [
            _("Period"),
            _("Place"),
            _("Workers"),
            _("Sector"),
            _("Dispatcher"),
            _("Employer"),
            _("Monthly wage (USD)"),
        ],
        records,
        more,
        cells,
        reading,
        notes,
        _("No deployment the reader may see."),
    )
    ranges = _headcount_ranges(records)
    if ranges:
        section.figure = charts.headcount_chart(
            ranges,
            title=_("Workers by year"),
            low_label=_("lowest figure"),
            high_label=_("highest figure"),
        )
        section.figure_caption = _(
            "Workers by year: for each host country, the lowest and the highest figure of the "
            "deployments covering the year (sources disagree about the same workers, so their "
            "figures are a range, not a sum); host countries are added up. Entries, plans and "
            "single persons are left out."
        )
        section.extra["ranges"] = ranges
    return section


def _sites_section(scope: Scope, reading: Reading, notes: Notes) -> Section | None:
    if scope.sites is None:
        return None
    records, more = _records(reading, scope.sites)
    points = []
    rows = []
    for number, site in enumerate(records, start=1):
        drawn = (
            site.latitude is not None
            and site.longitude is not None
            and site.coordinate_precision != CoordinatePrecision.COUNTRY
        )
        if drawn:
            points.append(charts.MapPoint(number, site.latitude, site.longitude))
        where = ""
        if site.latitude is not None and site.longitude is not None:
            where = f"{site.latitude:.2f}, {site.longitude:.2f}"
            if site.coordinate_precision:
                where += f" ({site.get_coordinate_precision_display()})"
        rows.append(
            Row(
                [
                    str(number),
                    site.name,
                    site.get_kind_display(),
                    ", ".join(
                        p for p in (site.city, place_name(site.country, reading.language)) if p
                    ),
                    where,
                ],
                _cite(reading, notes, site),
                level_label(site.access_level),
            )
        )
    section = Section(
        "sites",
        _("Sites"),
        columns=["#", _("Name"), _("Kind"), _("Place"), _("Coordinates")],
        rows=rows,
        more=more,
        empty=_("No site the reader may see."),
    )
    from unseen.publishing.mapping import country_numeric

    hosts = {country_numeric(code) for code in scope.hosts if code}
    section.figure = charts.site_map(
        points,
        hosts=hosts - {""},
        title=_("Map of sites"),
        credit=_("Country outlines: Natural Earth (public domain)"),
    )
    if section.figure:
        section.figure_caption = _(
            "Numbered as in the table. Sites whose place is known only to the country are not "
            "drawn; host countries are shaded."
        )
    return section


def _organisations_section(scope: Scope, reading: Reading, notes: Notes) -> Section | None:
    if scope.organisations is None:
        return None
    records, more = _records(reading, scope.organisations)
    return _table(
        "organisations",
        _("Organisations"),
        [_("Name"), _("Kind"), _("Country")],
        records,
        more,
        lambda o: [o.name, o.get_kind_display(), place_name(o.country, reading.language)],
        reading,
        notes,
        _("No organisation the reader may see."),
    )


def _designations_section(scope: Scope, reading: Reading, notes: Notes) -> Section | None:
    if scope.designations is None:
        return None
    records, more = _records(reading, scope.designations)
    if not records:
        return None
    return _table(
        "designations",
        _("Sanctions designations"),
        [_("Authority"), _("Programme"), _("Reference"), _("Listed on"), _("Delisted on")],
        records,
        more,
        lambda d: [
            d.authority,
            d.programme,
            d.reference,
            date_text(d.listed_on, d.listed_on_precision),
            date_text(d.ended_on),
        ],
        reading,
        notes,
        "",
    )


def _persons_section(scope: Scope, reading: Reading, notes: Notes) -> Section | None:
    if scope.persons is None:
        return None
    records, more = _records(reading, scope.persons)
    return _table(
        "persons",
        _("Persons"),
        [_("Pseudonym"), _("Sex"), _("Birth year"), _("Home province")],
        records,
        more,
        lambda p: [p.pseudonym, p.get_sex_display(), str(p.birth_year or ""), p.home_province],
        reading,
        notes,
        _("No person the reader may see."),
    )


def _incidents_section(scope: Scope, reading: Reading, notes: Notes) -> Section | None:
    if scope.incidents is None:
        return None
    records, more = _records(reading, scope.incidents, "site")
    perpetrators: dict[int, list[str]] = defaultdict(list)
    victims: dict[int, list[str]] = defaultdict(list)
    ids = [i.pk for i in records]
    through = Incident.perpetrator_organisations.through
    org_ids = reading.readable_pks(
        Organisation,
        through.objects.filter(incident_id__in=ids).values_list("organisation_id", flat=True),
    )
    # Named in the dossier: their levels count towards the marking.
    reading.include(Organisation.objects.filter(pk__in=org_ids))
    for incident_id, name in (
        through.objects.filter(incident_id__in=ids, organisation_id__in=org_ids)
        .order_by("organisation_id")
        .values_list("incident_id", "organisation__name")
    ):
        perpetrators[incident_id].append(name)
    victim_through = Incident.victims.through
    person_ids = reading.readable_pks(
        Person,
        victim_through.objects.filter(incident_id__in=ids).values_list("person_id", flat=True),
    )
    reading.include(Person.objects.filter(pk__in=person_ids))
    for incident_id, pseudonym in (
        victim_through.objects.filter(incident_id__in=ids, person_id__in=person_ids)
        .order_by("person_id")
        .values_list("incident_id", "person__pseudonym")
    ):
        victims[incident_id].append(pseudonym)

    def cells(i: Incident) -> list[str]:
        place = ", ".join(
            p
            for p in (
                _name(reading.shown(i.site)),
                i.place,
                place_name(i.country, reading.language),
            )
            if p
        )
        who = "; ".join(
            [
                *perpetrators[i.pk],
                *([i.perpetrator_description] if i.perpetrator_description else []),
            ]
        )
        return [
            date_text(i.date, i.date_precision),
            i.get_act_display(),
            place,
            who,
            ", ".join(victims[i.pk]),
            i.description,
        ]

    return _table(
        "incidents",
        _("Incidents"),
        [_("Date"), _("Act"), _("Place"), _("Perpetrators"), _("Victims"), _("Description")],
        records,
        more,
        cells,
        reading,
        notes,
        _("No incident the reader may see."),
    )


def _sightings_section(scope: Scope, reading: Reading, notes: Notes) -> Section | None:
    if scope.sightings is None:
        return None
    records, more = _records(reading, scope.sightings)
    return _table(
        "sightings",
        _("Sightings"),
        [_("Observed"), _("Place"), _("Workers"), _("Work kind"), _("Description")],
        records,
        more,
        # The public place label and description where someone wrote them: the internal ones
        # can be a reporter's own words, naming a doorstep.
        lambda s: [
            period_text(s.observed_from, s.observed_precision, s.observed_to, s.observed_precision),
            ", ".join(
                p for p in (s.public_place_label, place_name(s.country, reading.language)) if p
            ),
            range_text(s.workers_low, s.workers_high),
            s.work_kind,
            s.public_description,
        ],
        reading,
        notes,
        _("No sighting the reader may see."),
    )


def _testimonies(scope: Scope, reading: Reading) -> QuerySet[Any]:
    """The testimonies a dossier's indicator matrix counts: those named by the scope, those of
    persons deployed in it, and those whose interview is a source of a claim cited so far."""
    condition = Q(pk__in=[])
    if scope.testimonies is not None:
        condition |= Q(pk__in=scope.testimonies.values("pk"))
    persons = reading.included.get("registry.person", set())
    if persons:
        condition |= Q(interviewee__in=persons)
    deployment_ids = reading.included.get("documentation.deployment", set())
    if deployment_ids:
        condition |= Q(
            interviewee__in=Deployment.objects.filter(
                pk__in=deployment_ids, person__isnull=False
            ).values("person_id")
        )
    return reading.readable(Testimony.objects.filter(condition))


def _indicators_section(
    scope: Scope, reading: Reading, notes: Notes, cited_sources: set[int]
) -> Section | None:
    testimonies = _testimonies(scope, reading)
    if cited_sources:
        testimonies = testimonies | reading.readable(
            Testimony.objects.filter(source_id__in=cited_sources)
        )
    testimonies = testimonies.distinct()
    if not testimonies.exists():
        return None
    matrix = indicator_matrix(testimonies, limit=MAX_TESTIMONY_ROWS)
    reading.include(matrix.testimonies)
    readable_sources = reading.readable_pks(Source, [t.source_id for t in matrix.testimonies])
    marks = {Finding.PRESENT: "●", Finding.ABSENT: "○", Finding.UNKNOWN: "·"}
    grid = []
    for testimony, findings in matrix.grid:
        cited = _cite(reading, notes, testimony)
        if testimony.source_id in readable_sources:
            reading.include([testimony.source])
            cited = sorted({*cited, notes.cite_source(testimony.source)})
        grid.append(
            Row(
                [
                    f"{_('Testimony')} {testimony.pk}",
                    date_text(testimony.interview_date, testimony.interview_date_precision),
                    *[marks[Finding(f)] for f in findings],
                ],
                cited,
                level_label(testimony.access_level),
            )
        )
    total = testimonies.count()
    rows = [
        Row(
            [
                f"{number}",
                str(Indicator(row.indicator).label),
                f"{row.present:,}",
                f"{row.absent:,}",
                f"{row.unknown:,}",
                f"{row.present_share:.0f} %",
            ],
            [],
        )
        for number, row in enumerate(matrix.rows, start=1)
    ]
    return Section(
        "indicators",
        _("Indicator matrix"),
        intro=_(
            "The 11 ILO indicators of forced labour as coded in %(count)s testimonies the reader "
            "may see: in how many each was found present, absent or not known."
        )
        % {"count": f"{total:,}"},
        columns=["#", _("Indicator"), _("Present"), _("Absent"), _("Unknown"), _("Share present")],
        rows=rows,
        more=max(total - MAX_TESTIMONY_ROWS, 0),
        extra={
            "grid": grid,
            "indicator_numbers": [str(n) for n in range(1, len(Indicator) + 1)],
            "legend": _("● present · ○ absent · · unknown"),
        },
    )


@dataclass
class FileRow:
    code: str
    title: str
    creator: str
    credit: str
    licence: str
    captured: str
    sha256: str
    behind: list[str]
    level: str


def _files(
    reading: Reading, sources: set[int]
) -> tuple[dict[int, list[EvidenceFile]], list[FileRow]]:
    """Readable files standing behind the cited sources and the included testimonies, incidents
    and sightings: per source (for the notes), and as the credits table."""
    targets: list[tuple[type[Any], set[int]]] = [
        (Source, sources),
        (Testimony, reading.included.get("documentation.testimony", set())),
        (Incident, reading.included.get("documentation.incident", set())),
        (Sighting, reading.included.get("documentation.sighting", set())),
    ]
    readable = visible_files(reading.reader).values("pk")
    by_source: dict[int, list[EvidenceFile]] = defaultdict(list)
    behind: dict[int, list[str]] = defaultdict(list)
    files: dict[int, EvidenceFile] = {}
    for model, pks in targets:
        if not pks:
            continue
        attachments = (
            Attachment.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=pks,
                file__in=readable,
            )
            .select_related("file")
            .order_by("object_id", "file_id")
        )
        label = str(model._meta.verbose_name)
        for attachment in attachments:
            files[attachment.file_id] = attachment.file
            behind[attachment.file_id].append(f"{label} {attachment.object_id}")
            if model is Source:
                by_source[attachment.object_id].append(attachment.file)
    rows = []
    korean = reading.language.startswith("ko")
    for pk in sorted(files):
        file = files[pk]
        reading.include([file])
        rows.append(
            FileRow(
                file.code,
                (file.title_ko or file.title_en) if korean else (file.title_en or file.title_ko),
                file.creator,
                file.credit,
                file.get_licence_display(),
                date_text(file.capture_date, file.capture_date_precision),
                file.sha256,
                behind[pk],
                level_label(file.access_level),
            )
        )
    return by_source, rows


# --- the document ----------------------------------------------------------------------------------


def _newest(reading: Reading, notes: Notes) -> dt.datetime:
    stamps = list(reading.changes)
    for note in notes.all:
        stamps.append(note.source.updated_at)
        if note.claim is not None:
            stamps.append(note.claim.created_at)
    return max(stamps, default=EMPTY_DOSSIER_DATE)


def marking(level: str, language: str) -> str:
    """The page marking: the level in capitals, and in the document's language when not English."""
    word = MARKINGS.get(level, "CONFIDENTIAL")
    if language.startswith("en"):
        return word
    with translation.override(language):
        return f"{AccessLevel(level).label} · {word}"


def compose(
    subject: Subject,
    reader: UserLike | None,
    language: str = "en",
    progress: Callable[[float], None] | None = None,
    *,
    created: dt.datetime | None = None,
) -> Composition:
    """The dossier of `subject` as `reader` may see it, in `language` ("en" or "ko").

    `created` fixes the document's date (a recipe made again); by default it is the newest change
    among what is included. Raises `subjects.NotReadable` as `resolve` does.
    """
    report = progress or (lambda _fraction: None)
    target = resolve(subject, reader)
    language = "ko" if language.lower().startswith("ko") else "en"
    with translation.override(language):
        # No reader is the anonymous visitor: what is public only.
        reading = Reading(reader if reader is not None else AnonymousUser(), language)
        notes = Notes()
        scope = SCOPES[subject.kind](target, reading, notes)
        if scope.summary_record is not None:
            reading.include([scope.summary_record])
        sections: list[Section] = []
        summary = Section("summary", _("Summary"), intro=scope.summary_intro, facts=scope.summary)
        summary.notes = notes.close_section()
        sections.append(summary)
        builders = [
            _designations_section,
            _relations_section,
            _deployments_section,
            _sites_section,
            _organisations_section,
            _persons_section,
            _incidents_section,
            _sightings_section,
        ]
        for step, build in enumerate(builders, start=1):
            section = build(scope, reading, notes)
            if section is not None:
                section.notes = notes.close_section()
                sections.append(section)
            report(0.8 * step / (len(builders) + 2))
        if scope.sources is not None:
            records, more = _records(reading, scope.sources)
            listed = Section("listed-sources", _("Sources"), more=more)
            listed.rows = [
                Row(
                    [
                        s.title,
                        s.get_kind_display(),
                        date_text(s.date, s.date_precision),
                        s.reliability,
                    ],
                    [notes.cite_source(s)],
                    level_label(s.access_level),
                )
                for s in records
            ]
            listed.columns = [_("Title"), _("Kind"), _("Date"), _("Reliability")]
            listed.notes = notes.close_section()
            sections.append(listed)
        cited_sources = {note.source.pk for note in notes.all}
        indicators = _indicators_section(scope, reading, notes, cited_sources)
        if indicators is not None:
            indicators.notes = notes.close_section()
            sections.append(indicators)
        report(0.85)
        sources = {note.source.pk for note in notes.all}
        files_by_source, file_rows = _files(reading, sources)
        for note in notes.all:
            reading.include([note.source])
        report(0.9)

        highest = strictest_access_level(reading.levels) if reading.levels else AccessLevel.INTERNAL
        newest = created or _newest(reading, notes)
        title = scope.title
        kind_titles = {
            ORGANISATION: _("Organisation"),
            SITE: _("Site"),
            COUNTRY: _("Host country"),
            PERSON: _("Person"),
            SAVED_SEARCH: _("Saved search"),
        }
        note_rows = {note.n: {"note": note, "code": source_code(note.source)} for note in notes.all}
        for section in sections:
            section.extra["note_rows"] = [note_rows[note.n] for note in section.notes]
        cited = {note.source.pk: note.source for note in notes.all}
        source_rows = [
            {
                "code": source_code(cited[pk]),
                "source": cited[pk],
                "date": date_text(cited[pk].date, cited[pk].date_precision),
                "files": files_by_source.get(pk, []),
                "level": level_label(cited[pk].access_level),
            }
            for pk in sorted(cited)
        ]
        context = {
            "language": language,
            "title": title,
            "kind_title": kind_titles[subject.kind],
            "sections": sections,
            "file_rows": file_rows,
            "source_rows": source_rows,
            "marking": marking(highest, language),
            "marking_colour": MARKING_COLOURS.get(highest, "#9b2c2c"),
            "highest_level": highest,
            "created": newest.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "created_day": newest.astimezone(dt.UTC).date().isoformat(),
            "reader": getattr(reader, "username", "") or _("anonymous"),
            "subject": subject,
            "note_count": len(notes.all),
        }
        html = render_to_string("dossiers/pdf/dossier.html", context)
    report(1.0)
    footnotes = [
        {"n": note.n, "claim": note.claim.pk if note.claim else None, "source": note.source.pk}
        for note in notes.all
    ]
    recipe = {
        "subject": {"kind": subject.kind, "key": subject.key},
        "reader": getattr(reader, "username", "") or "",
        "language": language,
        "last_change_id": last_change_id(),
        "created": context["created"],
        "counts": {label: len(pks) for label, pks in sorted(reading.included.items())},
        "ids": {label: sorted(pks) for label, pks in sorted(reading.included.items())},
        "footnotes": len(footnotes),
    }
    return Composition(
        html=html,
        assets={},
        title=title,
        highest_level=str(highest),
        recipe=recipe,
        footnotes=footnotes,
    )
