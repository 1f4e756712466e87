"""Benchmark: an evidence file uploaded through the upload page, and `unseen files verify`.

Acceptance (issue 19): a 1 GB upload hashed and encrypted while streaming at 150 MB/s or more, with
peak memory under 150 MB; `unseen files verify` over 10,000 files (1 GB in all) under 30 s.

1. a fresh SQLite database in a temporary UNSEEN_VAR_DIR (`unseen migrate`, `unseen keys init`);
2. this script in `--upload` mode, a process of its own: Django set up, a researcher signed in, and
   one multipart POST to /app/files/upload/sources/ID/ whose body is made as it is read (never
   held in memory), through every middleware, the CSRF check, the upload handler and `storing`;
   its wall-clock time and its peak resident memory (ru_maxrss, the whole process) are measured;
3. `--fill` mode stores COUNT files of SIZE bytes through `storing.receive` (setup, not timed);
4. `unseen files verify` is timed as a command.

    .venv/bin/python benchmarks/bench_files.py [--upload-mb 1024] [--files 10000] [--json OUT]

UNSEEN_BENCH_FILES_UPLOAD_MB and UNSEEN_BENCH_FILES_COUNT override the defaults.
"""

import argparse
import io
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_import import Database
from harness import ROOT, Figure, Result, run_timed

TARGET_MB_PER_S = 150.0  # a rate: checked as "seconds per GB" below, lower is better
TARGET_PEAK_MB = 150.0
TARGET_VERIFY_S = 30.0
BOUNDARY = "unseenbenchboundary7MA4YWxkTrZu0gW"
BLOCK = os.urandom(1 << 20)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--upload-mb",
        type=int,
        default=int(os.environ.get("UNSEEN_BENCH_FILES_UPLOAD_MB", 1024)),
    )
    parser.add_argument(
        "--files", type=int, default=int(os.environ.get("UNSEEN_BENCH_FILES_COUNT", 10000))
    )
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--upload", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--fill", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    return parser.parse_args()


class MultipartBody(io.RawIOBase):
    """A multipart/form-data body of the upload form with one file of `size` bytes, made as read."""

    def __init__(self, size: int):
        fields = "".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in (("upload-access_level", "internal"), ("upload-licence", "unknown"))
        )
        self.head = (
            fields + f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
            'filename="recording.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.size = size
        self.length = len(self.head) + size + len(self.tail)
        self.at = 0

    def readable(self) -> bool:
        return True

    def read(self, wanted: int = -1) -> bytes:
        if wanted is None or wanted < 0:
            wanted = self.length - self.at
        parts = []
        while wanted > 0 and self.at < self.length:
            part = self._at(self.at, wanted)
            parts.append(part)
            self.at += len(part)
            wanted -= len(part)
        return b"".join(parts)

    def _at(self, offset: int, wanted: int) -> bytes:
        if offset < len(self.head):
            return self.head[offset : offset + wanted]
        offset -= len(self.head)
        if offset < self.size:
            start = offset % len(BLOCK)
            return BLOCK[start : start + min(wanted, self.size - offset, len(BLOCK) - start)]
        offset -= self.size
        return self.tail[offset : offset + wanted]


def setup_django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unseen.config.settings")
    import django

    django.setup()


def upload(megabytes: int, out: Path) -> None:
    """Second process: one upload of `megabytes` MB through the page; figures to `out`."""
    setup_django()
    from django.test import Client

    from unseen.accounts.models import User
    from unseen.evidence.models import Source
    from unseen.files.models import EvidenceFile

    user = User.objects.create(username="bench-researcher", role="researcher")
    source = Source.objects.create(title="Bench recording", kind="interview")
    client = Client()
    client.force_login(user)
    body = MultipartBody(megabytes << 20)
    start = time.perf_counter()
    response = client.generic(
        "POST",
        f"/app/files/upload/sources/{source.pk}/",
        b"",
        **{
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "CONTENT_LENGTH": str(body.length),
            "wsgi.input": body,
        },
    )
    seconds = time.perf_counter() - start
    if response.status_code != 302:
        raise SystemExit(
            f"bench_files: the upload answered {response.status_code}: {response.content.decode()[-6000:]}"
        )
    stored = EvidenceFile.objects.get()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.write_text(
        json.dumps(
            {"seconds": seconds, "peak_mb": peak, "size": stored.size, "sha256": stored.sha256}
        )
    )


def fill(count: int, size: int) -> None:
    """Setup: `count` files of `size` bytes each, distinct, through `storing.receive`."""
    setup_django()
    from django.db import transaction

    from unseen.audit.context import current_actor
    from unseen.files import storing

    current_actor.set("bench")
    for start in range(0, count, 500):
        with transaction.atomic():  # one commit per 500 files: this is setup, not the figure
            for number in range(start, min(start + 500, count)):
                head = number.to_bytes(8, "big")
                storing.receive([head, BLOCK[: size - len(head)]], name=f"f{number}", user=None)


def main() -> None:
    args = parse_args()
    if args.upload is not None:
        upload(args.upload, args.out)
        return
    if args.fill is not None:
        fill(args.fill, (args.upload_mb << 20) // max(args.fill, 1))
        return
    result = Result("files")
    folder = Path(tempfile.mkdtemp(prefix="unseen-bench-files-"))
    try:
        up = Database(folder / "upload")
        up.env["UNSEEN_REQUIRE_2FA"] = "false"
        up.env["UNSEEN_FILES_MAX_MB"] = str(args.upload_mb + 1)
        figures = folder / "upload.json"
        here = str(Path(__file__))
        run_timed(
            [sys.executable, here, "--upload", str(args.upload_mb), "--out", str(figures)],
            up.env,
            ROOT,
            folder / "logs" / "upload",
        ).check()
        measured = json.loads(figures.read_text())
        rate = args.upload_mb / measured["seconds"]
        result.details.update(upload_mb=args.upload_mb, upload_mb_per_s=round(rate, 1))
        result.add(
            Figure(
                "upload: seconds per GB (hash + encrypt while streaming)",
                measured["seconds"] * 1024 / args.upload_mb,
                "s",
                target=1024 / TARGET_MB_PER_S,
            )
        )
        print(f"upload rate: {rate:.0f} MB/s (target >= {TARGET_MB_PER_S:g})", flush=True)
        result.add(
            Figure("upload: peak memory of the process", measured["peak_mb"], "MB", TARGET_PEAK_MB)
        )

        many = Database(folder / "verify")
        run_timed(
            [sys.executable, here, "--fill", str(args.files), "--upload-mb", "1024"],
            many.env,
            ROOT,
            folder / "logs" / "fill",
        ).check()
        verify = many.run("verify", ["files", "verify"]).check()
        result.details.update(verify_files=args.files, verify_output=verify.stdout.strip())
        result.add(
            Figure(f"verify {args.files} files (1 GB)", verify.seconds, "s", TARGET_VERIFY_S)
        )
        result.add(Figure("verify: peak memory", verify.max_rss_mb, "MB"))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    result.write(args.json)


if __name__ == "__main__":
    main()
