"""Warranty decisions for units in the database: gather the facts, then ask the pure rules.

Other areas (intake, technician visits, reports) call `facts_for_unit` and `decide_for_unit`.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from ..agreements.queries import active_agreement_for_unit
from ..customers.models import Customer, CustomerType, Unit
from ..customers.rules import normalise_serial, serial_problem
from ..errors import DomainError, NotFound
from ..extensions import db
from ..i18n import local_today, service_tz
from ..intake.models import ServiceRequest
from ..intake.rules import OPEN_STATUSES, RequestKind, RequestStatus
from .rules import Component, Exclusion, WarrantyDecision, WarrantyFacts, WarrantyStatus, decide_warranty

COMPLETED_STATUSES = (RequestStatus.COMPLETED.value, RequestStatus.CLOSED.value)
_OPEN = tuple(s.value for s in OPEN_STATUSES)

STATUS_LABELS = {
    WarrantyStatus.IN_WARRANTY: _l("In warranty"),
    WarrantyStatus.EXPIRED: _l("Out of warranty"),
    WarrantyStatus.EXCLUDED: _l("Not covered"),
    WarrantyStatus.UNVERIFIED: _l("Unverified"),
}
COMPONENT_LABELS = {Component.UNIT: _l("Whole unit"), Component.ACCESSORY: _l("Accessory")}
EXCLUSION_LABELS = {
    Exclusion.MISUSE: _l("Misuse, improper maintenance or storage"),
    Exclusion.FORCE_MAJEURE: _l("Force majeure (fire, flood, lightning)"),
    Exclusion.MODEL_MISMATCH: _l("Model differs from the record"),
    Exclusion.SERIAL_ALTERED: _l("Serial number altered"),
}


def status_label(status: WarrantyStatus | str) -> str:
    return str(STATUS_LABELS[WarrantyStatus(status)])


@dataclass(frozen=True)
class WarrantyCheck:
    unit: Unit
    decision: WarrantyDecision


def _start_of_next_day(on: date) -> datetime:
    """The UTC instant a local day ends: requests reported before it were reported on or before `on`."""
    return datetime.combine(on + timedelta(days=1), time.min, tzinfo=service_tz())


def _request_facts(unit_ids: Iterable[int], on: date) -> dict[int, tuple[int, date | None]]:
    """Per unit: completed repairs so far, and when the earliest still-open request was reported."""
    cutoff = _start_of_next_day(on)
    completed = func.count(case((ServiceRequest.status.in_(COMPLETED_STATUSES)
                                 & (ServiceRequest.kind == RequestKind.REPAIR.value), 1)))
    first_open = func.min(case((ServiceRequest.status.in_(_OPEN), ServiceRequest.reported_at)))
    rows = db.session.execute(
        select(ServiceRequest.unit_id, completed, first_open)
        .where(ServiceRequest.unit_id.in_(list(unit_ids)), ServiceRequest.reported_at < cutoff)
        .group_by(ServiceRequest.unit_id)
    )
    return {unit_id: (repairs, reported_at.astimezone(service_tz()).date() if reported_at else None)
            for unit_id, repairs, reported_at in rows}


def _facts(unit: Unit, on: date, repairs: int, open_reported_on: date | None) -> WarrantyFacts:
    model = unit.model
    customer: Customer = unit.customer
    contract = customer.customer_type == CustomerType.CONTRACT
    agreement = active_agreement_for_unit(unit.id, on)
    return WarrantyFacts(
        purchase_date=unit.purchase_date,
        has_proof=unit.has_proof,
        sale_type=unit.sale_type,
        unit_months=model.unit_warranty_months,
        accessory_months=model.accessory_warranty_months,
        contract_unit_months=customer.contract_warranty_months if contract else None,
        contract_accessory_months=customer.contract_accessory_months if contract else None,
        agreement_unit_months=(agreement.contract_warranty_months or None) if agreement else None,
        agreement_until=agreement.end_date if agreement else None,
        completed_repairs=repairs,
        open_request_reported_on=open_reported_on,
        model_available=model.available,
    )


def facts_for_unit(unit: Unit, on: date) -> WarrantyFacts:
    """Everything the warranty rules need to know about a unit on local date `on`."""
    repairs, open_reported_on = _request_facts([unit.id], on).get(unit.id, (0, None))
    return _facts(unit, on, repairs, open_reported_on)


def _decide(facts: WarrantyFacts, on: date, component, exclusions) -> WarrantyDecision:
    try:
        component = Component(component)
    except ValueError:
        raise DomainError("invalid_component", _l("The component must be the whole unit or an accessory.")) from None
    try:
        return decide_warranty(facts, on, component, exclusions)
    except ValueError:
        raise DomainError("invalid_exclusion", _l("Unknown exclusion. Choose from misuse, force majeure, "
                                                  "model mismatch or serial altered.")) from None


def decide_for_unit(unit: Unit, on: date | None = None, component: Component | str = Component.UNIT,
                    exclusions: Iterable[Exclusion | str] = ()) -> WarrantyDecision:
    """The warranty decision for a failure of `component` of this unit, looked at on `on` (default today)."""
    on = on or local_today()
    return _decide(facts_for_unit(unit, on), on, component, exclusions)


def decisions_for_units(units: Iterable[Unit], on: date | None = None) -> dict[int, WarrantyDecision]:
    """Whole-unit decisions for a list of units (one query for their requests), keyed by unit id."""
    units = list(units)
    if not units:
        return {}
    on = on or local_today()
    request_facts = _request_facts([u.id for u in units], on)
    return {u.id: decide_warranty(_facts(u, on, *request_facts.get(u.id, (0, None))), on) for u in units}


def find_unit(serial: str) -> Unit | None:
    """The unit with this serial (typed in any width or case), with its model and customer loaded."""
    normalised = normalise_serial(serial or "")
    if serial_problem(normalised):
        return None
    return db.session.scalar(select(Unit).options(joinedload(Unit.model), joinedload(Unit.customer))
                             .where(Unit.serial == normalised))


def check_serial(serial: str, on: date | None = None, component: Component | str = Component.UNIT,
                 exclusions: Iterable[Exclusion | str] = ()) -> WarrantyCheck:
    """The decision for the unit with this serial; a clear error when the serial is malformed or unknown."""
    normalised = normalise_serial(serial or "")
    if serial_problem(normalised):
        raise DomainError("invalid_serial", _l("This is not a serial number: use 3 to 64 letters, digits, "
                                               "dashes or slashes."))
    unit = find_unit(normalised)
    if unit is None:
        raise NotFound("unknown_serial", _l("No unit with serial %(serial)s is registered. Check the number "
                                            "on the product label or register the unit.", serial=normalised))
    return WarrantyCheck(unit, decide_for_unit(unit, on, component, exclusions))
