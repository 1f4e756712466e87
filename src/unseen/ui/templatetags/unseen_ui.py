from decimal import Decimal

from django import template
from django.utils.formats import number_format
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
    """A headcount range grouped in the reader's locale: 1,200–3,000."""
    if low is None and high is None:
        return "—"
    if high is None or low == high:
        return grouped(low)
    if low is None:
        return f"≤ {grouped(high)}"
    return f"{grouped(low)}–{grouped(high)}"


@register.filter
def grouped(value: int | float | Decimal | None) -> str:
    """A count with the reader's locale's thousands separator (20,000), whatever
    USE_THOUSAND_SEPARATOR says: it is off so that ids in addresses are never grouped."""
    return "" if value is None else str(number_format(value, force_grouping=True))


@register.simple_tag
def field_label(model_or_record: object, name: str) -> str:
    meta = getattr(model_or_record, "_meta", None)
    if meta is None:
        return name
    try:
        return str(meta.get_field(name).verbose_name)
    except Exception:
        # A column that is not a field (a relation's subject, any of its ends) may be named by
        # the model's `column_labels`.
        labels = getattr(model_or_record, "column_labels", {})
        return str(labels.get(name, name.replace("_", " ")))
