"""Issue #14 item 2 on the linkage pages: no record beyond the reader's level, nor its id."""

import datetime as dt

from django.urls import reverse

from tests import factories
from tests.canary import assert_nothing_shown, leaks, record_url
from unseen.accounts.models import AccessLevel
from unseen.documentation.models import Deployment
from unseen.linkage.merging import merge_records
from unseen.linkage.models import Entity, PairReview
from unseen.registry.models import Organisation, OrganisationKind

from .conftest import finished_run, person


def test_linkage_pages_show_andy_no_confidential_record(client, alice, andy, roster):
    seen = person("RI Chol Su", roster)
    hidden = person("KIM Yong Il", roster, access_level=AccessLevel.CONFIDENTIAL)
    first = person("PAK Song", roster)
    second = person("PAK Song-il", roster)
    Deployment.objects.create(
        person=first,
        site=factories.site("Hidden camp Zeya", access_level=AccessLevel.CONFIDENTIAL),
        employer=Organisation.objects.create(
            name="Hidden employer Amurles",
            kind=OrganisationKind.HOST_EMPLOYER,
            access_level=AccessLevel.CONFIDENTIAL,
        ),
        host_country="RU",
        period_start=dt.date(2017, 1, 1),
        access_level=AccessLevel.INTERNAL,
    )
    run = finished_run(andy, [roster], [[seen, hidden], [first, second]])
    merge_records(Entity.PERSON, [seen.pk, hidden.pk], alice, run=run)
    hidden_pair, open_pair = (
        PairReview.objects.create(run=run, record_a=a.pk, record_b=b.pk, probability=0.5)
        for a, b in [(seen, hidden), (first, second)]
    )
    client.force_login(andy)
    pages = [
        reverse("linkage:detail", args=[run.pk]),
        reverse("linkage:reviews", args=[run.pk]),
        reverse("linkage:review", args=[run.pk, open_pair.pk]),
        record_url(seen),
    ]
    forbidden = [
        hidden.pseudonym,
        record_url(hidden),
        f"#{hidden.pk}",
        "Hidden camp Zeya",
        "Hidden employer Amurles",
        reverse("linkage:review", args=[run.pk, hidden_pair.pk]),
    ]
    assert_nothing_shown(client, pages, forbidden)
    assert client.get(reverse("linkage:review", args=[run.pk, hidden_pair.pk])).status_code == 404
    # Not empty pages: what andy may read is there.
    assert leaks(client, pages[:1], [first.pseudonym, second.pseudonym])
    assert leaks(client, pages[2:3], [first.pseudonym, "RU"])
