"""The signed service report as an A4 PDF, drawn straight on a reportlab canvas.

The canvas (not platypus) keeps a report near 25 ms; `invariant=1` fixes the creation
date and document id so the same input gives the same bytes, which lets a regenerated report be
compared with the stored one. A PDF cannot contain its own SHA-256, so it prints a short
verification code and says where to check it; a new revision prints the hash of the one it replaces.
Labels live here (not in Babel catalogues) because a report's language is the report's, not the
viewer's.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from fieldservice.billing.rules import Charges, ChargeLine, LineKind
from fieldservice.pdf_fonts import cjk_font_name

LABELS: dict[str, dict[str, str]] = {
    "zh_CN": {
        "title": "上门服务报告",
        "request_number": "服务单号",
        "revision": "报告版本",
        "revision_value": "第 {revision} 版",
        "receipt_number": "收据号",
        "no_receipt": "无需收费",
        "verification_code": "核验码",
        "customer_unit": "客户与产品",
        "customer": "客户",
        "phone": "电话",
        "address": "地址",
        "model": "产品型号",
        "serial": "序列号",
        "purchase_date": "购买日期",
        "found_model": "现场型号",
        "found_serial": "现场序列号",
        "mismatch": "与记录不符",
        "times": "服务时间",
        "reported": "报修时间",
        "arrived": "到达时间",
        "finished": "完成时间",
        "signed": "签字时间",
        "warranty": "保修判定",
        "warranty_status": "判定结果",
        "work": "故障与处理",
        "fault_cause": "故障原因",
        "diagnosis": "故障诊断",
        "resolution": "处理措施",
        "outcome": "处理结果",
        "charges": "费用明细（单位：元）",
        "code": "编码",
        "item": "项目",
        "qty": "数量",
        "unit_price": "单价",
        "gross": "金额",
        "warranty_waiver": "保修减免",
        "agreement_waiver": "协议减免",
        "net": "应付",
        "call_out": "上门费",
        "no_charges": "本次服务无收费项目",
        "notes": "说明",
        "total_gross": "费用合计",
        "total_due": "应付金额",
        "confirmation": "客户确认",
        "verdict": "服务评价",
        "comment": "客户意见",
        "signature": "客户签字",
        "signer": "签字人",
        "technician": "服务技术员",
        "not_signed": "未签字",
        "statement": "本人已确认上述服务内容、处理结果及费用。",
        "continued": "（续）",
        "verify": "核验本报告：访问 {url}，输入服务单号 {number} 与核验码 {code}，或上传本 PDF 文件比对 SHA-256。",
        "supersedes": "本版取代第 {revision} 版，其 SHA-256：{sha}",
        "page": "第 {page} 页 / 共",
        "pages_suffix": "页",
    },
    "en": {
        "title": "Service Report",
        "request_number": "Request no.",
        "revision": "Revision",
        "revision_value": "{revision}",
        "receipt_number": "Receipt no.",
        "no_receipt": "No charge",
        "verification_code": "Verification code",
        "customer_unit": "Customer and unit",
        "customer": "Customer",
        "phone": "Phone",
        "address": "Address",
        "model": "Model",
        "serial": "Serial no.",
        "purchase_date": "Purchased",
        "found_model": "Model on site",
        "found_serial": "Serial on site",
        "mismatch": "differs from record",
        "times": "Service times",
        "reported": "Reported",
        "arrived": "Arrived",
        "finished": "Finished",
        "signed": "Signed",
        "warranty": "Warranty",
        "warranty_status": "Decision",
        "work": "Fault and work done",
        "fault_cause": "Fault cause",
        "diagnosis": "Diagnosis",
        "resolution": "Resolution",
        "outcome": "Outcome",
        "charges": "Charges (CNY)",
        "code": "Code",
        "item": "Item",
        "qty": "Qty",
        "unit_price": "Unit price",
        "gross": "Amount",
        "warranty_waiver": "Warranty",
        "agreement_waiver": "Agreement",
        "net": "Due",
        "call_out": "Call-out fee",
        "no_charges": "No chargeable items for this visit",
        "notes": "Notes",
        "total_gross": "Total",
        "total_due": "Amount due",
        "confirmation": "Customer confirmation",
        "verdict": "Rating",
        "comment": "Comment",
        "signature": "Customer signature",
        "signer": "Signed by",
        "technician": "Technician",
        "not_signed": "Not signed",
        "statement": "I confirm the work, the outcome and the charges described above.",
        "continued": " (continued)",
        "verify": "To verify this report, open {url} and enter request no. {number} with code {code}, "
                  "or upload this PDF to compare its SHA-256.",
        "supersedes": "This revision replaces revision {revision}, SHA-256: {sha}",
        "page": "Page {page} of",
        "pages_suffix": "",
    },
}


@dataclass(frozen=True, kw_only=True)
class ReportDocument:
    """Everything printed on a report, as plain values already formatted for the service time zone."""

    locale: str
    centre_name: str
    centre_address: str
    centre_phone: str
    request_number: str
    revision: int
    reported_at: str
    arrived_at: str
    finished_at: str
    signed_at: str
    customer_name: str
    customer_phone: str
    customer_address: str
    model: str
    serial: str
    purchase_date: str
    found_model: str
    found_serial: str
    model_mismatch: bool
    serial_mismatch: bool
    warranty_status: str
    warranty_reasons: tuple[str, ...]
    fault_code: str
    fault_text: str
    diagnosis: str
    resolution: str
    outcome: str
    charges: Charges
    receipt_number: str | None
    verdict: str
    verdict_comment: str
    signer_name: str
    signature_png: bytes | None
    technician_name: str
    verification_code: str
    previous_sha256: str | None = None
    verify_url: str = "/reports/verify"
    labels: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if self.locale not in LABELS:
            raise ValueError(f"unsupported report locale {self.locale!r}")
        object.__setattr__(self, "labels", LABELS[self.locale])


def render_service_report(doc: ReportDocument) -> bytes:
    buffer = io.BytesIO()
    _Report(doc, buffer).draw()
    return buffer.getvalue()


PAGE_W, PAGE_H = A4
LEFT, RIGHT = 36, PAGE_W - 36
TOP, BOTTOM = PAGE_H - 30, 28
WIDTH = RIGHT - LEFT
FOOTER_H = 30  # reserved above BOTTOM on every page
BODY, SMALL, TINY = 9, 7.5, 6.5
LINE = BODY * 1.35
PAD = 3
LABEL_W = 62  # label column of the key/value rows
BASE = PAD + BODY  # from a row's top to its first baseline
GREY, RULE_GREY, BAND = 0.35, 0.6, 0.9

# Charges table: code, item, qty, unit price, amount, warranty, agreement, due (sums to WIDTH).
CHARGE_COLS = (64, 152, 30, 54, 54, 54, 54, WIDTH - 462)

# A wide (CJK) character, optionally followed by closing punctuation that must not start a line.
_TOKENS = re.compile(r"\s+|[^\s\u2e80-\uffef]+|[\u2e80-\uffef][，。、；：！？）」』】》”’]*")


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of `text` no wider than `width`: Latin breaks at spaces, Chinese between characters."""
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line, line_w = "", 0.0
        for token in _TOKENS.findall(paragraph.replace("\t", " ")):
            token_w = stringWidth(token, font, size)
            if line_w + token_w <= width:
                if line or not token.isspace():
                    line, line_w = line + token, line_w + token_w
                continue
            if line.strip():
                lines.append(line.rstrip())
            line, line_w = "", 0.0
            if token.isspace():
                continue
            # A token wider than the column (a URL, a long serial) is cut where it must be.
            for char in token:
                char_w = stringWidth(char, font, size)
                if line and line_w + char_w > width:
                    lines.append(line)
                    line, line_w = "", 0.0
                line, line_w = line + char, line_w + char_w
        lines.append(line.rstrip())
    return lines


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _waiver(amount: Decimal) -> str:
    return f"-{amount:,.2f}" if amount else "—"


