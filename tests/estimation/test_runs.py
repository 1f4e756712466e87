"""Saved estimate runs: frozen inputs, re-runs to the same numbers, the page, publishing."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

import unseen
from tests import checkout, factories, spreadsheets
from tests.core.estimation.mse_data import DATA
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.core.estimation.reading import read_histories
from unseen.estimation.models import EstimateRun
from unseen.estimation.mse_runs import UPLOADED_TABLE, run_estimate
from unseen.estimation.publication import set_published
from unseen.evidence.models import declared_input

UK5 = DATA / "uk2013_5lists.csv"
SECRET_TITLE = "UNPUBLISHED-run-title-7731"


@pytest.fixture
def uk5_run(db, andy):
    """UK 2013, five lists, two methods with a seeded BCa interval: the bootstrap draws matter.

    The table is the Home Office's published one: uploaded as public, so the run may be published.
    """
    return run_estimate(
        "UK 2013, five lists",
        read_histories(UK5),
        ["stepwise-poisson", "main-effects"],
        ci="bca",
        level=0.95,
        bootstrap=200,
        seed=4321,
        user=andy,
        inputs=[declared_input(UPLOADED_TABLE, AccessLevel.PUBLIC)],
    )


def upload(content: bytes = b"", name: str = "lists.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or UK5.read_bytes(), content_type="text/csv")


def form_data(**overrides):
    data = {
        "title": "UK 2013 from the page",
        "file": upload(),
        "lists": "",
        "methods": ["stepwise-poisson", "main-effects"],
        "ci": "profile",
        "level": "0.95",
        "bootstrap": "1000",
        "seed": "1234",
    }
    data.update(overrides)
    return data


def signed_in(client, user):
    client.force_login(user)
    return client


# The model and the workflow


def test_it_saves_the_frozen_inputs_parameters_and_software_version(uk5_run, andy):
    run = EstimateRun.objects.get(pk=uk5_run.pk)
    assert run.kind == "mse" and run.access_level == AccessLevel.INTERNAL and not run.published
    assert run.lists == ["LA", "NG", "PFNCA", "GO", "GP"]
    assert len(run.histories["patterns"]) == 2**5 - 1 == len(run.histories["counts"])
    assert run.observed == 2744
    assert run.parameters == {
        "methods": ["stepwise-poisson", "main-effects"],
        "ci": "bca",
        "level": 0.95,
        "bootstrap": 200,
        "seed": 4321,
    }
    assert set(run.software_version) >= {"unseen", "numpy", "scipy"}
    assert run.created_by == andy
    assert [r["method"] for r in run.results] == ["stepwise-poisson", "main-effects"]
    stepwise = run.results[0]
    assert round(stepwise["estimate"]) == 11313
    assert (
        stepwise["ci"]["kind"] == "bca" and stepwise["ci"]["low"] < 11313 < stepwise["ci"]["high"]
    )
    entry = AuditEntry.objects.get(target_type="estimation.estimaterun", target_id=str(run.pk))
    assert entry.action == Action.CREATE and entry.detail["methods"] == run.methods


def test_it_reruns_from_the_frozen_inputs_to_identical_numbers(uk5_run):
    run = EstimateRun.objects.get(pk=uk5_run.pk)  # as read back from the database
    assert run.rerun() == run.results
    assert run.capture_histories().observed == read_histories(UK5).observed


def test_it_tabulates_list_totals_and_pairwise_overlaps(uk5_run):
    histories = read_histories(UK5)
    overlaps = dict(uk5_run.overlaps())
    for i, name in enumerate(histories.lists):
        assert overlaps[name][i] == histories.list_totals()[name]
    la, gp = histories.lists.index("LA"), histories.lists.index("GP")
    assert overlaps["LA"][gp] == overlaps["GP"][la] == 0  # the non-overlapping pair


@pytest.mark.parametrize(
    "field, value",
    [
        ("kind", "guess"),
        (
            "parameters",
            {"methods": ["M0"], "ci": "profile", "level": 1.5, "bootstrap": 0, "seed": 1},
        ),
        ("parameters", {"methods": ["M0"], "ci": "vibes", "level": 0.9, "bootstrap": 0, "seed": 1}),
        ("parameters", {"methods": ["M0"], "ci": "wald", "level": 0.9, "bootstrap": -1, "seed": 1}),
        ("parameters", {"methods": ["M0"], "ci": "wald", "level": 0.9}),
        ("histories", {"counts": [1, 2, 3]}),
        ("published", True),  # published but internal, with no publication time
    ],
)
def test_the_database_refuses_insane_runs(db, field, value):
    run = factories.estimate_run()
    setattr(run, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        run.save()


def test_it_records_and_publishes_the_revision_of_the_checkout(uk5_run, client, alice):
    revision = checkout.revision()
    assert uk5_run.software_version["revision"] == revision
    assert uk5_run.software_version["unseen"] == unseen.__version__
    set_published(uk5_run, True, by=alice)  # andy ran it
    page = client.get("/estimates/").content.decode()
    assert f"computed by Unseen {unseen.__version__}+{revision} with seed 4321" in page


def test_publishing_makes_a_run_public_and_withdrawing_makes_it_internal(db):
    run = set_published(factories.estimate_run(access_level=AccessLevel.PUBLIC), True)
    assert run.published and run.published_at and run.access_level == AccessLevel.PUBLIC
    run = set_published(run, False)
    assert not run.published and run.published_at is None
    assert run.access_level == AccessLevel.INTERNAL
    audited = AuditEntry.objects.filter(action=Action.UPDATE, target_id=str(run.pk))
    assert [e.detail["published"] for e in audited] == [True, False]


# The pages


def test_an_analyst_runs_several_methods_and_sees_them_side_by_side(client, andy):
    response = signed_in(client, andy).post("/app/estimates/new/", form_data())
    run = EstimateRun.objects.get()
    assert response.status_code == 302 and response.url == f"/app/estimates/{run.pk}/"
    assert run.created_by == andy and run.parameters["ci"] == "profile"
    page = client.get(response.url).content.decode()
    assert "11,313" in page and "13,444" in page  # stepwise-poisson and main-effects
    assert "9,889–13,063 (95% profile)" in page
    assert "[LA:NG, LA:PFNCA, NG:GO, NG:GP, PFNCA:GP, GO:GP]" in page
    assert "data-forest" in page and "<canvas" in page
    assert 'class="overlaps"' in page and 'class="histories"' in page
    assert "seed" in page.lower() and run.software_version["numpy"] in page


def test_the_form_offers_the_default_methods_and_caps_the_bootstrap(client, andy):
    page = signed_in(client, andy).get("/app/estimates/new/").content.decode()
    for method in ["main-effects", "stepwise-aic", "stepwise-poisson", "M0", "Mt", "Mh-chao"]:
        assert re.search(rf'value="{method}"[^>]*checked', page), method
    assert not re.search(r'value="bic"[^>]*checked', page)
    assert 'max="2000"' in page and "2,000" in page
    response = client.post("/app/estimates/new/", form_data(bootstrap="5000"))
    assert response.status_code == 200 and not EstimateRun.objects.exists()


def test_a_bad_upload_re_renders_with_row_and_column_and_saves_nothing(client, andy):
    bad = b"LA,NG,count\n1,0,10\n0,2,5\n1,1,-3\n"
    response = signed_in(client, andy).post(
        "/app/estimates/new/", form_data(file=upload(bad, "bad.csv"), title="Should not exist")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "bad.csv:3:NG: &#x27;2&#x27; is not 0 or 1" in page
    assert "bad.csv:4:count: count -3 is negative" in page
    assert "nothing was saved" in page
    assert 'value="Should not exist"' in page  # the form keeps what was typed
    assert not EstimateRun.objects.exists()
    assert not AuditEntry.objects.filter(target_type="estimation.estimaterun").exists()


def test_too_few_informative_lists_is_reported_and_saves_nothing(client, andy):
    # B saw everyone observed: dropped, leaving one list.
    one_list = b"A,B,count\n1,1,10\n0,1,5\n"
    response = signed_in(client, andy).post(
        "/app/estimates/new/", form_data(file=upload(one_list, "one.csv"))
    )
    assert response.status_code == 200
    assert "fewer than two informative lists" in response.content.decode()
    assert not EstimateRun.objects.exists()


def test_the_rerun_button_recomputes_and_says_identical(client, andy, uk5_run):
    response = signed_in(client, andy).post(f"/app/estimates/{uk5_run.pk}/rerun/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-rerun-result="identical"' in page and "Re-run: identical." in page
    assert client.get(f"/app/estimates/{uk5_run.pk}/rerun/").status_code == 405


def test_the_rerun_says_when_numbers_differ(client, andy, uk5_run):
    uk5_run.results[0]["estimate"] += 1.0  # as if another version of the code had made the run
    uk5_run.save()
    page = signed_in(client, andy).post(f"/app/estimates/{uk5_run.pk}/rerun/").content.decode()
    assert 'data-rerun-result="changed"' in page and "stepwise-poisson" in page


def test_a_researcher_cannot_run_estimates(client, rita, uk5_run):
    signed_in(client, rita)
    assert client.get("/app/estimates/").status_code == 403
    assert client.get("/app/estimates/new/").status_code == 403
    assert client.post("/app/estimates/new/", form_data()).status_code == 403
    assert client.get(f"/app/estimates/{uk5_run.pk}/").status_code == 403
    assert EstimateRun.objects.count() == 1


def test_an_administrator_publishes_and_an_analyst_cannot(client, alice, andy, uk5_run):
    assert signed_in(client, andy).post(f"/app/estimates/{uk5_run.pk}/publish/").status_code == 403
    assert "data-publish" not in client.get(f"/app/estimates/{uk5_run.pk}/").content.decode()
    uk5_run.refresh_from_db()
    assert not uk5_run.published
    response = signed_in(client, alice).post(f"/app/estimates/{uk5_run.pk}/publish/")
    assert response.status_code == 302
    uk5_run.refresh_from_db()
    assert uk5_run.published and uk5_run.access_level == AccessLevel.PUBLIC
    assert client.get(f"/app/estimates/{uk5_run.pk}/publish/").status_code == 405


def test_a_confidential_run_is_hidden_from_users_without_the_compartment(client, andy, alice):
    run = factories.estimate_run("Confidential run", access_level=AccessLevel.CONFIDENTIAL)
    signed_in(client, andy)
    assert client.get(f"/app/estimates/{run.pk}/").status_code == 404
    assert "Confidential run" not in client.get("/app/estimates/").content.decode()
    assert signed_in(client, alice).get(f"/app/estimates/{run.pk}/").status_code == 200


# The public site


def test_the_public_site_shows_only_published_runs_always_with_an_interval(client, uk5_run, alice):
    set_published(uk5_run, True, by=alice)  # andy ran it
    factories.estimate_run(SECRET_TITLE, access_level=AccessLevel.PUBLIC)  # public, unpublished
    factories.estimate_run(SECRET_TITLE + "-internal")
    page = client.get("/estimates/").content.decode()
    assert "UK 2013, five lists" in page
    assert SECRET_TITLE not in page
    rows = re.findall(r'<tr data-method="([^"]+)">(.*?)</tr>', page, re.S)
    assert [method for method, _ in rows] == ["stepwise-poisson", "main-effects"]
    for method, row in rows:
        assert re.search(r"\d[\d,]*–[\d,]+ \(95% bca\)", row), method
    assert "data-forest" in page and "<canvas" in page
    home = client.get("/").content.decode()
    assert "UK 2013, five lists" in home and SECRET_TITLE not in home
    assert re.search(r"stepwise-poisson .*11,313 \(\d[\d,]*–[\d,]+ \(95% bca\)\)", home)


def test_the_public_site_never_shows_an_estimate_without_its_interval(client, db):
    run = factories.estimate_run("Published without a usable interval", access_level="public")
    run.results[0]["estimate"] = 987654.0
    run.results[0]["ci"] = None
    run.save()
    set_published(run, True)
    page = client.get("/estimates/").content.decode()
    assert "Published without a usable interval" in page
    assert "987,654" not in page and "987654" not in page
    assert "not shown: no interval could be computed" in page
    assert "987,654" not in client.get("/").content.decode()


def test_the_public_home_has_no_estimates_section_until_one_is_published(client, db):
    factories.estimate_run(SECRET_TITLE, access_level=AccessLevel.PUBLIC)
    home = client.get("/").content.decode()
    assert 'id="estimates"' not in home and SECRET_TITLE not in home


def test_a_spreadsheet_bomb_is_refused_before_it_is_read(client, andy, tmp_path):
    bomb = spreadsheets.bomb(tmp_path / "lists.xlsx", unpacked_mb=51).read_bytes()
    response = signed_in(client, andy).post(
        "/app/estimates/new/", form_data(file=upload(bomb, "lists.xlsx"))
    )
    assert "lists.xlsx: the spreadsheet unpacks to 51 MB, more than the 50 MB limit" in (
        response.content.decode()
    )
    assert not EstimateRun.objects.exists()
