"""Benchmark: evidence files — a 1 GB upload streamed into storage, and `unseen files verify`.

Targets (issue 19): a 1 GB upload hashed and encrypted while streaming at 150 MB/s or more with
peak memory under 150 MB; `unseen files verify` over 10,000 files (1 GB in all) under 30 s.

1. Upload: a fresh SQLite database (`unseen migrate`, `unseen keys init`); then, in a process of
   its own (so that its peak resident memory, `ru_maxrss`, is the upload's), the body of a
   multipart POST carrying one 1 GiB recording (a WAV header and 1 GiB of samples: an interview
   of an hour and a half) is generated as it is read, never held whole, and
   a. posted to the upload page (/app/files/upload/sources/ID/) by a signed-in researcher through
      every middleware, the CSRF check, the upload handler and `storing`, to the redirect that
      follows a stored file: the end-to-end figure, checks included (the targets);
   b. in a second process, given to Django's `MultiPartParser` with the evidence upload handler
      alone, to tell apart the streaming (hashed with SHA-256 and sealed with AES-256-GCM in 1 MiB
      segments into its `.part` file while the parser reads) from `storing.keep` (the content
      checked on a private clear copy, ffprobe reading the recording, its metadata, the row).
2. Verify: 10,000 files of 104,858 bytes (1 GiB together, each distinct) are sealed through
   `storing.Receiver` and their rows written in bulk (setting up is not measured); then
   `unseen files verify` runs as an operator runs it and is timed by wall clock. It must exit 0
   having verified all 10,000.

    .venv/bin/python benchmarks/bench_files.py [--upload-mb 1024] [--files 10000]
        [--total-mb 1024] [--json OUT] [--keep]

UNSEEN_BENCH_FILES_UPLOAD_MB, UNSEEN_BENCH_FILES_COUNT and UNSEEN_BENCH_FILES_TOTAL_MB override
the defaults (for a quick run).
"""

import argparse
import json
import os
import resource
import shutil
import struct
import sys
import tempfile
import time
from pathlib import Path

from bench_import import Database, expect
from harness import ROOT, Figure, Result

MB = 1 << 20
TARGET_MB_PER_SECOND = 150.0
TARGET_PEAK_MB = 150.0
TARGET_VERIFY_SECONDS = 30.0
BOUNDARY = "----UnseenBenchBoundary7MA4YWxkTrZu0gW"
BLOCK = 1 << 20  # the body is generated in blocks of this size


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--upload-mb",
        type=int,
        default=int(os.environ.get("UNSEEN_BENCH_FILES_UPLOAD_MB", 1024)),
        help="size of the uploaded file in MiB",
    )
    parser.add_argument(
        "--files", type=int, default=int(os.environ.get("UNSEEN_BENCH_FILES_COUNT", 10_000))
    )
    parser.add_argument(
        "--total-mb",
        type=int,
        default=int(os.environ.get("UNSEEN_BENCH_FILES_TOTAL_MB", 1024)),
        help="the files verified, in MiB together",
    )
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--child", choices=["page", "upload", "populate"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


# --- The body of the upload, generated as it is read ---------------------------------------------


def wav_header(data_bytes: int) -> bytes:
    """A WAV header for `data_bytes` of 16-bit stereo PCM at 48 kHz."""
    rate, channels, bits = 48_000, 2, 16
    block = channels * bits // 8
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, bits)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


