"""The text of evidence files (#19 item 8): PDF text layers read on arrival, OCR of scans as a job,
transcripts with time codes, all found by the app's search at the file's level, and passages
cited from a testimony's coding."""

import io
import stat
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from tests import factories
from tests.core.media import samples
from unseen.accounts.models import AccessLevel
from unseen.audit.models import Action, AuditEntry
from unseen.core.media import text
from unseen.documentation import searching
from unseen.documentation.models import Indicator, SearchEntry, Testimony
from unseen.evidence.models import SourceKind
from unseen.files import custody, passages, reading, storing
from unseen.files.models import EvidenceFile, Passage, TextJob, TextOrigin, TextState
from unseen.jobs.models import JobStatus
from unseen.registry import keys

pytestmark = pytest.mark.django_db

needs_tesseract = pytest.mark.skipif(
    not text.tesseract_available("kor+eng"), reason="needs Debian's tesseract with kor and eng"
)
INTERNAL, CONFIDENTIAL = AccessLevel.INTERNAL, AccessLevel.CONFIDENTIAL


@pytest.fixture(autouse=True)
def fresh_keys():
    keys.forget_cached_keys()


@pytest.fixture(autouse=True)
def own_temporary_folder(tmp_path, monkeypatch):
    # Workspaces are made in the temporary folder: each test looks at its own, not at those of
    # tests running beside it.
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))


def found(user, q):
    return searching.run(searching.parse({"q": q}), user)


def hits(user, q) -> list[str]:
    return [hit.url for hit in found(user, q).hits]


def page_of(file: EvidenceFile) -> str:
    return reverse("files:detail", args=[file.pk])


def store(tmp_path: Path, name: str, data: bytes, user, **metadata) -> EvidenceFile:
    path = tmp_path / name
    path.write_bytes(data)
    return storing.receive_path(path, user=user, **metadata).file


def scan_png(lines: list[str]) -> bytes:
    out = io.BytesIO()
    samples.text_image(lines, fontsize=16).save(out, "PNG")
    return out.getvalue()


def workspaces() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob(f"{reading.WORKSPACE_PREFIX}*")}


def ocr(file, user, callbacks, bar=None) -> TextJob:
    """Queue OCR as the page does, then run the job here, as the worker would."""
    with callbacks(execute=False):
        job = reading.queue_ocr(file, user)
    assert TextJob.objects.get(pk=job.pk).status == JobStatus.QUEUED
    assert EvidenceFile.objects.get(pk=file.pk).text_state == TextState.OCR_QUEUED
    return reading.execute_ocr(job.pk, bar=bar)


@needs_tesseract
def test_a_korean_word_from_an_ocrd_scan_is_found_by_search(
    tmp_path, rita, ruth, django_capture_on_commit_callbacks
):
    source = factories.source("Contract scans", access_level=INTERNAL)
    file = store(tmp_path, "scan.png", scan_png(["근로계약서", "임금체불 여권압수"]), rita)
    storing.attach(file, source, rita)
    assert hits(rita, "임금") == []

    seen = {}

    def bar(stage, fraction):
        # While the pages are read, the original is in clear in a private folder, nowhere else.
        if stage == "reading" and not seen:
            folder = Path(tempfile.gettempdir())
            (original,) = folder.iterdir()
            seen["folder"] = stat.S_IMODE(folder.stat().st_mode)
            seen["file"] = stat.S_IMODE(original.stat().st_mode)
            seen["name"] = original.name

    before = workspaces()
    job = ocr(file, rita, django_capture_on_commit_callbacks, bar)
    assert (job.status, job.stage, job.fraction, job.error) == (JobStatus.DONE, "done", 1.0, "")
    assert seen == {"folder": 0o700, "file": 0o600, "name": "original.png"}
    assert workspaces() == before  # deleted, with tesseract's own temporary files
    file.refresh_from_db()
    assert file.text_state == TextState.OCR_DONE
    (segment,) = file.text_segments.all()
    assert segment.origin == TextOrigin.OCR and segment.page is None
    assert "임금체불" in segment.text.replace(" ", "")
    print("OCR read:", segment.text.replace("\n", " / "))

    # Found by search, a two-letter word inside a compound as for records; the hit opens the file.
    for word in ("임금", "체불", "임금체불", "근로계약서"):
        assert hits(rita, word) == [page_of(file)], word
    assert found(rita, "임금").hits[0].kind_label == "Evidence file"
    # ruth reads internal records: the file is internal, attached to an internal source.
    assert hits(ruth, "체불") == [page_of(file)]

    # The read and the text made from it are in the file's custody.
    events = [(e.entry.action, e.detail) for e in custody.report(file)]
    view = next(d for a, d in events if a == Action.FILE_VIEW and d.get("job") == job.pk)
    assert view["reason"] == reading.OCR_REASON and view["copy"] == "original"
    derive = next(d for a, d in events if a == Action.FILE_DERIVE and d.get("tool") == "tesseract")
    assert derive["tool"] == "tesseract" and derive["tool_version"] == text.tesseract_version()
    assert derive["languages"] == "kor+eng" and derive["segments"] == 1


