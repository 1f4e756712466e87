"""Synthetic journeys for the demo's synthetic testimonies (issue 23, ADR 0045).

Each synthetic testimony gets a whole journey as events: recruitment by a synthetic organisation,
vetting, training and departure from Pyongyang, transit, one to three deployments, the ILO
indicators met on the way (each citing its passage: a quote from the testimony's own synthetic
summary, or a page of its synthetic transcript, which exists nowhere) and an exit. Nothing here is a
real person, a real testimony or a real organisation's act: every organisation is invented, marked
`is_synthetic` and named "Synthetic ... (demo data)", and every note and passage says "synthetic".

The shape follows aggregate facts in docs/facts/nk-facts.md §4 (selection, health and loyalty
checks, bribes of $100–200 to selectors, vetting of about 4–6 months, passports held by minders,
contracts of about three years); the journeys themselves are drawn with their own seeded generator,
so the rest of the demo draws the same values as before.
"""

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from unseen.accounts.models import AccessLevel
from unseen.documentation.models import (
    Deployment,
    Finding,
    Indicator,
    RecruitmentChannel,
    Testimony,
)
from unseen.evidence.models import DatePrecision
from unseen.journeys.models import (
    DocumentHolder,
    ExitKind,
    IsicSection,
    JourneyEvent,
    JourneyIndicator,
    OrganisationRole,
    Stage,
)
from unseen.registry.models import (
    CoordinatePrecision,
    Organisation,
    OrganisationKind,
    Site,
    SiteKind,
)

SALT = 23  # the journeys draw from random.Random(seed + SALT): the other demo records keep theirs
LABEL = "Synthetic (demo data)"

# Invented organisations (no real one is ever attached to a synthetic journey).
# key: (name, kind, country)
ORGANISATIONS = {
    "dispatch_a": (
        "Synthetic dispatching company A (demo data)",
        OrganisationKind.TRADING_COMPANY,
        "KP",
    ),
    "dispatch_b": (
        "Synthetic dispatching company B (demo data)",
        OrganisationKind.TRADING_COMPANY,
        "KP",
    ),
    "forestry": (
        "Synthetic forestry dispatch office (demo data)",
        OrganisationKind.STATE_ORGAN,
        "KP",
    ),
    "province": (
        "Synthetic provincial labour office (demo data)",
        OrganisationKind.STATE_ORGAN,
        "KP",
    ),
    "agency": ("Synthetic travel agency (demo data)", OrganisationKind.BROKER, "CN"),
    "host_RU": (
        "Synthetic host employer in Russia (demo data)",
        OrganisationKind.HOST_EMPLOYER,
        "RU",
    ),
    "host_CN": (
        "Synthetic host employer in China (demo data)",
        OrganisationKind.HOST_EMPLOYER,
        "CN",
    ),
    "host_MN": (
        "Synthetic host employer in Mongolia (demo data)",
        OrganisationKind.HOST_EMPLOYER,
        "MN",
    ),
    "host_QA": (
        "Synthetic host employer in Qatar (demo data)",
        OrganisationKind.HOST_EMPLOYER,
        "QA",
    ),
    "host_KW": (
        "Synthetic host employer in Kuwait (demo data)",
        OrganisationKind.HOST_EMPLOYER,
        "KW",
    ),
    "host_PL": (
        "Synthetic host employer in Poland (demo data)",
        OrganisationKind.HOST_EMPLOYER,
        "PL",
    ),
}

# The sector of a work site, as an ISIC Rev. 4 section (logging is forestry: A).
SECTOR_OF_SITE = {
    SiteKind.LOGGING_CAMP: IsicSection.A,
    SiteKind.FARM: IsicSection.A,
    SiteKind.CONSTRUCTION_SITE: IsicSection.F,
    SiteKind.FACTORY: IsicSection.C,
    SiteKind.FISHERY: IsicSection.C,
    SiteKind.SHIPYARD: IsicSection.C,
    SiteKind.RESTAURANT: IsicSection.I,
    SiteKind.IT_OFFICE: IsicSection.J,
}

