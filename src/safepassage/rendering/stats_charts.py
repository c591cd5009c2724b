"""Server-side SVG charts with pygal, made safe for a strict CSP: no script, no inline style, no external link.

pygal embeds a `<script>` (and by default links its tooltip JavaScript from a CDN) and a `<style>` element;
both are removed here. The chart styles are served once as a same-origin stylesheet (`chart_css`), scoped
to `svg.pygal-chart`, so the page's own classes are untouched.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache

import pygal  # type: ignore[import-untyped]
from markupsafe import Markup
from pygal.style import Style  # type: ignore[import-untyped]

from safepassage.rendering import stats_labels as L
from safepassage.services.statistics import Report

Gettext = Callable[[str], str]
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#1d5fa8", "#c05621", "#2f855a", "#6b46c1", "#b7791f", "#718096"),
    font_family="DejaVu Sans, Arial, sans-serif",
    title_font_size=16,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    value_font_size=12,
)
_CONFIG = {
    "js": [],  # never pygal's CDN tooltip script
    "css": [],
    "style": STYLE,
    "no_prefix": True,
    "disable_xml_declaration": True,
    "explicit_size": True,
    "width": 720,
    "height": 340,
    "print_values": True,
    "legend_at_bottom": True,
    "truncate_label": 40,
    "truncate_legend": 60,
}
_DROP = [
    re.compile(r"<script\b.*?</script>", re.S | re.I),
    re.compile(r"<style\b.*?</style>", re.S | re.I),
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r'\sstyle="[^"]*"'),
    re.compile(r"\s(?:xlink:)?href=\"(?!#)[^\"]*\""),
]


def _clean(svg: str) -> str:
    for pattern in _DROP:
        svg = pattern.sub("", svg)
    return svg


def _render(chart: pygal.graph.graph.Graph, title: str, desc: str) -> Markup:
    """The chart as inline SVG, labelled for screen readers."""
    svg = _clean(chart.render(is_unicode=True))
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(title)}" ', 1)
    svg = svg.replace(">", f"><title>{Markup.escape(title)}</title><desc>{Markup.escape(desc)}</desc>", 1)
    return Markup(svg)  # noqa: S704 - pygal's own markup, scripts/styles/links removed, our text escaped


@cache
def chart_css() -> str:
    """pygal's chart styles, scoped to `svg.pygal-chart` (served as a same-origin stylesheet)."""
    css = ""
    for kind in (pygal.HorizontalBar, pygal.Bar, pygal.StackedBar, pygal.Line):
        chart = kind(**{**_CONFIG, "css": ("file://style.css", "file://graph.css")})
        chart.add("x", [1, 2])
        found = re.search(r"<style[^>]*>(.*?)</style>", chart.render(is_unicode=True), re.S)
        css += html.unescape(found.group(1)) if found else ""  # pygal escapes ">" inside <style>
    rules = []
    for selector, body in re.findall(r"([^{}]*)\{([^{}]*)\}", css):
        scoped = ", ".join(f"svg.pygal-chart {s.strip()}".rstrip() for s in selector.split(",")) or "svg.pygal-chart"
        rule = f"{scoped}{{{body}}}"
        if rule not in rules:
            rules.append(rule)
    rules.append("svg.pygal-chart .tooltip-overlay, svg.pygal-chart .tooltip{opacity:0}")
    rules.append("svg.pygal-chart{max-width:100%;height:auto}")
    return "\n".join(rules) + "\n"


def _hbar(title: str, labels: Sequence[str], series: Mapping[str, Sequence[int | None]]) -> Markup:
    chart = pygal.HorizontalBar(**_CONFIG, title=title, show_legend=len(series) > 1)
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    desc = "; ".join(
        f"{lab}: " + ", ".join("–" if v is None else str(v) for v in vals)
        for lab, vals in zip(labels, zip(*series.values(), strict=True), strict=True)
    )
    return _render(chart, title, desc)


def funnel(report: Report, _: Gettext) -> Markup:
    """People at each step, from first contact to arrival."""
    steps = ("contacts", "applications", "screened", "decided", "granted", "arrived")
    values = [report.funnel[m]["all"] for m in steps]
    return _hbar(_("From first contact to arrival (people)"), [_(L.MEASURES[m]) for m in steps], {_("People"): values})


