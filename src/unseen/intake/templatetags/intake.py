"""`{% comments "home" %}`: a published page's approved comments and the form to add one;
`{{ submission.spam_reasons|spam_reasons }}`: the spam reasons in words;
`{{ submission.country|country_name }}`: the country's name in the reader's language."""

from typing import Any

from django import template
from django.utils.translation import get_language

from unseen.core.places import country_name as name_of_country

from ..forms import CommentForm, started_token
from ..models import CommentPage, Submission
from ..spam import reason_label

register = template.Library()


@register.inclusion_tag("intake/_comments.html", takes_context=True)
def comments(context: dict[str, Any], page: str) -> dict[str, Any]:
    if page not in CommentPage.values:
        raise template.TemplateSyntaxError(f"no comments on page {page!r}")
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        # The thank-you for a comment just sent is shown here, where the reader lands (#comments).
        "messages": context.get("messages", ()),
        "comments": Submission.objects.published_comments(page),
        "form": CommentForm(initial={"page": page, "started": started_token()}),
    }


@register.filter
def spam_reasons(codes: list[str]) -> str:
    """The reasons a submission scored as it did, in the reader's language, comma-separated."""
    return ", ".join(reason_label(str(code)) for code in codes or ())


@register.filter
def country_name(code: str) -> str:
    """A country code as the country's name in the reader's language (RU → 러시아 or Russia)."""
    return name_of_country(str(code), get_language() or "en") if code else ""
