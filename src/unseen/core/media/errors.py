"""What the media functions raise: refusals for the person who sent a file, and missing tools.

Messages are English templates with named placeholders, marked with `gettext_noop` so that the
catalogue holds them; the core has no Django, so the caller translates:
`error.translated(gettext)` gives the message in the reader's language, `str(error)` in English.
`reason` is a short code for tests and logs.
"""

from collections.abc import Callable
from typing import Any


def gettext_noop(message: str) -> str:
    """Mark a message for the translation catalogue without translating it (as Django's does)."""
    return message


class MediaError(Exception):
    """A message for people, kept as a template and its parameters so it can be translated.

    Args:
        template: the English message, with %(name)s placeholders, marked with gettext_noop.
        reason: a short code naming what went wrong ("corrupt_image", "bomb", ...).
        **params: the values of the placeholders.
    """

    def __init__(self, template: str, *, reason: str, **params: Any):
        self.template = template
        self.reason = reason
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The message in English."""
        return self.template % self.params if self.params else self.template

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The message in the reader's language, given a gettext function (Django's, say)."""
        translated = gettext(self.template)
        if not self.params:
            return translated
        # Parameters that are themselves marked messages (a type's label) are translated too;
        # gettext gives any other text (a number, a part's name) back as it is.
        params = {
            name: gettext(value) if isinstance(value, str) and value else value
            for name, value in self.params.items()
        }
        return translated % params


class MediaRefused(MediaError):
    """The file cannot be taken as it is: damaged, a decompression bomb, locked, or not readable."""


class Unsupported(MediaRefused):
    """The file's content is of a type we do not take; the message names the types we do."""


class MediaUnavailable(MediaError):
    """A tool this needs is missing, or the file's type has no such copy.

    Tesseract or its Korean data, ffmpeg; or a thumbnail of a spreadsheet.
    """
