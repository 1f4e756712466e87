"""The flows arithmetic: Sankey links, indicators by stage, durations, origin→host, k-suppression."""

import datetime as dt
from collections import Counter

import pytest

from unseen.core.journeys.flows import (
    BRIBE,
    CHECKS,
    Journey,
    compute_flows,
    journeys_from_events,
)
from unseen.core.journeys.suppression import (
    OTHER,
    KTooSmall,
    Report,
    staged_links,
    suppressed_column,
    suppressed_histogram,
)


def journey(
    t, channel="state_assignment", vetting=CHECKS, hosts=(("RU", "F"),), exit="contract_end", **kw
):
    return Journey(
        testimony=t, channel=channel, vetting=vetting, hosts=frozenset(hosts), exit=exit, **kw
    )


def links_of(flows):
    return {(x.source, x.target): x.testimonies for x in flows.sankey}


def test_a_flow_with_four_testimonies_is_not_shown_as_such_with_k_5_and_the_report_says_so():
    journeys = [journey(i) for i in range(20)] + [
        journey(100 + i, channel="personal_connection") for i in range(4)
    ]
    flows = compute_flows(journeys, k=5)
    links = links_of(flows)
    assert ("personal_connection", CHECKS) not in links
    assert all(x.testimonies >= 5 for x in flows.sankey)
    merged = flows.report.for_chart("sankey")
    assert any(m.what == "personal_connection" and m.where == "recruitment" for m in merged)
    # Nothing in the report names a testimony.
    assert not any(str(100 + i) in repr(flows.report) for i in range(4))


def test_the_merge_is_not_undone_by_subtracting_from_the_rest():
    # 20 by state assignment, 4 by connection: "other" would hold 4, so the smallest shown
    # channel joins it and nothing below k can be read off a total.
    journeys = (
        [journey(i) for i in range(20)]
        + [journey(100 + i, channel="applied") for i in range(6)]
        + [journey(200 + i, channel="personal_connection") for i in range(4)]
    )
    flows = compute_flows(journeys, k=5)
    links = links_of(flows)
    assert links[(OTHER, CHECKS)] == 10
    assert ("applied", CHECKS) not in links
    assert sum(x.testimonies for x in flows.sankey if x.source_stage == "recruitment") == 30


