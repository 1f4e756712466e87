from typing import Any

from django import template

from unseen.accounts.models import UserLike
from unseen.evidence.models import visible_related

register = template.Library()


@register.filter
def visible_to(value: Any, user: UserLike) -> Any:
    """`evidence.models.visible_related` for templates: `{{ testimony.source|visible_to:user }}`."""
    return visible_related(value, user)
