"""Pure rules for the technician's visit: status steps, identity on site, outcomes, codes, coverage."""
from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from ..billing.rules import Coverage
from ..customers.rules import normalise_serial
from ..intake.rules import RequestStatus
from ..parts.rules import QuantityError
from ..scheduling.models import AppointmentStatus
from ..transitions import check_in_table
from ..warranty.rules import Exclusion, WarrantyDecision


class VisitOutcome(StrEnum):
    FIXED = "fixed"
    AWAITING_PARTS = "awaiting_parts"
    DEPOT_REPAIR = "depot_repair"


class Verdict(StrEnum):
    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"


class LineKind(StrEnum):
    CALL_OUT = "call_out"
    LABOUR = "labour"
    PART = "part"


# Exclusions a technician can see at the customer's (the others follow from the identity check).
ON_SITE_EXCLUSIONS = (Exclusion.MISUSE, Exclusion.FORCE_MAJEURE)
DEPOT_WORKING_DAYS = 5

A = AppointmentStatus
# The technician's steps. Arriving straight from "booked" is allowed (the request table allows
# scheduled -> on_site): a technician already next door need not tap "on the way" first.
VISIT_STEPS: dict[AppointmentStatus, frozenset[AppointmentStatus]] = {
    A.BOOKED: frozenset({A.EN_ROUTE, A.ON_SITE}),
    A.EN_ROUTE: frozenset({A.ON_SITE}),
    A.ON_SITE: frozenset({A.DONE}),
    A.DONE: frozenset(),
    A.CANCELLED: frozenset(),
}

OUTCOME_REQUEST_STATUS = {
    VisitOutcome.FIXED: RequestStatus.COMPLETED,
    VisitOutcome.AWAITING_PARTS: RequestStatus.AWAITING_PARTS,
    VisitOutcome.DEPOT_REPAIR: RequestStatus.DEPOT_REPAIR,
}


def check_visit_step(current: AppointmentStatus | str, target: AppointmentStatus | str) -> AppointmentStatus:
    return check_in_table(VISIT_STEPS, current, target)


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days (Monday to Friday) after `start`: Friday + 5 is the next Friday."""
    if days < 0:
        raise ValueError("days cannot be negative")
    current = start
    while days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


@dataclass(frozen=True)
class IdentityCheck:
    """What the technician found against what the record says."""

    model_mismatch: bool
    serial_mismatch: bool
    serial_altered: bool

    @property
    def exclusions(self) -> tuple[Exclusion, ...]:
        found = []
        if self.model_mismatch:
            found.append(Exclusion.MODEL_MISMATCH)
        if self.serial_altered:
            found.append(Exclusion.SERIAL_ALTERED)
        return tuple(found)


def check_identity(record_model: str, record_serial: str, found_model: str, found_serial: str,
                   altered_seen: bool) -> IdentityCheck:
    """A serial that differs from the record counts as altered: the unit in front of the technician
    cannot be tied to the one the warranty was registered for. An empty model means "not checked"."""
    model_mismatch = bool(found_model.strip()) and normalise_serial(found_model) != normalise_serial(record_model)
    serial_mismatch = normalise_serial(found_serial) != normalise_serial(record_serial)
    return IdentityCheck(model_mismatch, serial_mismatch, altered_seen or serial_mismatch)


def coverage_from_decisions(unit: WarrantyDecision, accessory: WarrantyDecision) -> Coverage:
    """Billing's view of the warranty: the unit's and its accessories' coverage, with the unit's reasons."""
    return Coverage(
        unit_covered=not unit.chargeable,
        accessory_covered=not accessory.chargeable,
        reason_zh="；".join(r.zh for r in unit.reasons),
        reason_en="; ".join(r.en for r in unit.reasons),
    )


CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed from paper
CODE_LENGTH = 8


def new_verification_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_verification_code(text: str) -> str | None:
    """`7q4k m2xd`, `7Q4KM2XD`, full-width: the stored form `7Q4K-M2XD`, or None when it cannot be one."""
    raw = re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", text or "").upper())
    if len(raw) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in raw):
        return None
    return f"{raw[:4]}-{raw[4:]}"


MAX_LABOUR_QTY = Decimal(99)


def parse_labour_qty(value: object) -> Decimal:
    """Labour is counted in units of its catalogue item and may be fractional (1.5 hours), to 0.01."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise QuantityError("required", value)
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise QuantityError("not_a_number", value)
    text = unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else repr(value)
    try:
        qty = Decimal(text) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise QuantityError("not_a_number", value) from None
    if not qty.is_finite():
        raise QuantityError("not_a_number", value)
    if qty <= 0:
        raise QuantityError("not_positive", value)
    if qty > MAX_LABOUR_QTY:
        raise QuantityError("too_large", value)
    if qty != qty.quantize(Decimal("0.01")):
        raise QuantityError("too_precise", value)
    return qty.quantize(Decimal("0.01")).normalize()


@dataclass(frozen=True)
class LabourInput:
    item_id: int
    qty: Decimal


@dataclass(frozen=True)
class PartInput:
    part_id: int
    qty: int


@dataclass(frozen=True)
class Shortfall:
    """A part entered in larger numbers than the technician's van holds."""

    part_id: int
    wanted: int
    have: int


def stock_shortfalls(lines: Iterable[PartInput], van: Mapping[int, int]) -> list[Shortfall]:
    """The parts the van cannot supply: the lines of one part are added up (two lines of 1 need 2), a part the
    van does not hold has 0. In the order the parts first appear, so the message follows the form."""
    wanted: dict[int, int] = {}
    for line in lines:
        wanted[line.part_id] = wanted.get(line.part_id, 0) + line.qty
    return [Shortfall(part_id, qty, van.get(part_id, 0)) for part_id, qty in wanted.items()
            if qty > van.get(part_id, 0)]


@dataclass(frozen=True)
class WorkInput:
    """What decides the price: identity on site, exclusions and the lines (the fee preview needs only this)."""

    model_found: str = ""
    serial_found: str = ""
    serial_altered: bool = False
    exclusions: tuple[str, ...] = ()
    labour: tuple[LabourInput, ...] = ()
    parts: tuple[PartInput, ...] = ()


@dataclass(frozen=True)
class Completion:
    """One visit's whole completion, from the form or the API."""

    work: WorkInput
    exclusion_note: str
    fault_code_id: int | None
    diagnosis: str
    resolution: str
    outcome: str
    loaner_serial: str
    verdict: str
    customer_comment: str
    signer_name: str
    signature_png: bytes
    photos: tuple[bytes, ...] = ()

    def fingerprint(self, appointment_id: int) -> dict:
        """What an idempotency key is checked against: the visit and what changes stock and money.

        The signature, photos and texts are left out on purpose: after a reload the tablet
        re-creates them from local storage, byte-for-byte different, and a retry of a completion
        that went through must still replay it rather than be refused as "another submission".
        """
        return {
            "visit": appointment_id,
            "outcome": self.outcome,
            "labour": sorted([line.item_id, str(line.qty)] for line in self.work.labour),
            "parts": sorted([line.part_id, line.qty] for line in self.work.parts),
        }
