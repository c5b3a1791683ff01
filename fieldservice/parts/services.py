"""Stock use cases: receipts, requisitions (领用) into vans, issues to visits, returns.

Every change is a ledger row in stock_movement and a change of stock_level in the same transaction.
A decrement is one conditional UPDATE (... AND qty >= n) whose row count says whether there was
enough; the CHECK (qty >= 0) behind it makes negative stock impossible even for code that forgets.
"""
from __future__ import annotations

from sqlalchemy import case, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..audit.services import record
from ..catalog.models import Part
from ..database import utcnow, write_transaction
from ..errors import Conflict, DomainError, NotFound
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..intake.models import ServiceRequest
from ..scheduling.models import Appointment, Technician
from ..settings import get_setting
from .models import Requisition, StockLevel, StockLocation, StockMovement
from .rules import (VAN_LOW_AT, LocationKind, MovementError, MovementKind, QuantityError, RequisitionStatus,
                    check_movement, parse_quantity)

QUANTITY_MESSAGES = {
    "required": _l("Enter a quantity."),
    "not_a_number": _l("Enter the quantity as a whole number, e.g. 2."),
    "fractional": _l("Parts are counted in whole units: %(value)s is not a whole number."),
    "not_positive": _l("The quantity must be at least 1."),
    "too_large": _l("The quantity is too large (at most 9999)."),
    "too_precise": _l("Use at most two decimals, e.g. 1.5."),
}

MOVEMENT_MESSAGES = {
    "wrong_source": _l("Parts cannot be taken from that kind of location for this movement."),
    "wrong_target": _l("Parts cannot be put into that kind of location for this movement."),
    "unsupported_movement": _l("This kind of stock movement is not supported."),
}


def quantity_message(error: QuantityError) -> str:
    return str(QUANTITY_MESSAGES[error.code]) % {"value": error.value}


def quantity(value: object) -> int:
    """A part count from user input, or a DomainError saying what is wrong with it."""
    try:
        return parse_quantity(value)
    except QuantityError as error:
        raise DomainError(f"quantity_{error.code}", quantity_message(error)) from None


def technician_for(user) -> Technician | None:
    return db.session.scalar(select(Technician).where(Technician.user_id == user.id)) if user else None


def _technician_with_van(user) -> Technician:
    technician = technician_for(user)
    if technician is None or technician.van_location_id is None:
        raise DomainError("no_van", _l("You have no van stock location. Ask an administrator to set one up."))
    return technician


def _part(part_id: int) -> Part:
    part = db.session.get(Part, part_id)
    if part is None or not part.active:
        raise NotFound("unknown_part", _l("This part does not exist or is no longer used."))
    return part


def _location(location_id: int | None) -> StockLocation:
    location = db.session.get(StockLocation, location_id) if location_id else None
    if location is None:
        raise NotFound("unknown_location", _l("This stock location does not exist."))
    return location


def _take(part: Part, location: StockLocation, qty: int) -> None:
    result = db.session.execute(
        update(StockLevel)
        .where(StockLevel.part_id == part.id, StockLevel.location_id == location.id, StockLevel.qty >= qty)
        .values(qty=StockLevel.qty - qty)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        have = db.session.scalar(select(StockLevel.qty).where(StockLevel.part_id == part.id,
                                                              StockLevel.location_id == location.id)) or 0
        raise Conflict("not_enough_stock",
                       _l("Not enough stock: %(location)s has %(have)s of %(part)s, %(want)s needed.",
                          location=location.name, have=have, part=f"{part.code} {part.name}", want=qty),
                       part_id=part.id, available=have)


def _put(part: Part, location: StockLocation, qty: int) -> None:
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(StockLevel).values(part_id=part.id, location_id=location.id, qty=qty)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[StockLevel.part_id, StockLevel.location_id],
        set_={"qty": StockLevel.qty + statement.excluded.qty}))


def move_stock(kind: MovementKind, part: Part, qty: int, *, source: StockLocation | None = None,
               target: StockLocation | None = None, appointment_id: int | None = None,
               requisition_id: int | None = None, actor=None, note: str | None = None) -> StockMovement:
    """Take from `source`, put into `target`, write the ledger row; call inside a write transaction."""
    try:
        check_movement(kind, source.kind if source else None, target.kind if target else None)
    except MovementError as error:
        raise DomainError(error.code, MOVEMENT_MESSAGES[error.code]) from None
    if source is not None:
        _take(part, source, qty)
    if target is not None:
        _put(part, target, qty)
    movement = StockMovement(kind=kind.value, part_id=part.id, qty=qty, from_location_id=source and source.id,
                             to_location_id=target and target.id, appointment_id=appointment_id,
                             requisition_id=requisition_id, actor_id=getattr(actor, "id", None), note=note or None)
    db.session.add(movement)
    return movement


