"""How estimates read on a page: the estimate never without its interval, method and level."""

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def population(value: float | None) -> str:
    """An estimate or limit as people read it: 11,313; ∞ for an unbounded limit."""
    if value is None:
        return "∞"
    return f"{value:,.0f}"


@register.filter
def interval_text(ci: dict[str, Any] | None) -> str:
    """'9,889–13,063 (95% profile)'; an unbounded upper limit reads '≥ 9,889'."""
    if not ci or ci.get("low") is None:
        return _("no interval")
    level = f"{ci['level']:.0%}"
    span = (
        f"≥ {ci['low']:,.0f}" if ci.get("high") is None else f"{ci['low']:,.0f}–{ci['high']:,.0f}"
    )
    return f"{span} ({level} {ci['kind']})"


@register.filter
def fit(value: float | None) -> str:
    """AIC or BIC to one decimal; a dash where a method has none."""
    return "–" if value is None else f"{value:,.1f}"


@register.filter
def pattern_text(pattern: list[int]) -> str:
    return " ".join(str(v) for v in pattern)


@register.filter
def usd(value: float | None) -> str:
    """USD a year as the revenue pages read it: $412.3 m, $1.25 bn."""
    from unseen.core.revenue.report import money

    return "–" if value is None else money(value)


@register.filter
def usd_interval(summary: dict[str, Any] | None) -> str:
    """'$0.41 bn (90%: $0.30 bn–$0.55 bn)': the median never without its interval."""
    if not summary:
        return _("no interval")
    return _("%(p50)s (90%%: %(p05)s–%(p95)s)") % {
        "p50": usd(summary["p50"]),
        "p05": usd(summary["p05"]),
        "p95": usd(summary["p95"]),
    }
