"""A statistics report as CSV, JSON or PDF: the same figures as the dashboard (aggregates only)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

from safepassage.i18n import translations
from safepassage.rendering import stats_labels as L
from safepassage.rendering.pdf import PdfDocument
from safepassage.services.statistics import Report

FORMATS = ("csv", "json", "pdf")
Gettext = Callable[[str], str]


def rows(report: Report, _: Gettext) -> list[tuple[str, str, str, str]]:
    """(section, item, breakdown, value) rows: every figure of the report, flat."""
    out: list[tuple[str, str, str, str]] = []
    for m, per in report.funnel.items():
        for key, n in per.items():
            out.append((_("People reaching each step"), _(L.MEASURES[m]), _(L.PATHWAYS[key]), str(n)))
    for m, per in report.destinations.items():
        for code in report.destination_codes():
            out.append((_("After the decision, by destination"), _(L.MEASURES[m]),
                        _(L.destination_label(code, report.destination_names)), str(per.get(code, 0))))
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
    """A readable PDF (the letters' PDF document: DejaVu Sans, text never parsed): method notes, then tables."""
    _ = translations(lang).gettext
    doc = PdfDocument(title=_("Safe Passage statistics"), lang=lang, created=report.generated_at)
    doc.heading(_("Safe Passage statistics"))
    doc.paragraph(_("Period: %(start)s to %(end)s (UTC), counted in people.") % {"start": report.start.isoformat(),
                                                                                   "end": report.end.isoformat()})
    doc.paragraph(_("People are counted once however many applications they made; family members are people too."))
    for key in report.not_available:
        doc.paragraph(_(L.NOT_AVAILABLE[key]))
    sections: dict[str, list[list[str]]] = {}
    for sec, item, breakdown, value in rows(report, _):
        sections.setdefault(sec, []).append([item, breakdown, value])
    for sec, body in sections.items():
        doc.heading(sec, 2)
        doc.table([_("Figure"), _("Breakdown"), _("Value")], body)
    return doc.output()


def render(report: Report, fmt: str, lang: str = "en") -> bytes:
    """The report in one of FORMATS."""
    if fmt == "csv":
        return to_csv(report, lang)
    if fmt == "json":
        return to_json(report)
    if fmt == "pdf":
        return to_pdf(report, lang)
    raise ValueError(f"Unknown format '{fmt[:10]}'. Formats: {', '.join(FORMATS)}.")
