from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def synthetic_badge(record: object) -> SafeString | str:
    """A visible label on anything generated for the demo, so no one mistakes it for evidence."""
    if getattr(record, "is_synthetic", False):
        return format_html(
            '<span class="badge synthetic" title="{}">{}</span>',
            _("Generated demo data, not a real record"),
            _("synthetic"),
        )
    return ""


@register.filter
def range_text(low: int | None, high: int | None) -> str:
    if low is None and high is None:
        return "—"
    if high is None or low == high:
        return f"{low:,}"
    if low is None:
        return f"≤ {high:,}"
    return f"{low:,}–{high:,}"


@register.simple_tag
def field_label(model_or_record: object, name: str) -> str:
    meta = getattr(model_or_record, "_meta", None)
    if meta is None:
        return name
    try:
        return str(meta.get_field(name).verbose_name)
    except Exception:
        return name.replace("_", " ")