def test_every_shown_link_rests_on_k_or_more_and_nodes_stay_consistent():
    journeys = []
    hosts = [("RU", "F"), ("CN", "C"), ("AE", "F"), ("PL", "A"), ("RU", "C")]
    exits = ["contract_end", "escape", "recalled", "defection"]
    for t in range(137):
        hs = {hosts[t % 5]} | ({hosts[(t * 7) % 5]} if t % 3 == 0 else set())
        journeys.append(
            journey(
                t,
                channel=["applied", "state_assignment", "other"][t % 3],
                vetting=[BRIBE, CHECKS, "unknown"][(t // 3) % 3],
                hosts=hs,
                exit=exits[(t // 5) % 4] if t % 11 else "death",
            )
        )
    flows = compute_flows(journeys, k=7)
    assert flows.sankey
    assert all(x.testimonies >= 7 for x in flows.sankey)
    assert all(x.testimonies >= 7 for x in flows.map)
    # Each testimony enters the first stage pair exactly once.
    assert sum(x.testimonies for x in flows.sankey if x.source_stage == "recruitment") == 137
    # A host node's inflow equals its outflow: no link can be had by subtraction.
    inflow, outflow = Counter(), Counter()
    for x in flows.sankey:
        if x.target_stage == "host":
            inflow[x.target] += x.testimonies
        if x.source_stage == "host":
            outflow[x.source] += x.testimonies
    assert inflow == outflow


def test_k_under_three_is_refused_with_a_reason():
    with pytest.raises(KTooSmall, match="at least 3"):
        compute_flows([journey(i) for i in range(10)], k=2)


def test_fewer_than_k_testimonies_in_all_show_nothing():
    flows = compute_flows([journey(i) for i in range(4)], k=5)
    assert flows.withheld and not flows.sankey and flows.testimonies == 0


def test_the_thin_other_link_is_topped_up_or_withheld():
    report = Report(5)
    paths = [(frozenset({"a"}), frozenset({"x"}))] * 8 + [(frozenset({"b"}), frozenset({"y"}))] * 3
    links = staged_links(paths, ("s", "t"), 5, report)
    assert all(x.testimonies >= 5 for x in links)
    assert sum(x.testimonies for x in links) == 11


def test_indicator_cells_below_k_go_to_other_and_other_is_topped_up():
    members = {
        "deception": set(range(9)),
        "isolation": set(range(3)),
        "debt_bondage": set(range(6)),
    }
    report = Report(5)
    column = suppressed_column(members, 5, report, "indicators", "recruitment")
    # isolation (3) goes; other would hold 3, so debt_bondage (6) joins it: other = 6.
    assert column.cells == {"deception": 9}
    assert column.other == 6
    assert set(column.merged) == {"isolation", "debt_bondage"}
    assert report.for_chart("indicators")[0].count == 2


def test_indicators_are_counted_in_testimonies_at_each_stage():
    journeys = [
        journey(
            i,
            indicators=frozenset(
                {("deployment", "excessive_overtime"), ("transit", "retention_of_documents")}
            ),
        )
        for i in range(6)
    ] + [journey(10 + i, indicators=frozenset({("deployment", "isolation")})) for i in range(2)]
    flows = compute_flows(journeys, k=5)
    rows = {r.indicator: r.cells for r in flows.indicator_rows}
    assert rows["retention_of_documents"]["transit"] == 6
    assert rows["retention_of_documents"]["deployment"] == 0
    # Isolation (2) is merged; "other" would hold 2, so overtime (6) joins it: other = 8.
    assert rows["isolation"]["deployment"] is None
    assert rows["excessive_overtime"]["deployment"] is None
    assert flows.indicator_other["deployment"] == 8


def test_histogram_bins_widen_until_each_holds_k_and_unknowns_hide_in_the_last():
    report = Report(5)
    values = [1.0] * 6 + [4.0] * 2 + [8.0] * 4 + [30.0] * 7 + [None] * 2
    bins, unknown = suppressed_histogram(values, (0, 3, 6, 12, 24, 36, 60), 5, report, "vetting")
    assert [b.testimonies for b in bins] == [6, 6, 9]
    assert bins[1].low == 3 and bins[1].high == 12
    assert bins[-1].with_unknown and unknown == 0
    assert sum(b.testimonies for b in bins) + unknown == len(values)


def test_journeys_from_events_reads_each_stage():
    d = dt.date
    events = [
        {
            "testimony_id": 1,
            "position": 0,
            "stage": "recruitment",
            "channel": "applied",
            "country": "KP",
        },
        {
            "testimony_id": 1,
            "position": 1,
            "stage": "vetting",
            "health_check": "present",
            "loyalty_check": "unknown",
            "bribe_paid": "present",
            "months_waited": 7,
        },
        {
            "testimony_id": 1,
            "position": 2,
            "stage": "deployment",
            "country": "RU",
            "sector": "F",
            "date_start": d(2015, 1, 1),
            "date_start_precision": "month",
            "date_end": d(2016, 1, 1),
            "date_end_precision": "month",
        },
        {
            "testimony_id": 1,
            "position": 3,
            "stage": "deployment",
            "country": "CN",
            "sector": "C",
            "date_start": d(2016, 2, 1),
            "date_start_precision": "year",
            "date_end": d(2018, 1, 1),
            "date_end_precision": "year",
        },
        {
            "testimony_id": 1,
            "position": 4,
            "stage": "exit",
            "exit_kind": "escape",
            "date_start": d(2018, 3, 1),
        },
    ]
    [j] = journeys_from_events(
        events, [{"testimony_id": 1, "stage": "deployment", "indicator": "isolation"}]
    )
    assert j.channel == "applied" and j.vetting == BRIBE and j.exit == "escape"
    assert j.hosts == {("RU", "F"), ("CN", "C")}
    assert j.vetting_months == 7
    assert j.contract_months == pytest.approx(12 + 24, abs=0.1)
    assert j.exit_months == pytest.approx(38, abs=0.2)
    assert j.indicators == {("deployment", "isolation")}
    assert j.origin == "KP"


def test_a_thin_histogram_withholds_the_untold_count_too():
    report = Report(5)
    bins, unknown = suppressed_histogram([2.0] * 3 + [None] * 30, (0, 3, 6), 5, report, "exit")
    assert bins == [] and unknown == 0
    assert any(m.kind == "withheld" for m in report.merges)


def _host_nodes(flows):
    return {x.target: x.testimonies for x in flows.sankey if x.target_stage == "host"}


def test_a_small_host_and_sector_is_shown_within_its_country_when_the_country_reaches_k():
    journeys = (
        [journey(i, hosts=(("CN", "C"),)) for i in range(10)]
        + [journey(100 + i, hosts=(("RU", "F"),)) for i in range(3)]
        + [journey(200 + i, hosts=(("RU", "C"),)) for i in range(2)]
        + [journey(300 + i, hosts=(("MN", "F"),)) for i in range(3)]
        + [journey(400 + i, hosts=(("AE", "F"),)) for i in range(3)]
    )
    flows = compute_flows(journeys, k=5)
    hosts = _host_nodes(flows)
    # Russia's two sectors (3 + 2) make a Russia node of 5; Mongolia and the Emirates, three
    # each, reach 5 only together, as "other".
    assert hosts == {"CN·C": 10, "RU": 5, OTHER: 6}
    coarsened = [m for m in flows.report.for_chart("sankey") if m.kind == "coarsened"]
    assert sorted(m.what for m in coarsened) == ["RU·C", "RU·F"]
    assert all(x.testimonies >= 5 for x in flows.sankey)


def test_a_country_that_stays_under_k_is_not_coarsened_but_merged():
    journeys = [journey(i, hosts=(("CN", "C"),)) for i in range(10)] + [
        journey(100 + i, hosts=(("RU", "F"),)) for i in range(3)
    ]
    flows = compute_flows(journeys, k=3)
    assert _host_nodes(flows)["RU·F"] == 3  # at k = 3 it is shown as it is
    flows = compute_flows(journeys, k=5)
    assert "RU" not in _host_nodes(flows)
    assert not [m for m in flows.report.for_chart("sankey") if m.kind == "coarsened"]