@needs_tesseract
def test_a_scanned_pdf_is_read_page_by_page_with_progress(
    tmp_path, rita, django_capture_on_commit_callbacks
):
    pages = [
        samples.text_image(["여권압수"], fontsize=18),
        samples.text_image(["체불임금"], fontsize=18),
    ]
    pdf = samples.scanned_pdf(pages)
    with django_capture_on_commit_callbacks(execute=True):
        file = store(tmp_path, "scan.pdf", pdf, rita)
    assert EvidenceFile.objects.get(pk=file.pk).text_state == TextState.NONE  # no text layer
    reported = []
    job = ocr(file, rita, django_capture_on_commit_callbacks, lambda s, f: reported.append((s, f)))
    assert job.status == JobStatus.DONE and job.pages == 2
    assert [s.page for s in file.text_segments.order_by("page")] == [1, 2]
    fractions = [f for s, f in reported if s == "reading"]
    assert fractions == sorted(fractions) and len(fractions) >= 3
    assert hits(rita, "압수") == [page_of(file)]


def test_a_pdf_text_layer_is_read_on_arrival_and_indexed(
    tmp_path, rita, django_capture_on_commit_callbacks
):
    data = samples.pdf(["근로계약서 벌목장", "", "임금체불 contract"])
    with django_capture_on_commit_callbacks(execute=True):
        file = store(tmp_path, "roster.pdf", data, rita, title_en="Roster")
    file.refresh_from_db()
    assert file.text_state == TextState.EXTRACTED
    assert [(s.origin, s.page) for s in file.text_segments.all()] == [
        (TextOrigin.PDF_TEXT, 1),
        (TextOrigin.PDF_TEXT, 3),
    ]
    assert hits(rita, "벌목") == [page_of(file)]
    assert hits(rita, "체불 contract") == [page_of(file)]
    assert hits(rita, "roster") == [page_of(file)]
    derive = [
        e.detail
        for e in custody.report(file)
        if e.entry.action == Action.FILE_DERIVE and e.detail.get("tool") == "pymupdf"
    ]
    assert derive[0]["tool"] == "pymupdf" and derive[0]["pages"] == 2

    # `unseen search rebuild` writes the files' entries too.
    SearchEntry.objects.all().delete()
    assert hits(rita, "벌목") == []
    call_command("search", "rebuild")
    assert hits(rita, "벌목") == [page_of(file)]


def test_titles_description_and_credit_find_a_file(tmp_path, rita):
    file = store(tmp_path, "a.pdf", samples.pdf(["x"]), rita)
    file.title_ko = "하바롭스크 벌목장 사진"
    file.description_en = "Barracks at the camp gate"
    file.credit = "Photo: Kim Reporter / NK Watch"
    file.save()
    assert hits(rita, "벌목장") == [page_of(file)]
    assert hits(rita, "barracks") == [page_of(file)]
    assert hits(rita, "reporter") == [page_of(file)]


