"""The job end to end: synthetic workers imported with identities in the vault, linked by
Splink in `execute`, clusters and review queue saved, decisions winning on the re-run."""

import json

import pandas as pd
import pytest

from tests import checkout
from unseen.audit.models import Action, AuditEntry
from unseen.core.linkage.evaluation import pairwise_scores
from unseen.core.linkage.synthetic import generate_workers
from unseen.documentation.importing import import_file
from unseen.evidence.models import Source
from unseen.linkage.models import ClusterMember, Entity, LinkageRun, PairReview, RunStatus
from unseen.linkage.reviewing import record_decision
from unseen.linkage.running import execute, rerun, start_run
from unseen.registry.models import Person

WORKERS = 40


@pytest.fixture
def workers(db, tmp_path):
    """Synthetic workers from three sources, imported as `unseen import --kind persons` does."""
    frame = generate_workers(WORKERS, seed=7, sources=3)
    path = tmp_path / "workers.csv"
    # The importer takes ISO codes for nationality; the truth column stays out of the database.
    frame.drop(columns=["truth"]).assign(nationality="KP").to_csv(path, index=False)
    import_file(path, "persons", default_access_level="internal")
    return frame


def truth_of(workers: pd.DataFrame) -> pd.Series:
    person_of = dict(Person.objects.values_list("source_record_id", "pk"))
    keys = [f"0:{person_of[r]}" for r in workers["record_id"]]
    return pd.Series(workers["truth"].to_numpy(), index=keys)


def clusters_of(run: LinkageRun) -> pd.DataFrame:
    rows = run.members.values_list("record_id", "cluster")
    return pd.DataFrame([(f"0:{pk}", c) for pk, c in rows], columns=["key", "cluster_id"])


def started(user, django_capture_on_commit_callbacks, **changes):
    with django_capture_on_commit_callbacks(execute=False):
        return start_run(
            entity=Entity.PERSON,
            sources=list(Source.objects.order_by("pk")),
            threshold=changes.get("threshold", 0.5),
            review_low=0.2,
            review_high=0.8,
            user=user,
        )


def test_a_run_links_synthetic_workers_and_keeps_no_name(
    andy, workers, django_capture_on_commit_callbacks
):
    run = execute(started(andy, django_capture_on_commit_callbacks).pk)
    assert (run.status, run.error, run.fraction) == (RunStatus.DONE, "", 1.0)
    assert run.counts["records"] == len(workers) == run.members.count()
    assert run.counts["clusters"] == run.members.values("cluster").distinct().count()
    assert sum(run.counts["histogram"]) == run.counts["scored_pairs"]
    assert run.parameters["model"]["comparisons"]  # the trained model, frozen with the run
    # ... and the code that trained it.
    assert run.parameters["software_version"]["revision"] == checkout.revision()
    assert run.parameters["software_version"]["splink"].startswith("5.")
    scores = pairwise_scores(clusters_of(run), truth_of(workers))
    print(f"platform linkage of {len(workers)} synthetic records: {scores}")
    assert scores.f1 >= 0.85
    queued = list(PairReview.objects.filter(run=run))
    assert all(0.2 <= r.probability <= 0.8 for r in queued)
    assert len(queued) == run.counts["queued_for_review"]
    # Each pair queued carries the level of every field compared: the reviewer's evidence.
    assert queued and all({"name", "birth"} <= set(r.agreement) for r in queued)
    # Every person compared is in the audit log, with the purpose; no name is stored anywhere.
    reads = AuditEntry.objects.filter(action=Action.VAULT_READ, actor="andy")
    assert reads.count() == len(workers)
    stored = json.dumps(
        [
            list(LinkageRun.objects.values("counts", "parameters", "error", "stage")),
            list(ClusterMember.objects.values("lists")),
            list(PairReview.objects.values("agreement")),
            list(AuditEntry.objects.values("detail")),
        ],
        ensure_ascii=False,
        default=str,
    )
    for column in ("full_name", "given_name", "family_name", "name_hangul", "identifier"):
        for value in workers[column].dropna():
            assert str(value) not in stored, f"{column} stored"


