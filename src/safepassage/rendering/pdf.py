"""PDF documents with fpdf2 and the vendored DejaVu Sans (Cyrillic, Ukrainian and Belarusian letters).

Text is always written as text (never parsed as markup), so what a person typed — `<script>`,
`{{ 7*7 }}`, bidi controls — appears literally. Creation dates are fixed by the caller, so the same
content renders to the same document.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONTS = Path(__file__).resolve().parents[1] / "fonts"
FAMILY = "DejaVu"
logging.getLogger("fpdf").setLevel(logging.ERROR)  # missing-glyph chatter would name characters of personal data


def printable(text: str) -> str:
    """Text as the PDF shows it: invisible format characters (zero-width, bidi controls) made visible."""
    return "".join(f"[U+{ord(ch):04X}]" if unicodedata.category(ch) == "Cf" else ch for ch in text)


class PdfDocument:
    """A simple flowing A4 document: headings, paragraphs, label/value rows and tables."""

    def __init__(self, *, title: str, lang: str, created: datetime | None = None) -> None:
        pdf = FPDF(format="A4")
        pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        pdf.set_title(printable(title))
        pdf.set_lang(lang)
        pdf.set_creator("Safe Passage")
        pdf.set_creation_date(created or datetime.now(UTC))
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.set_margins(20, 18, 20)
        pdf.add_page()
        pdf.set_font(FAMILY, size=10.5)
        self.pdf = pdf

    def _text(self, text: str, *, size: float = 10.5, bold: bool = False, gap: float = 2.0) -> None:
        self.pdf.set_font(FAMILY, "B" if bold else "", size)
        self.pdf.multi_cell(0, size * 0.5, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.pdf.ln(gap)

    def heading(self, text: str, level: int = 1) -> None:
        """A heading (level 1 is the title)."""
        self._text(text, size={1: 16.0, 2: 12.5}.get(level, 11.0), bold=True, gap=3.0 if level == 1 else 1.5)

    def paragraph(self, text: str, *, bold: bool = False) -> None:
        """A paragraph; line breaks in the text are kept."""
        self._text(text, bold=bold)

    def rows(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Label: value rows, labels in bold."""
        pdf = self.pdf
        for label, value in pairs:
            if pdf.will_page_break(11):
                pdf.add_page()
            x0, y0 = pdf.l_margin, pdf.get_y()
            pdf.set_font(FAMILY, "B", 10.5)
            pdf.multi_cell(55, 5.5, printable(label), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
            label_bottom = pdf.get_y()
            pdf.set_xy(x0 + 57, y0)
            pdf.set_font(FAMILY, "", 10.5)
            pdf.multi_cell(0, 5.5, printable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
            pdf.set_y(max(label_bottom, pdf.get_y()) if pdf.get_y() >= y0 else pdf.get_y())
        self.pdf.ln(2)

    def table(self, header: Sequence[str], body: Sequence[Sequence[str]]) -> None:
        """A table with a bold header row (columns share the width)."""
        self.pdf.set_font(FAMILY, "", 9.5)
        with self.pdf.table(text_align="LEFT", line_height=5) as table:  # type: ignore[call-arg, unused-ignore]
            head = table.row()
            for cell in header:
                head.cell(printable(cell))
            for values in body:
                row = table.row()
                for cell in values:
                    row.cell(printable(cell))
        self.pdf.ln(2)

    def output(self) -> bytes:
        """The PDF file's bytes."""
        return bytes(self.pdf.output())
