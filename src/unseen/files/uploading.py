"""Uploads streamed into `storing` while Django parses the request: constant memory, no clear copy.

`EvidenceUploadHandler` replaces Django's upload handlers for the upload view (installed before
the body is read: the view is csrf_exempt and checks CSRF itself afterwards, as Django's
"Modifying upload handlers on the fly" describes). Each file of the `files` field is hashed and
sealed into its `.part` file as its chunks arrive; nothing else is kept. A file the server will not
take (too large, no room, one too many) is skipped with its reason, the others go on. The view
keeps the sealed parts it accepts (`storing.keep`) and calls `discard_unkept` in any case, so an
upload that is interrupted, refused or fails its CSRF check leaves no `.part` file and no row.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.utils.translation import gettext as _

from . import storing
from .forms import FILES_FIELD

# The paths whose bodies may be as large as the files they carry (config.bodies): the upload
# view's, mounted by config.urls at /app/files/.
UPLOAD_PATH_PREFIX = "/app/files/upload/"


def max_request_bytes() -> int:
    """The largest upload request: every file at its largest, plus 1 MB of form and framing."""
    return int((settings.UNSEEN_FILES_MAX_MB * settings.UNSEEN_FILES_PER_UPLOAD + 1) * 1024 * 1024)


@dataclass(frozen=True)
class Refusal:
    name: str
    reason: str


class SealedUpload(UploadedFile):
    """What `request.FILES` holds for a file the handler sealed: its name, size and `.part`."""

    def __init__(self, sealed: storing.Sealed, name: str, content_type: str):
        super().__init__(None, name, content_type, sealed.size)
        self.sealed = sealed  # no file object: the bytes are read through files.storing only


class EvidenceUploadHandler(FileUploadHandler):
    chunk_size = 256 * 1024

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.sealed: list[tuple[str, storing.Sealed]] = []
        self.refused: list[Refusal] = []
        self.kept: set[str] = set()
        self._receiver: storing.Receiver | None = None
        self._seen = 0
        # The body ended inside a file (a client that went away, a body shorter than its
        # Content-Length): the view keeps nothing of such an upload and says so.
        self.interrupted = False

    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, bytes] | None = None,
    ) -> None:
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        self._receiver = None
        if field_name != FILES_FIELD:
            raise SkipFile
        self._seen += 1
        if self._seen > settings.UNSEEN_FILES_PER_UPLOAD:
            self._refuse(
                _("More than %(count)s files in one upload: send the rest in another.")
                % {"count": settings.UNSEEN_FILES_PER_UPLOAD}
            )
        try:
            # A part's own length, when the client states it, is checked before writing.
            # Its name only breaks a tie between two types we take (storing.file_type).
            self._receiver = storing.Receiver(
                expected_size=content_length, name=str(file_name or "")
            )
        except storing.Refused as refusal:
            self._refuse(str(refusal))

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self._receiver is None:
            raise SkipFile
        try:
            self._receiver.write(raw_data)
        except storing.Refused as refusal:
            self._receiver = None  # the Receiver deleted its part
            self._refuse(str(refusal))
        return None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        receiver, self._receiver = self._receiver, None
        if receiver is None:
            return None
        sealed = receiver.finish()
        name = str(self.file_name or "")
        self.sealed.append((name, sealed))
        return SealedUpload(sealed, name, str(self.content_type or ""))

    def upload_interrupted(self) -> None:
        """The body ended inside a file (the client went away): its part is deleted."""
        if self._receiver is not None:
            self.interrupted = True
            self._receiver.discard()
            self._receiver = None

    def discard_unkept(self) -> None:
        """Delete every `.part` file the view did not keep: call it whatever happened."""
        self.upload_interrupted()
        for _name, sealed in self.sealed:
            if sealed.blob not in self.kept:
                sealed.part.unlink(missing_ok=True)

    def _refuse(self, reason: str) -> None:
        self.refused.append(Refusal(str(self.file_name or ""), reason))
        raise SkipFile
