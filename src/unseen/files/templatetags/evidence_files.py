"""`{% credit_line file %}`: the line under a published picture, "Photo: NASA · Public domain
mark", with the licence linked to its text (files/_credit.html)."""

from typing import Any

from django import template

from unseen.files import publishing
from unseen.files.models import EvidenceFile

register = template.Library()


@register.inclusion_tag("files/_credit.html")
def credit_line(file: EvidenceFile | publishing.Credit) -> dict[str, Any]:
    credit = file if isinstance(file, publishing.Credit) else publishing.credit(file)
    return {"credit": credit}