def test_a_reader_below_the_files_level_finds_nothing(tmp_path, rita, ruth, andy):
    open_source = factories.source("Open", access_level=INTERNAL)
    secret_source = factories.source("Secret", access_level=CONFIDENTIAL)
    data = samples.pdf(["임금체불 증언"])

    # A confidential file behind an internal record.
    file = store(tmp_path, "a.pdf", data, rita, access_level=CONFIDENTIAL, title_en="Payroll")
    storing.attach(file, open_source, rita)
    reading.extract_text(file)
    assert hits(rita, "체불") == [page_of(file)]
    for reader in (ruth, andy):
        results = found(reader, "체불")
        assert results.hits == [] and results.total == 0
        assert all(not values for _name, _label, values in results.facets)
        assert found(reader, "payroll").hits == []

    # An internal file behind a confidential record only: still hidden from ruth.
    file.access_level = INTERNAL
    file.save()
    assert hits(ruth, "체불") == [page_of(file)]
    storing.attach(file, secret_source, rita)
    assert hits(ruth, "체불") == [page_of(file)]  # the internal record still lets her in
    file.attachments.filter(object_id=open_source.pk).delete()
    assert hits(ruth, "체불") == []
    assert hits(rita, "체불") == [page_of(file)]
    # The record is opened to internal readers: so is the file.
    secret_source.access_level = INTERNAL
    secret_source.save()
    assert hits(ruth, "체불") == [page_of(file)]


def test_a_vtt_transcript_attaches_to_a_recording_with_time_codes(client, tmp_path, rita, ruth):
    recording = samples.tone(tmp_path, "interview.wav")
    file = storing.receive_path(recording, user=rita).file
    assert reading.is_recording(file)
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.500\n<v 면담자>여권은 누가 보관했습니까?\n\n"
        "00:01:05.000 --> 00:01:20.000\n회사가 여권을 압수했습니다.\n"
    ).encode()
    assert reading.attach_transcript(file, vtt, "interview.vtt", rita, "ko") == 2
    segments = list(file.text_segments.order_by("start_seconds"))
    assert [(s.start_seconds, s.end_seconds, s.language) for s in segments] == [
        (1.0, 4.5, "ko"),
        (65.0, 80.0, "ko"),
    ]
    assert segments[0].text == "면담자: 여권은 누가 보관했습니까?"
    file.refresh_from_db()
    assert file.text_state == TextState.EXTRACTED
    assert hits(rita, "압수") == [page_of(file)]

    client.force_login(ruth)
    page = client.get(page_of(file)).content.decode()
    assert "00:01 – 00:04" in page and "01:05 – 01:20" in page
    assert 'id="t-65"' in page and "회사가 여권을 압수했습니다." in page

    # A typed transcript in another language stands beside it; the form takes it.
    client.force_login(rita)
    typed = "00:01 Who kept your passport?\n01:05 The company took our passports."
    response = client.post(
        reverse("files:transcript", args=[file.pk]),
        {"transcript-typed": typed, "transcript-language": "en"},
    )
    assert response.status_code == 302
    assert file.text_segments.filter(language="en").count() == 2
    assert file.text_segments.filter(language="ko").count() == 2
    assert hits(rita, "passports") == [page_of(file)]
    derive = [
        e.detail
        for e in custody.report(file)
        if e.entry.action == Action.FILE_DERIVE and "format" in e.detail
    ]
    assert [d["format"] for d in derive] == ["vtt", "text"]


