"""Estimates over alternative linkages in the platform (ADR 0037): a run keeps its scored pairs,
`unseen mse --linkage-run ID --draws M` and the estimation page draw from them, verdicts hold,
and the estimate's page shows the sampling-only, linkage-only and combined intervals."""

import json
from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.urls import reverse

from tests import factories
from tests.linkage.conftest import finished_run, person
from tests.linkage.test_running import started, workers  # noqa: F401 - the job's records
from unseen.estimation.management.commands.mse import Command
from unseen.estimation.models import EstimateRun
from unseen.linkage.draws import DRAW_FLOOR, linkage_graph, pairs_archive
from unseen.linkage.histories import capture_histories
from unseen.linkage.models import LinkageRun, LinkDecision, ScoredPairs

pytestmark = pytest.mark.django_db


def drawable_run(user, *, people: int = 40, seed: int = 4) -> LinkageRun:
    """A finished run over three sources whose clusters are the true people (each person has a
    record per source that lists them), with every true pair scored 0.8 and some false pairs
    0.3, kept as the job keeps them: the draws have something to doubt."""
    rng = np.random.default_rng(seed)
    sources = [factories.source(f"List {name} (synthetic)") for name in "ABC"]
    clusters, rows = [], []
    for i in range(people):
        caught = [s for s, hit in zip(sources, rng.random(3) < 0.55, strict=True) if hit]
        if not caught:
            continue
        records = [person(f"P{i} {s.pk}", s) for s in caught]
        clusters.append(records)
        for x in range(len(records)):
            for y in range(x + 1, len(records)):
                rows.append((records[x].pk, records[y].pk, 0.8))
    singles = [c[0].pk for c in clusters if len(c) == 1]
    for x, y in zip(singles[::2], singles[1::2], strict=False):
        rows.append((x, y, 0.3))
    run = finished_run(user, sources, clusters)
    pairs = pd.DataFrame(rows, columns=["record_id_l", "record_id_r", "match_probability"])
    pairs = pairs.astype({"record_id_l": str, "record_id_r": str})
    pairs.loc[len(pairs)] = ["1", "2", DRAW_FLOOR / 2]  # below the floor: not kept
    records = [r.pk for c in clusters for r in c]
    pairs_archive(run, pairs, records, one_to_one=True).save()
    return run


