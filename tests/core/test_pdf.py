"""The PDF renderer: offline, and the same bytes from the same document."""

import hashlib
import http.server
import threading

import pymupdf
import pytest

from unseen.core.pdf import RemoteFetchRefused, render_pdf

PAGE = """<html lang="ko"><head><meta charset="utf-8">
<meta name="dcterms.created" content="2025-03-01T00:00:00Z">
<style>@page {{ size: A4; @top-center {{ content: "INTERNAL" }} }}
body {{ font-family: "Noto Sans CJK KR", "DejaVu Sans", sans-serif }}
.note {{ float: footnote }}</style></head>
<body><h1>합성 보고서 Synthetic report</h1><p>A statement<span class="note">Source 1, B2</span></p>
{extra}</body></html>"""


def test_it_gives_the_same_bytes_for_the_same_document():
    first = render_pdf(PAGE.format(extra=""))
    second = render_pdf(PAGE.format(extra=""))
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    assert render_pdf(PAGE.format(extra="<p>more</p>")) != first


def test_it_writes_the_text_with_its_hangul_and_the_marking():
    pdf = pymupdf.open(stream=render_pdf(PAGE.format(extra="")), filetype="pdf")
    text = pdf[0].get_text()
    assert "합성 보고서" in text
    assert "INTERNAL" in text
    assert "Source 1, B2" in text


class _Counting(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):
        _Counting.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def web_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counting)
    _Counting.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.mark.parametrize(
    "tag",
    [
        '<img src="{url}/photo.png" alt="">',
        '<link rel="stylesheet" href="{url}/style.css">',
        '<div style="background: url({url}/b.png)">x</div>',
    ],
)
def test_it_refuses_a_remote_resource_and_asks_the_server_nothing(web_server, tag):
    with pytest.raises(RemoteFetchRefused):
        render_pdf(PAGE.format(extra=tag.format(url=web_server)))
    assert _Counting.requests == []


def test_it_refuses_a_local_file(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for the document")
    with pytest.raises(RemoteFetchRefused):
        render_pdf(PAGE.format(extra=f'<img src="file://{secret}" alt="">'))


def test_it_takes_named_assets_and_data_urls():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    pdf = render_pdf(
        PAGE.format(
            extra='<img src="asset:box.svg" alt=""><img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 width=%221%22 height=%221%22/%3E" alt="">'
        ),
        assets={"box.svg": (svg, "image/svg+xml")},
    )
    assert pdf.startswith(b"%PDF")
    with pytest.raises(RemoteFetchRefused):
        render_pdf(PAGE.format(extra='<img src="asset:missing.svg" alt="">'))


def test_rendering_leaves_pillow_refusing_truncated_images():
    # WeasyPrint turns this on for the whole process when imported; an upload's check relies on it.
    from PIL import ImageFile

    render_pdf(PAGE.format(extra=""))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