def test_a_transcript_that_does_not_read_is_refused_and_nothing_is_kept(client, tmp_path, rita):
    file = storing.receive_path(samples.tone(tmp_path, "a.wav"), user=rita).file
    client.force_login(rita)
    upload = io.BytesIO(b"WEBVTT\n\n00:05.000 --> 00:01.000\nbackwards\n")
    upload.name = "bad.vtt"
    response = client.post(
        reverse("files:transcript", args=[file.pk]),
        {"transcript-upload": upload, "transcript-language": "ko"},
        follow=True,
    )
    assert "ends before it starts" in response.content.decode()
    assert not file.text_segments.exists()
    pdf = store(tmp_path, "a.pdf", samples.pdf(["x"]), rita)
    with pytest.raises(reading.TextRefused):
        reading.attach_transcript(pdf, b"WEBVTT\n", "a.vtt", rita)


def test_ocr_without_tesseract_fails_with_a_reason_on_the_file_page(
    client, tmp_path, rita, monkeypatch, django_capture_on_commit_callbacks
):
    file = store(tmp_path, "scan.png", scan_png(["임금"]), rita)
    client.force_login(rita)
    page = client.get(page_of(file)).content.decode()
    if not text.tesseract_available():
        pytest.skip("needs tesseract to queue")
    assert "data-ocr" in page
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("files:ocr", args=[file.pk]))
    assert response.status_code == 302
    (job,) = TextJob.objects.filter(file=file)
    # tesseract is gone by the time the worker takes the job up.
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    job = reading.execute_ocr(job.pk)
    assert job.status == JobStatus.FAILED and "tesseract" in job.error
    file.refresh_from_db()
    assert file.text_state == TextState.FAILED
    monkeypatch.undo()
    page = client.get(page_of(file)).content.decode()
    assert "data-text-failed" in page and "apt-get install tesseract-ocr" in page
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("files:ocr", args=[file.pk]))
    assert EvidenceFile.objects.get(pk=file.pk).text_state == TextState.OCR_QUEUED


def test_a_file_whose_stored_bytes_changed_fails_ocr_and_says_why(
    tmp_path, rita, django_capture_on_commit_callbacks
):
    if not text.tesseract_available():
        pytest.skip("needs tesseract to queue")
    file = store(tmp_path, "scan.png", scan_png(["임금"]), rita)
    path = storing.blob_path(file.blob)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    before = workspaces()
    job = ocr(file, rita, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED and "verify" in reading.failure_text(job)
    assert workspaces() == before
    assert EvidenceFile.objects.get(pk=file.pk).text_state == TextState.FAILED


def test_only_scans_and_photos_are_offered_ocr(tmp_path, rita):
    recording = storing.receive_path(samples.tone(tmp_path, "a.wav"), user=rita).file
    with pytest.raises(reading.TextRefused):
        reading.queue_ocr(recording, rita)
    assert not TextJob.objects.exists()


@pytest.fixture
def coded(tmp_path, rita):
    source = factories.source("Interview 12", kind=SourceKind.INTERVIEW, access_level=INTERNAL)
    testimony = Testimony.objects.create(source=source, consent_to_use=True, access_level=INTERNAL)
    document = store(tmp_path, "contract.pdf", samples.pdf(["a", "여권 보관"]), rita)
    recording = storing.receive_path(samples.tone(tmp_path, "i.wav"), user=rita).file
    secret = store(tmp_path, "s.pdf", samples.pdf(["b"]), rita, access_level=CONFIDENTIAL)
    for file in (document, recording, secret):
        storing.attach(file, testimony, rita)
    reading.extract_text(document)
    return testimony, document, recording, secret


def test_a_passage_is_cited_beside_the_coding(client, rita, ruth, coded):
    testimony, document, recording, secret = coded
    client.force_login(rita)
    coding_page = reverse("documentation:coding", args=[testimony.pk])
    cite = reverse("files:cite_passage", args=[testimony.pk])
    page = client.get(coding_page).content.decode()
    assert "data-cite-passage" in page and "No passage cited yet." in page

    response = client.post(
        cite,
        {
            "passage-indicator": Indicator.RETENTION_OF_DOCUMENTS,
            "passage-file": document.pk,
            "passage-page": "2",
            "passage-note": "the minder kept the passports",
        },
    )
    assert response.status_code == 302
    client.post(
        cite,
        {
            "passage-indicator": Indicator.RETENTION_OF_DOCUMENTS,
            "passage-file": recording.pk,
            "passage-start": "01:05",
            "passage-end": "01:20",
        },
    )
    client.post(
        cite,
        {
            "passage-indicator": Indicator.RETENTION_OF_DOCUMENTS,
            "passage-file": secret.pk,
            "passage-page": "1",
        },
    )
    coding = testimony.codings.get(indicator=Indicator.RETENTION_OF_DOCUMENTS)
    assert [
        (p.file, p.page, p.start_seconds, p.end_seconds) for p in coding.passages.order_by("pk")
    ] == [
        (document, 2, None, None),
        (recording, None, 65.0, 80.0),
        (secret, 1, None, None),
    ]
    page = client.get(coding_page).content.decode()
    assert f'href="{page_of(document)}#page-2"' in page
    assert "01:05 – 01:20" in page and "the minder kept the passports" in page
    testimony_page = client.get(reverse("documentation:detail", args=["testimonies", testimony.pk]))
    assert f"{page_of(document)}#page-2" in testimony_page.content.decode()

    # ruth does not read the confidential file: its passage is not shown to her.
    client.force_login(ruth)
    page = client.get(coding_page).content.decode()
    assert page.count("data-passage=") == 2 and secret.code not in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"passage-page": "2", "passage-start": "00:10"}, "not both"),
        ({}, "Say where in the file"),
        ({"passage-start": "1:99"}, "mm:ss"),
        ({"passage-start": "02:00", "passage-end": "01:00"}, "cannot end before it starts"),
    ],
)
def test_a_passage_that_says_no_place_is_refused(client, rita, coded, data, error):
    testimony, _document, recording, _secret = coded
    client.force_login(rita)
    response = client.post(
        reverse("files:cite_passage", args=[testimony.pk]),
        {"passage-indicator": Indicator.DEBT_BONDAGE, "passage-file": recording.pk, **data},
        follow=True,
    )
    assert error in response.content.decode()
    assert not Passage.objects.exists()


