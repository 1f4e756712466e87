"""Issue #17: dates read one way only, countries by name in Korean or English, errors and spam
reasons in the reader's language, and counts with the right plural."""

import datetime as dt
import html
import re

import pytest

from unseen.intake.models import Status, Submission
from unseen.intake.receiving import receive_sighting

pytestmark = pytest.mark.django_db

ERRORS = re.compile(r'<span class="errors" role="alert">(.*?)</span>', re.S)
HANGUL = re.compile(r"[\uac00-\ud7a3]")
BAD_REPORT = {
    "description": "",
    "country": "Narnia",
    "observed_from": "05/06/2024",
    "observed_to": "2024-02-30",
    "latitude": "45",
    "workers_low": "50",
    "workers_high": "10",
}


def errors_in(client, language):
    client.cookies["django_language"] = language
    response = client.post("/report/", BAD_REPORT)
    assert response.status_code == 200
    return [html.unescape(text).strip() for text in ERRORS.findall(response.content.decode())]


def test_it_refuses_an_ambiguous_date_and_names_the_forms_it_takes(client):
    response = client.post("/report/", {"description": "crew", "observed_from": "05/06/2024"})
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "can be read two ways (5 June or 6 May)" in page and "YYYY-MM-DD" in page
    assert not Submission.objects.exists()


@pytest.mark.parametrize("typed", ["2024-06-05", "2024년 6월 5일", "5 June 2024", "2024/06/05"])
def test_it_takes_a_date_written_so_it_can_mean_one_day_only(client, typed):
    response = client.post("/report/", {"description": "crew", "observed_from": typed})
    assert response.status_code == 303
    assert Submission.objects.get().observed_from == dt.date(2024, 6, 5)


@pytest.mark.parametrize("typed", ["중국", "China", "CN", "cn"])
def test_it_takes_a_country_in_korean_english_or_as_a_code(client, typed):
    response = client.post("/report/", {"description": "crew", "country": typed})
    assert response.status_code == 303
    assert Submission.objects.get().country == "CN"


def test_it_offers_a_date_picker_and_a_menu_of_countries_in_the_readers_language(client):
    english = client.get("/report/").content.decode()
    assert 'type="date"' in english and 'name="observed_from"' in english
    assert 'list="id_country-countries"' in english and '<option value="China">' in english
    client.cookies["django_language"] = "ko"
    korean = client.get("/report/").content.decode()
    assert '<option value="중국">CN</option>' in korean and '<option value="China">' not in korean


def test_the_report_forms_errors_are_all_korean_under_korean(client):
    english = errors_in(client, "en")
    korean = errors_in(client, "ko")
    # One error per bad answer: description, country, both dates, the pin and the counts.
    assert len(english) == len(korean) == 6
    # Nothing left in English: every message has a Korean translation in the catalogue.
    assert not set(english) & set(korean)
    assert all(HANGUL.search(message) for message in korean), korean


def test_the_moderation_queue_says_spam_reasons_in_words_and_keeps_the_codes(mona_client):
    made = receive_sighting({"description": "real"}).submission
    Submission.objects.filter(pk=made.pk).update(
        spam_reasons=["too_fast", "links:1", "keywords:casino,loan"]
    )
    page = html.unescape(mona_client.get("/app/moderation/").content.decode())
    assert "sent too fast for a person to have typed it, 1 link, spam words: casino, loan" in page
    assert 'data-codes="too_fast,links:1,keywords:casino,loan"' in page
    Submission.objects.filter(pk=made.pk).update(spam_reasons=["links:3"])
    assert "3 links" in mona_client.get(f"/app/moderation/{made.pk}/").content.decode()
    assert Submission.objects.get(pk=made.pk).spam_reasons == ["links:3"]


def test_it_counts_one_submission_and_two_submissions(mona_client):
    first = receive_sighting({"description": "one"}).submission
    page = mona_client.get("/app/moderation/").content.decode()
    assert re.search(r">\s*1 submission\s*<", page)
    second = receive_sighting({"description": "two"}).submission
    page = mona_client.get("/app/moderation/").content.decode()
    assert re.search(r">\s*2 submissions\s*<", page)

    response = mona_client.post(
        "/app/moderation/bulk/", {"ids": [first.pk], "action": "reject"}, follow=True
    )
    assert "1 submission rejected." in response.content.decode()
    third = receive_sighting({"description": "three"}).submission
    response = mona_client.post(
        "/app/moderation/bulk/", {"ids": [second.pk, third.pk], "action": "spam"}, follow=True
    )
    assert "2 submissions rejected." in response.content.decode()
    assert Submission.objects.filter(status=Status.SPAM).count() == 2
