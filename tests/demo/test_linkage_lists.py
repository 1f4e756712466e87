"""The demo's SYNTHETIC lists for record linkage (#6): three sources speaking about invented
workers, names only in the vault, and a linkage run over them that gives capture histories."""

import pandas as pd
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from unseen.accounts.models import AccessLevel
from unseen.core.linkage import DEFAULT_THRESHOLDS
from unseen.core.linkage.evaluation import pairwise_scores
from unseen.core.linkage.synthetic import generate_workers
from unseen.demo import lists
from unseen.demo.loading import load_demo
from unseen.documentation.models import Deployment
from unseen.evidence.models import Claim, Source
from unseen.linkage.histories import capture_histories
from unseen.linkage.models import Entity, RunStatus, review_band
from unseen.linkage.running import execute, start_run
from unseen.registry.models import Person, PersonIdentity, Site
from unseen.registry.vault import read_identity

NAME_FIELDS = ("full_name", "given_name", "family_name", "name_hangul", "identifier", "address")


@pytest.fixture
def demo(db):
    load_demo()


@pytest.fixture
def generated():
    """The generator's records again, truth included: the truth exists only here, in the test."""
    return generate_workers(lists.PERSONS, seed=lists.SEED, sources=len(lists.LISTS))


def demo_lists() -> list[Source]:
    return list(Source.objects.filter(title__in=lists.TITLES).order_by("pk"))


def listed_persons():
    on_lists = Claim.objects.filter(
        source__in=demo_lists(), content_type=ContentType.objects.get_for_model(Person)
    )
    # Ids, not a subquery: PostgreSQL planned the three nested subqueries below (sites of the
    # deployments of these persons) as a scan of minutes on freshly loaded, unanalysed tables.
    return Person.objects.filter(pk__in=list(on_lists.values_list("object_id", flat=True)))


def test_the_demo_makes_three_synthetic_lists_of_the_generated_persons(demo, generated):
    sources = demo_lists()
    assert [s.title for s in sources] == list(lists.TITLES)
    for source in sources:
        assert source.is_synthetic and source.title.startswith("SYNTHETIC")
        assert source.access_level == AccessLevel.CONFIDENTIAL
        assert "No real person" in source.notes
    persons = listed_persons()
    assert 150 <= persons.count() == len(generated) <= 300
    assert not persons.filter(is_synthetic=False).exists()
    assert set(persons.values_list("access_level", flat=True)) == {AccessLevel.CONFIDENTIAL}
    # Each record is on the list that wrote it, and only on that one.
    title_of = {item.generated: item.title for item in lists.LISTS}
    expected = dict(zip(generated["record_id"], generated["source"].map(title_of), strict=True))
    claims = Claim.objects.filter(source__in=sources).values_list(
        "object_id", "source__title", "source__is_synthetic"
    )
    record_of = dict(persons.values_list("pk", "source_record_id"))
    assert sorted((record_of[pk], title) for pk, title, _ in claims) == sorted(expected.items())
    assert all(synthetic for _, _, synthetic in claims)
    # Their postings and the sites named in them are synthetic too; no employer is invented.
    deployments = Deployment.objects.filter(person__in=list(persons.values_list("pk", flat=True)))
    assert deployments.count() == persons.count()
    assert not deployments.filter(is_synthetic=False).exists()
    assert not deployments.filter(employer__isnull=False).exists()
    sites = Site.objects.filter(
        deployments__in=list(deployments.values_list("pk", flat=True))
    ).distinct()
    assert sites.exists() and not sites.filter(is_synthetic=False).exists()
    # ... and the demo's other records are still there, unchanged in number.
    assert Source.objects.filter(title__startswith="Synthetic interview T-").count() == 20
    assert Person.objects.count() == 50 + persons.count()


def test_the_listed_persons_identities_are_in_the_vault_and_nowhere_else(demo, generated, rita):
    persons = {p.source_record_id: p for p in listed_persons()}
    assert PersonIdentity.objects.filter(person__in=persons.values()).count() == len(persons)
    sample = generated.iloc[::7]
    for row in sample.itertuples():
        identity = read_identity(persons[row.record_id], user=rita, purpose="test: demo lists")
        for field in NAME_FIELDS:
            assert getattr(identity, field) == (getattr(row, field) or ""), field
    # No name, Hangul name, passport number or address in any column of any table.
    values = {
        str(value)
        for field in ("full_name", "name_hangul", "identifier", "address")
        for value in generated[field].dropna()
    } | {f"{f} {g}" for f, g in generated[["family_name", "given_name"]].dropna().to_numpy()}
    assert len(values) > 200
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            dump.extend(str(cell) for row in cursor.fetchall() for cell in row)
    text = "\n".join(dump)
    assert [value for value in values if value in text] == []


def test_a_linkage_run_over_the_demo_lists_links_across_them_and_gives_three_list_histories(
    demo, generated, alice, django_capture_on_commit_callbacks
):
    # As the start page does with its defaults, for an administrator who holds the confidential
    # compartment, as the demo's `admin` sign-in does.
    threshold = DEFAULT_THRESHOLDS[Entity.PERSON]
    low, high = review_band(threshold)
    with django_capture_on_commit_callbacks(execute=False):
        run = start_run(
            entity=Entity.PERSON,
            sources=demo_lists(),
            threshold=threshold,
            review_low=low,
            review_high=high,
            user=alice,
        )
    run = execute(run.pk)
    assert (run.status, run.error) == (RunStatus.DONE, "")
    assert run.is_synthetic
    assert run.counts["records"] == len(generated) == run.members.count()

    lists_of: dict[int, set[int]] = {}
    for cluster, on in run.members.values_list("cluster", "lists"):
        lists_of.setdefault(cluster, set()).update(on)
    across = [on for on in lists_of.values() if len(on) > 1]
    on_all_three = [on for on in across if len(on) == 3]
    print(
        f"demo lists: {len(generated)} records, {len(lists_of)} clusters, {len(across)} on "
        f"several lists ({len(on_all_three)} on all three), "
        f"{run.counts['queued_for_review']} pairs to review"
    )
    assert len(across) >= 50 and on_all_three
    # Uncertain pairs for the review queue: some, not a flood.
    assert 1 <= run.reviews.count() == run.counts["queued_for_review"] <= len(generated) // 2

    # The truth (kept only by the generator) agrees with the clusters.
    pk_of = dict(Person.objects.values_list("source_record_id", "pk"))
    truth = generated.set_index(generated["record_id"].map(lambda r: f"0:{pk_of[r]}"))["truth"]
    clusters = pd.DataFrame(
        [(f"0:{pk}", c) for pk, c in run.members.values_list("record_id", "cluster")],
        columns=["key", "cluster_id"],
    )
    scores = pairwise_scores(clusters, truth)
    print(f"demo lists linkage: {scores}")
    assert scores.f1 >= 0.85

    histories = capture_histories(run)
    assert len(histories.lists) == 3
    assert all(
        title[:20] in name for title, name in zip(lists.TITLES, histories.lists, strict=True)
    )
    assert histories.observed == len(lists_of)
    count = {
        tuple(int(v) for v in p): int(c)
        for p, c in zip(histories.patterns, histories.counts, strict=True)
    }
    assert count[(1, 1, 1)] == len(on_all_three) > 0
    assert all(count[p] > 0 for p in ((1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0)))


def test_the_lists_load_once(demo):
    before = (Source.objects.count(), Person.objects.count(), PersonIdentity.objects.count())
    assert load_demo() == {}
    after = (Source.objects.count(), Person.objects.count(), PersonIdentity.objects.count())
    assert after == before and len(demo_lists()) == 3
