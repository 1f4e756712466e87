"""The share card: a 1200 × 630 PNG of a finding's title and summary for Open Graph and Twitter.

Korean titles need a CJK font: the system's Noto Sans CJK is found with fc-match once per process;
without it the card falls back to Pillow's default font rather than failing the page.
"""

import functools
import hashlib
import io
import shutil
import subprocess
import textwrap
from typing import Any

from django.core.cache import cache

WIDTH, HEIGHT = 1200, 630
INK, PAPER, ACCENT = (20, 24, 31), (250, 248, 243), (163, 32, 38)


@functools.lru_cache(maxsize=4)
def font_path(pattern: str = "Noto Sans CJK KR:style=Bold") -> str:
    """The file of the system font best matching `pattern`, or "" without fontconfig."""
    program = shutil.which("fc-match")
    if not program:
        return ""
    try:
        found = subprocess.run(  # noqa: S603 - a fixed program and pattern, no shell
            [program, "-f", "%{file}", pattern], capture_output=True, text=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return found


def _font(size: int, bold: bool = True) -> Any:
    from PIL import ImageFont

    path = font_path("Noto Sans CJK KR:style=Bold" if bold else "Noto Sans CJK KR")
    if path:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            pass
    return ImageFont.load_default(size=size)


def _wrap(text: str, width: int) -> list[str]:
    # Korean has no spaces to break at as often as English: wrap on characters when needed.
    lines = textwrap.wrap(text, width=width) or [""]
    return [
        piece for line in lines for piece in textwrap.wrap(line, width=width, break_long_words=True)
    ]


def card_png(title: str, summary: str, label: str, status: str = "") -> bytes:
    key = (
        "unseen:finding-card:"
        + hashlib.sha256("\x00".join((title, summary, label, status)).encode()).hexdigest()
    )
    cached = cache.get(key)
    if cached is not None:
        return cached
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 24, HEIGHT), fill=ACCENT)
    draw.text((80, 60), label, font=_font(34), fill=ACCENT)
    wide = any(ord(ch) > 0x1100 for ch in title)
    y = 130
    for line in _wrap(title, 22 if wide else 34)[:4]:
        draw.text((80, y), line, font=_font(60), fill=INK)
        y += 78
    y += 20
    for line in _wrap(summary, 40 if wide else 64)[:3]:
        draw.text((80, y), line, font=_font(30, bold=False), fill=INK)
        y += 42
    if status:
        draw.text((80, HEIGHT - 80), status, font=_font(34), fill=ACCENT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    data = out.getvalue()
    cache.set(key, data, timeout=24 * 3600)
    return data
