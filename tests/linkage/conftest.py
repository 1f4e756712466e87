"""Records for linkage tests: persons with identities in the vault, on sources acting as lists."""

import pytest
from django.utils import timezone

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.evidence.models import Credibility, SourceKind
from unseen.linkage.gathering import on_lists
from unseen.linkage.models import ClusterMember, Entity, LinkageRun, RunStatus, review_band
from unseen.registry.models import Person, Sex
from unseen.registry.vault import Identity, store_identity


def person(
    full_name: str,
    *sources,
    birth_date: str = "",
    sex: str = Sex.MALE,
    access_level: str = AccessLevel.INTERNAL,
) -> Person:
    """A person with a sealed identity, spoken about by each of `sources`."""
    made = Person.objects.create(
        sex=sex,
        birth_year=int(birth_date[:4]) if birth_date else None,
        access_level=access_level,
    )
    store_identity(made, Identity(full_name=full_name, birth_date=birth_date))
    for source in sources:
        made.add_claim(source, Credibility.POSSIBLY_TRUE, f"listed in {source.title}")
    return made


@pytest.fixture
def roster(db):
    return factories.source("Leaked roster, Vladivostok 2017", access_level=AccessLevel.INTERNAL)


@pytest.fixture
def interviews(db):
    return factories.source(
        "Interviews 2019", kind=SourceKind.INTERVIEW, access_level=AccessLevel.INTERNAL
    )


def finished_run(
    user, sources, clusters: list[list[Person]], *, entity: str = Entity.PERSON
) -> LinkageRun:
    """A run as the job leaves it, with these clusters (each a list of records)."""
    low, high = review_band(0.5)
    run = LinkageRun.objects.create(
        entity=entity,
        threshold=0.5,
        review_low=low,
        review_high=high,
        started_by=user,
        status=RunStatus.DONE,
        stage="done",
        fraction=1.0,
        finished_at=timezone.now(),
    )
    run.sources.set(sources)
    lists = on_lists(run, [s.pk for s in sources])
    ClusterMember.objects.bulk_create(
        ClusterMember(run=run, record_id=r.pk, cluster=number, lists=lists.get(r.pk, []))
        for number, members in enumerate(clusters, start=1)
        for r in members
    )
    return run
