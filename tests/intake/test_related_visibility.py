"""Issue #14 item 2 on the moderation pages: no record beyond the moderator's level."""

from tests.intake.test_publication import approval
from unseen.accounts.models import AccessLevel
from unseen.documentation.models import Sighting
from unseen.intake.receiving import receive_sighting


def test_it_names_the_sighting_a_report_became_only_to_those_who_may_read_it(client, mona, alice):
    public = receive_sighting({"description": "Crew of 30", "country": "MN"}).submission
    kept = receive_sighting({"description": "Crew of 12", "country": "MN"}).submission
    client.force_login(mona)
    for submission in (public, kept):
        response = client.post(f"/app/moderation/{submission.pk}/approve/", approval())
        assert response.status_code == 302
        submission.refresh_from_db()
    # A researcher later files the second sighting as confidential.
    Sighting.objects.filter(pk=kept.sighting_id).update(access_level=AccessLevel.CONFIDENTIAL)
    shown = client.get(f"/app/moderation/{public.pk}/").content.decode()
    assert f"<dd>Sighting {public.sighting_id}</dd>" in shown
    hidden = client.get(f"/app/moderation/{kept.pk}/").content.decode()
    assert "Promoted to" not in hidden and f"<dd>Sighting {kept.sighting_id}</dd>" not in hidden
    client.force_login(alice)
    shown = client.get(f"/app/moderation/{kept.pk}/").content.decode()
    assert f"<dd>Sighting {kept.sighting_id}</dd>" in shown
