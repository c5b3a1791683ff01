"""Pure rules for what a visit costs the customer.

charge = call-out fee + labour + parts − warranty waiver − agreement waiver, line by line, each line
carrying the reasons (code + zh + en) that explain its waivers so the report and the screen shown to
the customer can say why something is free or charged.

Decisions:
- Warranty first, agreement second: the agreement's percentages apply to what the warranty left.
- Out of warranty (or chargeable for misuse, clearance sale, …) is never refused: it is charged.
- An accessory part is waived only when the unit is covered AND the accessory coverage holds: the
  accessory period never outlasts the unit's, and a chargeable unit makes its accessories chargeable.
- The call-out fee is waived by the warranty when the unit is covered, and by an agreement only when
  it waives labour in full: a "100 % labour" agreement promises a free visit, a partial one does not.
- Every amount is rounded to 0.01 with ROUND_HALF_UP per line; totals are sums of rounded lines, so
  the printed lines always add up to the printed total.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


class BillingError(ValueError):
    """Invalid billing input; `code` names the problem for callers and translations."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


class LineKind(StrEnum):
    CALL_OUT = "call_out"
    LABOUR = "labour"
    PART = "part"


@dataclass(frozen=True)
class Reason:
    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class LabourLine:
    code: str
    name: str
    qty: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class PartLine:
    code: str
    name: str
    qty: int
    unit_price: Decimal
    is_accessory: bool = False


@dataclass(frozen=True)
class Coverage:
    """The warranty decision as billing needs it; the reasons are the decision's own texts."""

    unit_covered: bool
    accessory_covered: bool
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class AgreementWaiver:
    parts_pct: int
    labour_pct: int
    number: str


@dataclass(frozen=True)
class ChargeLine:
    kind: LineKind
    code: str
    description: str  # empty for the call-out line: readers label it by kind in their language
    qty: Decimal
    unit_price: Decimal
    gross: Decimal
    warranty_waiver: Decimal
    agreement_waiver: Decimal
    net: Decimal
    reasons: tuple[Reason, ...]

    def to_dict(self) -> dict:
        return {
            "kind": self.kind.value,
            "code": self.code,
            "description": self.description,
            "qty": _qty_str(self.qty),
            "unit_price": str(self.unit_price),
            "gross": str(self.gross),
            "warranty_waiver": str(self.warranty_waiver),
            "agreement_waiver": str(self.agreement_waiver),
            "net": str(self.net),
            "reasons": [{"code": r.code, "zh": r.zh, "en": r.en} for r in self.reasons],
        }

    @classmethod
    def from_dict(cls, data: dict) -> ChargeLine:
        line = cls(
            kind=LineKind(data["kind"]),
            code=data["code"],
            description=data["description"],
            qty=_decimal(data["qty"]),
            unit_price=_money(data["unit_price"]),
            gross=_money(data["gross"]),
            warranty_waiver=_money(data["warranty_waiver"]),
            agreement_waiver=_money(data["agreement_waiver"]),
            net=_money(data["net"]),
            reasons=tuple(Reason(r["code"], r["zh"], r["en"]) for r in data["reasons"]),
        )
        if line.net != line.gross - line.warranty_waiver - line.agreement_waiver:
            raise BillingError("inconsistent_line", line.code)
        return line


@dataclass(frozen=True)
class Charges:
    lines: tuple[ChargeLine, ...]

    @property
    def gross(self) -> Decimal:
        return sum((line.gross for line in self.lines), ZERO)

    @property
    def warranty_waiver(self) -> Decimal:
        return sum((line.warranty_waiver for line in self.lines), ZERO)

    @property
    def agreement_waiver(self) -> Decimal:
        return sum((line.agreement_waiver for line in self.lines), ZERO)

    @property
    def total_due(self) -> Decimal:
        return sum((line.net for line in self.lines), ZERO)

    @property
    def money_due(self) -> bool:
        """Whether the customer pays anything, i.e. whether the report needs a receipt number."""
        return self.total_due > ZERO

    def to_dict(self) -> dict:
        return {
            "lines": [line.to_dict() for line in self.lines],
            "totals": {
                "gross": str(self.gross),
                "warranty_waiver": str(self.warranty_waiver),
                "agreement_waiver": str(self.agreement_waiver),
                "total_due": str(self.total_due),
            },
        }

    @classmethod
    def from_dict(cls, data: dict) -> Charges:
        charges = cls(tuple(ChargeLine.from_dict(line) for line in data["lines"]))
        # A stored snapshot whose totals disagree with its lines was edited or corrupted.
        if "totals" in data and data["totals"] != charges.to_dict()["totals"]:
            raise BillingError("inconsistent_totals", str(data["totals"]))
        return charges


ACCESSORY_NOT_COVERED = Reason(
    "accessory_not_covered",
    "配件保修期已过，配件收费",
    "The accessory's warranty has expired: the accessory is charged",
)


