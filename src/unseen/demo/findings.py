"""The demo's findings: one published (a SYNTHETIC demo article whose facts come from the fact
base, each with its source) and one draft, and the published estimate the article embeds.

No published estimate about North Korean workers exists in the demo (its lists of named workers
are confidential), so the demo publishes a method demonstration instead: the UK Home Office's
2013 five-list table (Silverman 2014), whose answer is known (demo/data/README.md).
"""

import csv
from pathlib import Path

from django.db import transaction

from unseen.accounts.models import AccessLevel, User
from unseen.core.estimation.histories import CaptureHistories
from unseen.estimation.models import EstimateRun
from unseen.estimation.mse_runs import run_estimate
from unseen.estimation.publication import set_published
from unseen.evidence.models import declared_input
from unseen.findings import reviewing
from unseen.findings.models import Finding

UK_TABLE = Path(__file__).parent / "data" / "uk2013_5lists.csv"
ESTIMATE_TITLE = "Method demonstration: UK 2013, five lists (Silverman 2014, Home Office)"
PUBLISHED_SLUG = "demo-fewer-permits-same-questions"
DRAFT_SLUG = "demo-draft-counting-the-unseen"

BODY_EN = """\
*SYNTHETIC DEMO ARTICLE: written for the Unseen demo to show how a finding works. The facts
below come from the demo's fact base, each with the source it names; the article itself is not
a publication of any organisation.*

## Fewer permits, the same questions

Russia reported to the UN 1718 Committee that North Koreans holding valid work permits fell from
**30,023 in 2017 to 11,490 in 2018** (Russia's implementation report, March 2019, via Reuters).
Permits count only those working legally: the UN Panel of Experts still described about
**100,000 workers in some 40 countries** in 2023, sent on student or tourist visas (Panel of
Experts report dated 7 March 2024, via RFA, 21 March 2024).

The ranges below are every public figure the platform holds, host by host, from the lowest to the
highest a source gives:

{{chart workers}}

{{record country RU}}

## How many does no list see?

No list of workers is complete. Multiple systems estimation compares overlapping lists and
estimates how many none of them saw. The estimate below is a **method demonstration** on
published data from another country (the UK Home Office's 2013 lists), shown with its interval:

{{estimate ESTIMATE}}

{{map}}
"""

BODY_KO = """\
*합성 데모 기사: Unseen 데모에서 발견 기사가 어떻게 작동하는지 보여 주려고 쓴 글입니다. 아래 사실은
데모의 사실 자료에서 가져왔으며 각각 출처를 밝힙니다. 이 기사 자체는 어느 기관의 발표물도 아닙니다.*

## 허가는 줄었지만 질문은 그대로

러시아는 유엔 1718 위원회에 유효한 노동 허가를 가진 북한 사람이 **2017년 30,023명에서 2018년
11,490명으로** 줄었다고 보고했습니다(러시아 이행 보고서, 2019년 3월, 로이터 통신 인용).
허가는 합법적으로 일하는 사람만 셉니다. 유엔 전문가 패널은 2023년에도 약 **40개국에 10만 명가량**의
노동자가 학생·관광 비자로 보내졌다고 기술했습니다(2024년 3월 7일자 전문가 패널 보고서, RFA 2024년
3월 21일 인용).

{{chart workers}}

{{record country RU}}

## 어느 명단에도 없는 사람은 몇 명일까

완전한 노동자 명단은 없습니다. 다중 체계 추정은 서로 겹치는 명단을 비교해 어느 명단에도 오르지 않은
사람 수를 추정합니다. 아래 추정치는 다른 나라의 공개 자료(영국 내무부 2013년 명단)로 계산한
**방법 시연**이며, 구간과 함께 보여 줍니다.

{{estimate ESTIMATE}}

{{map}}
"""


def demo_estimate() -> EstimateRun:
    """The demo's published estimate: made and published once, by the command (no runner)."""
    existing = EstimateRun.objects.on_public_site().filter(title=ESTIMATE_TITLE).first()
    if existing is not None:
        return existing
    with UK_TABLE.open(newline="") as handle:
        rows = list(csv.reader(handle))
    lists, counts = rows[0][:-1], rows[1:]
    histories = CaptureHistories.from_counts(
        lists, [(tuple(int(cell) for cell in row[:-1]), int(row[-1])) for row in counts]
    )
    run = run_estimate(
        ESTIMATE_TITLE,
        histories,
        ("main-effects", "stepwise-aic"),
        ci="profile",
        level=0.95,
        bootstrap=0,
        seed=1234,
        inputs=[
            declared_input(
                "UK Home Office 2013 five lists, as published (Silverman 2014)", AccessLevel.PUBLIC
            )
        ],
    )
    return set_published(run, True)


@transaction.atomic
def load_findings() -> dict[str, int]:
    """The published demo finding (written by the demo analyst, reviewed by the demo researcher)
    and a draft; nothing when they are there already."""
    if Finding.objects.filter(slug=PUBLISHED_SLUG).exists():
        return {}
    analyst = User.objects.get(username="analyst")
    researcher = User.objects.get(username="researcher")
    estimate = demo_estimate()
    published = reviewing.write(
        {
            "slug": PUBLISHED_SLUG,
            "title_en": "Fewer permits, the same questions (synthetic demo article)",
            "title_ko": "허가는 줄었지만 질문은 그대로 (합성 데모 기사)",
            "summary_en": "Russia's count of North Korean work permits fell by two thirds in a "
            "year; the UN still describes about 100,000 workers abroad. A demo article.",
            "summary_ko": "러시아의 북한 노동 허가 수는 1년 만에 3분의 2가 줄었지만, 유엔은 여전히 해외 "
            "노동자를 약 10만 명으로 기술합니다. 데모 기사입니다.",
            "body_en": BODY_EN.replace("ESTIMATE", str(estimate.pk)),
            "body_ko": BODY_KO.replace("ESTIMATE", str(estimate.pk)),
        },
        by=analyst,
    )
    reviewing.submit(published, by=analyst)
    reviewing.review(published, by=researcher, decision="approve", comment="Sources checked.")
    reviewing.write(
        {
            "slug": DRAFT_SLUG,
            "title_en": "Counting the unseen (draft, synthetic demo article)",
            "summary_en": "A draft: how lists that overlap tell us about the people on none.",
            "body_en": "*SYNTHETIC DEMO DRAFT.*\n\nTo be written: compare the lists.\n\n"
            f"{{{{estimate {estimate.pk}}}}}\n",
        },
        by=analyst,
    )
    return {"findings": 2, "published estimates": 1}
