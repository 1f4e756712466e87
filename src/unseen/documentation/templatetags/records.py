from django import template

from unseen.documentation.browsing import KINDS

register = template.Library()


@register.simple_tag
def record_kinds() -> list[tuple[str, str]]:
    """(slug, plural label) of every record kind, for the workspace navigation."""
    return [(kind.slug, kind.label) for kind in KINDS.values()]
