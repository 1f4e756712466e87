from typing import Any

from django import template

from unseen.accounts.models import UserLike
from unseen.evidence.models import visible_related

from ..reading import date_text

register = template.Library()


@register.filter
def visible_to(value: Any, user: UserLike) -> Any:
    """`evidence.models.visible_related` for templates: `{{ testimony.source|visible_to:user }}`."""
    return visible_related(value, user)


@register.filter
def at_precision(value: Any, precision: str) -> str:
    """A date as far as it is known (`{{ day|at_precision:precision }}`): 2016, "December 2016"
    or the day; "—" when there is none."""
    if value is None:
        return "—"
    return date_text(value, precision or "day")
