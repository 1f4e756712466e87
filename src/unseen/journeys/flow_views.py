"""The flows page: journeys by stage, indicators by stage, durations and a flow map.

`/app/journeys/flows/` shows the journeys the reader may read; `/journeys/` shows the journeys
of published testimonies to everyone, with k raised to at least PUBLIC_K. Both pages are
k-suppressed and say what was merged; every chart has its table beside it.
"""

from functools import lru_cache
from typing import Any

import pycountry
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from unseen.accounts.access import SignedInRequest, public, requires
from unseen.accounts.models import Capability, UserLike
from unseen.core.journeys.flows import BRIBE, CHECKS, NO_CHECKS, Flows
from unseen.core.journeys.suppression import MINIMUM_K, OTHER, UNKNOWN, Merge
from unseen.core.places import country_name
from unseen.documentation.models import Indicator, RecruitmentChannel
from unseen.evidence.models import SourceKind
from unseen.ui.fields import CountryField

from .flows import PUBLIC_K, FlowFilters, default_k, flows_for
from .models import ExitKind, IsicSection, Stage


class FlowsForm(forms.Form):
    """The filters and k; every field may stay empty."""

    year_from = forms.IntegerField(
        required=False, min_value=1950, max_value=2100, label=gettext_lazy("From year")
    )
    year_to = forms.IntegerField(
        required=False, min_value=1950, max_value=2100, label=gettext_lazy("To year")
    )
    host = CountryField(required=False, label=gettext_lazy("Host country"))
    sector = forms.ChoiceField(
        required=False,
        choices=[("", gettext_lazy("All sectors")), *IsicSection.choices],
        label=gettext_lazy("Sector"),
    )
    source_kind = forms.ChoiceField(
        required=False,
        choices=[("", gettext_lazy("All kinds")), *SourceKind.choices],
        label=gettext_lazy("Source"),
    )
    k = forms.IntegerField(
        required=False,
        label=gettext_lazy("k (fewest testimonies shown)"),
        help_text=gettext_lazy("Anything resting on fewer testimonies is merged into “other”."),
    )

    def __init__(self, *args: Any, floor: int = MINIMUM_K, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.floor = floor
        self.fields["k"].widget.attrs["min"] = floor

    def clean_k(self) -> int | None:
        k = self.cleaned_data.get("k")
        if k is not None and k < self.floor:
            raise forms.ValidationError(
                _(
                    "k = %(k)s is refused: every link and cell must rest on at least "
                    "%(floor)s testimonies, or a reader could recognise the people behind it."
                )
                % {"k": k, "floor": self.floor}
            )
        return k

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("year_from"), data.get("year_to")
        if low is not None and high is not None and low > high:
            self.add_error("year_to", _("The last year comes before the first."))
        return data

    def filters(self, consented_only: bool = False) -> FlowFilters:
        data = self.cleaned_data
        return FlowFilters(
            consented_only=consented_only,
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            host=data.get("host") or "",
            sector=data.get("sector") or "",
            source_kind=data.get("source_kind") or "",
        )


@requires(Capability.VIEW_RECORDS)
def flows_page(request: SignedInRequest) -> HttpResponse:
    """The flows of the journeys the reader may read, at their access level."""
    response = _page(request, request.user, floor=MINIMUM_K, default=default_k(), public=False)
    # The reader's own view, at their levels: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@public
def public_flows_page(request: HttpRequest) -> HttpResponse:
    """The flows of published testimonies' journeys, for everyone, with k at least PUBLIC_K.

    Published: at the public level and with the interviewee's consent to publish.
    """
    floor = max(PUBLIC_K, default_k())
    return _page(request, AnonymousUser(), floor=floor, default=floor, public=True)


def _page(
    request: HttpRequest, reader: UserLike, *, floor: int, default: int, public: bool
) -> HttpResponse:
    form = FlowsForm(request.GET or None, floor=floor)
    flows: Flows | None = None
    k = default
    if form.is_bound and form.is_valid():
        k = form.cleaned_data.get("k") or default
        flows = flows_for(reader, form.filters(consented_only=public), k)
    elif not form.is_bound:
        flows = flows_for(reader, FlowFilters(consented_only=public), k)
    language = get_language() or "en"
    context: dict[str, Any] = {
        "form": form,
        "k": k,
        "public": public,
        "flows": flows,
        "nav_flows": True,
    }
    if flows is not None:
        context.update(present(flows, language))
    return render(request, "journeys/flows.html", context)


# --- presentation: labels, tables and the charts' data ----------------------------------------

STAGE_NAMES = {
    "recruitment": gettext_lazy("Recruitment channel"),
    "vetting": gettext_lazy("Vetting"),
    "host": gettext_lazy("Host country and sector"),
    "exit": gettext_lazy("Exit"),
    "origin": gettext_lazy("Country of origin"),
}
VETTING_NAMES = {
    BRIBE: gettext_lazy("Bribe paid"),
    CHECKS: gettext_lazy("Health or loyalty checks, no bribe told"),
    NO_CHECKS: gettext_lazy("No checks and no bribe"),
}
DURATION_NAMES = {
    "vetting": gettext_lazy("Months of vetting"),
    "contract": gettext_lazy("Contract length (months deployed)"),
    "exit": gettext_lazy("Months from first deployment to exit"),
}
CHART_NAMES = {
    "sankey": gettext_lazy("Journeys by stage"),
    "map": gettext_lazy("Flow map"),
    "indicators": gettext_lazy("Indicators at each stage"),
    **DURATION_NAMES,
}


# A page names the same few hundred nodes thousands of times; the key holds the language.
@lru_cache(maxsize=4096)
def label(stage: str, value: str, language: str) -> str:
    """A node's name in the reader's language (`language` is the active one)."""
    if value == OTHER:
        return _("Other (merged)") if stage != "recruitment" else _("Other")
    if value == UNKNOWN:
        return _("Unknown")
    if stage == "recruitment":
        return str(RecruitmentChannel(value).label) if value in RecruitmentChannel.values else value
    if stage == "vetting":
        return str(VETTING_NAMES.get(value, value))
    if stage == "exit":
        return str(ExitKind(value).label) if value in ExitKind.values else value
    if stage == "origin":
        return country_name(value, language)
    if stage == "host":
        if "·" not in value:
            return country_name(value, language)
        country, sector = value.split("·", 1)
        place = country_name(country, language) if country != "?" else _("Unknown country")
        shown = sector if sector != "?" else _("sector unknown")
        return f"{place} · {shown}"
    return value


def _numeric(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    return str(country.numeric) if country is not None else ""


def describe(merge: Merge, k: int) -> str:
    """One line of the suppression notice: what was merged, never whose testimony."""
    chart = str(CHART_NAMES.get(merge.chart, merge.chart))
    where = merge.where
    if merge.kind == "coarsened":
        return _(
            "%(chart)s, %(stage)s: “%(value)s” rests on fewer than %(k)s testimonies and is "
            "shown within its country."
        ) % {
            "chart": chart,
            "stage": STAGE_NAMES.get(where, where),
            "value": label(where, merge.what, get_language() or "en"),
            "k": k,
        }
    if merge.kind == "category":
        return _(
            "%(chart)s, %(stage)s: “%(value)s” rests on fewer than %(k)s testimonies "
            "and is merged into “other”."
        ) % {
            "chart": chart,
            "stage": STAGE_NAMES.get(where, where),
            "value": label(where, merge.what, get_language() or "en"),
            "k": k,
        }
    if merge.kind == "links":
        return _(
            "%(chart)s: %(count)s link(s) resting on fewer than %(k)s testimonies merged into “other”."
        ) % {
            "chart": chart,
            "count": merge.count,
            "k": k,
        }
    if merge.kind == "cells":
        return _("%(chart)s, %(stage)s: %(count)s cell(s) merged into “other”.") % {
            "chart": chart,
            "stage": Stage(where).label if where in Stage.values else where,
            "count": merge.count,
        }
    if merge.kind == "bins":
        if merge.what == UNKNOWN:
            return _("%(chart)s: the testimonies that do not say are counted in the last bar.") % {
                "chart": chart
            }
        return _("%(chart)s: bars widened %(count)s time(s) so that each holds %(k)s or more.") % {
            "chart": chart,
            "count": merge.count,
            "k": k,
        }
    return _("%(chart)s: a remainder of fewer than %(k)s testimonies is not shown.") % {
        "chart": chart,
        "k": k,
    }


def _months(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def present(flows: Flows, language: str) -> dict[str, Any]:
    """Tables for the page and the charts' data for json_script (no testimony ids in either)."""
    links = [
        {
            "from": f"{link.source_stage}:{link.source}",
            "to": f"{link.target_stage}:{link.target}",
            "flow": link.testimonies,
            "from_stage": str(STAGE_NAMES[link.source_stage]),
            "to_stage": str(STAGE_NAMES[link.target_stage]),
            "from_label": label(link.source_stage, link.source, language),
            "to_label": label(link.target_stage, link.target, language),
        }
        for link in flows.sankey
    ]
    nodes = {row["from"]: row["from_label"] for row in links} | {
        row["to"]: row["to_label"] for row in links
    }
    pairs = [
        {
            "origin": link.source,
            "host": link.target,
            "origin_numeric": _numeric(link.source),
            "host_numeric": _numeric(link.target),
            "origin_label": label("origin", link.source, language),
            "host_label": label("host", link.target, language),
            "testimonies": link.testimonies,
        }
        for link in flows.map
    ]
    indicator_names = dict(Indicator.choices)
    stage_names = dict(Stage.choices)
    indicator_stages = [
        {"key": s, "label": str(stage_names.get(s, s))} for s in flows.indicator_stages
    ]
    indicator_rows = [
        {
            "key": row.indicator,
            "label": str(indicator_names.get(row.indicator, row.indicator)),
            "cells": [row.cells.get(s) for s in flows.indicator_stages],
        }
        for row in flows.indicator_rows
    ]
    other_row = [flows.indicator_other.get(s, 0) for s in flows.indicator_stages]
    durations = [
        {
            "key": name,
            "label": str(DURATION_NAMES[name]),
            "bins": [
                {
                    "label": (
                        f"{_months(b.low)}–{_months(b.high)}"
                        if b.high is not None
                        else f"{_months(b.low)}+"
                    )
                    + (" *" if b.with_unknown else ""),
                    "testimonies": b.testimonies,
                    "with_unknown": b.with_unknown,
                }
                for b in bins
            ],
            "unknown": flows.durations_unknown.get(name, 0),
        }
        for name, bins in flows.durations.items()
    ]
    notices = [describe(m, flows.k) for m in flows.report.merges]
    chart_data = {
        "k": flows.k,
        "sankey": {
            "links": [{k: row[k] for k in ("from", "to", "flow")} for row in links],
            "labels": nodes,
        },
        "indicators": {
            "stages": indicator_stages,
            "rows": indicator_rows,
            "other": other_row,
            "other_label": _("Other indicators (merged)"),
            "axis": _("Testimonies"),
        },
        "durations": durations,
        "map": pairs,
        "text": {
            "testimonies": _("testimonies"),
            "months": _("Months"),
            "with_unknown": _("* includes testimonies that do not say"),
        },
    }
    return {
        "links": links,
        "pairs": pairs,
        "indicator_stages": indicator_stages,
        "indicator_rows": indicator_rows,
        "indicator_other": other_row if any(v != 0 for v in other_row) else None,
        "durations": durations,
        "notices": notices,
        "chart_data": chart_data,
    }