def test_a_passage_of_a_file_not_attached_to_the_testimony_is_refused(tmp_path, rita, coded):
    testimony, *_ = coded
    elsewhere = store(tmp_path, "other.pdf", samples.pdf(["c"]), rita)
    with pytest.raises(ValueError, match="not attached"):
        passages.cite(testimony, indicator=Indicator.DEBT_BONDAGE, file=elsewhere, page=1)
    form = passages.PassageForm(
        {
            "passage-indicator": Indicator.DEBT_BONDAGE,
            "passage-file": elsewhere.pk,
            "passage-page": 1,
        },
        testimony=testimony,
        user=rita,
    )
    assert not form.is_valid() and "file" in form.errors


def test_no_plaintext_is_left_when_reading_a_pdf(tmp_path, rita):
    file = store(tmp_path, "a.pdf", samples.pdf(["임금"]), rita)
    before = workspaces()
    assert reading.extract_text(file) == 1
    assert workspaces() == before
    assert AuditEntry.objects.filter(action=Action.FILE_VIEW, target_id=str(file.pk)).exists()


@needs_tesseract
def test_the_command_line_reads_a_scan_with_a_progress_bar(tmp_path, rita, capsys):
    file = store(tmp_path, "scan.png", scan_png(["여권압수"]), rita)
    call_command("files", "ocr", file.code)
    out, _err = capsys.readouterr()
    assert out.startswith(f"{file.code}: 1 piece(s) of text from 1 page(s) (tesseract ")
    assert hits(rita, "압수") == [page_of(file)]
    derive = next(
        e
        for e in custody.report(file)
        if e.entry.action == Action.FILE_DERIVE and e.detail.get("tool") == "tesseract"
    )
    assert derive.entry.actor == "cli"