class Body:
    """A multipart/form-data body carrying one WAV file of `size` bytes, made as it is read.

    The samples are one random MiB repeated with a counter in each block, so that no two blocks
    are alike and nothing of size `size` is ever in memory.
    """

    def __init__(self, size: int):
        header = wav_header(size - 44)
        self.head = (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="upload-access_level"\r\n\r\ninternal\r\n'
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="upload-licence"\r\n\r\nunknown\r\n'
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="files"; filename="interview.wav"\r\n'
            "Content-Type: audio/wav\r\n\r\n"
        ).encode() + header
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.samples = size - 44
        self.length = len(self.head) + self.samples + len(self.tail)
        self._noise = os.urandom(BLOCK)
        self._pending = bytearray(self.head)
        self._sent = 0  # samples generated so far
        self._done = False

    def _more(self) -> None:
        if self._sent < self.samples:
            count = min(BLOCK, self.samples - self._sent)
            block = struct.pack("<Q", self._sent) + self._noise[8:count]
            self._pending += block[:count]
            self._sent += count
        elif not self._done:
            self._pending += self.tail
            self._done = True

    def readline(self, size: int = -1) -> bytes:
        """What LimitedStream (the WSGI request's body) asks of a stream; the parser reads."""
        line = bytearray()
        while not line.endswith(b"\n") and (size < 0 or len(line) < size):
            byte = self.read(1)
            if not byte:
                break
            line += byte
        return bytes(line)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.length
        while len(self._pending) < size and not self._done:
            self._more()
        chunk = bytes(self._pending[:size])
        del self._pending[:size]
        return chunk


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def child_upload(size_mb: int, out: Path) -> None:
    """In a process of its own: one upload through the parser and the handler, then kept."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unseen.config.settings")
    import django

    django.setup()
    from django.core.handlers.wsgi import LimitedStream
    from django.http.multipartparser import MultiPartParser

    from unseen.accounts.models import User
    from unseen.accounts.roles import Role
    from unseen.audit.context import current_actor
    from unseen.evidence.models import Source
    from unseen.files import storing
    from unseen.files.uploading import EvidenceUploadHandler

    current_actor.set("bench")
    # No password: hashing one (Argon2, 100 MB of memory by design) would be the peak measured.
    user = User(username="bench", role=Role.RESEARCHER)
    user.set_unusable_password()
    user.save()
    source = Source.objects.create(kind="interview", title="Bench interview")
    before = peak_mb()
    body = Body(size_mb * MB)
    meta = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(body.length),
    }
    handler = EvidenceUploadHandler(None)
    start = time.perf_counter()
    parser = MultiPartParser(meta, LimitedStream(body, body.length), [handler], "utf-8")
    post, _files = parser.parse()
    streamed = time.perf_counter() - start
    try:
        [(name, sealed)] = handler.sealed
        kept_at = time.perf_counter()
        received = storing.keep(
            sealed, name=name, user=user, access_level=post["upload-access_level"]
        )
        handler.kept.add(sealed.blob)
        storing.attach(received.file, source, user)
        kept = time.perf_counter() - kept_at
    finally:
        handler.discard_unkept()
    file = received.file
    out.write_text(
        json.dumps(
            {
                "bytes": file.size,
                "body_bytes": body.length,
                "sha256": file.sha256,
                "content_type": file.content_type,
                "streamed_seconds": streamed,
                "kept_seconds": kept,
                "peak_mb": peak_mb(),
                "peak_mb_before_upload": before,
                "embedded_metadata": file.embedded_metadata,
                "stored_bytes": storing.blob_path(file.blob).stat().st_size,
            }
        )
    )


def child_page(size_mb: int, out: Path) -> None:
    """In a process of its own: one upload through the upload page, as a browser posts it."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unseen.config.settings")
    import django

    django.setup()
    from django.test import Client

    from unseen.accounts.models import User
    from unseen.accounts.roles import Role
    from unseen.evidence.models import Source
    from unseen.files import storing
    from unseen.files.models import EvidenceFile

    user = User(username="bench", role=Role.RESEARCHER)  # no password: see child_upload
    user.set_unusable_password()
    user.save()
    source = Source.objects.create(kind="interview", title="Bench interview")
    client = Client()
    client.force_login(user)
    body = Body(size_mb * MB)
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
    file = EvidenceFile.objects.first()
    if response.status_code != 302 or file is None:
        page = client.get(f"/app/files/upload/sources/{source.pk}/").content.decode()
        raise SystemExit(f"bench_files: the upload was not stored ({response.status_code}): {page}")
    out.write_text(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak_mb(),
                "bytes": file.size,
                "sha256": file.sha256,
                "content_type": file.content_type,
                "stored_bytes": storing.blob_path(file.blob).stat().st_size,
            }
        )
    )


