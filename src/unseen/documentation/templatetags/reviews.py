"""Review before publishing in templates (ADR 0025): comments beside a field, "x of y" claims."""

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag
def field_comments(comments: dict[str, list[Any]], label: str) -> SafeString:
    """The review comments on the field shown as `label`, beside it."""
    found = (comments or {}).get(str(label))
    if not found:
        return SafeString("")
    return SafeString(render_to_string("documentation/_review_comments.html", {"comments": found}))


@register.simple_tag
def signed_off_text(counts: dict[Any, tuple[int, int]], pk: Any) -> str:
    """ "Signed off: x of y claims" for one row of a list or a record page ("" when it rests on no
    claim: there is nothing to sign off)."""
    signed, total = (counts or {}).get(pk, (0, 0))
    if not total:
        return ""
    return ngettext(
        "Signed off: %(signed)s of %(total)s claim",
        "Signed off: %(signed)s of %(total)s claims",
        total,
    ) % {"signed": signed, "total": total}