def soldiers(report: Report, _: Gettext) -> Markup:
    """Soldiers' pre-journey: request, arranged, custody, asylum application."""
    steps = ("surrender_requested", "surrender_arranged", "in_custody", "custody_to_asylum")
    return _hbar(
        _("Surrenders (people)"),
        [_(L.MEASURES[m]) for m in steps],
        {_("People"): [report.funnel[m]["all"] for m in steps]},
    )


def outcomes(report: Report, _: Gettext) -> Markup:
    """Decisions by outcome and pathway."""
    paths = [p for p in L.PATHWAYS if p != "all" and report.funnel["decided"].get(p)]
    series = {_(L.MEASURES[o]): [report.funnel[o][p] for p in paths] for o in ("granted", "refused", "excluded")}
    chart = pygal.StackedBar(**_CONFIG, title=_("Decisions by pathway (people)"))
    chart.x_labels = [_(L.PATHWAYS[p]) for p in paths]
    for name, values in series.items():
        chart.add(name, values)
    desc = "; ".join(
        f"{_(L.PATHWAYS[p])}: " + ", ".join(f"{k} {v[i]}" for k, v in series.items()) for i, p in enumerate(paths)
    )
    return _render(chart, _("Decisions by pathway (people)"), desc)


def monthly(report: Report, _: Gettext) -> Markup:
    """Applications and decisions per month."""
    months = sorted(set(report.monthly["applications"]) | set(report.monthly["decided"]))
    chart = pygal.Bar(**_CONFIG, title=_("Per month (people)"), x_label_rotation=30)
    chart.x_labels = months
    apps = [report.monthly["applications"].get(m, 0) for m in months]
    dec = [report.monthly["decided"].get(m, 0) for m in months]
    chart.add(_(L.MEASURES["applications"]), apps)
    chart.add(_(L.MEASURES["decided"]), dec)
    desc = "; ".join(f"{m}: {a} / {d}" for m, a, d in zip(months, apps, dec, strict=True))
    return _render(chart, _("Per month (people)"), desc)


def processing(report: Report, _: Gettext) -> Markup:
    """Median and 90th percentile days per stage (all pathways)."""
    stages = [s for s in report.durations if report.durations[s].get("all", {}).get("n")]
    p50 = [_days(report.durations[s]["all"]["p50"]) for s in stages]
    p90 = [_days(report.durations[s]["all"]["p90"]) for s in stages]
    return _hbar(
        _("Days per stage (median and 90th percentile)"),
        [_(L.STAGES[s]) for s in stages],
        {_("Median"): p50, _("90th percentile"): p90},
    )


def _days(hours: int | None) -> int | None:
    return None if hours is None else round(hours / 24)


def backlog(report: Report, _: Gettext) -> Markup:
    """Open cases by stage and how long they have waited in it."""
    stages = list(report.backlog)
    chart = pygal.StackedBar(**_CONFIG, title=_("Open cases by stage and waiting time"), x_label_rotation=20)
    chart.x_labels = [_(L.STAGES.get(s, s)) for s in stages]
    for age, label in L.AGES.items():
        chart.add(_(label), [report.backlog[s].get(age, [0, 0])[0] for s in stages])
    desc = "; ".join(f"{_(L.STAGES.get(s, s))}: {sum(v[0] for v in report.backlog[s].values())}" for s in stages)
    return _render(chart, _("Open cases by stage and waiting time"), desc)


def public_bars(groups: Sequence[str], cells: Mapping[str, int | None], title: str, _: Gettext) -> Markup:
    """One public row as bars; withheld cells are drawn as gaps and listed as withheld."""
    return _hbar(title, [_(L.PUBLIC_GROUPS[g]) for g in groups], {_("People"): [cells.get(g) for g in groups]})


def dashboard(report: Report, _: Gettext) -> dict[str, Markup]:
    """Every dashboard chart, by name."""
    return {
        "funnel": funnel(report, _),
        "soldiers": soldiers(report, _),
        "outcomes": outcomes(report, _),
        "monthly": monthly(report, _),
        "processing": processing(report, _),
        "backlog": backlog(report, _),
    }
