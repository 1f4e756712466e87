"""A walk through the pages of evidence files, as each persona sees them, for a person to look at.

Screenshots at 1366×900 and 390×844 go to var/screenshots/files-walk/ (UNSEEN_SCREENSHOTS names
another folder): a source's page with its files panel and upload form, the upload page, a file's
page before and after publication, its custody report, its redaction page (a photo and a PDF),
the review page, the public gallery and a public file page (anonymous), and a file's page in
Korean (with ko-new.tsv's strings compiled in, before they are merged into django.po). It checks
that no page scrolls sideways and none is blank, but it is for a person's eyes: it runs only when
UNSEEN_WALK is set (`UNSEEN_WALK=1 pytest tests/browser/test_files_walk.py`).
"""

import os
from pathlib import Path

import pytest

from tests.browser.test_accessibility import evidence_editors, sign_in
from tests.conftest import make_user
from tests.files.samples import published_file
from unseen.accounts.models import User
from unseen.accounts.roles import Role
from unseen.demo import files as demo
from unseen.demo.loading import load_demo
from unseen.evidence.models import Source
from unseen.files import storing

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("UNSEEN_WALK"), reason="a walk to look at: UNSEEN_WALK=1"
    ),
]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
FOLDER = (
    Path(os.environ.get("UNSEEN_SCREENSHOTS") or Path(__file__).parents[2] / "var" / "screenshots")
    / "files-walk"
)


def files_to_walk():
    """The demo's records, its three files on a public source, and one published photo."""
    load_demo()
    rita, alice = evidence_editors()
    source = Source.objects.filter(access_level="public").order_by("pk").first()
    made = {}
    for item in demo.demo_files():
        file = storing.receive(
            [item.content],
            name=item.name,
            user=rita,
            title_en=item.title_en,
            title_ko=item.title_ko,
            description_en=item.description_en,
            description_ko=item.description_ko,
            creator=item.creator,
            credit=item.credit,
            licence=item.licence,
        ).file
        storing.attach(file, source, rita)
        made[item.content_type] = file
    published = published_file(
        rita,
        alice,
        record=source,
        title_en="NASA astronaut Eileen Collins",
        title_ko="NASA 우주비행사 아일린 콜린스",
    )
    return source, made, published


def shoot(page, url, name, size):
    from PIL import Image, ImageStat

    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => [...document.images].every(i => i.complete)")
    path = FOLDER / f"{name}-{size}.png"
    page.screenshot(path=str(path), full_page=True)
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    with Image.open(path) as image:
        assert max(ImageStat.Stat(image.convert("L")).stddev) > 5, f"{path.name} looks blank"
    return path, wide


@pytest.fixture
def korean_with_new_strings(settings, tmp_path):
    """The Korean catalogue with ko-new.tsv's entries (not yet merged into django.po), compiled
    into a folder of this test's own: the Korean pages as they will read once merged."""
    import subprocess

    from tests.test_i18n import LOCALE, read_po

    root = Path(__file__).parents[2]
    known = {entry["msgid"] for entry in read_po(LOCALE / "django.po")}
    lines = [(LOCALE / "django.po").read_text(encoding="utf-8")]
    pending = root / "ko-new.tsv"  # absent once merged: then the catalogue alone
    for row in (pending.read_text(encoding="utf-8") if pending.exists() else "").splitlines():
        if "\t" not in row:
            continue
        msgid, msgstr = row.split("\t", 1)
        if msgid in known:
            continue
        known.add(msgid)
        quote = lambda text: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'  # noqa: E731
        lines.append(f"\nmsgid {quote(msgid)}\nmsgstr {quote(msgstr)}\n")
    folder = tmp_path / "locale" / "ko" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text("".join(lines), encoding="utf-8")
    subprocess.run(
        ["msgfmt", "-o", str(folder / "django.mo"), str(folder / "django.po")], check=True
    )
    settings.LOCALE_PATHS = [str(tmp_path / "locale")]