def _qty(qty: Decimal) -> str:
    return f"{qty.normalize():f}"


class _Report:
    """Draws top-down with a cursor `y`, opening a new page whenever the next row would not fit."""

    def __init__(self, doc: ReportDocument, buffer: io.BytesIO):
        self.doc = doc
        self.t = doc.labels
        self.font = cjk_font_name()
        self.zh = doc.locale == "zh_CN"
        # initialFontName: otherwise every page also references an unembedded Helvetica.
        self.c = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1, initialFontName=self.font)
        self.c.setTitle(f"{self.t['title']} {doc.request_number} ({self.t['revision']} {doc.revision})")
        self.c.setAuthor(doc.centre_name)
        self.c.setCreator("fieldservice")
        self.page = 1
        self.y = TOP

    # -- primitives ---------------------------------------------------------------------------

    def text(self, x: float, y: float, s: str, size: float = BODY, *, bold: bool = False,
             grey: float = 0, align: str = "left") -> None:
        if align != "left":
            w = stringWidth(s, self.font, size)
            x -= w if align == "right" else w / 2
        c = self.c
        c.saveState()
        c.setFillGray(grey)
        t = c.beginText(x, y)
        t.setFont(self.font, size)
        if bold:
            # CJK fonts ship without a bold face: fill and stroke the outline instead.
            c.setStrokeGray(grey)
            c.setLineWidth(size * 0.04)
            t.setTextRenderMode(2)
        t.textOut(s)
        c.drawText(t)
        c.restoreState()

    def label(self, x: float, top: float, s: str) -> None:
        """A grey field label in its column, wrapped to two lines at most."""
        for n, line in enumerate(wrap(s, self.font, SMALL, LABEL_W - PAD - 3)[:2]):
            self.text(x, top - BASE - n * SMALL * 1.2, line, SMALL, grey=GREY)

    def wrap(self, s: str, width: float, size: float = BODY) -> list[str]:
        return wrap(s or "—", self.font, size, width)

    def rule(self, x1: float, y: float, x2: float, width: float = 0.3, grey: float = RULE_GREY) -> None:
        self.c.setStrokeGray(grey)
        self.c.setLineWidth(width)
        self.c.line(x1, y, x2, y)

    def room(self) -> float:
        return self.y - BOTTOM - FOOTER_H

    def need(self, height: float, on_new_page=None) -> None:
        if self.room() >= height:
            return
        self.footer()
        self.c.showPage()
        self.page += 1
        self.text(LEFT, TOP - 8, f"{self.doc.centre_name} · {self.t['title']}{self.t['continued']}",
                  SMALL, grey=GREY)
        self.text(RIGHT, TOP - 8, self.doc.request_number, SMALL, grey=GREY, align="right")
        self.y = TOP - 14
        if on_new_page:
            on_new_page()

    def section(self, title: str, first_row_h: float) -> None:
        # Keep a heading with at least its first row.
        self.need(20 + first_row_h)
        self.y -= 6
        self.c.setFillGray(BAND)
        self.c.rect(LEFT, self.y - 14, WIDTH, 14, stroke=0, fill=1)
        self.text(LEFT + PAD, self.y - 10.3, title, BODY, bold=True)
        self.y -= 14

    def kv_row(self, cells: list[tuple[str, list[str], bool]], cell_w: float) -> None:
        """Label/value cells side by side; values are pre-wrapped lines, bold when flagged."""
        h = max(len(lines) for _, lines, _ in cells) * LINE + 2 * PAD
        self.need(h)
        for i, (label, lines, bold) in enumerate(cells):
            x = LEFT + i * cell_w
            self.label(x + PAD, self.y, label)
            for n, line in enumerate(lines):
                self.text(x + LABEL_W, self.y - BASE - n * LINE, line, bold=bold)
        self.y -= h
        self.rule(LEFT, self.y, RIGHT)

    def long_row(self, label: str, s: str) -> None:
        """A full-width labelled text that may run over a page break, a few lines at a time."""
        lines = self.wrap(s, WIDTH - LABEL_W - PAD)
        while lines:
            self.need(LINE + 2 * PAD)
            fit = max(1, int((self.room() - 2 * PAD) // LINE))
            chunk, lines = lines[:fit], lines[fit:]
            self.kv_row([(label, chunk, False)], WIDTH)

    # -- sections -----------------------------------------------------------------------------

    def draw(self) -> None:
        self.header()
        self.customer_and_unit()
        self.times()
        self.warranty()
        self.work()
        self.charges()
        self.confirmation()
        self.footer()
        self.c.showPage()
        # The page total is only known now; every footer shows this one form.
        self.c.beginForm("page_total")
        self.text(self.page_total_x, BOTTOM, f"{self.page} {self.t['pages_suffix']}".strip(), TINY)
        self.c.endForm()
        self.c.save()

    def header(self) -> None:
        d, t = self.doc, self.t
        self.text(RIGHT, TOP - 15, t["title"], 17, bold=True, align="right")
        room = WIDTH - stringWidth(t["title"], self.font, 17) - 16
        self.text(LEFT, TOP - 14, self.wrap(d.centre_name, room, 15)[0], 15, bold=True)
        contact = "  ·  ".join(part for part in (d.centre_address, d.centre_phone) if part)
        self.text(LEFT, TOP - 27, self.wrap(contact, room, SMALL)[0], SMALL, grey=GREY)
        self.y = TOP - 35
        self.rule(LEFT, self.y, RIGHT, 1.6, 0)
        # Identification strip: what a caller or an auditor quotes to find this report.
        cells = (
            (t["request_number"], d.request_number),
            (t["revision"], t["revision_value"].format(revision=d.revision)),
            (t["receipt_number"], d.receipt_number or t["no_receipt"]),
            (t["verification_code"], d.verification_code),
        )
        widths = (WIDTH * 0.3, WIDTH * 0.16, WIDTH * 0.3, WIDTH * 0.24)
        x, top = LEFT, self.y
        for (label, value), w in zip(cells, widths):
            self.text(x + PAD, top - 9, label, SMALL, grey=GREY)
            self.text(x + PAD, top - 22, value, 11, bold=True)
            x += w
            if x < RIGHT - 1:
                self.c.setStrokeGray(RULE_GREY)
                self.c.setLineWidth(0.3)
                self.c.line(x, top - 3, x, top - 25)
        self.y = top - 28
        self.rule(LEFT, self.y, RIGHT, 0.6, 0)

    def customer_and_unit(self) -> None:
        d, t = self.doc, self.t
        half = WIDTH / 2

        def cell(label: str, value: str, mismatch: bool = False) -> tuple[str, list[str], bool]:
            shown = f"{value or '—'}  [{t['mismatch']}]" if mismatch else value
            return label, self.wrap(shown, half - LABEL_W - PAD)[:3], mismatch

        rows = [
            (cell(t["customer"], d.customer_name), cell(t["model"], d.model)),
            (cell(t["phone"], d.customer_phone), cell(t["serial"], d.serial)),
            (cell(t["address"], d.customer_address), cell(t["purchase_date"], d.purchase_date)),
            (cell(t["found_model"], d.found_model, d.model_mismatch),
             cell(t["found_serial"], d.found_serial, d.serial_mismatch)),
        ]
        self.section(t["customer_unit"], LINE + 2 * PAD)
        for row in rows:
            self.kv_row(list(row), half)

    def times(self) -> None:
        d, t = self.doc, self.t
        cells = ((t["reported"], d.reported_at), (t["arrived"], d.arrived_at),
                 (t["finished"], d.finished_at), (t["signed"], d.signed_at))
        h = 2 * PAD + SMALL + LINE + 1
        self.section(t["times"], h)
        w = WIDTH / len(cells)
        for i, (label, value) in enumerate(cells):
            x = LEFT + i * w + PAD
            self.text(x, self.y - PAD - SMALL + 1, label, SMALL, grey=GREY)
            self.text(x, self.y - PAD - SMALL - LINE + 2, value or "—")
        self.y -= h
        self.rule(LEFT, self.y, RIGHT)

    def warranty(self) -> None:
        d, t = self.doc, self.t
        step = SMALL * 1.45
        reasons = [(n == 0, line) for reason in d.warranty_reasons
                   for n, line in enumerate(self.wrap(reason, WIDTH - LABEL_W - PAD - 8, SMALL + 0.5))]
        self.section(t["warranty"], LINE + 2 * PAD)
        self.label(LEFT + PAD, self.y, t["warranty_status"])
        self.text(LEFT + LABEL_W, self.y - BASE, d.warranty_status, BODY, bold=True)
        self.y -= LINE + PAD
        for first, line in reasons:
            self.need(step + PAD)
            if first:
                self.text(LEFT + LABEL_W, self.y - SMALL, "·", SMALL + 0.5)
            self.text(LEFT + LABEL_W + 8, self.y - SMALL, line, SMALL + 0.5)
            self.y -= step
        self.y -= PAD
        self.rule(LEFT, self.y, RIGHT)

    def work(self) -> None:
        d, t = self.doc, self.t
        self.section(t["work"], LINE + 2 * PAD)
        self.kv_row([(t["fault_cause"], self.wrap(f"{d.fault_code}  {d.fault_text}".strip(),
                                                   WIDTH - LABEL_W - PAD)[:2], True)], WIDTH)
        self.long_row(t["diagnosis"], d.diagnosis)
        self.long_row(t["resolution"], d.resolution)
        self.kv_row([(t["outcome"], self.wrap(d.outcome, WIDTH - LABEL_W - PAD)[:2], True)], WIDTH)

    def charges(self) -> None:
        t = self.t
        lines = self.doc.charges.lines
        head_h = 14
        self.section(t["charges"], head_h + LINE + 2 * PAD)
        if not lines:
            self.kv_row([("", [t["no_charges"]], False)], WIDTH)
            return
        # Reasons repeat across lines (one warranty decision), so each is printed once as a note.
        notes: dict[str, int] = {}
        for line in lines:
            for reason in line.reasons:
                notes.setdefault(reason.zh if self.zh else reason.en, len(notes) + 1)

        def table_head() -> None:
            heads = (t["code"], t["item"], t["qty"], t["unit_price"], t["gross"], t["warranty_waiver"],
                     t["agreement_waiver"], t["net"])
            x = LEFT
            for i, (head, w) in enumerate(zip(heads, CHARGE_COLS)):
                if i < 2:
                    self.text(x + PAD, self.y - 10, head, SMALL, grey=GREY)
                else:
                    self.text(x + w - PAD, self.y - 10, head, SMALL, grey=GREY, align="right")
                x += w
            self.y -= head_h
            self.rule(LEFT, self.y, RIGHT, 0.5, 0)

        table_head()
        for line in lines:
            self.charge_row(line, notes, table_head)
        self.rule(LEFT, self.y, RIGHT, 0.5, 0)
        self.totals_and_notes(notes)

    def charge_row(self, line: ChargeLine, notes: dict[str, int], table_head) -> None:
        marks = "[" + ",".join(str(notes[r.zh if self.zh else r.en]) for r in line.reasons) + "]"
        is_call_out = line.kind is LineKind.CALL_OUT
        name = self.t["call_out"] if is_call_out else line.description
        marks_w = stringWidth(marks, self.font, TINY) + 3
        names = self.wrap(name, CHARGE_COLS[1] - 2 * PAD - marks_w)[:2]
        codes = [] if is_call_out else wrap(line.code, self.font, SMALL, CHARGE_COLS[0] - 2 * PAD)[:2]
        h = max(len(names), len(codes)) * LINE + 2 * PAD
        self.need(h, table_head)
        base = self.y - BASE
        for n, code in enumerate(codes):
            self.text(LEFT + PAD, base - n * LINE, code, SMALL, grey=GREY)
        x = LEFT + CHARGE_COLS[0] + PAD
        for n, s in enumerate(names):
            self.text(x, base - n * LINE, s)
        last_w = stringWidth(names[-1], self.font, BODY)
        self.text(x + last_w + 2, base - (len(names) - 1) * LINE + 3, marks, TINY)
        values = (_qty(line.qty), _money(line.unit_price), _money(line.gross),
                  _waiver(line.warranty_waiver), _waiver(line.agreement_waiver), _money(line.net))
        x = LEFT + CHARGE_COLS[0] + CHARGE_COLS[1]
        for i, (value, w) in enumerate(zip(values, CHARGE_COLS[2:]), start=1):
            x += w
            self.text(x - PAD, base, value, align="right", bold=i == len(values))
        self.y -= h
        self.rule(LEFT, self.y, RIGHT)

    def totals_and_notes(self, notes: dict[str, int]) -> None:
        charges, t = self.doc.charges, self.t
        box_w = 180
        note_size, note_step = TINY + 0.5, (TINY + 0.5) * 1.4
        note_lines = [(f"[{n}]" if i == 0 else "", line)
                      for text, n in notes.items()
                      for i, line in enumerate(self.wrap(text, WIDTH - box_w - 40, note_size))]
        rows = ((t["total_gross"], _money(charges.gross)),
                (t["warranty_waiver"], _waiver(charges.warranty_waiver)),
                (t["agreement_waiver"], _waiver(charges.agreement_waiver)))
        box_h = len(rows) * 11 + 24
        self.need(box_h + PAD)
        top = self.y - PAD
        x0 = RIGHT - box_w
        for n, (label, value) in enumerate(rows):
            y = top - 8 - n * 11
            self.text(x0 + PAD, y, label, SMALL, grey=GREY)
            self.text(RIGHT - PAD, y, value, SMALL + 0.5, align="right")
        y = top - len(rows) * 11 - 1
        self.rule(x0, y, RIGHT, 0.8, 0)
        self.text(x0 + PAD, y - 14, t["total_due"], BODY + 1, bold=True)
        self.text(RIGHT - PAD, y - 14.5, "¥ " + _money(charges.total_due), 12.5, bold=True, align="right")
        box_bottom = top - box_h
        # Notes beside the box, flowing on below it (and over a page break) when there are many.
        self.y = top - 8
        for mark, line in note_lines:
            if self.room() < note_step:
                self.y = min(self.y, box_bottom)
                self.need(note_step + PAD)
                box_bottom = self.y
            self.text(LEFT + PAD, self.y, mark, note_size)
            self.text(LEFT + PAD + 16, self.y, line, note_size)
            self.y -= note_step
        self.y = min(self.y + note_step - PAD, box_bottom)

    def confirmation(self) -> None:
        d, t = self.doc, self.t
        half = WIDTH / 2
        self.section(t["confirmation"], LINE + 2 * PAD)
        self.kv_row([(t["verdict"], self.wrap(d.verdict, half - LABEL_W - PAD)[:2], True),
                     (t["technician"], self.wrap(d.technician_name, half - LABEL_W - PAD)[:2], False)],
                    half)
        self.long_row(t["comment"], d.verdict_comment)
        # The customer's statement beside the signature as drawn on the tablet, who signed and when.
        sig_h = 52
        h = PAD + sig_h + 4 + LINE
        self.need(h)
        top = self.y
        for n, line in enumerate(self.wrap(t["statement"], half - LABEL_W - 2 * PAD, SMALL + 0.5)[:4]):
            self.text(LEFT + LABEL_W, top - BASE - n * SMALL * 1.5, line, SMALL + 0.5)
        x0 = LEFT + half
        self.label(x0 + PAD, top, t["signature"])
        box_x, box_w, box_top = x0 + LABEL_W, half - LABEL_W - PAD, top - PAD
        self.c.setStrokeGray(RULE_GREY)
        self.c.setLineWidth(0.4)
        self.c.rect(box_x, box_top - sig_h, box_w, sig_h, stroke=1, fill=0)
        if d.signature_png:
            self.signature(box_x + 2, box_top - sig_h + 2, box_w - 4, sig_h - 4)
        else:
            self.text(box_x + box_w / 2, box_top - sig_h / 2 - 3, t["not_signed"], grey=GREY,
                      align="center")
        foot = top - h + PAD + 1
        self.label(x0 + PAD, foot + BASE, t["signer"])
        self.text(box_x, foot, d.signer_name or "—", bold=True)
        self.text(RIGHT - PAD, foot, d.signed_at, SMALL, align="right")
        self.y = top - h
        self.rule(LEFT, self.y, RIGHT, 0.8, 0)

    def signature(self, x: float, y: float, w: float, h: float) -> None:
        image = ImageReader(io.BytesIO(self.doc.signature_png))
        iw, ih = image.getSize()
        scale = min(w / iw, h / ih)
        dw, dh = iw * scale, ih * scale
        self.c.drawImage(image, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh, mask="auto")

    def footer(self) -> None:
        d, t = self.doc, self.t
        top = BOTTOM + FOOTER_H - 4
        self.rule(LEFT, top, RIGHT, 0.4, 0)
        lines = self.wrap(t["verify"].format(url=d.verify_url, number=d.request_number,
                                             code=d.verification_code), WIDTH - 70, TINY)[:2]
        if d.previous_sha256:
            lines.append(t["supersedes"].format(revision=d.revision - 1, sha=d.previous_sha256))
        for n, line in enumerate(lines[:3]):
            self.text(LEFT, top - 8 - n * 8, line, TINY, grey=GREY)
        self.page_total_x = RIGHT - 14
        self.text(self.page_total_x, BOTTOM, t["page"].format(page=self.page) + " ", TINY, align="right")
        self.c.doForm("page_total")
