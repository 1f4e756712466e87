import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from unseen.audit.context import current_actor
from unseen.core import custody
from unseen.files import checkpoints
from unseen.files.models import Checkpoint

ACTOR = "cli"


def read_roots(ca_file: Path | None) -> list[bytes]:
    """The PEM file given (else UNSEEN_TSA_CA_FILE), read; a clear error when there is none."""
    path = ca_file or checkpoints.tsa_ca_setting()
    if path is None:
        raise CommandError(
            "give the timestamp authority's CA certificate: --ca-file PEM (or UNSEEN_TSA_CA_FILE)",
            returncode=2,
        )
    try:
        return [path.read_bytes()]
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}", returncode=2) from None


def chosen(checkpoint_id: int | None, *, stamped: bool = False) -> Checkpoint:
    if checkpoint_id is not None:
        found = Checkpoint.objects.filter(pk=checkpoint_id).first()
        if found is None:
            raise CommandError(f"no checkpoint {checkpoint_id}", returncode=2)
        return found
    latest = checkpoints.latest(stamped=stamped)
    if latest is None:
        what = "stamped checkpoint" if stamped else "checkpoint"
        raise CommandError(
            f"no {what} yet (unseen custody checkpoint, then unseen custody stamp)", returncode=2
        )
    return latest


class Command(BaseCommand):
    help = (
        "Trusted time for evidence files (ADR 0029): `unseen custody checkpoint` makes a Merkle "
        "root over every file's hash and the audit chain's head, with its RFC 3161 request; "
        "`unseen custody stamp --tsa URL` has a timestamp authority sign it; `unseen custody "
        "verify --ca-file PEM` checks the token and re-hashes every file it names."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        made = sub.add_parser("checkpoint", help="make a checkpoint now")
        made.add_argument(
            "--out", type=Path, help="also write the RFC 3161 request (.tsq) to this file"
        )
        made.add_argument(
            "--statement",
            type=Path,
            help="also write the statement whose SHA-256 the request asks to be signed",
        )
        stamp = sub.add_parser("stamp", help="have a timestamp authority sign a checkpoint")
        stamp.add_argument(
            "--checkpoint", type=int, help="the checkpoint's id (default: the newest)"
        )
        stamp.add_argument("--tsa", help="the authority's URL (default: UNSEEN_TSA_URL)")
        stamp.add_argument(
            "--reply",
            type=Path,
            help="instead of asking: keep this reply (.tsr), fetched elsewhere for the request "
            "`checkpoint --out` wrote (a server without network)",
        )
        stamp.add_argument(
            "--ca-file",
            type=Path,
            help="its CA certificate(s), PEM: the token is verified before it is kept "
            "(default: UNSEEN_TSA_CA_FILE; without either it is kept unverified)",
        )
        stamp.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
        check = sub.add_parser("verify", help="check a stamped checkpoint and every file in it")
        check.add_argument(
            "--checkpoint", type=int, help="the checkpoint's id (default: the newest stamped)"
        )
        check.add_argument(
            "--ca-file",
            type=Path,
            help="the authority's CA certificate(s), PEM (default: UNSEEN_TSA_CA_FILE)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        token = current_actor.set(ACTOR)
        try:
            getattr(self, options["operation"])(**options)
        except custody.CustodyError as error:
            raise CommandError(str(error), returncode=1) from None
        finally:
            current_actor.reset(token)

    def checkpoint(self, *, out: Path | None, statement: Path | None, **options: Any) -> None:
        made = checkpoints.make_checkpoint(ACTOR)
        self.stdout.write(
            f"checkpoint {made.pk}: root {made.merkle_root} over {len(made.leaves)} files, "
            f"audit entry {made.audit_entry_id or '-'}"
        )
        if out is not None:
            out.write_bytes(bytes(made.request_der))
            self.stdout.write(f"request written to {out}")
        if statement is not None:
            statement.write_bytes(checkpoints.statement(made))
            self.stdout.write(f"statement written to {statement}")

    def stamp(
        self,
        *,
        checkpoint: int | None,
        tsa: str | None,
        reply: Path | None,
        ca_file: Path | None,
        timeout: float,
        **options: Any,
    ) -> None:
        url = tsa or ("" if reply else checkpoints.tsa_url_setting())
        if not url and reply is None:
            raise CommandError(
                "name the timestamp authority: --tsa URL (or UNSEEN_TSA_URL), or give --reply FILE",
                returncode=2,
            )
        if url and reply is not None:
            raise CommandError("--tsa and --reply contradict each other", returncode=2)
        target = chosen(checkpoint)
        roots = read_roots(ca_file) if (ca_file or checkpoints.tsa_ca_setting()) else []
        if reply is not None:
            try:
                answer = reply.read_bytes()
            except OSError as error:
                raise CommandError(f"cannot read {reply}: {error.strerror}", returncode=2) from None
            source = f"file:{reply.name}"
            info = checkpoints.keep_token(
                target, answer, source=source, roots_pem=roots, actor=ACTOR
            )
        else:
            source = url
            info = checkpoints.stamp(target, url, roots_pem=roots, timeout=timeout, actor=ACTOR)
        if info is None:
            self.stdout.write(
                f"checkpoint {target.pk} stamped by {source} at {target.stamped_time} "
                "(signature not verified: no CA file given; run unseen custody verify --ca-file "
                "PEM)"
            )
        else:
            self.stdout.write(
                f"checkpoint {target.pk} stamped by {info.tsa_name or source} at {info.gen_time} "
                f"(serial {info.serial}; verified)"
            )

    def verify(self, *, checkpoint: int | None, ca_file: Path | None, **options: Any) -> None:
        roots = read_roots(ca_file)
        target = chosen(checkpoint, stamped=checkpoint is None)
        show = self.stderr.isatty() if hasattr(self.stderr, "isatty") else False

        def progress(done: int, total: int) -> None:
            if show and (done == total or done % 100 == 0):
                sys.stderr.write(f"\rre-hashing files: {done}/{total}")
                if done == total:
                    sys.stderr.write("\n")

        report = checkpoints.verify(target, roots, progress=progress)
        if not report.holds:
            for problem in report.problems:
                self.stderr.write(f"FAILED: {problem}")
            raise CommandError(
                f"checkpoint {target.pk} does not hold: {len(report.problems)} problem(s)",
                returncode=1,
            )
        assert report.stamp is not None
        self.stdout.write(
            f"checkpoint {target.pk} holds: root {target.merkle_root}, stamped "
            f"{report.stamp.gen_time} by {report.stamp.tsa_name} (serial {report.stamp.serial}); "
            f"{report.files_checked} files re-hashed, each as stamped; audit entry "
            f"{target.audit_entry_id or '-'} unchanged"
        )
