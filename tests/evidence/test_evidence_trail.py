import pytest
from django.db import IntegrityError

from tests import factories
from unseen.accounts.models import AccessLevel
from unseen.evidence.models import Claim, Credibility, Reliability, Source


def test_it_lists_the_claims_a_record_rests_on_strongest_first(db):
    weak = factories.source("Blog post", reliability=Reliability.E)
    strong = factories.source("Ministry statistics", reliability=Reliability.A)
    record = factories.deployment()
    record.add_claim(weak, Credibility.DOUBTFUL, "about 500")
    record.add_claim(strong, Credibility.PROBABLY_TRUE, "511 permits", field="workers_high")
    trail = list(record.evidence_trail())
    assert [(c.source.title, c.credibility, c.source.reliability) for c in trail] == [
        ("Ministry statistics", 2, "A"),
        ("Blog post", 4, "E"),
    ]
    assert trail[0].field == "workers_high"


def test_it_hides_claims_from_sources_the_reader_may_not_see(db, andy):
    record = factories.deployment()
    record.add_claim(factories.source("Open report"), Credibility.POSSIBLY_TRUE)
    record.add_claim(
        factories.source("Defector interview", access_level=AccessLevel.CONFIDENTIAL),
        Credibility.PROBABLY_TRUE,
    )
    assert [c.source.title for c in record.evidence_trail(andy)] == ["Open report"]
    assert len(record.evidence_trail()) == 2


def test_it_keeps_credibility_within_one_to_six(db):
    with pytest.raises(IntegrityError):
        factories.deployment().add_claim(factories.source(), 7)


def test_it_refuses_an_unknown_source_kind_in_the_database(db):
    with pytest.raises(IntegrityError):
        Source.objects.create(title="x", kind="rumour")


def test_it_protects_a_source_that_claims_rest_on(db):
    source = factories.source()
    factories.deployment(evidence=source)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        source.delete()
    assert Claim.objects.count() == 1


def test_it_deletes_the_claims_about_a_deleted_record_but_keeps_the_source(db):
    source = factories.source()
    record = factories.deployment(evidence=source)
    record.delete()
    assert not Claim.objects.exists()
    assert Source.objects.filter(pk=source.pk).exists()
