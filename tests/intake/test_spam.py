import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from unseen.intake import spam
from unseen.intake.moderating import approve, learn, reject
from unseen.intake.promotion import Publication
from unseen.intake.receiving import receive_sighting

pytestmark = pytest.mark.django_db


def test_it_scores_links_and_keywords_high_and_plain_reports_low():
    spammy = spam.heuristic("CHEAP VIAGRA casino http://x.example http://y.example buy now")
    plain = spam.heuristic("About 30 workers in blue overalls at the tower crane, speaking Korean.")
    assert spammy.value >= 0.9 and any(r.startswith("keywords:") for r in spammy.reasons)
    assert plain.value == 0.0


def test_it_learns_from_moderators_decisions(mona):
    real = [
        "Workers from North Korea at the construction site near the station, around 40",
        "Logging crew of Korean men on the forest road north of the town, winter",
        "A group of about twenty builders in grey uniforms, supervised, living in containers",
        "Korean restaurant staff, young women, said they could not leave the dormitory",
        "Seen a bus bringing about fifty workers to the shipyard every morning",
        "Construction workers speaking Korean on the apartment block, late night shifts",
    ]
    junk = [
        "Best replica watches, lowest prices guaranteed, order today",
        "Earn thousands weekly with our trading signals, join the group",
        "Hot singles in your area want to meet tonight",
        "Cheapest followers and likes for your account, instant delivery",
        "Lose ten kilos in a week with this one weird trick",
        "Get rich with our trading signals and replica watches today",
    ]
    for text in real:
        approve(
            receive_sighting({"description": text}).submission,
            user=mona,
            publication=Publication(description="Workers seen.", place_label="Somewhere"),
        )
    reject(
        [receive_sighting({"description": t}).submission.pk for t in junk], user=mona, as_spam=True
    )
    assert learn()
    fresh_junk = spam.score("Trading signals and replica watches: order today, lowest prices")
    fresh_real = spam.score("About thirty Korean workers at the construction site by the station")
    assert fresh_junk.value > 0.5 > fresh_real.value
    assert any(r.startswith("classifier:") for r in fresh_junk.reasons)


def test_it_does_not_train_on_too_few_examples():
    assert spam.train([("a", True), ("b", False)]) is False


