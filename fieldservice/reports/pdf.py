"""The warranty-expiry list as a paginated A4 (landscape) PDF, with the CJK font of the service report.

A month at a million units is ~14,000 rows. Going through reportlab's text objects costs ~30 µs a
cell in pure Python (its C accelerator is optional), which is 5 s for the 170,000 cells; so rows go
into the page's content stream as PDF operators written here, and each cell's encoding is cached
for the columns whose values repeat (dates, models, kinds). Header and footer use the ordinary canvas
calls: they are a few strings per page. The page total ("page 3 / 350") is a form drawn on every
page and filled in at the end, as in visits/pdf.py.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

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
    offer_due: str  # "Call {date}"
    draft: str  # "Draft agreement"
    total: str  # "{n} units"
    empty: str


@dataclass(frozen=True)
class _Col:
    width: float
    align: str = "left"
    wraps: bool = False
    repeats: bool = False  # values repeat across rows: cache their encoding


# #, customer, phone, address, model, serial, purchased, coverage, ends, days left, repairs, offer
COLUMNS = (_Col(30, "right"), _Col(80, wraps=True), _Col(60), _Col(190, wraps=True), _Col(66, repeats=True),
           _Col(84), _Col(50, repeats=True), _Col(36, repeats=True), _Col(50, repeats=True),
           _Col(40, "right", repeats=True), _Col(40, "right", repeats=True), _Col(RIGHT - LEFT - 726, repeats=True))
CELL_PAD = 3


def render_expiry_pdf(rows: Iterable[ExpiryRow], text: ExpiryPdfText, fmt_date: Callable) -> bytes:
    buffer = io.BytesIO()
    _ExpiryPdf(text, fmt_date, buffer).draw(rows)
    return buffer.getvalue()


class _CellWriter:
    """Text cells as raw PDF operators, each string encoded once per document when it repeats."""

    def __init__(self, canvas: Canvas, font_name: str, size: float):
        self.canvas = canvas
        self.font = pdfmetrics.getFont(font_name)
        self.size = size
        self.cache: dict[str, tuple[tuple[str, str], ...]] = {}
        self.ops: list[str] = []
        self.current_font = None
        self.subset_ops: dict[int, str] = {}
        # A TrueType font keeps printable ASCII as itself in its first subset (reportlab's
        # "asciiReadable"): serials, phones and dates then need no per-character mapping.
        self.identity = None
        if self.font._dynamicFont:
            state = self.font._assignState(canvas._doc)
            self.identity = {chr(code) for code in range(32, 127) if state.assignments.get(code) == code}
            self._subset_op(0)

    def encode(self, s: str) -> tuple[tuple[str, str], ...]:
        if self.identity is not None and self.identity.issuperset(s):
            return ((self.subset_ops[0], f"({escapePDF(s)}) Tj"),)
        doc = self.canvas._doc
        if self.font._dynamicFont:
            return tuple((self._subset_op(subset), f"({escapePDF(chunk)}) Tj")
                         for subset, chunk in self.font.splitString(s, doc))
        # The built-in CID font (no TrueType font found): one font, its own encoding.
        return ((f"{doc.getInternalFontName(self.font.fontName)} {self.size:g} Tf",
                 f"({self.font.formatForPdf(s)}) Tj"),)

    def _subset_op(self, subset: int) -> str:
        op = self.subset_ops.get(subset)
        if op is None:
            op = self.subset_ops[subset] = \
                f"{self.font.getSubsetInternalName(subset, self.canvas._doc)} {self.size:g} Tf"
        return op

    def width(self, s: str) -> float:
        return self.font.stringWidth(s, self.size)

    def begin(self) -> None:
        self.ops = ["BT"]
        self.current_font = None

    def cell(self, x: float, y: float, s: str, cacheable: bool) -> None:
        if not s:
            return
        if cacheable:
            parts = self.cache.get(s)
            if parts is None:
                parts = self.cache[s] = self.encode(s)
        else:
            parts = self.encode(s)
        ops = self.ops
        ops.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm")
        for font_op, show in parts:
            if font_op != self.current_font:
                ops.append(font_op)
                self.current_font = font_op
            ops.append(show)

    def end(self) -> None:
        self.ops.append("ET")
        self.canvas.addLiteral("\n".join(self.ops))
        self.ops = []


class _ExpiryPdf:
    def __init__(self, text: ExpiryPdfText, fmt_date: Callable, buffer: io.BytesIO):
        self.t = text
        self.fmt_date = fmt_date
        self.font = cjk_font_name()
        self.c = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), pageCompression=1, initialFontName=self.font)
        self.c.setTitle(text.title)
        self.cells = _CellWriter(self.c, self.font, SIZE)
        self.page = 0
        self.fitted: list[dict[str, tuple[list[str], list[float]]]] = [{} for _col in COLUMNS]
        self.x = [LEFT]
        for col in COLUMNS:
            self.x.append(self.x[-1] + col.width)

    def draw(self, rows: Iterable[ExpiryRow]) -> None:
        self.new_page()
        count = 0
        for count, row in enumerate(rows, 1):
            self.row(count, row)
        self.cells.end()
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
            self.cells.end()
            self.footer()
            self.c.showPage()
        self.page += 1
        self.header()
        # Row rules: a light grey, thin stroke under every row.
        self.c.addLiteral("0.75 G 0.3 w")
        self.cells.begin()

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
            self._text(self.x[i], top - HEAD_H + 5, label, col)
        c.setStrokeGray(0)
        c.setLineWidth(0.6)
        c.line(LEFT, top - HEAD_H, RIGHT, top - HEAD_H)
        self.y = top - HEAD_H

    def _text(self, x: float, y: float, s: str, col: _Col) -> None:
        if col.align == "right":
            self.c.drawRightString(x + col.width - CELL_PAD, y, s)
        else:
            self.c.drawString(x + CELL_PAD, y, s)

    def footer(self) -> None:
        c, t = self.c, self.t
        c.setStrokeGray(0)
        c.setLineWidth(0.4)
        c.line(LEFT, BOTTOM + 10, RIGHT, BOTTOM + 10)
        c.setFont(self.font, 7)
        c.setFillGray(GREY)
        c.drawString(LEFT, BOTTOM, f"{t.title} · {t.subtitle}")
        label = t.page.split("{pages}", 1)[0].format(page=self.page)
        total_x = RIGHT - 30
        c.drawRightString(total_x, BOTTOM, label)
        c.saveState()
        c.translate(total_x, BOTTOM)
        c.doForm("page_total")
        c.restoreState()
        c.setFillGray(0)

    def _fit(self, s: str, col: _Col) -> list[str]:
        room = col.width - 2 * CELL_PAD
        if self.cells.width(s) <= room:
            return [s]
        if not col.wraps:
            return [self._cut(s, room)]
        lines = wrap(s, self.font, SIZE, room)
        if len(lines) > MAX_LINES:
            lines = lines[:MAX_LINES - 1] + [self._cut("".join(lines[MAX_LINES - 1:]), room)]
        return lines

    def _cut(self, s: str, room: float) -> str:
        while s and self.cells.width(s + "…") > room:
            s = s[:-1]
        return s + "…"

    def row(self, n: int, r: ExpiryRow) -> None:
        t = self.t
        offer = t.offer_due.format(date=self.fmt_date(r.offer_due)) if r.offer_due else (
            t.draft if r.draft_agreement else "")
        values = (str(n), r.customer_name, r.phone, r.address, r.model_code, r.serial,
                  self.fmt_date(r.purchase_date) if r.purchase_date else "", t.kinds[r.kind],
                  self.fmt_date(r.coverage_end), str(r.days_left), str(r.repairs), offer)
        cells = []
        for i, (value, col) in enumerate(zip(values, COLUMNS)):
            fitted = self.fitted[i].get(value) if col.repeats else None
            if fitted is None:
                lines = self._fit(value, col)
                fitted = (lines, [self.cells.width(line) for line in lines] if col.align == "right" else [])
                if col.repeats:
                    self.fitted[i][value] = fitted
            cells.append(fitted)
        height = max(len(lines) for lines, _widths in cells) * LINE + 2 * PAD
        if self.y - height < BOTTOM + 16:
            self.new_page()
        top = self.y
        writer = self.cells
        for i, ((lines, widths), col) in enumerate(zip(cells, COLUMNS)):
            for k, line in enumerate(lines):
                baseline = top - PAD - SIZE - k * LINE + 0.5
                if col.align == "right":
                    x = self.x[i] + col.width - CELL_PAD - widths[k]
                else:
                    x = self.x[i] + CELL_PAD
                writer.cell(x, baseline, line, col.repeats)
        self.y = top - height
        writer.ops.append(f"ET {LEFT:.2f} {self.y:.2f} m {RIGHT:.2f} {self.y:.2f} l S BT")
        writer.current_font = None
