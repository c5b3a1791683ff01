"""Warranty decisions for units in the database: gather the facts, then ask the pure rules.

Other areas (intake, technician visits, reports) call `facts_for_unit` and `decide_for_unit`.

A check by serial is one SELECT: the unit with its model and customer, plus correlated subqueries for the
unit's repair history and its active service agreement. Statements are built once, with bind
parameters: building them per call cost more than running them (issue 3 asks for <= 1 ms at p99). The
check reads plain columns on the session's connection: ORM objects for unit, model and customer cost
three times the query, and the warranty page is the busiest page of the call centre.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from ..agreements.models import AgreementStatus, ServiceAgreement, agreement_unit
from ..catalog.models import ProductModel
from ..customers.models import Customer, CustomerType, Unit
from ..customers.rules import has_proof_of_purchase, normalise_serial, serial_problem
from ..errors import DomainError, NotFound
from ..extensions import db
from ..i18n import lazy_gettext as _l, local_today, service_tz, to_local
from ..intake.models import ServiceRequest
from ..intake.rules import OPEN_STATUSES, RequestKind, RequestStatus
from .rules import Component, Exclusion, WarrantyDecision, WarrantyFacts, WarrantyStatus, decide_warranty

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


CLOSED_STATUSES = tuple(s.value for s in RequestStatus if s not in OPEN_STATUSES)


@dataclass(frozen=True)
class UnitOnRecord:
    """What a check by serial shows of the unit, its model and its customer."""

    id: int
    serial: str
    purchase_date: date | None
    invoice_no: str | None
    sale_type: str
    model_code: str
    model_name: str
    customer_id: int
    customer_name: str
    customer_phone: str


@dataclass(frozen=True)
class WarrantyCheck:
    unit: UnitOnRecord
    decision: WarrantyDecision


# The unit's terms, in the order _facts() takes them.
TERMS = (Unit.purchase_date, Unit.invoice_no, Unit.sale_type, ProductModel.unit_warranty_months,
         ProductModel.accessory_warranty_months, ProductModel.available, Customer.customer_type,
         Customer.contract_warranty_months, Customer.contract_accessory_months)


def _terms_of(unit: Unit) -> tuple:
    """TERMS read from a loaded unit, its model and its customer."""
    owners = {Unit: unit, ProductModel: unit.model, Customer: unit.customer}
    return tuple(getattr(owners[column.class_], column.key) for column in TERMS)


def _history_columns(unit_id):
    """Correlated subqueries for one unit (`unit_id` a column or a bind parameter), for the local day
    `:on` whose end in UTC is `:cutoff`:

    - completed repairs so far (requests of kind repair, completed or closed);
    - when the earliest still-open request was reported (the 60-day replacement rule);
    - end date and contract months of the active agreement covering the unit that day, the longest
      running one: the same choice as agreements.queries.active_agreement_for_unit.
    """
    cutoff, on = bindparam("cutoff", type_=ServiceRequest.reported_at.type), bindparam("on", type_=db.Date)
    requests = select().where(ServiceRequest.unit_id == unit_id, ServiceRequest.reported_at < cutoff)
    # Comparisons rather than IN (…): an IN list is expanded into the SQL on every execution.
    completed = requests.add_columns(func.count()).where(
        or_(ServiceRequest.status == RequestStatus.COMPLETED.value,
            ServiceRequest.status == RequestStatus.CLOSED.value),
        ServiceRequest.kind == RequestKind.REPAIR.value)
    first_open = requests.add_columns(func.min(ServiceRequest.reported_at)).where(
        *(ServiceRequest.status != status for status in CLOSED_STATUSES))
    agreement = (select().join(agreement_unit, agreement_unit.c.agreement_id == ServiceAgreement.id)
                 .where(agreement_unit.c.unit_id == unit_id, ServiceAgreement.status == AgreementStatus.ACTIVE,
                        ServiceAgreement.start_date <= on, ServiceAgreement.end_date >= on)
                 .order_by(ServiceAgreement.end_date.desc()).limit(1))
    return (completed.scalar_subquery(), first_open.scalar_subquery(),
            agreement.add_columns(ServiceAgreement.end_date).scalar_subquery(),
            agreement.add_columns(ServiceAgreement.contract_warranty_months).scalar_subquery())


@functools.cache
def _statements() -> dict:
    # Built on first use: loader options need every mapper configured, i.e. all models imported.
    return {
        # The terms hold purchase date, invoice and sale type: UnitOnRecord takes them from there.
        "check_by_serial": select(Unit.id, Unit.serial, ProductModel.code, ProductModel.name, Customer.id,
                                  Customer.name, Customer.phone, *TERMS, *_history_columns(Unit.id))
        .join(Unit.model).join(Unit.customer)
        .where(Unit.serial == bindparam("serial")),
        # The unit as an ORM object, for services that go on to change things.
        "unit_by_serial": select(Unit).options(joinedload(Unit.model), joinedload(Unit.customer))
        .where(Unit.serial == bindparam("serial")),
        "by_id": select(*_history_columns(bindparam("unit_id"))),
        "by_ids": select(Unit.id, *_history_columns(Unit.id))
        .where(Unit.id.in_(bindparam("unit_ids", expanding=True))),
    }


def _day_params(on: date) -> dict:
    # Requests reported before the end of the local day `on` were reported on or before it.
    end = datetime.combine(on + timedelta(days=1), time.min, tzinfo=service_tz())
    return {"on": on, "cutoff": end}


def _facts(purchase_date: date | None, invoice_no: str | None, sale_type: str, unit_months: int,
           accessory_months: int, model_available: bool, customer_type: str, contract_months: int | None,
           contract_accessory_months: int | None, repairs: int, first_open: datetime | None,
           agreement_until: date | None, agreement_months: int | None) -> WarrantyFacts:
    """The facts from the unit's terms (TERMS) followed by its history (_history_columns)."""
    # Contract months belong to contract customers (行业工程采购用户) only.
    contract = customer_type == CustomerType.CONTRACT
    return WarrantyFacts(
        purchase_date=purchase_date,
        has_proof=has_proof_of_purchase(invoice_no),
        sale_type=sale_type,
        unit_months=unit_months,
        accessory_months=accessory_months,
        contract_unit_months=contract_months if contract else None,
        contract_accessory_months=contract_accessory_months if contract else None,
        agreement_unit_months=agreement_months or None,
        agreement_until=agreement_until,
        completed_repairs=repairs,
        open_request_reported_on=to_local(first_open).date() if first_open else None,
        model_available=model_available,
    )


