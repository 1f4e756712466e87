"""Sensitivity on every saved run (issue 22 item 4): stored, chosen on the form, drawn on the page,
printed by `unseen mse --sensitivity`; lists the reader may not see are "List N"."""

import json
import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from tests import factories
from tests.core.estimation.mse_data import DATA
from tests.linkage.conftest import finished_run, person
from unseen.accounts.models import AccessLevel
from unseen.core.estimation.reading import read_histories
from unseen.core.estimation.sensitivity import MergeError
from unseen.estimation.management.commands.mse import Command
from unseen.estimation.models import EstimateRun
from unseen.estimation.mse_runs import run_estimate

UK5 = DATA / "uk2013_5lists.csv"
UK6 = DATA / "uk2013_6lists.csv"


def _row(document, kind, subject=()):
    return next(r for r in document["rows"] if r["kind"] == kind and tuple(r["subject"]) == subject)


def _stratified_csv() -> bytes:
    """The five UK lists twice over, as two strata "north" and "south" (a made-up split)."""
    lines = UK5.read_text().strip().splitlines()
    body = [f"{line},{region}" for region in ("north", "south") for line in lines[1:]]
    return ("\n".join([lines[0] + ",region", *body]) + "\n").encode()


def form(**overrides):
    data = {
        "title": "UK 2013, six lists",
        "file": SimpleUploadedFile("uk6.csv", UK6.read_bytes(), content_type="text/csv"),
        "methods": ["stepwise-aic", "main-effects"],
        "ci": "profile",
        "level": "0.95",
        "bootstrap": "1000",
        "seed": "1234",
    }
    data.update(overrides)
    return data


def test_every_run_stores_its_sensitivity_with_the_merges_asked_for(db, andy):
    run = run_estimate(
        "UK 2013",
        read_histories(UK6),
        ["stepwise-aic"],
        ci="profile",
        level=0.95,
        bootstrap=0,
        seed=1,
        user=andy,
        merges=[("PF", "NCA")],
    )
    stored = EstimateRun.objects.get(pk=run.pk).sensitivity
    assert [r["kind"] for r in stored["rows"]] == ["full"] + ["drop"] * 6 + ["merge"]
    merged = _row(stored, "merge", ("PF", "NCA"))["results"]["stepwise-aic"]
    assert merged["estimate"] == pytest.approx(11313.0, abs=0.1)
    assert stored["inputs"]["merges"] == [["PF", "NCA"]]
    assert "no bootstrap" in stored["interval"]


def test_a_merge_naming_an_unknown_list_saves_nothing(db, andy):
    with pytest.raises(MergeError, match="no list 'XX'"):
        run_estimate(
            "x",
            read_histories(UK6),
            ["main-effects"],
            "wald",
            0.95,
            0,
            1,
            andy,
            merges=[("PF", "XX")],
        )
    assert not EstimateRun.objects.exists()


def test_the_page_shows_the_table_chart_and_how_much_the_answer_moves(client, andy):
    client.force_login(andy)
    response = client.post(reverse("estimation:create"), form(merges="PF+NCA, LA+GO"))
    run = EstimateRun.objects.get()
    assert response.status_code == 302
    assert [r["subject"] for r in run.sensitivity["rows"] if r["kind"] == "merge"] == [
        ["PF", "NCA"],
        ["LA", "GO"],
    ]
    page = client.get(reverse("estimation:detail", args=[run.pk])).content.decode()
    section = page.split("data-sensitivity ", 1)[1]
    assert "Without GP" in section and "PF + NCA merged" in section
    assert "<svg" in section and "data-sensitivity-chart" in section
    # main-effects: 9,729 without GP to 18,039 without PF (docs/methods/sensitivity.md).
    moves = re.sub(r"\s+", " ", section.split("data-moves>", 1)[1].split("</div>", 1)[0])
    assert "main-effects: from 9,729 (Without GP, -20%) to 18,039 (Without PF, +48%)" in moves
    assert "Under stepwise-aic it moves by more than a factor of 2" in moves
    assert "11,313" in section  # PF+NCA merged, stepwise-aic
    assert "data-not-informative" not in section


def test_a_bad_merge_on_the_form_is_reported_and_saves_nothing(client, andy):
    client.force_login(andy)
    page = client.post(reverse("estimation:create"), form(merges="PF+XX")).content.decode()
    assert "no list &#x27;XX&#x27;" in page or "no list 'XX'" in page
    assert not EstimateRun.objects.exists()
    page = client.post(reverse("estimation:create"), form(merges="PF")).content.decode()
    assert "Name two lists joined by" in page
    assert not EstimateRun.objects.exists()


def test_a_stratum_column_gives_each_stratum_and_their_sum(client, andy):
    client.force_login(andy)
    upload = SimpleUploadedFile("strata.csv", _stratified_csv(), content_type="text/csv")
    client.post(
        reverse("estimation:create"),
        form(file=upload, stratum="region", methods=["main-effects"], ci="wald"),
    )
    run = EstimateRun.objects.get()
    assert run.observed == 2 * 2744  # the run's own table is the strata added up
    north = _row(run.sensitivity, "stratum", ("north",))["results"]["main-effects"]
    total = _row(run.sensitivity, "strata-sum")["results"]["main-effects"]
    assert north["estimate"] == pytest.approx(13444.1, abs=0.1)
    assert total["estimate"] == pytest.approx(2 * 13444.1, abs=0.2)
    assert run.sensitivity["inputs"]["stratum"] == "region"
    page = client.get(reverse("estimation:detail", args=[run.pk])).content.decode()
    assert "Stratum north" in page and "Sum of the strata" in page


