from typing import Any

from django import template

from unseen.documentation.browsing import KINDS
from unseen.evidence.models import visible_related

register = template.Library()


@register.simple_tag
def record_kinds() -> list[tuple[str, str]]:
    """(slug, plural label) of every record kind, for the workspace navigation."""
    return [(kind.slug, kind.label) for kind in KINDS.values()]


@register.filter
def visible_to(value: Any, user: Any) -> Any:
    """`evidence.models.visible_related` for templates: `{{ testimony.source|visible_to:user }}`."""
    return visible_related(value, user)
