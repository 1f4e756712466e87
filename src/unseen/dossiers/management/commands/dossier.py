import os
import signal
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from unseen.accounts.models import User
from unseen.accounts.roles import Capability
from unseen.audit.context import current_actor
from unseen.dossiers.models import Language
from unseen.dossiers.rendering import audit_made, make
from unseen.dossiers.subjects import KINDS, NotReadable, Subject
from unseen.private_files import FILE_MODE


class Command(BaseCommand):
    help = (
        "Make the dossier (PDF) of an organisation, site, host country (ISO code), person or "
        "saved search, as USER may see it (--as), byte for byte what the web makes for them. "
        "Without --as it holds what is public only. Audited as an export with its SHA-256. "
        "Exits 2 with a message when the subject, the user or the file is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=f"one of: {', '.join(KINDS)}")
        parser.add_argument("key", metavar="ID", help="the record's number, or a country's code")
        parser.add_argument("--out", required=True, type=Path, help="the PDF file to write")
        parser.add_argument(
            "--as",
            dest="reader",
            metavar="USER",
            help="whose access decides what the dossier holds (default: public records only)",
        )
        parser.add_argument("--lang", choices=Language.values, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        current_actor.set("cli")
        try:
            subject = Subject.parse(options["kind"], options["key"])
        except ValueError as error:
            self.fail(str(error))
        language = options["lang"] or settings.LANGUAGE_CODE[:2]
        if language not in Language.values:
            language = Language.ENGLISH
        reader = self.reader(options["reader"])
        if reader is None:
            self.stderr.write("note: no --as USER: the dossier holds public records only")
        out: Path = options["out"]
        if out.is_dir() or not out.parent.is_dir():
            self.fail(f"--out {out}: not a file in an existing folder")
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        with tqdm(
            total=100,
            desc="dossier",
            file=sys.stderr,
            disable=None,
            bar_format="{l_bar}{bar}| {elapsed}",
        ) as bar:

            def report(stage: str, fraction: float) -> None:
                bar.set_description(stage)
                bar.update(max(0, round(fraction * 100) - bar.n))

            try:
                made = make(subject, reader, language, report)
            except NotReadable:
                self.fail(f"no {subject.kind} {subject.key} that {self.whom(reader)} may read")
            except Exception as error:
                from unseen.core.pdf import RemoteFetchRefused

                if isinstance(error, RemoteFetchRefused):
                    self.fail(str(error))
                raise
            report("done", 1.0)
        self.write(out, made.pdf)
        audit_made(made, subject, language, None)
        level = made.highest_level.upper()
        self.stdout.write(f"{out}: {made.pages} pages, {level}, sha256 {made.sha256}")

    def reader(self, username: str | None) -> User | None:
        if username is None:
            return None
        user = User.objects.filter(username=username).first()
        if user is None or not user.is_active:
            self.fail(f"--as {username}: no active user of that name")
        assert user is not None
        if not user.can(Capability.VIEW_RECORDS):
            self.fail(f"--as {username}: this user may not view records")
        return user

    @staticmethod
    def whom(reader: User | None) -> str:
        return reader.get_username() if reader is not None else "the public"

    def write(self, out: Path, pdf: bytes) -> None:
        # 0600 like every file Unseen writes that may hold what is not public.
        try:
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pdf)
            os.chmod(out, FILE_MODE)
        except OSError as error:
            self.fail(f"--out {out}: {error.strerror}")

    def fail(self, message: str) -> None:
        self.stderr.write(f"error: {message}")
        sys.exit(2)
