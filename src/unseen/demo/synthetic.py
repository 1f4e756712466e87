"""Synthetic demo records, generated with a fixed seed.

Nothing here describes a real person or a real testimony: names are random combinations of common
syllables, stories are assembled from templates, and every record carries `is_synthetic = True`
and says "synthetic" in its text. Real organisations are never attached to synthetic events, so
the demo makes no allegation against anyone real.
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from unseen.accounts.models import AccessLevel
from unseen.documentation.models import (
    Act,
    Deployment,
    Finding,
    Incident,
    Indicator,
    Sighting,
    Testimony,
)
from unseen.evidence.models import Credibility, DatePrecision, Reliability, Source, SourceKind
from unseen.journeys.models import ExitKind
from unseen.registry.models import CoordinatePrecision, Person, Sex, Site, SiteKind
from unseen.registry.vault import Identity, store_identity

from . import journeys

SEED = 20150310  # the day NKDB's report on overseas workers was covered by the press (Dong-A, 10 Mar 2015)
TESTIMONIES = 20  # as many as NKDB interviewed for that report
OTHER_PERSONS = 30
SIGHTINGS = 12

FAMILY_NAMES = [
    ("Kim", "김"),
    ("Lee", "이"),
    ("Park", "박"),
    ("Choi", "최"),
    ("Jung", "정"),
    ("Kang", "강"),
    ("Cho", "조"),
    ("Yoon", "윤"),
    ("Jang", "장"),
    ("Lim", "임"),
    ("Han", "한"),
    ("Oh", "오"),
    ("Seo", "서"),
    ("Shin", "신"),
    ("Kwon", "권"),
    ("Hwang", "황"),
    ("Ahn", "안"),
    ("Song", "송"),
    ("Ryu", "류"),
    ("Hong", "홍"),
]
GIVEN_SYLLABLES = [
    ("Chul", "철"),
    ("Su", "수"),
    ("Young", "영"),
    ("Ho", "호"),
    ("Min", "민"),
    ("Jin", "진"),
    ("Sung", "성"),
    ("Hyun", "현"),
    ("Myong", "명"),
    ("Il", "일"),
    ("Gwang", "광"),
    ("Nam", "남"),
    ("Ok", "옥"),
    ("Hui", "희"),
    ("Sun", "순"),
    ("Ae", "애"),
    ("Hyok", "혁"),
    ("Guk", "국"),
]
PROVINCES = [
    "South Hamgyong",
    "North Hamgyong",
    "South Pyongan",
    "North Pyongan",
    "Ryanggang",
    "Kangwon",
    "South Hwanghae",
    "North Hwanghae",
    "Chagang",
    "Pyongyang",
]

INDICATOR_LIKELIHOOD = {
    Indicator.RESTRICTION_OF_MOVEMENT: 0.9,
    Indicator.WITHHOLDING_OF_WAGES: 0.9,
    Indicator.RETENTION_OF_DOCUMENTS: 0.85,
    Indicator.ISOLATION: 0.7,
    Indicator.EXCESSIVE_OVERTIME: 0.7,
    Indicator.INTIMIDATION_THREATS: 0.6,
    Indicator.ABUSIVE_CONDITIONS: 0.6,
    Indicator.ABUSE_OF_VULNERABILITY: 0.5,
    Indicator.DECEPTION: 0.35,
    Indicator.DEBT_BONDAGE: 0.25,
    Indicator.PHYSICAL_SEXUAL_VIOLENCE: 0.2,
}


@dataclass(frozen=True)
class SiteSpec:
    kind: str
    city: str
    country: str
    latitude: float
    longitude: float
    precision: str


SITES = [
    SiteSpec(SiteKind.LOGGING_CAMP, "Tynda", "RU", 55.15, 124.72, CoordinatePrecision.REGION),
    SiteSpec(
        SiteKind.CONSTRUCTION_SITE, "Vladivostok", "RU", 43.12, 131.89, CoordinatePrecision.CITY
    ),
    SiteSpec(SiteKind.DORMITORY, "Vladivostok", "RU", 43.13, 131.92, CoordinatePrecision.CITY),
    SiteSpec(SiteKind.CONSTRUCTION_SITE, "Moscow", "RU", 55.75, 37.62, CoordinatePrecision.CITY),
    SiteSpec(SiteKind.FACTORY, "Dandong", "CN", 40.12, 124.38, CoordinatePrecision.CITY),
    SiteSpec(SiteKind.FISHERY, "Hunchun", "CN", 42.87, 130.36, CoordinatePrecision.CITY),
    SiteSpec(SiteKind.RESTAURANT, "Shenyang", "CN", 41.80, 123.43, CoordinatePrecision.CITY),
    SiteSpec(SiteKind.IT_OFFICE, "Yanji", "CN", 42.90, 129.51, CoordinatePrecision.CITY),
    SiteSpec(
        SiteKind.CONSTRUCTION_SITE, "Ulaanbaatar", "MN", 47.92, 106.92, CoordinatePrecision.CITY
    ),
    SiteSpec(SiteKind.FACTORY, "Ulaanbaatar", "MN", 47.90, 106.88, CoordinatePrecision.CITY),
    SiteSpec(SiteKind.CONSTRUCTION_SITE, "Lusail", "QA", 25.42, 51.49, CoordinatePrecision.CITY),
    SiteSpec(
        SiteKind.CONSTRUCTION_SITE, "Kuwait City", "KW", 29.37, 47.98, CoordinatePrecision.CITY
    ),
    SiteSpec(SiteKind.SHIPYARD, "Gdańsk", "PL", 54.35, 18.65, CoordinatePrecision.CITY),
]


@dataclass(frozen=True)
class Story:
    """A template for one synthetic testimony: where, what work, what the wage terms were."""

    site_kind: str
    country: str
    sector: str
    wage: tuple[int, int]
    share: tuple[str, str]
    language: str
    summary: str


STORIES = [
    Story(
        SiteKind.LOGGING_CAMP,
        "RU",
        "logging",
        (600, 900),
        ("0.7", "0.9"),
        "ko",
        "합성 증언(데모 데이터): 러시아 극동의 벌목농장에서 {years}년 동안 일했다고 진술함. 도착하자마자 여권을 "
        "관리원에게 맡겼고, 매달 '계획분'을 바치고 남은 돈은 거의 없었다고 함. 세 명 이상이 함께 다녀야 했음.",
    ),
    Story(
        SiteKind.CONSTRUCTION_SITE,
        "RU",
        "construction",
        (700, 1000),
        ("0.6", "0.9"),
        "ko",
        "합성 증언(데모 데이터): 블라디보스토크 건설현장에서 {years}년간 미장공으로 일함. 하루 14시간 이상 일했고 "
        "휴일은 한 달에 한두 번이었다고 함. 생활총화에 매주 참석해야 했음.",
    ),
    Story(
        SiteKind.CONSTRUCTION_SITE,
        "RU",
        "construction",
        (700, 1000),
        ("0.6", "0.9"),
        "en",
        "Synthetic testimony (demo data): worked {years} years on apartment blocks in Moscow; the team leader kept "
        "everyone's passports and paid out only a small part of the wage at the end of each year.",
    ),
    Story(
        SiteKind.FACTORY,
        "CN",
        "garment/textile",
        (250, 400),
        ("0.5", "0.7"),
        "ko",
        "합성 증언(데모 데이터): 단둥의 봉제공장에서 {years}년 일함. 기숙사와 공장 밖으로 나갈 수 없었고 "
        "휴대전화는 금지되었다고 함.",
    ),
    Story(
        SiteKind.FISHERY,
        "CN",
        "seafood processing",
        (250, 350),
        ("0.5", "0.7"),
        "ko",
        "합성 증언(데모 데이터): 훈춘의 수산물 가공공장에서 {years}년 일함. 임금은 회사가 직접 국가에 송금했고 "
        "본인은 식비만 받았다고 함.",
    ),
    Story(
        SiteKind.RESTAURANT,
        "CN",
        "restaurants",
        (300, 500),
        ("0.6", "0.8"),
        "en",
        "Synthetic testimony (demo data): served in a restaurant in Shenyang for {years} years; lived above the "
        "restaurant and went out only in groups with a minder.",
    ),
    Story(
        SiteKind.CONSTRUCTION_SITE,
        "MN",
        "construction",
        (400, 700),
        ("0.6", "0.8"),
        "ko",
        "합성 증언(데모 데이터): 울란바토르 건설현장에서 {years}년 일함. 출국 전 건강검진과 신원조사를 받았고 "
        "선발을 위해 뇌물을 주었다고 진술함.",
    ),
    Story(
        SiteKind.CONSTRUCTION_SITE,
        "QA",
        "construction",
        (700, 1000),
        ("0.7", "0.9"),
        "en",
        "Synthetic testimony (demo data): worked {years} years on a construction site near Lusail; shifts of up to "
        "sixteen hours in the heat, with wages paid to the company, not to the workers.",
    ),
    Story(
        SiteKind.CONSTRUCTION_SITE,
        "KW",
        "construction",
        (600, 900),
        ("0.7", "0.9"),
        "en",
        "Synthetic testimony (demo data): {years} years of building work in Kuwait; the workers' phones were "
        "collected and weekly self-criticism sessions were held.",
    ),
    Story(
        SiteKind.SHIPYARD,
        "PL",
        "shipbuilding/welding",
        (800, 1200),
        ("0.6", "0.9"),
        "en",
        "Synthetic testimony (demo data): welded hull sections at a shipyard in Gdańsk for {years} years; the pay "
        "slip showed a wage the worker never received in full.",
    ),
]


def _name(rng: random.Random) -> tuple[str, str, str]:
    family, family_hangul = rng.choice(FAMILY_NAMES)
    first, second = rng.sample(GIVEN_SYLLABLES, 2)
    given = f"{first[0]}-{second[0].lower()}"
    return family, given, f"{family_hangul}{first[1]}{second[1]}"


def _person(rng: random.Random, *, level: str) -> Person:
    person = Person.objects.create(
        sex=rng.choices([Sex.MALE, Sex.FEMALE], weights=[3, 1])[0],
        birth_year=rng.randint(1962, 1996),
        home_province=rng.choice(PROVINCES),
        notes="Synthetic demo person: not a real individual.",
        access_level=level,
        is_synthetic=True,
    )
    family, given, hangul = _name(rng)
    birth = dt.date(person.birth_year or 1980, rng.randint(1, 12), rng.randint(1, 28))
    store_identity(
        person,
        Identity(
            full_name=f"{family} {given}",
            family_name=family,
            given_name=given,
            name_hangul=hangul,
            birth_date=birth.isoformat(),
            birth_place=person.home_province,
            address=f"Synthetic address, {person.home_province}",
        ),
    )
    return person


def _finding(rng: random.Random, likelihood: float) -> Finding:
    if rng.random() < likelihood:
        return Finding.PRESENT
    return Finding.ABSENT if rng.random() < 0.6 else Finding.UNKNOWN


def _between(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low, high + 1, 10))


def _incident(
    act: str,
    day: dt.date,
    site: Site,
    country: str,
    place: str,
    person: Person,
    source: Source,
    number: int,
) -> Incident:
    incident = Incident.objects.create(
        act=act,
        description=f"Synthetic incident (demo data): {Act(act).label.lower()} told in "
        f"interview T-{number:02d}.",
        date=day,
        date_precision=DatePrecision.MONTH,
        site=site,
        country=country,
        place=place,
        perpetrator_description="site minder (synthetic)",
        access_level=AccessLevel.CONFIDENTIAL,
        is_synthetic=True,
    )
    incident.victims.add(person)
    incident.add_claim(source, Credibility.POSSIBLY_TRUE, "told in the (synthetic) interview")
    return incident


def generate(seed: int = SEED) -> dict[str, int]:
    """Create the synthetic records; returns how many of each."""
    rng = random.Random(seed)
    sites: dict[tuple[str, str], list[Site]] = {}
    for spec in SITES:
        site = Site.objects.create(
            name=f"Synthetic {SiteKind(spec.kind).label.lower()} near {spec.city}",
            kind=spec.kind,
            country=spec.country,
            city=spec.city,
            latitude=spec.latitude,
            longitude=spec.longitude,
            coordinate_precision=spec.precision,
            access_level=AccessLevel.INTERNAL,
            is_synthetic=True,
            notes="Synthetic demo site: no real workplace is meant.",
        )
        sites.setdefault((spec.kind, spec.country), []).append(site)
    organisations = journeys.create_organisations()
    journey = journeys.Journeys(
        seed, [site for group in sites.values() for site in group], organisations
    )

    counts = {
        "sites": len(SITES),
        "organisations": len(organisations),
        "persons": 0,
        "testimonies": 0,
        "deployments": 0,
        "incidents": 0,
        "sightings": 0,
        "journey events": 0,
    }
    for number in range(1, TESTIMONIES + 1):
        story = STORIES[(number - 1) % len(STORIES)]
        site = rng.choice(sites[(story.site_kind, story.country)])
        person = _person(rng, level=AccessLevel.CONFIDENTIAL)
        interviewed = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(0, 420))
        source = Source.objects.create(
            kind=SourceKind.INTERVIEW,
            title=f"Synthetic interview T-{number:02d} (demo data)",
            date=interviewed.replace(day=1),
            date_precision=DatePrecision.MONTH,
            language=story.language,
            reliability=rng.choice([Reliability.B, Reliability.C]),
            access_level=AccessLevel.CONFIDENTIAL,
            is_synthetic=True,
        )
        years = rng.randint(1, 6)
        # The channel and the exit come from the journeys' own generator. This one still makes
        # the draws that once chose them (and dated an escape), and drops them, so that every
        # record drawn after them keeps the values it had: names, incidents, sightings.
        escaped_once = rng.choices([False, True, False], weights=[5, 4, 1])[0]
        channel, exit_kind = journey.profile(STORIES.index(story))
        testimony = Testimony.objects.create(
            source=source,
            interviewee=person,
            interview_date=source.date,
            interview_date_precision=DatePrecision.MONTH,
            interview_language=story.language,
            interview_country="KR",
            interviewer_code=f"R-{rng.randint(1, 4):02d}",
            consent_to_use=True,
            consent_to_publish=rng.random() < 0.5,
            summary=story.summary.format(years=years),
            access_level=AccessLevel.CONFIDENTIAL,
            is_synthetic=True,
        )
        # The journey as the interview told it: drawn here, recorded as events (ADR 0045).
        rng.choice(range(3))  # once the recruitment channel (see above)
        health_check = _finding(rng, 0.9)
        loyalty_check = _finding(rng, 0.95)
        bribe_paid = _finding(rng, 0.4)
        bribe_amount = _between(rng, 100, 200) if bribe_paid == Finding.PRESENT else None
        findings: dict[str, Finding] = {}
        quoted = journey.quoted(STORIES.index(story))
        for indicator, likelihood in INDICATOR_LIKELIHOOD.items():
            finding = _finding(rng, likelihood)
            # What the summary itself says is coded present.
            findings[indicator] = Finding.PRESENT if indicator in quoted else finding
            testimony.code(indicator, findings[indicator], note="Synthetic coding (demo data).")
        person.add_claim(source, Credibility.POSSIBLY_TRUE, "interviewee (synthetic)")

        start_year = rng.randint(2008, 2016)
        wage_low = _between(rng, *story.wage)
        deployment = Deployment.objects.create(
            person=person,
            site=site,
            host_country=story.country,
            sector=story.sector,
            period_start=dt.date(start_year, 1, 1),
            period_start_precision=DatePrecision.YEAR,
            period_end=dt.date(min(start_year + years, 2019), 1, 1),
            period_end_precision=DatePrecision.YEAR,
            monthly_wage_usd_low=wage_low,
            monthly_wage_usd_high=max(wage_low, _between(rng, *story.wage)),
            state_share_low=Decimal(story.share[0]),
            state_share_high=Decimal(story.share[1]),
            hours_per_day=Decimal(rng.randint(10, 16)),
            access_level=AccessLevel.CONFIDENTIAL,
            is_synthetic=True,
        )
        deployment.add_claim(source, Credibility.POSSIBLY_TRUE, "told in the (synthetic) interview")
        counts["persons"] += 1
        counts["testimonies"] += 1
        counts["deployments"] += 1

        acts = [Act.PASSPORT_CONFISCATION] if rng.random() < 0.6 else []
        acts += [Act.SURVEILLANCE] if rng.random() < 0.4 else []
        for act in acts:
            happened = dt.date(start_year + rng.randint(0, years - 1), rng.randint(1, 12), 1)
            _incident(act, happened, site, site.country, site.city, person, source, number)
            counts["incidents"] += 1
        if escaped_once:
            rng.randint(0, years - 1), rng.randint(1, 12)  # once an escape's date (see above)

        told = journeys.Told(
            number=number,
            story=STORIES.index(story),
            channel=channel,
            health_check=health_check,
            loyalty_check=loyalty_check,
            bribe_paid=bribe_paid,
            bribe_amount_usd=bribe_amount,
            exit_kind=exit_kind,
            years=years,
            start_year=start_year,
            site=site,
            findings=findings,
            province=person.home_province,
        )
        events = journey.record(testimony, told, deployment, last=number == TESTIMONIES)
        counts["journey events"] += len(events)
        left = events[-1]
        if left.exit_kind in (ExitKind.ESCAPE, ExitKind.DEFECTION) and left.date_start:
            # The escape, where and when the journey says it ended.
            where = left.site or site
            _incident(
                Act.ESCAPE, left.date_start, where, left.country, left.place, person, source, number
            )
            counts["incidents"] += 1

    for _ in range(OTHER_PERSONS):
        _person(rng, level=AccessLevel.INTERNAL)
        counts["persons"] += 1

    all_sites = [site for group in sites.values() for site in group]
    for number in range(1, SIGHTINGS + 1):
        site = rng.choice(all_sites)
        seen = dt.date(rng.randint(2016, 2024), rng.randint(1, 12), 1)
        low = rng.randrange(5, 40, 5)
        source = Source.objects.create(
            kind=SourceKind.SIGHTING,
            title=f"Synthetic traveller's report S-{number:02d} (demo data)",
            date=seen,
            date_precision=DatePrecision.MONTH,
            language="en",
            reliability=Reliability.F,
            access_level=AccessLevel.INTERNAL,
            is_synthetic=True,
        )
        sighting = Sighting.objects.create(
            description=f"Synthetic sighting (demo data): a crew of about {low}–{low + 15} workers at a "
            f"{SiteKind(site.kind).label.lower()} near {site.city}, speaking Korean, in matching clothes.",
            place=site.city,
            country=site.country,
            latitude=round((site.latitude or 0) + rng.uniform(-0.05, 0.05), 2),
            longitude=round((site.longitude or 0) + rng.uniform(-0.05, 0.05), 2),
            coordinate_precision=CoordinatePrecision.CITY,
            observed_from=seen,
            observed_to=seen + dt.timedelta(days=rng.randint(0, 27)),
            workers_low=low,
            workers_high=low + 15,
            work_kind=SiteKind(site.kind).label.lower(),
            site=site,
            access_level=AccessLevel.INTERNAL,
            is_synthetic=True,
        )
        sighting.add_claim(
            source, Credibility.CANNOT_JUDGE, "as the (synthetic) traveller reported"
        )
        counts["sightings"] += 1
    return counts