def test_the_command_line_says_what_it_cannot_read(tmp_path, rita, capsys):
    recording = storing.receive_path(samples.tone(tmp_path, "a.wav"), user=rita).file
    with pytest.raises(SystemExit) as exit:
        call_command("files", "ocr", str(recording.pk))
    assert exit.value.code == 2
    assert "Only PDF documents and images" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        call_command("files", "ocr", "F-99999")


@needs_tesseract
def test_a_running_job_cancelled_stops_after_its_page_and_leaves_nothing(
    tmp_path, rita, django_capture_on_commit_callbacks
):
    pages = [samples.text_image([f"{n}쪽 임금"], fontsize=18) for n in range(1, 4)]
    file = store(tmp_path, "scan.pdf", samples.scanned_pdf(pages), rita)
    before = workspaces()

    def bar(stage, fraction):
        if stage == "reading" and fraction > reading.DECRYPTED_AT:
            reading.cancel_ocr(TextJob.objects.get(file=file))

    job = ocr(file, rita, django_capture_on_commit_callbacks, bar)
    assert job.status == JobStatus.CANCELLED and job.cancel_requested_at is not None
    assert not file.text_segments.exists() and workspaces() == before
    assert EvidenceFile.objects.get(pk=file.pk).text_state == TextState.NONE
    # The thumbnail made on arrival is a derived copy too; no text was derived.
    assert not [
        e
        for e in custody.report(file)
        if e.entry.action == Action.FILE_DERIVE and e.detail.get("tool") == "tesseract"
    ]


def test_files_are_a_kind_of_the_search_with_their_own_filter(tmp_path, rita):
    file = store(tmp_path, "a.pdf", samples.pdf(["x"]), rita, title_en="Amur payroll")
    factories.source("Amur payroll report")
    results = searching.run(searching.parse({"q": "amur payroll", "kind": "files"}), rita)
    assert [hit.url for hit in results.hits] == [page_of(file)]
    with translation.override("en"):
        facets = found(rita, "amur payroll").facets
    kinds = {name: values for name, _label, values in facets}
    assert {(v.value, v.label, v.count) for v in kinds["kind"]} == {
        ("files", "Evidence files", 1),
        ("sources", "Sources", 1),
    }
    assert searching.parse({"kind": "evidence files"}).filters == {"kind": "files"}


def test_ocr_is_offered_for_scans_not_for_a_whole_text_layer(
    client, tmp_path, rita, django_capture_on_commit_callbacks
):
    cover = {0: "근로계약서 표지 contract cover page"}
    scans = [samples.text_image(["임금"]), samples.text_image(["여권"]), samples.text_image(["x"])]
    with django_capture_on_commit_callbacks(execute=True):
        typed = store(tmp_path, "typed.pdf", samples.pdf(["근로계약서 벌목장"]), rita)
        mixed = store(tmp_path, "mixed.pdf", samples.scanned_pdf(scans, text_pages=cover), rita)
        scan = store(tmp_path, "scan.png", scan_png(["임금"]), rita)
    typed.refresh_from_db()
    mixed.refresh_from_db()
    assert (typed.text_state, typed.scanned_pages) == (TextState.EXTRACTED, 0)
    assert (mixed.text_state, mixed.scanned_pages) == (TextState.EXTRACTED, 2)
    client.force_login(rita)
    assert "data-ocr" not in client.get(page_of(typed)).content.decode()
    if text.tesseract_available():
        assert "OCR its scanned pages (2)" in client.get(page_of(mixed)).content.decode()
        assert "OCR this file" in client.get(page_of(scan)).content.decode()


def test_a_transcript_without_the_csrf_token_is_refused(tmp_path, rita):
    from django.test import Client

    file = storing.receive_path(samples.tone(tmp_path, "a.wav"), user=rita).file
    client = Client(enforce_csrf_checks=True)
    client.force_login(rita)
    response = client.post(
        reverse("files:transcript", args=[file.pk]), {"transcript-typed": "00:01 hello"}
    )
    assert response.status_code == 403
    assert not file.text_segments.exists()
