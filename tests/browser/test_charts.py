"""The workers-over-time chart breaks its band at years no source gives a figure for."""

import pytest

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DRAWN = """() => {
    const chart = Chart.getChart(document.querySelector('[data-chart=workers] canvas'));
    chart.update('none');
    return {
        spanGaps: chart.options.spanGaps,
        datasets: chart.data.datasets.map((d, i) => ({
            label: d.label,
            spanGaps: d.spanGaps,
            y: d.data.map(p => p.y),
            skipped: chart.getDatasetMeta(i).data.map(e => Boolean(e.skip)),
        })),
    };
}"""


def test_the_over_time_chart_leaves_a_gap_where_there_are_no_figures(page, live_server):
    factories.deployment(country="RU", year=2015, low=20000, high=25000)
    factories.deployment(country="RU", year=2018, low=30000, high=40000)
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("[data-charts][data-state=ready]")

    drawn = page.evaluate(DRAWN)
    assert drawn["spanGaps"] is False
    low, high = drawn["datasets"]
    assert high["label"] == "Russia" and high["spanGaps"] is False
    assert low["y"] == [20000, None, None, 30000]
    assert high["y"] == [25000, None, None, 40000]
    # Chart.js skips the null points: no line, no fill, across 2016 and 2017.
    assert high["skipped"] == [False, True, True, False]
