"""A statistics report as CSV, JSON or PDF: the same figures as the dashboard (aggregates only)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from safepassage.i18n import translations
from safepassage.rendering import stats_labels as L
from safepassage.services.statistics import Report

FORMATS = ("csv", "json", "pdf")
FONT = Path(__file__).resolve().parents[1] / "fonts" / "DejaVuSans.ttf"
Gettext = Callable[[str], str]


def rows(report: Report, _: Gettext) -> list[tuple[str, str, str, str]]:
    """(section, item, breakdown, value) rows: every figure of the report, flat."""
    out: list[tuple[str, str, str, str]] = []
    for m, per in report.funnel.items():
        for key, n in per.items():
            out.append((_("People reaching each step"), _(L.MEASURES[m]), _(L.PATHWAYS[key]), str(n)))
    for e in report.removed:
        out.append(
            (_("Removed from the war"), _(L.REMOVED[e.name]), _("low") + ": " + _(L.RULES[e.low_rule]), str(e.low))
        )
        out.append(
            (_("Removed from the war"), _(L.REMOVED[e.name]), _("high") + ": " + _(L.RULES[e.high_rule]), str(e.high))
        )
    for stage, per_path in report.durations.items():
        for key, s in sorted(per_path.items()):
            for q in ("n", "p50", "p90"):
                value = s.get(q)
                label = {"n": _("cases"), "p50": _("median hours"), "p90": _("90th percentile hours")}[q]
                out.append(
                    (
                        _("Processing time"),
                        f"{_(L.STAGES[stage])} — {_(L.PATHWAYS.get(key, key))}",
                        label,
                        "" if value is None else str(value),
                    )
                )
    for stage, ages in report.backlog.items():
        for age, (cases, people) in ages.items():
            out.append((_("Open cases now"), _(L.STAGES.get(stage, stage)), _(L.AGES[age]), f"{cases} / {people}"))
    for series, months in report.monthly.items():
        for month, n in months.items():
            out.append((_("Per month (people)"), _(L.MEASURES[series]), month, str(n)))
    for section, figures in (("screening", report.screening), ("referrals", report.referrals)):
        for key, value in (figures or {}).items():
            out.append(
                (
                    section,
                    key,
                    "",
                    json.dumps(value, sort_keys=True)
                    if isinstance(value, dict)
                    else ("" if value is None else str(value)),
                )
            )
    return out


def to_csv(report: Report, lang: str = "en") -> bytes:
    """CSV (UTF-8 with BOM so spreadsheets read Cyrillic) with a header row."""
    _ = translations(lang).gettext
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([_("Section"), _("Figure"), _("Breakdown"), _("Value")])
    w.writerow([_("Period"), f"{report.start.isoformat()} – {report.end.isoformat()}", "", ""])
    w.writerows(rows(report, _))
    return ("\ufeff" + buf.getvalue()).encode()


def to_json(report: Report) -> bytes:
    """The report as JSON (codes, not translated labels)."""
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2, sort_keys=True).encode()


def to_pdf(report: Report, lang: str = "en") -> bytes:
    """A readable PDF: title, period, method notes, then every figure as a table."""
    _ = translations(lang).gettext
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_title(_("Safe Passage statistics"))
    pdf.set_creator("Safe Passage")
    pdf.set_creation_date(report.generated_at.astimezone(UTC) if report.generated_at else datetime.now(UTC))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()

    def line(text: str, size: float = 10) -> None:
        pdf.set_font("DejaVu", size=size)
        pdf.multi_cell(0, size * 0.55, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line(_("Safe Passage statistics"), 16)
    line(
        _("Period: %(start)s to %(end)s (UTC), counted in people.")
        % {"start": report.start.isoformat(), "end": report.end.isoformat()}
    )
    line(_("People are counted once however many applications they made; family members are people too."))
    for key in report.not_available:
        line(_(L.NOT_AVAILABLE[key]), 9)
    pdf.ln(2)
    section = ""
    pdf.set_font("DejaVu", size=8.5)
    for sec, item, breakdown, value in rows(report, _):
        if sec != section:
            section = sec
            pdf.ln(1)
            line(sec, 12)
            pdf.set_font("DejaVu", size=8.5)
        pdf.multi_cell(
            0,
            4.5,
            f"{item} · {breakdown}: {value}" if breakdown else f"{item}: {value}",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    return bytes(pdf.output())


def render(report: Report, fmt: str, lang: str = "en") -> bytes:
    """The report in one of FORMATS."""
    if fmt == "csv":
        return to_csv(report, lang)
    if fmt == "json":
        return to_json(report)
    if fmt == "pdf":
        return to_pdf(report, lang)
    raise ValueError(f"Unknown format '{fmt[:10]}'. Formats: {', '.join(FORMATS)}.")