# Where a worker may be moved after a first site, by the first site's country.
TRANSFERS = {
    "RU": ["RU"],
    "CN": ["CN"],
    "MN": ["MN"],
    "QA": ["KW", "QA"],
    "KW": ["QA"],
    "PL": ["RU"],
}
# Seasonal farm work in the logging off-season (docs/facts/nk-facts.md §3): known by region only.
FARM = ("Primorsky Krai (synthetic: farms, place known by region only)", "RU")

PYONGYANG = (39.02, 125.75)

# Channels and exits, region by region (the stories' first host: Russia, China, the others), so
# that a few paths are common and most are rare: with k = 5, flows show the common ones (state
# assignment to Russia, applying to go to China, returning at the contract's end from either) and
# merge the rest into "other". Drawn in a seeded order within each region.
REGION = {0: "RU", 1: "RU", 2: "RU", 3: "CN", 4: "CN", 5: "CN"}
STATE, APPLIED, CONNECTION = (
    RecruitmentChannel.STATE_ASSIGNMENT,
    RecruitmentChannel.APPLIED,
    RecruitmentChannel.PERSONAL_CONNECTION,
)
PROFILES: dict[str, tuple[Sequence[str], Sequence[str]]] = {
    "RU": ([STATE] * 5 + [APPLIED], [ExitKind.CONTRACT_END] * 5 + [ExitKind.ESCAPE]),
    "CN": ([APPLIED] * 5 + [CONNECTION], [ExitKind.CONTRACT_END] * 5 + [ExitKind.STILL_ABROAD]),
    "other": (
        [STATE] * 3 + [CONNECTION] * 3 + [APPLIED] * 2,
        [ExitKind.ESCAPE] * 3
        + [ExitKind.DEFECTION] * 2
        + [ExitKind.RECALLED] * 2
        + [ExitKind.STILL_ABROAD],
    ),
}


@dataclass(frozen=True)
class Route:
    route: str
    crossings: int
    place: str
    country: str
    leaves_from: str  # where the departure event says the worker left Pyongyang from


ROUTES = {
    "RU": [
        Route(
            "By rail from Pyongyang via Tumangang and Khasan to Vladivostok",
            1,
            "Khasan",
            "RU",
            "Pyongyang station",
        ),
        Route(
            "By air from Pyongyang to Vladivostok",
            1,
            "Vladivostok airport",
            "RU",
            "Pyongyang airport",
        ),
        Route(
            "Overland via China by bus and rail, into Russia near Hunchun",
            2,
            "Hunchun",
            "CN",
            "Pyongyang station",
        ),
    ],
    "CN": [
        Route(
            "Overland by bus across the Sinuiju–Dandong bridge",
            1,
            "Dandong",
            "CN",
            "Pyongyang, by bus",
        ),
        Route(
            "By rail from Pyongyang to Dandong, then on by rail",
            1,
            "Dandong",
            "CN",
            "Pyongyang station",
        ),
        Route(
            "Overland through Rason across the Tumen river", 1, "Hunchun", "CN", "Pyongyang, by bus"
        ),
    ],
    "MN": [
        Route("By air via Beijing", 2, "Beijing", "CN", "Pyongyang airport"),
        Route(
            "By rail via Dandong and Beijing, into Mongolia at Zamyn-Üüd",
            2,
            "Zamyn-Üüd",
            "MN",
            "Pyongyang station",
        ),
    ],
    "QA": [
        Route("By air via Beijing", 2, "Beijing", "CN", "Pyongyang airport"),
        Route("By air via Shenyang and Beijing", 2, "Beijing", "CN", "Pyongyang airport"),
    ],
    "KW": [
        Route("By air via Beijing", 2, "Beijing", "CN", "Pyongyang airport"),
    ],
    "PL": [
        Route("By air via Beijing and Moscow", 3, "Moscow", "RU", "Pyongyang airport"),
        Route(
            "By rail to Vladivostok, then by air via Moscow",
            3,
            "Vladivostok",
            "RU",
            "Pyongyang station",
        ),
    ],
}
# A further leg to the first site, when the route ends elsewhere.
ONWARD = {"Tynda": ", then by rail to Tynda", "Moscow": ", then by air to Moscow"}