def test_a_run_keeps_the_decrypted_records_off_the_disk(
    andy, workers, django_capture_on_commit_callbacks, monkeypatch
):
    # Names decrypted from the vault must not be spilled to a temporary file in clear.
    import duckdb

    opened = []
    connect = duckdb.connect

    def connecting(*args, **kwargs):
        opened.append(connect(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(duckdb, "connect", connecting)
    run = execute(started(andy, django_capture_on_commit_callbacks).pk)
    assert run.status == RunStatus.DONE
    # (Splink opens a spare connection of its own that DuckDB's backend never uses.)
    holding = [c for c in opened if c.execute("from duckdb_tables()").fetchall()]
    assert holding
    for connection in holding:
        setting = connection.execute("select current_setting('temp_directory')").fetchone()
        assert setting == ("",)


def test_decisions_win_over_the_model_on_the_rerun(
    andy, workers, django_capture_on_commit_callbacks
):
    first = execute(started(andy, django_capture_on_commit_callbacks).pk)
    cluster = dict(first.members.values_list("record_id", "cluster"))
    lists = {pk: tuple(on) for pk, on in first.members.values_list("record_id", "lists")}
    by_cluster = pd.Series(cluster).groupby(pd.Series(cluster)).groups
    together = sorted(next(pks for pks in by_cluster.values() if len(pks) > 1))[:2]
    # Records the model put apart, whatever the truth: the verdicts must win anyway. One pair
    # from two sources, and one pair from the same source (a duplicate within a list).
    singles = sorted(pks[0] for pks in by_cluster.values() if len(pks) == 1)
    across = next((a, b) for a in singles for b in singles if a < b and lists[a] != lists[b])
    within = next(
        (a, b)
        for a in singles
        for b in singles
        if a < b and lists[a] == lists[b] and not {a, b} & set(across)
    )
    record_decision(Entity.PERSON, *together, False, andy)
    record_decision(Entity.PERSON, *across, True, andy)
    record_decision(Entity.PERSON, *within, True, andy)
    with django_capture_on_commit_callbacks(execute=False):
        again = rerun(first, andy)
    again = execute(again.pk)
    assert again.status == RunStatus.DONE and again.previous == first
    assert again.counts["decisions_applied"] == 3
    now = dict(again.members.values_list("record_id", "cluster"))
    assert now[together[0]] != now[together[1]], "known not a match was linked"
    assert now[across[0]] == now[across[1]], "known match across sources was left apart"
    assert now[within[0]] == now[within[1]], "known match within a source was left apart"
    decided = {tuple(together), across, within}
    assert not {(r.record_a, r.record_b) for r in again.reviews.all()} & decided


def test_a_run_whose_user_may_no_longer_link_fails_with_a_reason(
    andy, workers, django_capture_on_commit_callbacks
):
    run = started(andy, django_capture_on_commit_callbacks)
    andy.role = "researcher"
    andy.save()
    run = execute(run.pk)
    assert run.status == RunStatus.FAILED
    assert run.error == "the user who started this run may no longer link records"
    assert not run.members.exists()
    assert not AuditEntry.objects.filter(action=Action.VAULT_READ).exists()


def test_a_run_that_breaks_records_the_stage_and_kind_of_error_only(
    andy, workers, django_capture_on_commit_callbacks, settings, tmp_path
):
    run = started(andy, django_capture_on_commit_callbacks)
    # Another master key than the one that sealed the identities: the vault cannot open them.
    from unseen.registry import keys

    other = tmp_path / "other.key"
    keys.write_key_file(other, b"\x01" * 32)
    settings.UNSEEN_MASTER_KEY_FILE = str(other)
    keys.forget_cached_keys()
    run = execute(run.pk)
    assert run.status == RunStatus.FAILED
    assert run.error.startswith("failed while gathering: ")
    assert not run.members.exists()


def test_a_run_already_taken_by_another_job_is_left_alone(
    andy, workers, django_capture_on_commit_callbacks
):
    run = started(andy, django_capture_on_commit_callbacks)
    LinkageRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    assert execute(run.pk).status == RunStatus.RUNNING
    assert not run.members.exists()


def test_the_command_runs_a_queued_run(andy, workers, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    run = started(andy, django_capture_on_commit_callbacks)
    call_command("linkage", "run", str(run.pk))
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    with pytest.raises(SystemExit) as exit_:
        call_command("linkage", "run", "999999")
    assert exit_.value.code == 2


def test_sites_named_differently_by_two_sources_are_linked(
    andy, roster, interviews, django_capture_on_commit_callbacks
):
    from unseen.registry.models import Site, SiteKind

    names = [
        ("Okryu Restaurant", "Okryu restaurant (Vladivostok)", "Vladivostok", "RU"),
        ("Sonbong Construction Site", "Sonbong construction site, Nakhodka", "Nakhodka", "RU"),
        ("Haedanghwa Logging Camp", "Haedanghwa logging camp", "Tynda", "RU"),
        ("Koryo Textile Factory", "Koryo textile factory, Dandong", "Dandong", "CN"),
    ]
    pairs = []
    for formal, local, city, country in names:
        made = []
        for name, source in ((formal, roster), (local, interviews)):
            site = Site.objects.create(name=name, kind=SiteKind.OTHER, country=country, city=city)
            site.add_claim(source, 3, "named")
            made.append(site.pk)
        pairs.append(made)
    with django_capture_on_commit_callbacks(execute=False):
        run = start_run(
            entity=Entity.SITE, sources=[roster, interviews], threshold=0.5, review_low=0.1,
            review_high=0.9, user=andy,
        )  # fmt: skip
    run = execute(run.pk)
    assert run.status == RunStatus.DONE, run.error
    cluster = dict(run.members.values_list("record_id", "cluster"))
    assert all(cluster[a] == cluster[b] for a, b in pairs)
    assert run.counts["clusters"] == len(names)
