"""Live figures in a finding: `{{estimate 12}}`, `{{revenue 3}}`, `{{chart workers}}`, `{{map}}`,
`{{record organisation 5}}`, `{{record site 7}}`, `{{record country RU}}`, each on its own line.

An embed names a thing by reference and is drawn when the page is read, from what is public at
that moment: a figure corrected since publication shows its corrected value, and one withdrawn
shows that it was withdrawn, never the number it had. Only public, published things can be
embedded: `resolve` says why anything else cannot (docs/reference/findings.md).
"""

import math
import re
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from unseen.accounts.models import AccessLevel
from unseen.core.places import country_name
from unseen.documentation.models import Deployment
from unseen.estimation import revenue_runs
from unseen.estimation.models import EstimateRun, RunKind
from unseen.publishing.figures import chart_data
from unseen.publishing.freshness import CHART_READS, MAP_READS, cached
from unseen.publishing.mapping import map_data
from unseen.publishing.scope import PUBLIC
from unseen.registry.models import Organisation, Site

EMBED_LINE = re.compile(r"^ {0,3}\{\{\s*([a-z]+)((?:\s+[A-Za-z0-9_-]+)*)\s*\}\}\s*$")
CHARTS = ("workers", "wages", "shares", "sectors")
RECORD_KINDS = ("organisation", "site", "country")
BARS = 8  # hosts drawn in one chart: more would be unreadable on a phone
# A narrow drawing (400 units) so that its 12-unit text stays readable at a phone's 350 pixels.
BAR_LEFT, BAR_WIDTH = 145, 160


@dataclass(frozen=True)
class Embed:
    kind: str
    args: tuple[str, ...]
    line: int  # 1-based, in the Markdown it came from

    @property
    def text(self) -> str:
        return "{{" + " ".join((self.kind, *self.args)) + "}}"


@dataclass(frozen=True)
class Resolved:
    embed: Embed
    public: bool
    problem: str  # why it cannot be shown to the public ("" when it can)
    html: str