# What each story's summary itself says, quoted as the passage of the indicator it shows (by the
# story's position in synthetic.STORIES). Each fragment is a verbatim part of that summary.
QUOTES: dict[int, dict[str, str]] = {
    0: {
        Indicator.RETENTION_OF_DOCUMENTS: "도착하자마자 여권을 관리원에게 맡겼고",
        Indicator.WITHHOLDING_OF_WAGES: "매달 '계획분'을 바치고 남은 돈은 거의 없었다고 함",
        Indicator.RESTRICTION_OF_MOVEMENT: "세 명 이상이 함께 다녀야 했음",
    },
    1: {
        Indicator.EXCESSIVE_OVERTIME: "하루 14시간 이상 일했고",
        Indicator.ABUSIVE_CONDITIONS: "휴일은 한 달에 한두 번이었다고 함",
    },
    2: {
        Indicator.RETENTION_OF_DOCUMENTS: "the team leader kept everyone's passports",
        Indicator.WITHHOLDING_OF_WAGES: "paid out only a small part of the wage at the end of each year",
    },
    3: {
        Indicator.RESTRICTION_OF_MOVEMENT: "기숙사와 공장 밖으로 나갈 수 없었고",
        Indicator.ISOLATION: "휴대전화는 금지되었다고 함",
    },
    4: {Indicator.WITHHOLDING_OF_WAGES: "임금은 회사가 직접 국가에 송금했고"},
    5: {
        Indicator.RESTRICTION_OF_MOVEMENT: "went out only in groups with a minder",
        Indicator.ISOLATION: "lived above the restaurant",
    },
    7: {
        Indicator.EXCESSIVE_OVERTIME: "shifts of up to sixteen hours in the heat",
        Indicator.WITHHOLDING_OF_WAGES: "wages paid to the company, not to the workers",
    },
    8: {
        Indicator.ISOLATION: "the workers' phones were collected",
        Indicator.INTIMIDATION_THREATS: "weekly self-criticism sessions were held",
    },
    9: {
        Indicator.WITHHOLDING_OF_WAGES: "the pay slip showed a wage the worker never received in full"
    },
}
# Stories whose summary says the worker passed health and loyalty checks and paid a bribe.
VETTING_TOLD = {6}

# A synthetic paraphrase of what a page of the (non-existent) transcript says, per indicator.
PARAPHRASES: dict[str, str] = {
    Indicator.ABUSE_OF_VULNERABILITY: "the family at home was reminded of what would happen if the worker failed",
    Indicator.DECEPTION: "the recruiter promised a wage paid in full; it never was",
    Indicator.RESTRICTION_OF_MOVEMENT: "no one left the compound except in groups with a minder",
    Indicator.ISOLATION: "phones and letters home were forbidden",
    Indicator.PHYSICAL_SEXUAL_VIOLENCE: "a worker who complained was beaten by the site manager",
    Indicator.INTIMIDATION_THREATS: "the minder threatened to send anyone who slacked home at once",
    Indicator.RETENTION_OF_DOCUMENTS: "passports were collected by the manager and never returned",
    Indicator.WITHHOLDING_OF_WAGES: "the wage went to the company; the worker was paid a fraction at the end",
    Indicator.DEBT_BONDAGE: "the bribe paid to be selected had to be earned back first",
    Indicator.ABUSIVE_CONDITIONS: "twenty workers slept in one container with no heating",
    Indicator.EXCESSIVE_OVERTIME: "work went on from dawn until after dark, with two rest days a month",
}

EXIT_NOTES: dict[str, str] = {
    ExitKind.CONTRACT_END: "returned home at the end of the contract, and left the country later",
    ExitKind.RECALLED: "was sent home early after falling ill",
    ExitKind.ESCAPE: "left the site at night and crossed into a third country",
    ExitKind.DEFECTION: "asked a foreign consulate for protection and was flown to South Korea",
    ExitKind.STILL_ABROAD: "was still at the site when interviewed by telephone",
}
EXIT_ROUTES: dict[str, str] = {
    ExitKind.CONTRACT_END: "Back to Pyongyang the way they came",
    ExitKind.RECALLED: "Back to Pyongyang the way they came",
    ExitKind.ESCAPE: "Overland through China to a third country",
    ExitKind.DEFECTION: "By air to Seoul",
    ExitKind.STILL_ABROAD: "",
}
EXIT_CROSSINGS: dict[str, int] = {ExitKind.ESCAPE: 2, ExitKind.DEFECTION: 1}

