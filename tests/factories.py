"""Small builders for records the tests need; each says what it makes, nothing more."""

import datetime as dt
from typing import Any

from unseen.accounts.models import AccessLevel
from unseen.documentation.models import Deployment
from unseen.estimation.models import EstimateRun
from unseen.evidence.models import Credibility, DatePrecision, Reliability, Source, SourceKind
from unseen.registry.models import Site, SiteKind


def source(
    title: str = "Test source",
    *,
    access_level: str = AccessLevel.PUBLIC,
    reliability: str = Reliability.B,
    kind: str = SourceKind.DOCUMENT,
) -> Source:
    return Source.objects.create(
        title=title, kind=kind, reliability=reliability, access_level=access_level
    )


def site(
    name: str = "Test site", *, country: str = "RU", access_level: str = AccessLevel.INTERNAL
) -> Site:
    return Site.objects.create(
        name=name, kind=SiteKind.CONSTRUCTION_SITE, country=country, access_level=access_level
    )


def deployment(
    *,
    country: str = "RU",
    year: int = 2017,
    low: int | None = 100,
    high: int | None = 200,
    sector: str = "construction",
    access_level: str = AccessLevel.PUBLIC,
    evidence: Source | None = None,
) -> Deployment:
    made = Deployment.objects.create(
        host_country=country,
        sector=sector,
        workers_low=low,
        workers_high=high,
        access_level=access_level,
        period_start=dt.date(year, 1, 1),
        period_start_precision=DatePrecision.YEAR,
        period_end=dt.date(year, 1, 1),
        period_end_precision=DatePrecision.YEAR,
    )
    if evidence is not None:
        made.add_claim(evidence, Credibility.POSSIBLY_TRUE, "test claim")
    return made


def estimate_run(
    title: str = "Test estimate",
    *,
    access_level: str = AccessLevel.INTERNAL,
    methods: tuple[str, ...] = ("main-effects",),
    ci: str = "wald",
    linkage_run: Any = None,
) -> EstimateRun:
    """A saved MSE run on a small three-list table (fast: one method, no bootstrap), uploaded
    as a table of `access_level`; made from `linkage_run` (its provenance kept) if given."""
    from unseen.core.estimation.histories import CaptureHistories
    from unseen.estimation.mse_runs import UPLOADED_TABLE, run_estimate
    from unseen.evidence.models import declared_input

    histories = CaptureHistories.from_counts(
        ["A", "B", "C"],
        [
            ((1, 0, 0), 30),
            ((0, 1, 0), 25),
            ((0, 0, 1), 20),
            ((1, 1, 0), 10),
            ((1, 0, 1), 8),
            ((0, 1, 1), 6),
            ((1, 1, 1), 3),
        ],
    )
    run = run_estimate(
        title,
        histories,
        methods,
        ci=ci,
        level=0.95,
        bootstrap=200,
        seed=1234,
        inputs=[declared_input(UPLOADED_TABLE, access_level)],
        linkage_run=linkage_run,
    )
    if access_level != run.access_level:  # a public table still gives an internal run
        run.access_level = access_level
        run.save(update_fields=["access_level"])
    return run


def revenue_run(
    title: str = "Test revenue",
    *,
    access_level: str = AccessLevel.INTERNAL,
    draws: int = 2000,
) -> EstimateRun:
    """A saved revenue run on two public deployment records of 2017 (fast: few draws)."""
    from unseen.estimation.revenue_runs import platform_rows, run_revenue

    deployment(country="RU", year=2017, low=1000, high=2000, sector="construction")
    deployment(country="CN", year=2017, low=3000, high=5000, sector="textiles")
    parameters = {
        "year": 2017,
        "scenarios": ["sourced-ranges", "un-panel-2023"],
        "draws": draws,
        "seed": 1234,
        "combine": "pooled",
    }
    run = run_revenue(title, platform_rows(2017, None), parameters, input_kind="records")
    if access_level != run.access_level:
        run.access_level = access_level
        run.save(update_fields=["access_level"])
    return run


def jpeg_with_gps(width: int = 64, height: int = 48) -> bytes:
    """A small JPEG whose EXIF carries a camera, a time and a GPS position."""
    import io

    from PIL import Image

    image = Image.new("RGB", (width, height), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0132] = "2026:03:04 05:06:07"  # DateTime
    exif[0x8825] = {  # GPS IFD
        1: "N",
        2: (47.0, 55.0, 12.5),
        3: "E",
        4: (106.0, 55.0, 3.25),
    }
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def submission(description: str = "Workers on a building site", **fields):
    """A pending public sighting with one photo, as the form would store it."""
    from unseen.intake.images import clean
    from unseen.intake.receiving import receive_sighting

    data = {"description": description, "country": "MN", "latitude": 47.92, "longitude": 106.91}
    data.update(fields)
    return receive_sighting(data, photos=[clean(jpeg_with_gps())]).submission