class FakeAkismet(BaseHTTPRequestHandler):
    """Speaks Akismet's comment-check: form-encoded POST, body "true" (spam) or "false"."""

    received: list[dict[str, list[str]]] = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        fields = urllib.parse.parse_qs(self.rfile.read(length).decode())
        FakeAkismet.received.append(fields)
        if fields.get("api_key") != ["test-key"]:
            answer = b"invalid"
        else:
            answer = (
                b"true" if "akismet-guaranteed-spam" in fields["comment_content"][0] else b"false"
            )
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def akismet_server(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeAkismet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.UNSEEN_AKISMET_KEY = "test-key"
    settings.UNSEEN_AKISMET_URL = f"http://127.0.0.1:{server.server_port}/1.1/comment-check"
    FakeAkismet.received = []
    yield server
    server.shutdown()
    server.server_close()


def test_it_asks_akismet_when_a_key_is_set_and_sends_no_address(client, akismet_server):
    client.post(
        "/api/v1/sightings",
        {"description": "akismet-guaranteed-spam here"},
        content_type="application/json",
        REMOTE_ADDR="203.0.113.5",
        HTTP_USER_AGENT="SecretAgent/1",
    )
    client.post(
        "/api/v1/sightings", {"description": "workers seen"}, content_type="application/json"
    )
    from unseen.intake.models import Submission

    flagged, clean = Submission.objects.order_by("id")
    assert flagged.spam_score >= 0.95 and "akismet" in flagged.spam_reasons
    assert clean.spam_score < 0.5
    sent = FakeAkismet.received[0]
    assert sent["comment_content"] == ["akismet-guaranteed-spam here"]
    assert "203.0.113.5" not in str(sent) and "SecretAgent" not in str(sent)


def test_it_scores_locally_when_akismet_is_down(settings):
    settings.UNSEEN_AKISMET_KEY = "test-key"
    settings.UNSEEN_AKISMET_URL = "http://127.0.0.1:9/1.1/comment-check"
    assert spam.score("workers seen").value == 0.0


# --- #15: a model file that cannot run code and keeps nothing of purged reports ---------------

REAL = [
    "Workers from North Korea at the construction site near the station, around 40",
    "Logging crew of Korean men on the forest road north of the town, winter",
    "A group of about twenty builders in grey uniforms, supervised, living in containers",
    "Korean restaurant staff, young women, said they could not leave the dormitory",
    "Seen a bus bringing about fifty workers to the shipyard every morning",
    "Construction workers speaking Korean on the apartment block, late night shifts",
]
JUNK = [
    "Best replica watches, lowest prices guaranteed, order today",
    "Earn thousands weekly with our trading signals, join the group",
    "Hot singles in your area want to meet tonight",
    "Cheapest followers and likes for your account, instant delivery",
    "Lose ten kilos in a week with this one weird trick",
    "Get rich with our trading signals and replica watches today",
]
DISTINCTIVE = "Qzxjvkwamble"


def test_the_model_file_is_private_numbers_and_forgets_purged_reports(mona):
    import datetime as dt
    import json

    from unseen.intake.models import Submission
    from unseen.intake.moderating import purge

    for text in REAL:
        approve(
            receive_sighting({"description": text}).submission,
            user=mona,
            publication=Publication(description="Workers seen.", place_label="Somewhere"),
        )
    purged = [f"{DISTINCTIVE} {text}" for text in JUNK]
    reject(
        [receive_sighting({"description": t}).submission.pk for t in purged],
        user=mona,
        as_spam=True,
    )
    Submission.objects.filter(status="spam").update(decided_on=dt.date(2020, 1, 1))
    kept = [f"{text} again, today only" for text in JUNK[:5]]
    reject(
        [receive_sighting({"description": t}).submission.pk for t in kept], user=mona, as_spam=True
    )
    path = spam.model_path()
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    stored = path.read_bytes()
    assert DISTINCTIVE.lower()[:4].encode() not in stored.lower()  # no text, even before a purge
    columns_of_the_word = set(spam._hasher().transform([DISTINCTIVE.lower()]).indices) - set(
        spam._hasher().transform([" ".join(REAL + kept)]).indices
    )
    assert columns_of_the_word & set(json.loads(stored)["columns"])

    purge(days=30, today=dt.date(2021, 1, 1))

    stored = path.read_bytes()
    assert DISTINCTIVE.lower()[:4].encode() not in stored.lower()
    assert not columns_of_the_word & set(json.loads(stored)["columns"])  # retrained without it
    assert spam.score("Trading signals and replica watches: order today, lowest prices").value > 0.5


def test_a_purge_that_leaves_too_few_examples_removes_the_model(mona):
    import datetime as dt

    from unseen.intake.models import Submission
    from unseen.intake.moderating import purge

    assert spam.train([(t, False) for t in REAL] + [(t, True) for t in JUNK])
    reject(
        [receive_sighting({"description": t}).submission.pk for t in JUNK], user=mona, as_spam=True
    )
    Submission.objects.update(decided_on=dt.date(2020, 1, 1))
    purge(days=30, today=dt.date(2021, 1, 1))
    assert not spam.model_path().exists()
    assert spam.classify("replica watches") is None


class Planted:
    """A pickle that makes a folder when it is loaded: stands for any code an intruder runs."""

    marker = ""

    def __reduce__(self):
        import os

        return (os.mkdir, (self.marker,))


def test_a_model_file_planted_in_var_is_never_run(settings, tmp_path):
    import pickle

    marker = tmp_path / "ran"
    Planted.marker = str(marker)
    folder = tmp_path / "var" / "intake"
    folder.mkdir(parents=True)
    for name in ("spam-model.pickle", "spam-model.json"):
        (folder / name).write_bytes(pickle.dumps(Planted()))
    spam.model_path().parent.mkdir(parents=True, exist_ok=True)
    assert spam.classify("anything at all") is None
    assert spam.score("About thirty workers at the port").value == 0.0
    assert not marker.exists()