def facts_for_unit(unit: Unit, on: date) -> WarrantyFacts:
    """Everything the warranty rules need to know about a unit on local date `on`."""
    history = db.session.execute(_statements()["by_id"], {"unit_id": unit.id, **_day_params(on)}).one()
    return _facts(*_terms_of(unit), *history)


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
    """Whole-unit decisions for a list of units (one query for all), keyed by unit id."""
    units = {u.id: u for u in units}
    if not units:
        return {}
    on = on or local_today()
    rows = db.session.execute(_statements()["by_ids"], {"unit_ids": list(units), **_day_params(on)})
    return {unit_id: decide_warranty(_facts(*_terms_of(units[unit_id]), *history), on)
            for unit_id, *history in rows}


def find_unit(serial: str) -> Unit | None:
    """The unit with this serial (typed in any width or case), with its model and customer loaded."""
    normalised = normalise_serial(serial or "")
    if serial_problem(normalised):
        return None
    return db.session.scalars(_statements()["unit_by_serial"], {"serial": normalised}).first()


def check_serial(serial: str, on: date | None = None, component: Component | str = Component.UNIT,
                 exclusions: Iterable[Exclusion | str] = ()) -> WarrantyCheck:
    """The decision for the unit with this serial; a clear error when the serial is malformed or unknown."""
    on = on or local_today()
    normalised = normalise_serial(serial or "")
    if serial_problem(normalised):
        raise DomainError("invalid_serial", _l("This is not a serial number: use 3 to 64 letters, digits, "
                                               "dashes or slashes."))
    found = db.session.connection().execute(_statements()["check_by_serial"],
                                            {"serial": normalised, **_day_params(on)}).first()
    if found is None:
        raise NotFound("unknown_serial", _l("No unit with serial %(serial)s is registered. Check the number "
                                            "on the product label or register the unit.", serial=normalised))
    unit_id, serial, model_code, model_name, customer_id, customer_name, customer_phone = found[:7]
    terms_and_history = found[7:]
    purchase_date, invoice_no, sale_type = terms_and_history[:3]
    unit = UnitOnRecord(unit_id, serial, purchase_date, invoice_no, sale_type, model_code, model_name, customer_id,
                        customer_name, customer_phone)
    return WarrantyCheck(unit, _decide(_facts(*terms_and_history), on, component, exclusions))