@pytest.mark.parametrize("size", SIZES)
def test_a_walk_through_the_pages_of_evidence_files(
    browser, live_server, size, korean_with_new_strings
):
    source, made, published = files_to_walk()
    make_user("andy", Role.ANALYST)
    make_user("mona", Role.MODERATOR)
    pdf, scan, photo = made["application/pdf"], made["image/png"], made["image/jpeg"]
    from unseen.evidence import reviewing

    reviewing.send_to_review(scan, User.objects.get(username="rita"))
    FOLDER.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    walks = {
        "rita": [
            ("files", "/app/files/"),
            ("source", f"/app/sources/{source.pk}/"),
            ("upload", f"/app/files/upload/sources/{source.pk}/"),
            ("file-pdf", f"/app/files/{pdf.pk}/"),
            ("file-published", f"/app/files/{published.pk}/"),
            ("custody", f"/app/files/{pdf.pk}/custody/"),
            ("redact-photo", f"/app/files/{photo.pk}/redact/"),
            ("redact-pdf", f"/app/files/{pdf.pk}/redact/"),
        ],
        "andy": [
            ("source", f"/app/sources/{source.pk}/"),
            ("file-scan", f"/app/files/{scan.pk}/"),
            ("custody", f"/app/files/{scan.pk}/custody/"),
        ],
        "mona": [("workspace", "/app/"), ("file-pdf", f"/app/files/{pdf.pk}/")],
        "alice": [
            ("files-waiting", "/app/files/?step=review"),
            ("file-photo", f"/app/files/{photo.pk}/"),
            ("review-published", f"/app/files/{published.pk}/review/"),
            ("review-pdf", f"/app/files/{pdf.pk}/review/"),
        ],
        "anonymous": [
            ("home", "/"),
            ("gallery", "/evidence/"),
            ("public-file", f"/evidence/{published.pk}/"),
        ],
    }
    sideways = []
    for persona, stops in walks.items():
        context = browser.new_context(locale="en-GB", bypass_csp=True, viewport=SIZES[size])
        page = context.new_page()
        page.set_default_timeout(30_000)
        if persona != "anonymous":
            sign_in(page, live_server, persona)
        for name, path in stops:
            shot, wide = shoot(page, f"{base}{path}", f"{persona}-{name}", size)
            if wide > SIZES[size]["width"]:
                sideways.append(f"{shot.name}: {wide} px")
        if persona == "rita":
            # An upload from the source's page, and what it became.
            folder = FOLDER.parent / f"upload-{size}"
            folder.mkdir(exist_ok=True)
            (folder / "scan.png").write_bytes(demo.contract_scan_png())
            (folder / "note.txt").write_bytes(b"not evidence")
            page.goto(f"{base}/app/sources/{source.pk}/")
            form = page.locator("[data-files-panel] form[data-upload-form]")
            form.locator("input[type=file]").set_input_files(
                [str(folder / "scan.png"), str(folder / "note.txt")]
            )
            form.locator("button[type=submit]").click()
            page.wait_for_selector("[data-upload-results]")
            page.screenshot(path=str(FOLDER / f"rita-upload-results-{size}.png"), full_page=True)
            # The same file's page in Korean, through the language switch.
            page.goto(f"{base}/app/files/{pdf.pk}/")
            page.select_option("header select[name=language]", "ko")
            page.wait_for_load_state("networkidle")
            page.wait_for_selector("html[lang=ko]")
            shoot(page, f"{base}/app/files/{pdf.pk}/", "rita-file-pdf-ko", size)
            shoot(page, f"{base}/app/sources/{source.pk}/", "rita-source-ko", size)
            shoot(page, f"{base}/app/files/{published.pk}/review/", "rita-review-ko", size)
            shoot(page, f"{base}/app/files/", "rita-files-ko", size)
        context.close()
    print("Screenshots in", FOLDER)
    assert sideways == []