# The story's summary, continued when the worker was moved to another place (by language).
MOVED = {
    "ko": " 이후 {place}(으)로 옮겨 일했다고 함.",
    "en": " Later moved to work near {place}.",
}
PLACE_KO = {
    "Tynda": "틴다",
    "Vladivostok": "블라디보스토크",
    "Moscow": "모스크바",
    "Dandong": "단둥",
    "Hunchun": "훈춘",
    "Shenyang": "선양",
    "Yanji": "옌지",
    "Ulaanbaatar": "울란바토르",
    "Lusail": "루사일",
    "Kuwait City": "쿠웨이트시티",
    "Gdańsk": "그단스크",
    FARM[0]: "연해주 농장",
}


@dataclass
class Stint:
    """One deployment of the journey: where (a site, or only a region), from when, for how long."""

    site: Site | None
    country: str
    place: str
    sector: str
    start: dt.date
    months: int
    precision: str
    indicators: dict[str, str] = field(default_factory=dict)

    @property
    def end(self) -> dt.date:
        return _add_months(self.start, self.months)


@dataclass(frozen=True)
class Told:
    """What the rest of the demo drew for one testimony, which its journey tells as events."""

    number: int
    story: int
    channel: str
    health_check: str
    loyalty_check: str
    bribe_paid: str
    bribe_amount_usd: Decimal | None
    exit_kind: str
    years: int
    start_year: int
    site: Site
    findings: Mapping[str, str]
    province: str


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _at(day: dt.date, precision: str) -> dt.date:
    return day.replace(month=1, day=1) if precision == DatePrecision.YEAR else _month(day)


def create_organisations() -> dict[str, Organisation]:
    """The demo's synthetic organisations: recruiters, a broker and host employers, all invented."""
    return {
        key: Organisation.objects.create(
            name=name,
            kind=kind,
            country=country,
            notes="Synthetic demo organisation: invented, no real organisation is meant.",
            access_level=AccessLevel.INTERNAL,
            is_synthetic=True,
        )
        for key, (name, kind, country) in ORGANISATIONS.items()
    }