def test_lists_that_are_not_informative_say_so_on_the_page(client, andy):
    client.force_login(andy)
    client.post(reverse("estimation:create"), form(methods=["stepwise-aic"]))
    run = EstimateRun.objects.get()
    assert run.sensitivity["informative"] is False
    page = client.get(reverse("estimation:detail", args=[run.pk])).content.decode()
    assert "data-not-informative" in page and "These lists are not informative." in page


def test_a_run_saved_before_sensitivity_shows_no_section(client, andy):
    client.force_login(andy)
    client.post(reverse("estimation:create"), form(methods=["main-effects"]))
    run = EstimateRun.objects.get()
    EstimateRun.objects.filter(pk=run.pk).update(sensitivity={})
    page = client.get(reverse("estimation:detail", args=[run.pk])).content.decode()
    assert "data-sensitivity " not in page


def test_from_a_linkage_run_pairs_are_ticked_and_hidden_lists_are_list_n(client, andy, alice):
    titles = ["Roster 2017", "Interviews 2019", "SECRET-hotline-5521"]
    sources = [factories.source(t, access_level=AccessLevel.INTERNAL) for t in titles]
    a, b, c = sources
    rows = [[person(f"A{n}", a)] for n in range(12)]
    rows += [[person(f"B{n}", b)] for n in range(10)]
    rows += [[person(f"C{n}", c)] for n in range(9)]
    rows += [[person(f"AB{n}", a, b)] for n in range(5)]
    rows += [[person(f"BC{n}", b, c)] for n in range(4)]
    rows += [[person(f"AC{n}", a, c)] for n in range(3)]
    rows += [[person("ABC", a, b, c)]]
    linkage = finished_run(andy, sources, rows)
    client.force_login(andy)
    url = f"{reverse('estimation:create')}?linkage={linkage.pk}"
    page = client.get(url).content.decode()
    pairs = re.findall(r'name="merges" value="([^"]+)"', page)
    assert len(pairs) == 3
    client.post(
        url,
        {"title": "Three lists", "methods": ["M0"], "ci": "wald", "level": 0.95,
         "bootstrap": 1000, "seed": 1, "merges": [pairs[-1]]},
    )  # fmt: skip
    run = EstimateRun.objects.get()
    assert [r["kind"] for r in run.sensitivity["rows"]] == ["full", "drop", "drop", "drop", "merge"]
    c.access_level = AccessLevel.CONFIDENTIAL
    c.save()
    page = client.get(reverse("estimation:detail", args=[run.pk])).content.decode()
    section = page.split("data-sensitivity ", 1)[1]
    assert "SECRET-hotline" not in section
    assert "Without List 3" in section and "List 3 merged" in section
    client.force_login(alice)
    page = client.get(reverse("estimation:detail", args=[run.pk])).content.decode()
    assert "SECRET-hotline-5521" in page.split("data-sensitivity ", 1)[1]


# The command


def command(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command(Command(), *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as stop:
        code = stop.code
    return out.getvalue(), err.getvalue(), code


def test_the_command_prints_the_sensitivity_table():
    out, _, code = command(str(UK6), "--method", "stepwise-aic", "--sensitivity")
    assert code == 0
    assert re.search(r"without NG +2,281 +26,680 +18,973 – 37,944 +9\.72", out)
    assert "The lists are not informative as a whole" in out


def test_the_command_puts_sensitivity_and_merges_in_the_json():
    out, _, _ = command(str(UK6), "--method", "main-effects", "--merge", "PF+NCA", "--json")
    document = json.loads(out)
    merged = _row(document["sensitivity"], "merge", ("PF", "NCA"))
    assert merged["results"]["main-effects"]["estimate"] == pytest.approx(13444.1, abs=0.1)
    out, _, _ = command(str(UK6), "--method", "main-effects", "--json")
    assert "sensitivity" not in json.loads(out)


def test_the_command_refuses_a_merge_of_unknown_lists():
    _, err, code = command(str(UK6), "--method", "main-effects", "--merge", "PF+XX")
    assert code == 2 and "no list 'XX'" in err


def test_the_command_reads_strata(tmp_path):
    path = tmp_path / "strata.csv"
    path.write_bytes(_stratified_csv())
    out, _, code = command(str(path), "--method", "main-effects", "--stratum", "region")
    assert code == 0
    assert "stratum north" in out and "sum of strata" in out
    assert "5,488 observed" in out


def test_the_page_names_the_slow_methods_it_left_out(client, andy):
    client.force_login(andy)
    client.post(reverse("estimation:create"), form(methods=["main-effects", "lcmcr"]))
    run = EstimateRun.objects.get()
    assert run.sensitivity["skipped"] == ["lcmcr"]
    page = client.get(reverse("estimation:detail", args=[run.pk])).content.decode()
    assert "data-skipped" in page and "Not in this table: lcmcr." in page
