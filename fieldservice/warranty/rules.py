"""Warranty decision (DESIGN.md §4): pure rules, no Flask, no database.

Precedence when several rules apply, first match wins:

1. excluded    - any exclusion or a clearance sale: chargeable even inside the period.
2. in_warranty - an active service agreement covers the unit, even without an invoice,
                 because the agreement itself names the unit.
3. unverified  - no purchase date, no proof of purchase, or a purchase date after the claim.
4. in_warranty - the claim day falls inside the purchase-based period.
5. expired     - still repaired, for a fee.

The claim day is the day an open request was reported, else ``on``: a claim made inside the
period stays a warranty claim while it is being worked on. When a contract cap shortens the
component asked about, a note saying so follows the status reasons.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

UNIT_CONTRACT_CAP_MONTHS = 36
ACCESSORY_CONTRACT_CAP_MONTHS = 12
REPAIRS_BEFORE_REPLACEMENT = 2
REPLACEMENT_AFTER_DAYS = 60


class WarrantyStatus(StrEnum):
    IN_WARRANTY = "in_warranty"
    EXPIRED = "expired"
    EXCLUDED = "excluded"
    UNVERIFIED = "unverified"


class Component(StrEnum):
    UNIT = "unit"
    ACCESSORY = "accessory"


class Exclusion(StrEnum):
    MISUSE = "misuse"  # includes improper maintenance or storage
    FORCE_MAJEURE = "force_majeure"
    MODEL_MISMATCH = "model_mismatch"
    SERIAL_ALTERED = "serial_altered"


class SaleType(StrEnum):
    NORMAL = "normal"
    CLEARANCE = "clearance"


def add_months(d: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's last day (Jan 31 + 1 -> Feb 28/29)."""
    year, month_index = divmod(d.year * 12 + d.month - 1 + months, 12)
    month = month_index + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def last_covered_day(purchase_date: date, months: int) -> date:
    """Covered on D iff D < add_months(purchase_date, months), so the day before that."""
    return add_months(purchase_date, months) - timedelta(days=1)


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _date_zh(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _date_en(d: date) -> str:
    # Not strftime("%b"): that follows the process locale.
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


@dataclass(frozen=True)
class Reason:
    code: str
    zh: str
    en: str

    def text(self, locale: str) -> str:
        return self.zh if locale.lower().startswith("zh") else self.en

    def to_snapshot(self) -> dict[str, str]:
        return {"code": self.code, "zh": self.zh, "en": self.en}


# Worded so an agent can read them to the customer on the phone.
_TEXTS: dict[str, tuple[str, str]] = {
    "in_warranty_unit": (
        "整机在保修期内（至{until}）",
        "The unit is under warranty until {until}",
    ),
    "in_warranty_accessory": (
        "配件在保修期内（至{until}）",
        "The accessory is under warranty until {until}",
    ),
    "agreement_coverage": (
        "整机在服务协议保障期内（至{until}）",
        "The unit is covered by the service agreement until {until}",
    ),
    "expired_unit": (
        "整机保修期已于{until}结束。整机终身维护，仍可为您维修，需收取费用",
        "The unit's warranty ran until {until}. We still repair it, for a fee",
    ),
    "expired_accessory": (
        "配件保修期已于{until}结束。仍可为您维修或更换，需收取费用",
        "The accessory's warranty ran until {until}. We can still repair or replace it, for a fee",
    ),
    "no_purchase_date": (
        "系统中没有购买日期。请出示购机发票，核实前按收费维修",
        "We have no purchase date on record. Please show the purchase invoice; "
        "until then the repair is chargeable",
    ),
    "no_proof_of_purchase": (
        "系统中没有购买凭证。请出示购机发票，核实前按收费维修",
        "We have no proof of purchase on record. Please show the purchase invoice; "
        "until then the repair is chargeable",
    ),
    "purchase_date_after_claim": (
        "登记的购买日期（{purchased}）晚于报修日期。请出示购机发票核对，核实前按收费维修",
        "The recorded purchase date ({purchased}) is after the reported date. "
        "Please show the purchase invoice; until then the repair is chargeable",
    ),
    "misuse": (
        "因使用不当或维护、保管不当造成的损坏不在保修范围内，需收费维修",
        "Damage from misuse or improper maintenance or storage is not covered; the repair is chargeable",
    ),
    "force_majeure": (
        "因不可抗力（如火灾、水灾、雷击）造成的损坏不在保修范围内，需收费维修",
        "Damage from force majeure (such as fire, flood or lightning) is not covered; "
        "the repair is chargeable",
    ),
    "model_mismatch": (
        "产品型号与购买记录不符，需收费维修",
        "The product model differs from our record; the repair is chargeable",
    ),
    "serial_altered": (
        "产品序列号被涂改，需收费维修",
        "The serial number has been altered; the repair is chargeable",
    ),
    "clearance_sale": (
        "该产品以处理价售出，不享受免费保修，需收费维修",
        "The product was sold at a clearance price, so repairs are chargeable",
    ),
    "contract_cap_unit": (
        "合同约定保修{requested}个月，整机保修最长{cap}个月",
        "The contract states {requested} months; unit warranty is at most {cap} months",
    ),
    "contract_cap_accessory": (
        "合同约定配件保修{requested}个月，配件保修最长{cap}个月",
        "The contract states {requested} months for accessories; accessory warranty is at most {cap} months",
    ),
    "replacement_repeat_failure": (
        "已修过两次后再次出现故障，可免费更换同型号同规格产品",
        "The unit has failed again after two completed repairs, so we replace it free of charge "
        "with the same model",
    ),
    "replacement_not_fixed_60_days": (
        "报修{days}天仍未修好，可免费更换同型号同规格产品",
        "The repair has not been completed {days} days after the request, so we replace the unit "
        "free of charge with the same model",
    ),
}

_OTHER_MODEL_SUFFIX = (
    "。该型号已停产，可更换其他型号，差价由您支付",
    ". That model is no longer available, so we offer another model and you pay the price difference",
)


def _reason(code: str, **values: Any) -> Reason:
    zh, en = _TEXTS[code]
    zh_values = {k: _date_zh(v) if isinstance(v, date) else v for k, v in values.items()}
    en_values = {k: _date_en(v) if isinstance(v, date) else v for k, v in values.items()}
    return Reason(code, zh.format(**zh_values), en.format(**en_values))


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _from_iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _reason_from_snapshot(data: Mapping[str, str]) -> Reason:
    return Reason(data["code"], data["zh"], data["en"])


@dataclass(frozen=True)
class Replacement:
    entitled: bool
    reason: Reason | None = None


@dataclass(frozen=True)
class WarrantyDecision:
    status: WarrantyStatus
    component: Component
    unit_covered_until: date | None
    accessory_covered_until: date | None
    chargeable: bool
    reasons: tuple[Reason, ...]
    replacement: Replacement

    @property
    def covered_until(self) -> date | None:
        """Last covered day of the component asked about."""
        if self.component is Component.UNIT:
            return self.unit_covered_until
        return self.accessory_covered_until

    def to_dict(self, locale: str) -> dict[str, Any]:
        replacement_reason = self.replacement.reason
        return {
            "status": str(self.status),
            "component": str(self.component),
            "covered_until": _iso(self.covered_until),
            "unit_covered_until": _iso(self.unit_covered_until),
            "accessory_covered_until": _iso(self.accessory_covered_until),
            "chargeable": self.chargeable,
            "reasons": [{"code": r.code, "message": r.text(locale)} for r in self.reasons],
            "replacement": {
                "entitled": self.replacement.entitled,
                "reason": replacement_reason.text(locale) if replacement_reason else None,
                "reason_code": replacement_reason.code if replacement_reason else None,
            },
        }

    def to_snapshot(self) -> dict[str, Any]:
        """Both languages, so a stored decision reads the same later in either UI language."""
        replacement_reason = self.replacement.reason
        return {
            "status": str(self.status),
            "component": str(self.component),
            "unit_covered_until": _iso(self.unit_covered_until),
            "accessory_covered_until": _iso(self.accessory_covered_until),
            "chargeable": self.chargeable,
            "reasons": [r.to_snapshot() for r in self.reasons],
            "replacement": {
                "entitled": self.replacement.entitled,
                "reason": replacement_reason.to_snapshot() if replacement_reason else None,
            },
        }


def decision_from_snapshot(snapshot: Mapping[str, Any]) -> WarrantyDecision:
    replacement = snapshot["replacement"]
    return WarrantyDecision(
        status=WarrantyStatus(snapshot["status"]),
        component=Component(snapshot["component"]),
        unit_covered_until=_from_iso(snapshot["unit_covered_until"]),
        accessory_covered_until=_from_iso(snapshot["accessory_covered_until"]),
        chargeable=snapshot["chargeable"],
        reasons=tuple(_reason_from_snapshot(r) for r in snapshot["reasons"]),
        replacement=Replacement(
            entitled=replacement["entitled"],
            reason=_reason_from_snapshot(replacement["reason"]) if replacement["reason"] else None,
        ),
    )


@dataclass(frozen=True)
class WarrantyFacts:
    """What is known about the unit; months come from its product model, contract and agreement."""

    purchase_date: date | None
    has_proof: bool
    sale_type: str = SaleType.NORMAL
    unit_months: int = 12
    accessory_months: int = 6
    contract_unit_months: int | None = None
    contract_accessory_months: int | None = None
    agreement_unit_months: int | None = None
    agreement_until: date | None = None  # an active agreement covers the unit through this day
    completed_repairs: int = 0
    open_request_reported_on: date | None = None
    model_available: bool = True

    def __post_init__(self) -> None:
        SaleType(self.sale_type)  # raises ValueError for an unknown sale type
        months = (
            self.unit_months,
            self.accessory_months,
            self.contract_unit_months,
            self.contract_accessory_months,
            self.agreement_unit_months,
        )
        if any(m is not None and m < 0 for m in months):
            raise ValueError("warranty months cannot be negative")
        if self.completed_repairs < 0:
            raise ValueError("completed_repairs cannot be negative")


def _parse_exclusions(exclusions: Iterable[Exclusion | str]) -> list[Exclusion]:
    found = set()
    for value in exclusions:
        try:
            found.add(Exclusion(value))
        except ValueError:
            allowed = ", ".join(e.value for e in Exclusion)
            raise ValueError(f"unknown exclusion {value!r}; expected one of: {allowed}") from None
    return [e for e in Exclusion if e in found]  # stable order for the reasons


def _covered_months(
    model_months: int, contract_months: Iterable[int | None], cap: int, cap_code: str
) -> tuple[int, Reason | None]:
    """Longest of model and (capped) contract months; a contract never shortens the model warranty."""
    offered = [m for m in contract_months if m is not None]
    months = max([model_months, *(min(m, cap) for m in offered)])
    longest_offer = max(offered, default=0)
    if longest_offer > months:  # only the cap can leave an offer unmet
        return months, _reason(cap_code, requested=longest_offer, cap=cap)
    return months, None


def _unverified_reason(facts: WarrantyFacts, claim_day: date) -> Reason | None:
    if facts.purchase_date is None:
        return _reason("no_purchase_date")
    if not facts.has_proof:
        return _reason("no_proof_of_purchase")
    if facts.purchase_date > claim_day:
        return _reason("purchase_date_after_claim", purchased=facts.purchase_date)
    return None


def _replacement(facts: WarrantyFacts, on: date) -> Replacement:
    reported_on = facts.open_request_reported_on
    if facts.completed_repairs >= REPAIRS_BEFORE_REPLACEMENT:
        reason = _reason("replacement_repeat_failure")
    elif reported_on and on >= reported_on + timedelta(days=REPLACEMENT_AFTER_DAYS):
        reason = _reason("replacement_not_fixed_60_days", days=REPLACEMENT_AFTER_DAYS)
    else:
        return Replacement(entitled=False)
    if not facts.model_available:
        zh_suffix, en_suffix = _OTHER_MODEL_SUFFIX
        reason = Reason(f"{reason.code}_other_model", reason.zh + zh_suffix, reason.en + en_suffix)
    return Replacement(entitled=True, reason=reason)


def decide_warranty(
    facts: WarrantyFacts,
    on: date,
    component: Component = Component.UNIT,
    exclusions: Iterable[Exclusion | str] = (),
) -> WarrantyDecision:
    """Decide warranty for a failure of ``component`` looked at on local date ``on``.

    Raises ValueError for an unknown component or exclusion, or an open request reported after ``on``.
    """
    component = Component(component)
    found_exclusions = _parse_exclusions(exclusions)
    reported_on = facts.open_request_reported_on
    if reported_on and reported_on > on:
        raise ValueError("the open request cannot be reported after the decision day")
    claim_day = reported_on or on

    unit_months, unit_cap = _covered_months(
        facts.unit_months,
        (facts.contract_unit_months, facts.agreement_unit_months),
        UNIT_CONTRACT_CAP_MONTHS,
        "contract_cap_unit",
    )
    accessory_months, accessory_cap = _covered_months(
        facts.accessory_months,
        (facts.contract_accessory_months,),
        ACCESSORY_CONTRACT_CAP_MONTHS,
        "contract_cap_accessory",
    )

    unverified = _unverified_reason(facts, claim_day)
    # Period dates are only stated when the purchase is verified; agreement dates always are.
    unit_period_end = accessory_period_end = None
    if unverified is None:
        unit_period_end = last_covered_day(facts.purchase_date, unit_months)
        accessory_period_end = last_covered_day(facts.purchase_date, accessory_months)
    agreement_until = facts.agreement_until
    unit_covered_until = max(filter(None, (unit_period_end, agreement_until)), default=None)

    is_unit = component is Component.UNIT
    period_end = unit_period_end if is_unit else accessory_period_end
    in_period = period_end is not None and claim_day <= period_end
    agreement_active = is_unit and agreement_until is not None and claim_day <= agreement_until
    agreement_extends = agreement_active and (period_end is None or agreement_until > period_end)

    sold_at_clearance = facts.sale_type == SaleType.CLEARANCE
    reasons: list[Reason] = []
    if found_exclusions or sold_at_clearance:
        status = WarrantyStatus.EXCLUDED
        reasons += [_reason(str(e)) for e in found_exclusions]
        if sold_at_clearance:
            reasons.append(_reason("clearance_sale"))
    elif in_period or agreement_active:
        status = WarrantyStatus.IN_WARRANTY
        if in_period:
            reasons.append(_reason(f"in_warranty_{component}", until=period_end))
        if agreement_extends:
            reasons.append(_reason("agreement_coverage", until=agreement_until))
    elif unverified is not None:
        status = WarrantyStatus.UNVERIFIED
        reasons.append(unverified)
    else:
        status = WarrantyStatus.EXPIRED
        # An agreement that ran past the purchase period is the later end the customer knew.
        ended = unit_covered_until if is_unit else accessory_period_end
        reasons.append(_reason(f"expired_{component}", until=ended))

    cap = unit_cap if is_unit else accessory_cap
    if cap is not None:
        reasons.append(cap)

    in_warranty = status is WarrantyStatus.IN_WARRANTY
    return WarrantyDecision(
        status=status,
        component=component,
        unit_covered_until=unit_covered_until,
        accessory_covered_until=accessory_period_end,
        chargeable=not in_warranty,
        reasons=tuple(reasons),
        # Same-model replacement is a promise about the whole unit, not its accessories.
        replacement=_replacement(facts, on) if in_warranty and is_unit else Replacement(entitled=False),
    )