def embeds_in(markdown: str) -> list[Embed]:
    """Every line that is an embed, outside fenced code blocks."""
    found, fenced = [], False
    for number, line in enumerate(markdown.splitlines(), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        match = None if fenced else EMBED_LINE.match(line)
        if match:
            found.append(Embed(match.group(1), tuple(match.group(2).split()), number))
    return found


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 12 else None


def _refused(embed: Embed, problem: str) -> Resolved:
    html = render_to_string("findings/embeds/unavailable.html", {"embed": embed})
    return Resolved(embed, False, problem, html)


def _estimate(embed: Embed, pk: int) -> Resolved:
    run = EstimateRun.objects.on_public_site().filter(pk=pk).first()
    if run is None:
        return _refused(embed, _("%(embed)s: not a published estimate.") % {"embed": embed.text})
    # An estimate is never a bare number: only results with an interval are shown.
    results = [r for r in run.results if r.get("ci") and r["ci"].get("low") is not None]
    html = render_to_string(
        "findings/embeds/estimate.html",
        {"run": run, "results": results, "trail": reverse("publishing:estimate", args=[run.pk])},
    )
    return Resolved(embed, True, "", html)


def _revenue(embed: Embed, pk: int) -> Resolved:
    run = EstimateRun.objects.on_public_site(kind=RunKind.REVENUE).filter(pk=pk).first()
    if run is None:
        return _refused(
            embed, _("%(embed)s: not a published revenue estimate.") % {"embed": embed.text}
        )
    html = render_to_string(
        "findings/embeds/revenue.html",
        {
            "run": run,
            "doc": run.results,
            "scenarios": revenue_runs.figures(run.results)["scenarios"],
            "trail": reverse("publishing:revenue_run", args=[run.pk]),
        },
    )
    return Resolved(embed, True, "", html)


def _scale(value: float | None, top: float, width: float) -> float:
    return 0.0 if not value or not top else round(width * float(value) / top, 1)


def _bars(rows: list[dict[str, Any]], *, percent: bool = False) -> dict[str, Any]:
    """Range bars on one axis, as inline SVG coordinates (drawn the same on screen and in PDF)."""
    rows = rows[:BARS]
    top = max([(r["high"] or r["low"] or 0) for r in rows] or [0]) or 1
    bars = []
    for index, row in enumerate(rows):
        low, high = row["low"], row["high"]
        start = _scale(low, top, BAR_WIDTH) if low is not None else 0.0
        end = _scale(high, top, BAR_WIDTH) if high is not None else float(BAR_WIDTH)
        bars.append(
            {
                **row,
                "y": 8 + index * 26,
                "x": BAR_LEFT + start,
                "width": max(end - start, 2.0),
                "open_low": low is None,
                "open_high": high is None,
                "text": _range_text(low, high, percent),
            }
        )
    return {"bars": bars, "height": 16 + len(bars) * 26}


def _number_text(value: float, percent: bool) -> str:
    return f"{value * 100:.0f}%" if percent else f"{value:,.0f}"


def _range_text(low: float | None, high: float | None, percent: bool) -> str:
    if low is None and high is None:
        return "–"
    if low is None:
        return "≤ " + _number_text(high or 0, percent)
    if high is None:
        return "≥ " + _number_text(low, percent)
    if low == high:
        return _number_text(low, percent)
    return f"{_number_text(low, percent)}–{_number_text(high, percent)}"


def _chart(embed: Embed, name: str) -> Resolved:
    if name not in CHARTS:
        return _refused(
            embed,
            _("%(embed)s: no such chart (there are: %(names)s).")
            % {"embed": embed.text, "names": ", ".join(CHARTS)},
        )
    data = cached("charts", PUBLIC, lambda: chart_data(published_only=True), reads=CHART_READS)
    context: dict[str, Any] = {"name": name, "trail": reverse("publishing:home") + "#charts"}
    if name == "workers":
        latest = []
        for series in data["workers"]:
            if not series["country"]:
                continue  # a world total is not a host: it would flatten every bar beside it
            known = [p for p in series["points"] if not p.get("no_data")]
            if known:
                point = known[-1]
                latest.append({**point, "label": f"{series['label']} ({point['year']})"})
        context.update(_bars(latest))
    elif name in ("wages", "shares"):
        context.update(_bars(data[name], percent=name == "shares"))
    else:
        context["hosts"] = data["sectors"]["hosts"][:BARS]
        context["categories"] = data["sectors"]["categories"]
    context["sources"] = len(data["sources"])
    html = render_to_string("findings/embeds/chart.html", context)
    return Resolved(embed, True, "", html)


def _map(embed: Embed) -> Resolved:
    data = cached(
        "map", PUBLIC, lambda: map_data(published_only=True), reads=MAP_READS, year=None, sector=""
    )
    top = max([c["workers_high"] or c["workers_low"] or 0 for c in data["countries"]] or [0]) or 1
    dots = [
        {
            **country,
            # Equirectangular on a 720 × 360 box: no tiles, nothing fetched, the same in a PDF.
            "x": round((country["lon"] + 180) * 2, 1),
            "y": round((90 - country["lat"]) * 2, 1),
            "r": round(3 + 22 * math.sqrt((country["workers_high"] or 0) / top), 1),
            "text": _range_text(country["workers_low"], country["workers_high"], False),
        }
        for country in data["countries"]
    ]
    dots.sort(key=lambda d: -(d["workers_high"] or 0))
    for rank, dot in enumerate(dots):
        dot["labelled"] = rank < 5
    html = render_to_string(
        "findings/embeds/map.html",
        {"dots": dots, "trail": reverse("publishing:home") + "#map", "years": data.get("year")},
    )
    return Resolved(embed, True, "", html)


def _record(embed: Embed, kind: str, key: str) -> Resolved:
    language = translation.get_language() or "en"
    if kind == "country":
        code = key.upper()
        if (
            len(code) != 2
            or not Deployment.objects.filter(
                host_country=code, access_level=AccessLevel.PUBLIC
            ).exists()
        ):
            return _refused(
                embed, _("%(embed)s: no public records in this country.") % {"embed": embed.text}
            )
        context = {
            "kind": kind,
            "name": country_name(code, language),
            "trail": reverse("publishing:country", args=[code]),
            "deployments": Deployment.objects.filter(
                host_country=code, access_level=AccessLevel.PUBLIC
            ).count(),
        }
    else:
        model = Organisation if kind == "organisation" else Site
        pk = _int(key)
        record = PUBLIC.records(model).filter(pk=pk).first() if pk is not None else None
        if record is None:
            return _refused(embed, _("%(embed)s: not a public record.") % {"embed": embed.text})
        context = {
            "kind": kind,
            "record": record,
            "name": str(record),
            "country": country_name(record.country, language) if record.country else "",
            "trail": reverse(f"publishing:{kind}", args=[record.pk]),
        }
    return Resolved(embed, True, "", render_to_string("findings/embeds/record.html", context))


def resolve(embed: Embed) -> Resolved:
    """The embed drawn from what is public now, or why it cannot be (in the active language)."""
    kind, args = embed.kind, embed.args
    if kind in ("estimate", "revenue") and len(args) == 1 and _int(args[0]) is not None:
        return (_estimate if kind == "estimate" else _revenue)(embed, int(args[0]))
    if kind == "chart" and len(args) == 1:
        return _chart(embed, args[0])
    if kind == "map" and not args:
        return _map(embed)
    if kind == "record" and len(args) == 2 and args[0] in RECORD_KINDS:
        return _record(embed, args[0], args[1])
    return _refused(
        embed,
        _("%(embed)s (line %(line)d): not an embed this site knows; see the embed reference.")
        % {"embed": embed.text, "line": embed.line},
    )
