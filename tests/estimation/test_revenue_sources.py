"""Revenue inputs as records (ADR 0042): the sources the defaults and scenarios cite, loaded by the
demo and by `unseen revenue_sources load`; the figures others published, drawn beside a run."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tests import factories
from tests.estimation.test_revenue_runs import post
from unseen.accounts.models import AccessLevel
from unseen.core.revenue import records
from unseen.core.revenue.defaults import DEFAULTS
from unseen.core.revenue.scenarios import SCENARIOS
from unseen.estimation import revenue_sources
from unseen.estimation.models import EstimateRun
from unseen.evidence.models import PublishedFigure, Source


def cited_keys() -> set[str]:
    keys = {key for row in DEFAULTS.rows for key in row.sources}
    keys |= {key for s in SCENARIOS.values() for item in s.inputs for key in item.sources}
    return keys


def test_every_default_and_scenario_row_cites_a_source_the_demo_loads(db):
    call_command("demo", stdout=io.StringIO())
    titles = {row.key: row.title for row in records.sources().values()}
    loaded = set(Source.objects.filter(is_synthetic=False).values_list("title", flat=True))
    missing = sorted(key for key in cited_keys() if titles[key] not in loaded)
    assert not missing
    # A source the deployments file already cites is the same record, not a second one.
    for row in records.sources().values():
        assert Source.objects.filter(title=row.title).count() == 1, row.key
    assert PublishedFigure.objects.count() == len(records.published())


def test_the_command_loads_once_and_reuses_a_source_already_there(db):
    existing = factories.source(
        title=records.sources()["wapo-2016"].title, access_level=AccessLevel.PUBLIC
    )
    out = io.StringIO()
    call_command("revenue_sources", "load", stdout=out)
    assert f"{len(records.sources()) - 1} revenue sources" in re.sub(r"\s+", " ", out.getvalue())
    assert Source.objects.filter(title=existing.title).get() == existing
    again = io.StringIO()
    call_command("revenue_sources", "load", stdout=again)
    assert "0 revenue sources" in re.sub(r"\s+", " ", again.getvalue())
    assert "0 published figures" in re.sub(r"\s+", " ", again.getvalue())
    figure = PublishedFigure.objects.get(key="darusman-2015")
    assert figure.derives_from.title == records.sources()["inhrnkol-2012"].title
    (claim,) = figure.supporting_claims.all()
    assert claim.source.title == records.sources()["darusman-2015"].title
    assert claim.statement == "$1.2–2.3 bn a year (2015)"


def test_the_check_names_the_bad_cell(db, monkeypatch, tmp_path):
    import shutil

    shutil.copytree(records.DATA, tmp_path / "data")
    path = tmp_path / "data" / "defaults.csv"
    path.write_text(path.read_text().replace("yonhap-mongolia-2013", ""), encoding="utf-8")
    monkeypatch.setattr(records, "DATA", tmp_path / "data")
    monkeypatch.setattr(records.read_sources, "__defaults__", (tmp_path / "data",))
    monkeypatch.setattr(records.read_defaults, "__defaults__", (tmp_path / "data",))
    with pytest.raises(CommandError, match=r"defaults\.csv:5:sources: no source key"):
        call_command("revenue_sources", "check", stdout=io.StringIO())


@pytest.fixture
def loaded(db):
    revenue_sources.load()


def test_the_run_page_links_each_default_and_scenario_number_to_its_source(client, andy, loaded):
    post(client, andy)
    run = EstimateRun.objects.get()
    page = client.get(reverse("estimation:revenue_detail", args=[run.pk])).content.decode()
    assert "data-defaults-used" in page and "data-scenario-inputs" in page
    russia = Source.objects.get(title=records.sources()["russia-officials-2018"].title)
    href = reverse("documentation:detail", kwargs={"kind": "sources", "pk": russia.pk})
    # Russia's 2017 wage is blank: the default $500–1,000 links to the record it rests on.
    assert f'<a href="{href}">500–1,000</a>' in page
    panel = Source.objects.get(title=records.sources()["un-poe-2024"].title)
    assert reverse("documentation:detail", kwargs={"kind": "sources", "pk": panel.pk}) in page


def test_a_source_the_reader_may_not_read_shows_no_title(client, andy, loaded):
    hidden = Source.objects.get(title=records.sources()["russia-officials-2018"].title)
    Source.objects.filter(pk=hidden.pk).update(access_level=AccessLevel.CONFIDENTIAL)
    post(client, andy)
    run = EstimateRun.objects.get()
    page = client.get(reverse("estimation:revenue_detail", args=[run.pk])).content.decode()
    assert "Far East minister Galushka" not in page
    assert 'data-source-key="russia-officials-2018"' in page and "data-unreadable" in page


def test_the_run_page_draws_the_published_figures_beside_its_interval(client, andy, loaded):
    post(client, andy)
    run = EstimateRun.objects.get()
    page = client.get(reverse("estimation:revenue_detail", args=[run.pk])).content.decode()
    assert "data-published-chart" in page and "<svg" in page
    assert page.count('data-bar="model"') == 1
    assert page.count('data-bar="published"') == len(records.published())
    # The table alternative: every figure, with who published it.
    assert page.count("<tr data-figure=") == len(records.published()) + 1
    assert 'data-figure="un-poe-2023"' in page and "$500 m" in page
    assert "up to $2.3 bn" in page and "more than $500 m" in page


def test_the_page_says_which_figures_trace_back_to_one_original(client, andy, loaded):
    post(client, andy)
    run = EstimateRun.objects.get()
    page = client.get(reverse("estimation:revenue_detail", args=[run.pk])).content.decode()
    notes = re.findall(
        r"<p class=\"trace-note\"[^>]*data-trace-count=\"(\d+)\">(.*?)</p>", page, re.S
    )
    assert [count for count, _text in notes] == ["5", "2"]
    first = re.sub(r"\s+", " ", notes[0][1])
    assert "These 5 figures all trace back to one original source:" in first
    assert "International Network for the Human Rights of North Korean Overseas Labor" in first


def test_the_public_page_draws_public_figures_and_links_out_not_into_the_app(
    client, alice, andy, loaded
):
    post(client, andy)
    run = EstimateRun.objects.get()
    client.force_login(alice)
    client.post(reverse("estimation:revenue_publish", args=[run.pk]))
    PublishedFigure.objects.filter(key="nkwatch-2015").update(access_level=AccessLevel.INTERNAL)
    client.logout()
    for url in ("/revenue/", f"/revenue/{run.pk}/"):
        page = client.get(url).content.decode()
        assert "data-published-chart" in page, url
        assert 'data-figure="un-poe-2023"' in page
        assert 'data-figure="nkwatch-2015"' not in page
        assert "/app/" not in page
        assert "https://www.rfa.org/english/news/korea/workers-03212024162926.html" in page
        assert "These 5 figures all trace back to one original source:" in page