class Journeys:
    """Draws and records the journeys, one testimony at a time, with one seeded generator."""

    def __init__(self, seed: int, sites: list[Site], organisations: dict[str, Organisation]):
        self.rng = random.Random(seed + SALT)
        self.sites = [s for s in sites if s.kind in SECTOR_OF_SITE]
        self.organisations = organisations
        self.threes = 0
        self.profiles: dict[str, tuple[list[str], list[str]]] = {}
        for region, (channels_of, exits_of) in PROFILES.items():
            channels, exits = list(channels_of), list(exits_of)
            self.rng.shuffle(channels)
            self.rng.shuffle(exits)
            self.profiles[region] = (channels, exits)

    def vetting_forced(self, story: int) -> bool:
        return story in VETTING_TOLD

    def quoted(self, story: int) -> dict[str, str]:
        """The indicators the story's summary shows: they are coded present."""
        return QUOTES.get(story, {})

    # -- drawing -------------------------------------------------------------------------------

    def _recruiter(self, told: Told) -> Organisation:
        if told.channel == RecruitmentChannel.STATE_ASSIGNMENT and self.rng.random() < 0.5:
            return self.organisations["province"]
        kind = told.site.kind
        if kind == SiteKind.LOGGING_CAMP:
            return self.organisations["forestry"]
        if kind == SiteKind.CONSTRUCTION_SITE:
            return self.organisations["dispatch_a"]
        return self.organisations["dispatch_b"]

    def _stints(self, told: Told, last: bool) -> list[Stint]:
        count = self.rng.choices([1, 2, 3], weights=[11, 6, 3])[0]
        if last and self.threes == 0:
            count = 3  # at least one journey with three deployments, whatever the draw
        self.threes += count == 3
        total = max(told.years * 12 + self.rng.randint(-3, 3), 6 * count)
        # Cut points three months apart at least: no deployment shorter than a season.
        cuts = sorted(self.rng.sample(range(4, total - 3, 3), count - 1)) if count > 1 else []
        lengths = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
        start = dt.date(told.start_year, self.rng.randint(1, 12), 1)
        stints: list[Stint] = []
        site: Site | None = told.site
        for index, months in enumerate(lengths):
            if index:
                site = self._next_site(stints[-1])
                start = _add_months(stints[-1].end, self.rng.randint(0, 2))
            precision = DatePrecision.YEAR if self.rng.random() < 0.25 else DatePrecision.MONTH
            if site is None:
                stints.append(
                    Stint(None, FARM[1], FARM[0], IsicSection.A, start, months, precision)
                )
            else:
                stints.append(
                    Stint(
                        site,
                        site.country,
                        site.city,
                        SECTOR_OF_SITE[SiteKind(site.kind)],
                        start,
                        months,
                        precision,
                    )
                )
        return stints

    def _next_site(self, previous: Stint) -> Site | None:
        if previous.country == "RU" and previous.site is not None and self.rng.random() < 0.3:
            return None  # seasonal farm work, known by region only
        countries = TRANSFERS.get(previous.country, [previous.country])
        choices = [
            s
            for s in self.sites
            if s.country in countries and s.pk != getattr(previous.site, "pk", None)
        ]
        return self.rng.choice(choices) if choices else previous.site

    def profile(self, story: int) -> tuple[str, str]:
        """The recruitment channel and the exit of the next testimony of `story`."""
        channels, exits = self.profiles[REGION.get(story, "other")]
        return channels.pop(), exits.pop()

    def _passage(self, told: Told, indicator: str, quotes: dict[str, str]) -> str:
        if indicator in quotes:
            return f'Synthetic summary (demo data): "{quotes[indicator]}"'
        page = self.rng.randint(2, 40)
        return (
            f"Synthetic transcript of interview T-{told.number:02d}, p. {page} (demo data, "
            f"synthetic paraphrase): {PARAPHRASES[indicator]}."
        )

    # -- recording -----------------------------------------------------------------------------

    def record(
        self, testimony: Testimony, told: Told, deployment: Deployment, last: bool
    ) -> list[JourneyEvent]:
        """Record one testimony's journey; returns its events in order."""
        rng = self.rng
        stints = self._stints(told, last)
        exit_kind = told.exit_kind
        recruiter = self._recruiter(told)
        quotes = self.quoted(told.story)
        host = self.organisations.get(f"host_{told.site.country}")

        # Which event each indicator coded present was met at.
        present = [i for i in Indicator.values if told.findings.get(i) == Finding.PRESENT]
        at_recruitment: dict[str, str] = {}
        at_vetting: dict[str, str] = {}
        at_transit: dict[str, str] = {}
        for indicator in present:
            passage = self._passage(told, indicator, quotes)
            if indicator == Indicator.DECEPTION:
                at_recruitment[indicator] = passage
            elif (indicator == Indicator.DEBT_BONDAGE and told.bribe_paid == Finding.PRESENT) or (
                indicator == Indicator.ABUSE_OF_VULNERABILITY and rng.random() < 0.3
            ):
                at_vetting[indicator] = passage
            elif (
                indicator == Indicator.RETENTION_OF_DOCUMENTS
                and indicator not in quotes
                and rng.random() < 0.5
            ):
                at_transit[indicator] = passage
            elif indicator in quotes:
                stints[0].indicators[indicator] = passage  # the summary tells of the first site
            else:
                rng.choice(stints).indicators[indicator] = passage

        first = stints[0].start
        route = rng.choice(ROUTES[told.site.country])
        transit_start = _add_months(first, -rng.randint(0, 1))
        training = rng.randint(1, 3)
        departure = transit_start
        months_waited = round(rng.triangular(3, 18, 5))
        vetting_end = _add_months(departure, -training)
        vetting_start = _add_months(vetting_end, -months_waited)
        recruited_precision = DatePrecision.YEAR if rng.random() < 0.5 else DatePrecision.MONTH

        events: list[tuple[JourneyEvent, dict[str, str]]] = []

        def add(stage: str, found: dict[str, str] | None = None, /, **fields: object) -> None:
            events.append((JourneyEvent(testimony=testimony, stage=stage, **fields), found or {}))

        add(
            Stage.RECRUITMENT,
            at_recruitment,
            channel=told.channel,
            organisation=recruiter,
            organisation_role=OrganisationRole.RECRUITER,
            date_start=_at(vetting_start, recruited_precision),
            date_start_precision=recruited_precision,
            country="KP",
            place=f"{told.province} (synthetic: home province)",
            place_precision=CoordinatePrecision.REGION,
            notes=f"{LABEL}: recruited ({RecruitmentChannel(told.channel).label.lower()}).",
        )
        bribe_paid = Finding.PRESENT if self.vetting_forced(told.story) else told.bribe_paid
        amount = told.bribe_amount_usd
        if bribe_paid == Finding.PRESENT and amount is None:
            amount = Decimal(rng.randrange(100, 201, 10))
        forced = self.vetting_forced(told.story)
        add(
            Stage.VETTING,
            at_vetting,
            health_check=Finding.PRESENT if forced else told.health_check,
            loyalty_check=Finding.PRESENT if forced else told.loyalty_check,
            bribe_paid=bribe_paid,
            bribe_amount_usd=amount if bribe_paid == Finding.PRESENT else None,
            months_waited=months_waited,
            date_start=vetting_start,
            date_start_precision=DatePrecision.MONTH,
            date_end=vetting_end,
            date_end_precision=DatePrecision.MONTH,
            country="KP",
            place=f"{told.province} (synthetic: provincial hospital and security office)",
            place_precision=CoordinatePrecision.REGION,
            notes=f"{LABEL}: health and background checks; waited {months_waited} months"
            + (
                f", paid a bribe of ${amount} to be selected."
                if bribe_paid == Finding.PRESENT
                else "."
            ),
        )
        add(
            Stage.DEPARTURE,
            route=route.leaves_from,
            date_start=vetting_end,
            date_start_precision=DatePrecision.MONTH,
            date_end=departure,
            date_end_precision=DatePrecision.MONTH,
            country="KP",
            place="Pyongyang",
            latitude=PYONGYANG[0],
            longitude=PYONGYANG[1],
            place_precision=CoordinatePrecision.CITY,
            organisation=recruiter,
            organisation_role=OrganisationRole.RECRUITER,
            notes=f"{LABEL}: {training} month(s) of pre-departure training in Pyongyang "
            "(rules for life abroad, self-criticism), then departure.",
        )
        via_agency = route.country == "CN" and told.site.country != "CN"
        holder = DocumentHolder.MANAGER if rng.random() < 0.8 else DocumentHolder.STATE
        add(
            Stage.TRANSIT,
            at_transit,
            route=route.route + ONWARD.get(told.site.city, ""),
            border_crossings=route.crossings,
            documents_held_by=holder,
            organisation=self.organisations["agency"] if via_agency else None,
            organisation_role=OrganisationRole.TRANSPORTER if via_agency else "",
            date_start=transit_start,
            date_start_precision=DatePrecision.MONTH,
            country=route.country,
            place=route.place,
            place_precision=CoordinatePrecision.CITY,
            notes=f"{LABEL}: travelled in a group; the passports were held by "
            f"{DocumentHolder(holder).label.lower()}.",
        )
        for index, stint in enumerate(stints):
            still_there = exit_kind == ExitKind.STILL_ABROAD and index == len(stints) - 1
            dates: dict[str, object] = {
                "date_start": _at(stint.start, stint.precision),
                "date_start_precision": stint.precision,
            }
            if not still_there:
                dates["date_end"] = _at(stint.end, stint.precision)
                dates["date_end_precision"] = stint.precision
            employer = self.organisations.get(f"host_{stint.country}") or host
            where: dict[str, object] = {"country": stint.country, "place": stint.place}
            if stint.site is not None:
                where.update(
                    site=stint.site,
                    latitude=stint.site.latitude,
                    longitude=stint.site.longitude,
                    place_precision=stint.site.coordinate_precision,
                )
            else:
                where["place_precision"] = CoordinatePrecision.REGION
            add(
                Stage.DEPLOYMENT,
                sector=stint.sector,
                deployment=deployment if index == 0 else None,
                organisation=employer,
                organisation_role=OrganisationRole.EXPLOITER,
                documents_held_by=rng.choice([DocumentHolder.MANAGER, DocumentHolder.EMPLOYER])
                if rng.random() < 0.85
                else DocumentHolder.UNKNOWN,
                notes=f"{LABEL}: deployment {index + 1} of {len(stints)}, "
                f"{IsicSection(stint.sector).label.split(': ', 1)[1].lower()}.",
                **dates,
                **where,
            )
            if stint.indicators:
                add(
                    Stage.EXPLOITATION,
                    dict(sorted(stint.indicators.items())),
                    organisation=recruiter,
                    organisation_role=OrganisationRole.CONTROLLER,
                    notes=f"{LABEL}: control on site by minders from home.",
                    **dates,
                    **where,
                )
        last_stint = stints[-1]
        exit_day = last_stint.end if exit_kind != ExitKind.STILL_ABROAD else None
        add(
            Stage.EXIT,
            exit_kind=exit_kind,
            route=EXIT_ROUTES[exit_kind],
            border_crossings=EXIT_CROSSINGS.get(exit_kind),
            date_start=exit_day,
            date_start_precision=DatePrecision.MONTH if exit_day else "",
            country=last_stint.country,
            place=last_stint.place,
            place_precision=CoordinatePrecision.CITY
            if last_stint.site is not None
            else CoordinatePrecision.REGION,
            notes=f"{LABEL}: {EXIT_NOTES[exit_kind]}.",
        )

        # In bulk, with their history: the demo stays quick (tests/demo checks every event).
        for position, (event, _found) in enumerate(events):
            event.position = position
            event.clean()  # refuses a field outside its stage
        saved = bulk_create_with_history([event for event, _found in events], JourneyEvent)
        bulk_create_with_history(
            [
                JourneyIndicator(event=event, indicator=indicator, passage=passage)
                for event, (_event, found) in zip(saved, events, strict=True)
                for indicator, passage in found.items()
            ],
            JourneyIndicator,
        )

        self._agree(testimony, told, stints, exit_kind, deployment)
        return saved

    def _agree(
        self,
        testimony: Testimony,
        told: Told,
        stints: list[Stint],
        exit_kind: str,
        deployment: Deployment,
    ) -> None:
        """Make the testimony, its source and its deployment record agree with the journey."""
        rng = self.rng
        story_language = testimony.interview_language or "en"
        moved = [s.place for s in stints[1:] if s.place != stints[0].place]
        if moved:
            template = MOVED["ko" if story_language == "ko" else "en"]
            for place in dict.fromkeys(moved):
                name = PLACE_KO.get(place, place) if story_language == "ko" else place
                testimony.summary += template.format(place=name)
        last = stints[-1]
        if exit_kind == ExitKind.STILL_ABROAD:
            interviewed = _add_months(last.start, rng.randint(2, max(2, last.months - 1)))
            testimony.interview_country = last.country
        else:
            interviewed = _add_months(last.end, rng.randint(3, 18))
        testimony.interview_date = interviewed
        testimony.save(update_fields=["summary", "interview_date", "interview_country"])
        source = testimony.source
        source.date = interviewed
        source.save(update_fields=["date"])
        first = stints[0]
        deployment.period_start = dt.date(first.start.year, 1, 1)
        if exit_kind == ExitKind.STILL_ABROAD and len(stints) == 1:
            deployment.period_end, deployment.period_end_precision = None, ""
        else:
            deployment.period_end = dt.date(first.end.year, 1, 1)
        deployment.save(update_fields=["period_start", "period_end", "period_end_precision"])
