"""Issue 22 item 6 on the platform and the CLI: the correlation field, the shape warning with its
inline SVG, and the Sobol' indices beside the tornado."""

import json
from io import StringIO
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from unseen.estimation import revenue_runs
from unseen.estimation.management.commands.revenue import Command
from unseen.estimation.models import EstimateRun

CSV = Path(__file__).parents[2] / "src" / "unseen" / "demo" / "data" / "nk-deployments.csv"
# A small row, as an import might add it, beside Russia's 30,023 permits (synthetic).
IMPORTED = "Russia,2017,construction (imported),300,800,,,,,synthetic imported row (test),low\n"


def pooled_csv() -> bytes:
    return CSV.read_bytes().rstrip(b"\n") + b"\n" + IMPORTED.encode()


def post(client, user, content: bytes | None = None, **overrides):
    data = {
        "title": "",
        "year": "2017",
        "scenarios": ["sourced-ranges", "us-state-2017"],
        "source": "upload",
        "file": SimpleUploadedFile("rows.csv", content or CSV.read_bytes()),
        "file_access_level": "public",
        "draws": "20000",
        "seed": "1234",
        "combine": "pooled",
        "distribution": "uniform",
    }
    data.update(overrides)
    client.force_login(user)
    return client.post(reverse("estimation:revenue"), data)


def page(client, run) -> str:
    return client.get(reverse("estimation:revenue_detail", args=[run.pk])).content.decode()


def test_a_run_keeps_its_correlation_and_reruns_to_identical_numbers(client, andy):
    post(client, andy, correlation="0.5")
    post(client, andy)
    tied, independent = EstimateRun.objects.order_by("id")
    assert tied.parameters["correlation"] == 0.5
    assert independent.parameters["correlation"] == 0.0
    assert tied.results["correlation"] == 0.5
    assert tied.results["total"] != independent.results["total"]
    assert "rank correlation 0.5" in tied.results["assumptions"]
    assert revenue_runs.rerun(tied) == tied.results
    response = client.post(reverse("estimation:revenue_rerun", args=[tied.pk]))
    assert b'data-rerun-result="identical"' in response.content


def test_a_correlation_outside_minus_one_to_one_is_refused_by_the_form(client, andy):
    response = post(client, andy, correlation="1.5")
    assert response.status_code == 200 and not EstimateRun.objects.exists()


def test_the_page_shows_the_shape_and_the_sobol_indices(client, andy):
    post(client, andy)
    run = EstimateRun.objects.get()
    text = page(client, run)
    assert 'data-revenue-shape="one-hump"' in text and "data-shape-warning" not in text
    assert "<svg" in text and "data-median" in text and "data-interval" in text
    assert "data-revenue-sobol" in text and 'data-sobol-row="wage"' in text
    sobol = run.results["sobol"]
    assert sobol["samples"] == run.parameters["sobol_samples"]
    wage = next(i for i in sobol["indices"] if i["input"] == "wage" and i["country"] is None)
    assert abs(wage["first"] - wage["exact"]["first"]) < 0.01
    assert wage["first_interval"][0] <= wage["first"] <= wage["first_interval"][1]


def test_a_two_humped_total_is_said_plainly_with_the_pooled_input(client, andy):
    post(client, andy, content=pooled_csv())
    run = EstimateRun.objects.get()
    shape = run.results["shape"]["total"]
    assert shape["multimodal"] and len(shape["humps"]) == 2
    assert shape["causes"][0]["input"] == "workers" and shape["causes"][0]["country"] == "RU"
    text = page(client, run)
    assert 'data-revenue-shape="multimodal"' in text and "data-shape-warning" in text
    assert "its median is not a typical value" in text
    assert "pooled from" in text and "30,023" in text
    assert text.count("data-hump=") == 2


def test_a_run_made_before_the_shape_and_sobol_reruns_identically_without_them(client, andy):
    post(client, andy)
    run = EstimateRun.objects.get()
    old = dict(run.parameters)
    del old["sobol_samples"], old["correlation"]
    results = revenue_runs.compute_results(run.inputs, old)
    assert "shape" not in results and "sobol" not in results
    run.parameters, run.results = old, results
    run.save()
    assert revenue_runs.rerun(run) == results
    text = page(client, run)
    assert "data-revenue-shape" not in text and "data-revenue-sobol" not in text


def run_command(*args):
    out, err = StringIO(), StringIO()
    call_command(Command(), *args, stdout=out, stderr=err)
    return out.getvalue()


def test_the_command_reports_correlation_shape_and_sobol(tmp_path):
    pooled = tmp_path / "pooled.csv"
    pooled.write_bytes(pooled_csv())
    document = json.loads(
        run_command(
            str(pooled), "--year", "2017", "--draws", "20000", "--json", "--correlation", "0.3"
        )
    )
    assert document["correlation"] == 0.3
    assert document["shape"]["total"]["multimodal"]
    assert "2 humps" in document["shape"]["total"]["warning"]
    assert document["sobol"]["indices"][0]["country"] is None
    text = run_command(str(pooled), "--year", "2017", "--draws", "20000")
    assert "WARNING — shape of the distribution (Total)" in text
    assert "Sobol' indices" in text and "workers, all countries" in text
    plain = run_command(str(CSV), "--year", "2017", "--draws", "20000", "--sobol-samples", "0")
    assert "WARNING" not in plain and "Sobol' indices" not in plain
