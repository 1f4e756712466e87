"""`{% credit_line file %}`: the line under a published picture, "Photo: NASA · Public domain
mark", with the licence linked to its text (files/_credit.html); `{{ file|file_title }}`: what a
page calls a file, in the reader's language."""

from typing import Any

from django import template

from unseen.files import publishing
from unseen.files.models import EvidenceFile

register = template.Library()


@register.inclusion_tag("files/_credit.html")
def credit_line(file: EvidenceFile | publishing.Credit) -> dict[str, Any]:
    credit = file if isinstance(file, publishing.Credit) else publishing.credit(file)
    return {"credit": credit}


@register.filter
def file_title(file: EvidenceFile) -> str:
    """The file's title in the reader's language (the other when that one is blank), or else the
    name it arrived with ("" when it has neither): what a list or a heading calls it after its
    code."""
    title = publishing.title(file)
    return file.name if title == file.code else title
