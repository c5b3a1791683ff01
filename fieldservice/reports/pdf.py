"""The warranty-expiry list as a paginated A4 (landscape) PDF, with the CJK font of the service report.

A month at a million units is 14,000-20,000 rows. Going through reportlab's text objects costs about
30 µs a cell in pure Python, which is 5 s for the 200,000 cells; so rows go into the page's content
stream as PDF operators written here. A cell's text is fitted (measured, wrapped or cut), placed and
encoded once and kept for the columns whose values repeat (dates, models, kinds, counts); printable
ASCII needs no per-character font mapping (see _Encoder). Header and footer use the ordinary canvas
calls: a few strings per page. The page total ("page 3 of 350") is a form drawn on every page and
filled in at the end, as in visits/pdf.py.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.rl_accel import escapePDF
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from ..pdf_fonts import cjk_font_name
from ..visits.pdf import wrap
from .expiry import ExpiryRow

PAGE_W, PAGE_H = landscape(A4)
LEFT, RIGHT = 28, PAGE_W - 28
TOP, BOTTOM = PAGE_H - 26, 24
SIZE = 7.5  # body text
LINE = 9.5  # line height of a row's text
PAD = 2.5  # above and below a row's text
MAX_LINES = 2  # a long name or address wraps once, then is cut with an ellipsis
HEAD_H = 16  # the column header band
GREY = 0.35
CELL_PAD = 3


@dataclass(frozen=True)
class ExpiryPdfText:
    """Everything the PDF says, already in the reader's language."""

    centre: str
    title: str
    subtitle: str  # the date range and the filters
    printed: str  # "Printed 2026-11-22 10:15 by 王经理"
    page: str  # "Page {page} of {pages}": the total is only known at the end, so it is drawn as a form
    headers: Sequence[str]  # one per column, in COLUMNS order
    kinds: dict[str, str]  # coverage kind -> label
    draft: str  # "Draft agreement"
    total: str  # "{n} units"
    empty: str


@dataclass(frozen=True)
class _Col:
    width: float
    align: str = "left"
    wraps: bool = False
    repeats: bool = False  # values repeat across rows: keep their fitted, encoded text


# No., customer, phone, address, model, serial, purchased, coverage, ends, days left, repairs, offer call
COLUMNS = (_Col(30, "right"), _Col(80, wraps=True, repeats=True), _Col(60), _Col(176, wraps=True),
           _Col(66, repeats=True), _Col(84), _Col(50, repeats=True), _Col(50, repeats=True), _Col(50, repeats=True),
           _Col(40, "right", repeats=True), _Col(40, "right", repeats=True), _Col(RIGHT - LEFT - 726, repeats=True))


def render_expiry_pdf(rows: Iterable[ExpiryRow], text: ExpiryPdfText, fmt_date: Callable[[date], str]) -> bytes:
    buffer = io.BytesIO()
    _ExpiryPdf(text, fmt_date, buffer).draw(rows)
    return buffer.getvalue()


class _Encoder:
    """Text as PDF text operators ("/F1+0 7.5 Tf (…) Tj"), for the document's font."""

    def __init__(self, canvas: Canvas, font_name: str, size: float):
        self.doc = canvas._doc
        self.font = pdfmetrics.getFont(font_name)
        self.size = size
        self.subset_ops: dict[int, str] = {}
        # A TrueType font keeps printable ASCII as itself in its first subset (reportlab's
        # "asciiReadable"): serials, phones and dates then need no per-character mapping.
        self.identity: set[str] = set()
        if self.font._dynamicFont:
            state = self.font._assignState(self.doc)
            self.identity = {chr(code) for code in range(32, 127) if state.assignments.get(code) == code}

    def ops(self, s: str) -> str:
        if self.identity and self.identity.issuperset(s):
            return f"{self._subset_op(0)} ({escapePDF(s)}) Tj"
        if self.font._dynamicFont:
            return " ".join(f"{self._subset_op(subset)} ({escapePDF(chunk)}) Tj"
                            for subset, chunk in self.font.splitString(s, self.doc))
        # The built-in CID font (no TrueType font found): one font, its own encoding.
        return f"{self.doc.getInternalFontName(self.font.fontName)} {self.size:g} Tf ({self.font.formatForPdf(s)}) Tj"

    def _subset_op(self, subset: int) -> str:
        op = self.subset_ops.get(subset)
        if op is None:
            op = self.subset_ops[subset] = f"{self.font.getSubsetInternalName(subset, self.doc)} {self.size:g} Tf"
        return op

    def width(self, s: str) -> float:
        return self.font.stringWidth(s, self.size)