def issue_for_visit(appointment: Appointment, part_id: int, qty: int, from_location_id: int | None,
                    actor=None) -> StockMovement:
    """A part used on a visit leaves the assigned technician's own van; call inside a write transaction."""
    van_id = appointment.technician.van_location_id
    if van_id is None or from_location_id != van_id:
        raise DomainError("not_your_van", _l("Parts for a visit can only come from the assigned technician's van."))
    return move_stock(MovementKind.ISSUE, _part(part_id), quantity(qty), source=_location(van_id),
                      appointment_id=appointment.id, actor=actor)


def receive_stock(actor, part_id: int, warehouse_id: int, qty: object, note: str | None = None) -> StockMovement:
    """Goods received into a warehouse (a manager's job)."""
    with write_transaction():
        part, warehouse, count = _part(part_id), _location(warehouse_id), quantity(qty)
        movement = move_stock(MovementKind.RECEIPT, part, count, target=warehouse, actor=actor, note=note)
        db.session.flush()
        record("stock_received", movement, part=part.code, qty=count, location=warehouse.code)
    return movement


def request_parts(actor, part_id: int, warehouse_id: int, qty: object, note: str | None = None) -> Requisition:
    """领用: a technician asks for parts from a warehouse into their van; direct when no approval is needed."""
    with write_transaction():
        technician = _technician_with_van(actor)
        part, warehouse, count = _part(part_id), _location(warehouse_id), quantity(qty)
        if warehouse.kind != LocationKind.WAREHOUSE:
            raise DomainError("wrong_source", _l("Parts can only be requested from a warehouse."))
        requisition = Requisition(technician_id=technician.id, part_id=part.id, qty=count,
                                  from_location_id=warehouse.id, to_location_id=technician.van_location_id,
                                  status=RequisitionStatus.PENDING, note=note or None)
        db.session.add(requisition)
        db.session.flush()
        record("requisition_requested", requisition, part=part.code, qty=count)
        if not get_setting("REQUISITION_NEEDS_APPROVAL"):
            _grant(requisition, actor)
    return requisition


def approve_requisition(actor, requisition_id: int) -> Requisition:
    with write_transaction():
        requisition = _pending_requisition(requisition_id)
        _grant(requisition, actor)
    return requisition


def reject_requisition(actor, requisition_id: int, note: str | None = None) -> Requisition:
    with write_transaction():
        requisition = _pending_requisition(requisition_id)
        requisition.status = RequisitionStatus.REJECTED
        requisition.decided_by_id, requisition.decided_at = actor.id, utcnow()
        if note:
            requisition.note = f"{requisition.note}\n{note}" if requisition.note else note
        record("requisition_rejected", requisition, note=note)
    return requisition


def _pending_requisition(requisition_id: int) -> Requisition:
    # The row lock makes two managers approving at once move the parts once (SQLite: BEGIN IMMEDIATE).
    requisition = db.session.scalar(select(Requisition).where(Requisition.id == requisition_id).with_for_update())
    if requisition is None:
        raise NotFound("unknown_requisition", _l("This requisition does not exist."))
    if requisition.status != RequisitionStatus.PENDING:
        raise Conflict("requisition_decided", _l("This requisition was already approved or rejected."))
    return requisition


def _grant(requisition: Requisition, actor) -> None:
    part = _part(requisition.part_id)
    move_stock(MovementKind.TRANSFER, part, requisition.qty, source=_location(requisition.from_location_id),
               target=_location(requisition.to_location_id), requisition_id=requisition.id, actor=actor)
    requisition.status = RequisitionStatus.APPROVED
    requisition.decided_by_id, requisition.decided_at = actor.id, utcnow()
    record("requisition_approved", requisition, part=part.code, qty=requisition.qty)


def return_parts(actor, part_id: int, warehouse_id: int, qty: object, note: str | None = None) -> StockMovement:
    """Unused parts from the technician's own van back to a warehouse."""
    with write_transaction():
        technician = _technician_with_van(actor)
        part, warehouse, count = _part(part_id), _location(warehouse_id), quantity(qty)
        movement = move_stock(MovementKind.RETURN, part, count, source=_location(technician.van_location_id),
                              target=warehouse, actor=actor, note=note)
        db.session.flush()
        record("stock_returned", movement, part=part.code, qty=count, location=warehouse.code)
    return movement


# --- reading the stock pages ------------------------------------------------------------------------------

def is_low_stock():
    """The SQL twin of rules.low_threshold: the part's threshold in a warehouse, VAN_LOW_AT in a van.
    Needs Part and StockLocation joined to StockLevel."""
    return StockLevel.qty <= case((StockLocation.kind == LocationKind.VAN.value, VAN_LOW_AT),
                                  else_=Part.low_stock_threshold)


def request_numbers(movements) -> dict[int, str]:
    """appointment id → its service request's number (SR-…), for the movements issued to visits."""
    ids = {m.appointment_id for m in movements if m.appointment_id}
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Appointment.id, ServiceRequest.number).join(ServiceRequest, ServiceRequest.id == Appointment.request_id)
        .where(Appointment.id.in_(ids))).all())