def compute_charges(
    *,
    call_out_fee: Decimal,
    labour: list[LabourLine] | tuple[LabourLine, ...],
    parts: list[PartLine] | tuple[PartLine, ...],
    coverage: Coverage,
    agreement: AgreementWaiver | None,
) -> Charges:
    """The charge of one visit, line by line; raises BillingError on invalid input."""
    fee = _price(call_out_fee, "call_out")
    if agreement is not None:
        _check_pct(agreement.parts_pct, "parts_pct")
        _check_pct(agreement.labour_pct, "labour_pct")
    lines: list[ChargeLine] = []
    if fee > ZERO:
        waive_call_out = agreement is not None and agreement.labour_pct == 100
        lines.append(_line(LineKind.CALL_OUT, "call_out", "", Decimal(1), fee, coverage,
                           coverage.unit_covered, agreement, 100 if waive_call_out else 0))
    for item in labour:
        qty = _decimal(item.qty)
        if qty <= 0:
            raise BillingError("invalid_qty", item.code)
        lines.append(_line(LineKind.LABOUR, item.code, item.name, qty, _price(item.unit_price, item.code),
                           coverage, coverage.unit_covered, agreement,
                           agreement.labour_pct if agreement else 0))
    for item in parts:
        if isinstance(item.qty, bool) or not isinstance(item.qty, int):
            raise BillingError("fractional_part_qty", item.code)
        if item.qty <= 0:
            raise BillingError("invalid_qty", item.code)
        accessory_expired = item.is_accessory and coverage.unit_covered and not coverage.accessory_covered
        lines.append(_line(LineKind.PART, item.code, item.name, Decimal(item.qty),
                           _price(item.unit_price, item.code), coverage,
                           coverage.unit_covered and not accessory_expired, agreement,
                           agreement.parts_pct if agreement else 0,
                           ACCESSORY_NOT_COVERED if accessory_expired else None))
    return Charges(tuple(lines))


def _line(kind: LineKind, code: str, description: str, qty: Decimal, unit_price: Decimal,
          coverage: Coverage, covered: bool, agreement: AgreementWaiver | None,
          agreement_pct: int, charged_reason: Reason | None = None) -> ChargeLine:
    gross = _round(qty * unit_price)
    warranty = gross if covered else ZERO
    remaining = gross - warranty
    agreed = _round(remaining * agreement_pct / HUNDRED) if remaining and agreement_pct else ZERO
    reasons = [charged_reason or _warranty_reason(coverage, covered)]
    if agreed:
        reasons.append(_agreement_reason(kind, agreement, agreement_pct))
    return ChargeLine(kind, code, description, qty, unit_price, gross, warranty, agreed,
                      remaining - agreed, tuple(reasons))


def _warranty_reason(coverage: Coverage, covered: bool) -> Reason:
    if covered:
        return Reason("warranty_waived", f"保修免费：{coverage.reason_zh}",
                      f"Free under warranty: {coverage.reason_en}")
    return Reason("warranty_not_covered", f"收费：{coverage.reason_zh}",
                  f"Charged: {coverage.reason_en}")


def _agreement_reason(kind: LineKind, agreement: AgreementWaiver, pct: int) -> Reason:
    if kind is LineKind.CALL_OUT:
        return Reason("agreement_call_out_waived",
                      f"服务协议 {agreement.number}：人工全免，免上门费",
                      f"Service agreement {agreement.number}: labour fully waived, no call-out fee")
    what_zh, what_en = ("人工费", "labour") if kind is LineKind.LABOUR else ("配件费", "parts")
    return Reason(f"agreement_{kind.value}_waived",
                  f"服务协议 {agreement.number}：{what_zh}减免 {pct}%",
                  f"Service agreement {agreement.number}: {pct}% off {what_en}")


def next_receipt_number(day: date, seq: int) -> str:
    """`RC-20261122-0007`: the day's sequence comes from the per-day counter in the database."""
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise BillingError("invalid_sequence", str(seq))
    return f"RC-{day:%Y%m%d}-{seq:04d}"


def _decimal(value: object) -> Decimal:
    # Floats are refused: 0.1 + 0.2 is not money.
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise BillingError("invalid_amount", repr(value))
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise BillingError("invalid_amount", repr(value)) from None
    if not result.is_finite():
        raise BillingError("invalid_amount", repr(value))
    return result


def _money(value: object) -> Decimal:
    return _round(_decimal(value))


def _price(value: object, code: str) -> Decimal:
    price = _money(value)
    if price < 0:
        raise BillingError("negative_price", code)
    return price


def _check_pct(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise BillingError("pct_out_of_range", f"{name}={value!r}")


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _qty_str(qty: Decimal) -> str:
    return f"{qty.normalize():f}"