def child_populate(count: int, total_mb: int, out: Path) -> None:
    """Seal `count` distinct files of `total_mb` MiB together, and write their rows in bulk."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unseen.config.settings")
    import django

    django.setup()
    from unseen.files import storing
    from unseen.files.models import EvidenceFile

    size = total_mb * MB // count
    noise = os.urandom(size // 2 + 8).hex().encode()  # text: a type we take
    rows = []
    total = 0
    for number in range(count):
        data = b"%08d\n" % number + noise[: size - 9]  # distinct, and text to the type check
        receiver = storing.Receiver()
        receiver.write(data)
        sealed = receiver.finish()
        final = storing.blob_path(sealed.blob)
        storing.private_files.private_folder(final.parent)
        os.replace(sealed.part, final)
        file = EvidenceFile(
            sha256=sealed.sha256,
            size=sealed.size,
            content_type="text/plain",
            name=f"bench-{number}.txt",
            blob=sealed.blob,
        )
        file.sealed_key = storing._seal_key(sealed.file_key, storing._key_context(file))
        rows.append(file)
        total += sealed.size
    EvidenceFile.objects.bulk_create(rows, batch_size=1000)
    out.write_text(json.dumps({"files": count, "bytes": total, "size": size}))


# --- The benchmark -------------------------------------------------------------------------------


def child(database: Database, label: str, args: list[str]) -> dict:
    out = database.folder / f"{label}.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--child", label, "--out", str(out)]
    from harness import run_timed

    run = run_timed([*command, *args], database.env, ROOT, database.folder / "logs" / label)
    run.check()
    document: dict = json.loads(out.read_text())
    document["process_max_rss_mb"] = run.max_rss_mb
    document["process_seconds"] = run.seconds
    return document


def main() -> None:
    args = parse_args()
    if args.child == "page":
        child_page(args.upload_mb, args.out)
        return
    if args.child == "upload":
        child_upload(args.upload_mb, args.out)
        return
    if args.child == "populate":
        child_populate(args.files, args.total_mb, args.out)
        return
    result = Result("files")
    folder = Path(tempfile.mkdtemp(prefix="unseen-bench-files-"))
    try:
        # 1a. The upload through the page.
        full = args.upload_mb == 1024
        database = Database(folder / "page")
        database.env["UNSEEN_REQUIRE_2FA"] = "false"
        database.env["UNSEEN_FILES_MAX_MB"] = str(args.upload_mb + 1)
        page = child(database, "page", ["--upload-mb", str(args.upload_mb)])
        expect(page["bytes"] == args.upload_mb * MB, "the stored file has another size")
        expect(page["content_type"] == "audio/wav", f"stored as {page['content_type']}")
        size_mb = page["bytes"] / MB
        result.add(
            Figure(
                "upload through the page: seconds per GiB (hashed, sealed, checked, kept)",
                page["seconds"] * 1024 / size_mb,
                "s",
                1024 / TARGET_MB_PER_SECOND if full else None,
            )
        )
        result.add(
            Figure(
                "upload through the page (MB/s, target >= 150)", size_mb / page["seconds"], "MB/s"
            )
        )
        result.add(
            Figure(
                "upload through the page: peak resident memory (MB)",
                page["peak_mb"],
                "MB",
                TARGET_PEAK_MB,
            )
        )
        shutil.rmtree(folder / "page", ignore_errors=True)  # 1 GB sealed: make room

        # 1b. The same through the parser alone: streaming and keeping apart.
        database = Database(folder / "upload")
        upload = child(database, "upload", ["--upload-mb", str(args.upload_mb)])
        expect(upload["content_type"] == "audio/wav", f"stored as {upload['content_type']}")
        result.add(
            Figure(
                "parser and handler only: streaming, hashing, sealing (MB/s)",
                size_mb / upload["streamed_seconds"],
                "MB/s",
            )
        )
        result.add(Figure("then checked and kept (s)", upload["kept_seconds"], "s"))
        result.add(
            Figure("parser and handler only: peak resident memory (MB)", upload["peak_mb"], "MB")
        )
        shutil.rmtree(folder / "upload", ignore_errors=True)

        # 2. Verify.
        database = Database(folder / "verify")
        populated = child(
            database, "populate", ["--files", str(args.files), "--total-mb", str(args.total_mb)]
        )
        run = database.run("verify", ["files", "verify"]).check()
        expect(
            f"{args.files} file(s) and 0 working copies verified" in run.stdout,
            f"verify said: {run.stdout[-500:]} {run.stderr[-500:]}",
        )
        full_verify = args.files == 10_000 and args.total_mb == 1024
        result.add(
            Figure(
                f"`unseen files verify` over {args.files:,} files, "
                f"{populated['bytes'] / MB:,.0f} MiB (s)",
                run.seconds,
                "s",
                TARGET_VERIFY_SECONDS if full_verify else None,
            )
        )
        result.add(Figure("verify rate (MB/s)", populated["bytes"] / MB / run.seconds, "MB/s"))
        result.add(Figure("peak resident memory of verify (MB)", run.max_rss_mb, "MB"))
        result.details = {
            "page": page,
            "upload": upload,
            "verify": {**populated, "seconds": run.seconds, "max_rss_mb": run.max_rss_mb},
            "segment_bytes": MB,
            "cpus": os.cpu_count(),
        }
    finally:
        if args.keep:
            print(f"kept {folder}", flush=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    result.write(args.json)


if __name__ == "__main__":
    main()