def mse(*args):
    out, err = StringIO(), StringIO()
    call_command(Command(), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_archive_keeps_pairs_above_the_floor_by_record_key_only(andy):
    run = drawable_run(andy)
    stored = ScoredPairs.objects.get(run=run)
    graph, labels = linkage_graph(run)
    assert stored.count == len(graph.probability) > 0
    assert stored.floor == DRAW_FLOOR and stored.one_to_one
    assert graph.probability.min() >= DRAW_FLOOR
    assert set(np.round(graph.probability, 3)) == {0.8, 0.3}
    assert len(set(labels)) == run.members.values("cluster").distinct().count()
    assert b"P1" not in bytes(stored.data)  # no name: keys and probabilities only


def test_verdicts_in_force_reach_the_draws(andy):
    run = drawable_run(andy)
    a, b, c = sorted(run.members.values_list("record_id", flat=True))[:3]
    LinkDecision.objects.create(entity="person", record_a=a, record_b=b, is_match=True)
    LinkDecision.objects.create(entity="person", record_a=a, record_b=c, is_match=False)
    graph, _ = linkage_graph(run)
    assert len(graph.must) == 1 and len(graph.cannot) == 1


def test_the_command_estimates_over_draws_and_prints_all_three_intervals(andy):
    run = drawable_run(andy)
    args = ["--linkage-run", str(run.pk), "--method", "main-effects", "--ci", "profile"]
    out, _ = mse(*args, "--draws", "30", "--seed", "9", "--json")
    document = json.loads(out)
    found = document["linkage_uncertainty"]
    assert (found["draws"], found["seed"], found["linkage_run"]) == (30, 9, run.pk)
    (entry,) = found["methods"]
    assert entry["method"] == "main-effects" and entry["draws_used"] == 30
    assert entry["sampling"] == pytest.approx(
        [document["results"][0]["ci"]["low"], document["results"][0]["ci"]["high"]]
    )
    assert entry["widths"]["combined"] > entry["widths"]["sampling"]
    again, _ = mse(*args, "--draws", "30", "--seed", "9", "--json")
    assert json.loads(again) == document  # seeded
    table, _ = mse(*args, "--draws", "10")
    assert "combined" in table and "sampling only" in table and "wider than" in table


def test_the_command_checks_a_linkage_runs_sensitivity_as_it_does_a_files(andy):
    run = drawable_run(andy)
    names = capture_histories(run).lists
    merge = f"{names[0]}+{names[1]}"
    args = ["--linkage-run", str(run.pk), "--method", "main-effects", "--merge", merge, "--json"]
    document = json.loads(mse(*args)[0])
    labels = [row["label"] for row in document["sensitivity"]["rows"]]
    assert any(names[0] in label and names[1] in label for label in labels), labels
    assert sum(label.startswith("without ") for label in labels) == len(names)
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command(Command(), "--linkage-run", str(run.pk), "--stratum", "x", stderr=err)
    assert "no stratum" in err.getvalue()


def test_the_command_refuses_what_it_cannot_draw(andy):
    run = drawable_run(andy)
    ScoredPairs.objects.filter(run=run).delete()
    for args, message in [
        (["--linkage-run", str(run.pk), "--draws", "5"], "kept no match probabilities"),
        (["--draws", "5", "x.csv"], "needs --linkage-run"),
        ([], "give a FILE or --linkage-run"),
        (["--linkage-run", "999999"], "no linkage run"),
    ]:
        err = StringIO()
        with pytest.raises(SystemExit) as stopped:
            call_command(Command(), *args, stdout=StringIO(), stderr=err)
        assert stopped.value.code == 2, args
        assert message in err.getvalue(), args


def test_the_page_estimates_over_draws_and_shows_both_intervals(client, andy):
    run = drawable_run(andy)
    client.force_login(andy)
    url = f"{reverse('estimation:create')}?linkage={run.pk}"
    form = client.get(url).content.decode()
    assert 'name="draws"' in form and "At most 200" in form
    data = {"title": "Over draws", "methods": ["main-effects", "M0"], "ci": "profile",
            "level": 0.95, "bootstrap": 1000, "seed": 3}  # fmt: skip
    assert client.post(url, {**data, "draws": "201"}).status_code == 200  # over the cap
    response = client.post(url, {**data, "draws": "25"})
    estimate = EstimateRun.objects.get()
    assert response.url == reverse("estimation:detail", args=[estimate.pk])
    assert estimate.linkage_run == run
    assert estimate.linkage_uncertainty["draws"] == 25
    assert [m["method"] for m in estimate.linkage_uncertainty["methods"]] == ["main-effects", "M0"]
    page = client.get(response.url).content.decode()
    assert "data-linkage-uncertainty" in page
    for kind in ("sampling", "linkage", "combined"):
        assert f'data-interval="{kind}"' in page and f'data-bar="{kind}"' in page
    assert "wider than sampling alone" in page


def test_without_draws_the_section_stays_empty_and_an_old_run_offers_none(client, andy):
    run = drawable_run(andy)
    client.force_login(andy)
    url = f"{reverse('estimation:create')}?linkage={run.pk}"
    data = {"title": "No draws", "methods": ["M0"], "ci": "wald", "level": 0.95,
            "bootstrap": 1000, "seed": 3, "draws": "0"}  # fmt: skip
    response = client.post(url, data)
    assert "data-linkage-uncertainty" not in client.get(response.url).content.decode()
    ScoredPairs.objects.filter(run=run).delete()
    form = client.get(url).content.decode()
    assert 'name="draws"' not in form and "data-no-draws" in form


@pytest.mark.usefixtures("workers")
def test_a_finished_job_keeps_its_scored_pairs_and_draws_from_them(
    andy, django_capture_on_commit_callbacks
):
    from unseen.core.estimation.linkage_draws import histories_of
    from unseen.linkage.histories import capture_histories
    from unseen.linkage.running import execute

    run = execute(started(andy, django_capture_on_commit_callbacks).pk)
    stored = ScoredPairs.objects.get(run=run)
    assert stored.count == run.counts["pairs_kept_for_draws"] > 0
    assert stored.one_to_one  # three sources, each record listed under one (kept for the record)
    graph, labels = linkage_graph(run)
    table = capture_histories(run)
    # The run's own clusters, through the draws' code, give the table the estimate reads.
    assert np.array_equal(histories_of(graph, labels, table.lists).counts, table.counts)
    assert graph.n == run.counts["records"]
