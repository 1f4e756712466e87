"""dga on the page and on the command line: posterior model probabilities and the posterior of N."""

import json
from io import StringIO
from itertools import product

import pytest
from django.core.management import call_command

from tests.core.estimation.mse_data import DATA
from unseen.estimation.management.commands.mse import Command
from unseen.estimation.models import EstimateRun

UK4 = DATA / "uk2013_4lists.csv"


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(Command(), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_the_averaged_posterior_and_the_top_models():
    out, _ = run(str(UK4), "--method", "dga")
    assert "dga" in out and "credible 95%" in out
    assert "averaged over 61 decomposable graphs (delta 0.0625, prior on N 1/N)" in out
    assert "[LA:NG, LA:PFNCA, NG:GO]  posterior 0.4334" in out  # R's dga: 0.4333739


def test_the_command_writes_the_model_average_into_json():
    out, _ = run(str(UK4), "--method", "dga", "--json")
    (result,) = json.loads(out)["results"]
    assert result["method"] == "dga" and result["ci"]["kind"] == "credible"
    assert result["model_average"]["models"][0]["model"] == "[LA:NG, LA:PFNCA, NG:GO]"
    assert result["model_average"]["posterior"]["quantiles"]["0.975"] == pytest.approx(
        13547, rel=1e-3
    )


def test_the_command_refuses_six_lists_plainly(tmp_path):
    path = tmp_path / "six.csv"
    rows = ["a,b,c,d,e,f,count"] + [
        ",".join(map(str, p)) + f",{3 + sum(p)}" for p in product((0, 1), repeat=6) if any(p)
    ]
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(SystemExit) as exit_:
        run(str(path), "--method", "dga")
    assert exit_.value.code == 2


def test_an_analyst_sees_the_top_models_and_the_posterior_of_n(client, andy):
    client.force_login(andy)
    form = client.get("/app/estimates/new/").content.decode()
    assert 'value="dga"' in form
    with UK4.open("rb") as handle:
        response = client.post(
            "/app/estimates/new/",
            {
                "title": "UK 2013, four lists, averaged",
                "file": handle,
                "lists": "",
                "methods": ["dga", "main-effects"],
                "ci": "profile",
                "level": "0.95",
                "bootstrap": "1000",
                "seed": "1234",
            },
        )
    run_ = EstimateRun.objects.get()
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "data-model-average" in page
    assert "4 lists (LA, NG, PFNCA, GO)" in page  # not the length of the joined names
    assert "[LA:NG, LA:PFNCA, NG:GO]" in page and "0.433" in page
    assert "<svg" in page and "<polyline" in page
    # Exact, not sampled: a re-run gives the same numbers.
    assert run_.rerun() == run_.results