class _ExpiryPdf:
    def __init__(self, text: ExpiryPdfText, fmt_date: Callable[[date], str], buffer: io.BytesIO):
        self.t = text
        self.fmt_date = fmt_date
        self.font = cjk_font_name()
        self.c = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), pageCompression=1, initialFontName=self.font)
        self.c.setTitle(text.title)
        self.encoder = _Encoder(self.c, self.font, SIZE)
        self.page = 0
        self.ops: list[str] = []
        self.dates: dict[date, str] = {}
        # Per column: value -> (number of lines, ((x, line index, text operators), ...)).
        self.placed: list[dict[str, tuple[int, tuple]]] = [{} for _col in COLUMNS]
        self.x = [LEFT]
        for col in COLUMNS:
            self.x.append(self.x[-1] + col.width)

    def draw(self, rows: Iterable[ExpiryRow]) -> None:
        self.new_page()
        count = 0
        for count, row in enumerate(rows, 1):
            self.row(count, row)
        self.end_rows()
        y = self.y - 4
        if count == 0:
            self.c.setFont(self.font, 9)
            self.c.drawString(LEFT, y - 10, self.t.empty)
        else:
            self.c.setFont(self.font, SIZE)
            self.c.drawRightString(RIGHT, y - 8, self.t.total.format(n=f"{count:,}"))
        self.footer()
        self.c.showPage()
        self.c.beginForm("page_total")
        self.c.setFont(self.font, 7)
        self.c.setFillGray(GREY)
        self.c.drawString(0, 0, f"{self.page}{self.t.page.split('{pages}', 1)[1]}")
        self.c.endForm()
        self.c.save()

    def new_page(self) -> None:
        if self.page:
            self.end_rows()
            self.footer()
            self.c.showPage()
        self.page += 1
        self.header()
        # Rows are text between rules: a light grey, thin stroke under every row.
        self.ops = ["0.75 G 0.3 w BT"]

    def end_rows(self) -> None:
        self.ops.append("ET")
        self.c.addLiteral("\n".join(self.ops))

    def header(self) -> None:
        c, t = self.c, self.t
        c.setFillGray(GREY)
        c.setFont(self.font, 8)
        c.drawString(LEFT, TOP, t.centre)
        c.drawRightString(RIGHT, TOP, t.printed)
        c.setFillGray(0)
        c.setFont(self.font, 14)
        c.drawString(LEFT, TOP - 20, t.title)
        c.setFont(self.font, 8.5)
        c.drawString(LEFT, TOP - 34, t.subtitle)
        top = TOP - 42
        c.setFillGray(0.9)
        c.rect(LEFT, top - HEAD_H, RIGHT - LEFT, HEAD_H, stroke=0, fill=1)
        c.setFillGray(0)
        c.setFont(self.font, SIZE)
        for i, (label, col) in enumerate(zip(t.headers, COLUMNS)):
            if col.align == "right":
                c.drawRightString(self.x[i] + col.width - CELL_PAD, top - HEAD_H + 5, label)
            else:
                c.drawString(self.x[i] + CELL_PAD, top - HEAD_H + 5, label)
        c.setStrokeGray(0)
        c.setLineWidth(0.6)
        c.line(LEFT, top - HEAD_H, RIGHT, top - HEAD_H)
        self.y = top - HEAD_H

    def footer(self) -> None:
        c, t = self.c, self.t
        c.setStrokeGray(0)
        c.setLineWidth(0.4)
        c.line(LEFT, BOTTOM + 10, RIGHT, BOTTOM + 10)
        c.setFont(self.font, 7)
        c.setFillGray(GREY)
        c.drawString(LEFT, BOTTOM, f"{t.title} · {t.subtitle}")
        total_x = RIGHT - 30
        c.drawRightString(total_x, BOTTOM, t.page.split("{pages}", 1)[0].format(page=self.page))
        c.saveState()
        c.translate(total_x, BOTTOM)
        c.doForm("page_total")
        c.restoreState()
        c.setFillGray(0)

    def _date(self, d: date | None) -> str:
        if d is None:
            return ""
        text = self.dates.get(d)
        if text is None:
            text = self.dates[d] = self.fmt_date(d)
        return text

    def _fit(self, s: str, col: _Col) -> list[str]:
        room = col.width - 2 * CELL_PAD
        if self.encoder.width(s) <= room:
            return [s]
        if not col.wraps:
            return [self._cut(s, room)]
        lines = wrap(s, self.font, SIZE, room)
        if len(lines) > MAX_LINES:
            lines = lines[:MAX_LINES - 1] + [self._cut("".join(lines[MAX_LINES - 1:]), room)]
        return lines

    def _cut(self, s: str, room: float) -> str:
        while s and self.encoder.width(s + "…") > room:
            s = s[:-1]
        return s + "…"

    def _place(self, i: int, value: str) -> tuple[int, tuple]:
        """The cell's lines as (x, line index, operators), fitted to its column."""
        col = COLUMNS[i]
        placed = self.placed[i].get(value) if col.repeats else None
        if placed is None:
            lines = self._fit(value, col) if value else []
            right = col.align == "right"
            placed = (len(lines), tuple(
                (self.x[i] + (col.width - CELL_PAD - self.encoder.width(line) if right else CELL_PAD), k,
                 self.encoder.ops(line))
                for k, line in enumerate(lines) if line))
            if col.repeats:
                self.placed[i][value] = placed
        return placed

    def row(self, n: int, r: ExpiryRow) -> None:
        t = self.t
        offer = self._date(r.offer_due) if r.offer_due else (t.draft if r.draft_agreement else "")
        values = (str(n), r.customer_name, r.phone, r.address, r.model_code, r.serial, self._date(r.purchase_date),
                  t.kinds[r.kind], self._date(r.coverage_end), str(r.days_left), str(r.repairs), offer)
        cells = [self._place(i, value) for i, value in enumerate(values)]
        height = max(max(lines for lines, _items in cells), 1) * LINE + 2 * PAD
        if self.y - height < BOTTOM + 16:
            self.new_page()
        baseline = self.y - PAD - SIZE + 0.5
        append = self.ops.append
        for _lines, items in cells:
            for x, k, text_ops in items:
                append(f"1 0 0 1 {x:.2f} {baseline - k * LINE:.2f} Tm {text_ops}")
        self.y -= height
        # Path operators are not allowed inside a text object: close it for the rule, then reopen.
        append(f"ET {LEFT} {self.y:.2f} m {RIGHT:.2f} {self.y:.2f} l S BT")