def linkage_run(*, access_level: str = AccessLevel.INTERNAL):
    """A finished person linkage run of two public persons: one cluster, one review, one merge."""
    from types import SimpleNamespace

    from unseen.linkage.models import (
        ClusterMember,
        LinkageRun,
        Merge,
        PairReview,
        RunStatus,
        review_band,
    )
    from unseen.registry.models import Person

    first, second = (Person.objects.create(access_level=access_level) for _ in range(2))
    low, high = review_band(0.5)
    run = LinkageRun.objects.create(
        entity="person",
        threshold=0.5,
        review_low=low,
        review_high=high,
        status=RunStatus.DONE,
        fraction=1.0,
        access_level=access_level,
        input_access_level=access_level,  # as if its records were all it read
    )
    for person in (first, second):
        ClusterMember.objects.create(run=run, record_id=person.pk, cluster=1)
    review = PairReview.objects.create(
        run=run, record_a=first.pk, record_b=second.pk, probability=0.45
    )
    merge = Merge.objects.create(entity="person", survivor=first.pk, absorbed=[second.pk], run=run)
    return SimpleNamespace(run=run, review=review, merge=merge, persons=(first, second))


def pdf(text: str = "Contract of employment", lines: int = 60) -> bytes:
    """A sound one-page PDF of `lines` lines (base-14 font; about 6 KB by default)."""
    import pymupdf

    document = pymupdf.open()
    page = document.new_page()
    for number in range(lines):
        page.insert_text((72, 40 + 12 * number), f"{number + 1}. {text}", fontsize=9)
    return document.tobytes()


def public_figure(
    name: str = "Jong Song Hwa",
    *,
    name_hangul: str = "정성화",
    position: str = "CEO of Yanbian Silverstar Network Technology",
    access_level: str = AccessLevel.INTERNAL,
):
    """An official named in public sources (registry.PublicFigure): a name in clear, no vault."""
    from unseen.registry.models import PublicFigure

    return PublicFigure.objects.create(
        name=name, name_hangul=name_hangul, position=position, access_level=access_level
    )


def designation(
    holder,
    *,
    authority: str = "US OFAC",
    programme: str = "EO 13722",
    listed_on: dt.date = dt.date(2018, 9, 13),
    ended_on: dt.date | None = None,
    access_level: str = AccessLevel.INTERNAL,
):
    """A sanctions designation of `holder` (an organisation or a public figure)."""
    from unseen.registry.models import Designation, Organisation

    key = "organisation" if isinstance(holder, Organisation) else "public_figure"
    return Designation.objects.create(
        **{key: holder},
        authority=authority,
        programme=programme,
        listed_on=listed_on,
        listed_on_precision=DatePrecision.DAY,
        ended_on=ended_on,
        access_level=access_level,
    )


def xref_run(*, access_level: str = AccessLevel.PUBLIC):
    """A finished cross-reference run: a one-entity list version (its source at `access_level`),
    an organisation at `access_level`, and one pending candidate pairing them."""
    from types import SimpleNamespace

    from unseen.registry.models import Organisation, OrganisationKind
    from unseen.sanctions.models import ListedEntity, SanctionsList, XrefCandidate, XrefRun

    listed = SanctionsList.objects.create(
        code="un_sc_sanctions",
        title="UN Security Council Consolidated List",
        authority="UN Security Council 1718 Committee",
        version="2024-01-01",
        scheme="un_1718",
        source=source(
            "UN Security Council Consolidated List, version 2024-01-01",
            kind=SourceKind.SANCTIONS_LIST,
            access_level=access_level,
            reliability=Reliability.A,
        ),
        sha256="0" * 64,
        entity_count=1,
    )
    entity = ListedEntity.objects.create(
        sanctions_list=listed,
        entity_id="NK-mop",
        schema="Company",
        caption="Mansudae Overseas Project Group of Companies",
        names=["Mansudae Overseas Project Group of Companies", "만수대해외개발회사그룹"],
        countries=["KP"],
        identifiers=[["unscId", "KPe.050"]],
        reference="KPe.050",
        programme="UN-SC1718",
    )
    organisation = Organisation.objects.create(
        name="Mansudae Overseas Project",
        kind=OrganisationKind.TRADING_COMPANY,
        country="KP",
        access_level=access_level,
    )
    run = XrefRun.objects.create(
        sanctions_list=listed, status="done", stage="done", fraction=1.0, kinds=["organisation"]
    )
    candidate = XrefCandidate.objects.create(
        run=run,
        record_kind="organisation",
        record_id=organisation.pk,
        listed_entity=entity,
        entity_id=entity.entity_id,
        score=0.72,
        explanation=[{"feature": "name", "contribution": 0.62, "text": "Names agree"}],
    )
    return SimpleNamespace(
        list=listed, entity=entity, organisation=organisation, run=run, candidate=candidate
    )
