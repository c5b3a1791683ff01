"""Use cases for service requests. Status changes go through change_request_status only."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from ..audit.models import AuditEvent
from ..audit.services import record
from ..auth.current import acting_user
from ..customers import services as customer_services
from ..customers.models import Customer, Unit
from ..customers.rules import clean_line, clean_text, normalise_phone, normalise_serial, serial_problem
from ..customers.services import NewCustomer, NewUnit
from ..database import utcnow, write_transaction
from ..errors import Conflict, DomainError, NotFound
from ..extensions import db
from ..i18n import lazy_gettext as _l, local_today
from ..scheduling.models import Appointment
from ..settings import get_setting
from ..signals import request_created, request_status_changed
from ..transitions import TransitionNotAllowed
from ..warranty.services import decide_for_unit, find_unit
from .models import DailyCounter, RequestNote, ServiceRequest
from .rules import (OPEN_STATUSES, Channel, RequestKind, RequestStatus, check_transition,
                    promise_deadline, request_number)


def allocate_sequence(name: str, day: date) -> int:
    """The next number of a per-day counter; call inside a write transaction.

    The counter row is created if missing (ON CONFLICT DO NOTHING) and incremented with an
    UPDATE … RETURNING, which both databases serialise: no max()+1 race.
    """
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(DailyCounter).values(name=name, day=day, last=0).on_conflict_do_nothing())
    return db.session.execute(
        update(DailyCounter).where(DailyCounter.name == name, DailyCounter.day == day)
        .values(last=DailyCounter.last + 1).returning(DailyCounter.last)
    ).scalar_one()


def change_request_status(request: ServiceRequest, target: RequestStatus | str, *, reason: str | None = None,
                          **detail) -> None:
    """Move a request along the transition table; call inside a write transaction."""
    previous = RequestStatus(request.status)
    try:
        current = check_transition(previous, target)
    except TransitionNotAllowed as error:
        raise DomainError("status_not_allowed",
                          _l("A request in status %(current)s cannot change to %(target)s.",
                             current=status_label(error.current), target=status_label(error.target)))
    request.status = current.value
    if current in (RequestStatus.CLOSED, RequestStatus.CANCELLED):
        request.closed_at = utcnow()
    record("request_status_changed", request, previous=previous.value, current=current.value, reason=reason,
           **detail)
    request_status_changed.send(request, previous=previous, current=current)


def set_request_status(request_id: int, target: RequestStatus | str, *, reason: str | None = None) -> ServiceRequest:
    with write_transaction():
        request = db.session.get(ServiceRequest, request_id)
        if request is None:
            raise DomainError("unknown_request", _l("This request does not exist."))
        change_request_status(request, target, reason=reason)
    return request


STATUS_LABELS = {
    RequestStatus.NEW: _l("New"),
    RequestStatus.SCHEDULED: _l("Scheduled"),
    RequestStatus.EN_ROUTE: _l("On the way"),
    RequestStatus.ON_SITE: _l("On site"),
    RequestStatus.COMPLETED: _l("Completed"),
    RequestStatus.CLOSED: _l("Closed"),
    RequestStatus.AWAITING_PARTS: _l("Awaiting parts"),
    RequestStatus.DEPOT_REPAIR: _l("Depot repair"),
    RequestStatus.FORWARDED: _l("Forwarded to partner"),
    RequestStatus.CANCELLED: _l("Cancelled"),
}


def status_label(status: RequestStatus | str) -> str:
    return str(STATUS_LABELS[RequestStatus(status)])


def find_request(number: str) -> ServiceRequest | None:
    return db.session.scalar(select(ServiceRequest).where(ServiceRequest.number == number.strip().upper()))


# --- Logging requests (call centre) -------------------------------------------------------------

MAX_DESCRIPTION = 2000
MAX_NOTE = 2000
REQUEST_NUMBER = re.compile(r"SR-\d{8}-\d{4,5}")
# A request not yet booked this close to its promise deadline (or past it) is at risk.
AT_RISK_HOURS = 4


def open_requests_for(unit_id: int | None = None, phones: Iterable[str | None] = ()) -> list[ServiceRequest]:
    """Open requests for this unit or any customer with one of these (normalised) phones, newest first."""
    conditions = []
    if unit_id is not None:
        conditions.append(ServiceRequest.unit_id == unit_id)
    phones = [p for p in phones if p]
    if phones:
        conditions.append(ServiceRequest.customer_id.in_(select(Customer.id).where(Customer.phone.in_(phones))))
    if not conditions:
        return []
    return list(db.session.scalars(
        select(ServiceRequest).where(or_(*conditions), ServiceRequest.status.in_([s.value for s in OPEN_STATUSES]))
        .order_by(ServiceRequest.reported_at.desc())))


def _checked_request_fields(channel: str, kind: str, fault_description: str) -> str:
    if channel not in tuple(Channel):
        raise DomainError("invalid_channel", _l("Choose how the customer contacted us."))
    if kind not in tuple(RequestKind):
        raise DomainError("invalid_kind", _l("Choose repair, installation or maintenance."))
    description = clean_text(fault_description)
    if not description:
        raise DomainError("description_missing", _l("Describe the fault in the customer's words."))
    if len(description) > MAX_DESCRIPTION:
        raise DomainError("description_too_long",
                          _l("The fault description may have at most %(max)s characters (this one has %(n)s).",
                             max=MAX_DESCRIPTION, n=len(description)))
    return description


def create_request(customer_id: int, unit_id: int | None, channel: str, fault_description: str,
                   kind: str = RequestKind.REPAIR, *, allow_duplicate: bool = False,
                   check_phone: bool = True) -> ServiceRequest:
    """Log a request owned by the acting agent, with its number, promise deadline and warranty snapshot.

    Refused with `duplicate_open_request` when the unit (or, with check_phone, the customer's phone)
    already has an open request, unless allow_duplicate: the customer must never call twice.
    """
    with write_transaction():
        description = _checked_request_fields(channel, kind, fault_description)
        # Row locks (PostgreSQL; SQLite's write transaction already serialises): two agents logging the
        # same call at the same moment cannot both pass the duplicate check below.
        customer = db.session.get(Customer, customer_id, with_for_update=True)
        if customer is None:
            raise NotFound("unknown_customer", _l("This customer does not exist."))
        unit = db.session.get(Unit, unit_id, with_for_update=True) if unit_id is not None else None
        if unit_id is not None and (unit is None or unit.customer_id != customer.id):
            raise DomainError("unit_not_customers", _l("This unit is not registered to this customer."))
        if not allow_duplicate:
            duplicates = open_requests_for(unit.id if unit else None, [customer.phone] if check_phone else ())
            if duplicates:
                raise Conflict("duplicate_open_request",
                               _l("Request %(number)s for this customer is still open. Add a note to it, or "
                                  "confirm that this is a different fault.", number=duplicates[0].number),
                               number=duplicates[0].number)
        today = local_today()
        reported_at = utcnow()
        request = ServiceRequest(
            number=request_number(today, allocate_sequence("request", today)), customer_id=customer.id,
            unit_id=unit.id if unit else None, channel=channel, kind=kind, fault_description=description,
            owner_id=getattr(acting_user(), "id", None), reported_at=reported_at,
            sla_due_at=promise_deadline(reported_at, get_setting("SLA_HOURS")),
            warranty_snapshot=decide_for_unit(unit, today).to_snapshot() if unit else None,
            status=RequestStatus.NEW.value)
        db.session.add(request)
        db.session.flush()
        record("request_created", request, number=request.number, channel=channel, kind=kind,
               duplicate_confirmed=allow_duplicate or None)
        request_created.send(request)
    return request


@dataclass(frozen=True)
class NewRequest:
    """One screen of the call centre: who, which unit, what is wrong."""

    channel: str
    fault_description: str
    kind: str = RequestKind.REPAIR
    customer_id: int | None = None
    new_customer: NewCustomer | None = None
    unit_id: int | None = None
    new_unit: NewUnit | None = None
    allow_duplicate: bool = False
    # A new customer whose phone is already on record is saved only when the agent says so.
    allow_same_phone: bool = False


def log_request(data: NewRequest) -> ServiceRequest:
    """Create the customer and register the unit if they are new, then the request: all or nothing."""
    with write_transaction():
        _checked_request_fields(data.channel, data.kind, data.fault_description)
        if data.customer_id is not None:
            customer = customer_services.get_customer(data.customer_id)
        elif data.new_customer is not None:
            customer = customer_services.create_customer(data.new_customer, allow_same_phone=data.allow_same_phone)
        else:
            raise DomainError("customer_missing", _l("Find the customer or enter a new one."))
        unit_id = data.unit_id
        if data.new_unit is not None:
            unit_id = customer_services.register_unit(customer.id, data.new_unit).id
        return create_request(customer.id, unit_id, data.channel, data.fault_description, data.kind,
                              allow_duplicate=data.allow_duplicate)


def log_request_for_serial(caller: NewCustomer, serial: str, new_unit: NewUnit | None, channel: str,
                           fault_description: str, kind: str = RequestKind.REPAIR,
                           allow_duplicate: bool = False) -> ServiceRequest:
    """The API's way in: a registered serial belongs to its owner; an unknown one is registered to the caller
    when its model is given. Only an open request on the same unit counts as a duplicate."""
    with write_transaction():
        _checked_request_fields(channel, kind, fault_description)
        customer_services.check_customer(caller)
        unit = find_unit(serial)
        if unit is None:
            if new_unit is None:
                normalised = normalise_serial(serial or "")
                problem = serial_problem(normalised)
                if problem:
                    raise customer_services.problem(problem, normalised[:64])
                raise DomainError("unknown_serial", _l("Serial %(serial)s is not registered; send model_code "
                                                       "to register the unit.", serial=normalised))
            customer = customer_services.find_or_create_customer(caller.name, caller.phone, caller.address)
            unit = customer_services.register_unit(customer.id, new_unit)
        request = create_request(unit.customer_id, unit.id, channel, fault_description, kind,
                                 allow_duplicate=allow_duplicate, check_phone=False)
        if normalise_phone(caller.phone) != unit.customer.phone:
            # The request is the owner's, but the technician may need to reach whoever reported it.
            with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
                text = _("Reported by %(name)s, %(phone)s, who is not the unit's registered owner.",
                         name=clean_line(caller.name), phone=normalise_phone(caller.phone))
            db.session.add(RequestNote(request=request, author_id=getattr(acting_user(), "id", None), text=text))
            record("request_note_added", request, caller_not_owner=True)
        return request


def add_note(number: str, text: str) -> RequestNote:
    with write_transaction():
        request = get_request(number)
        text = clean_text(text)
        if not text:
            raise DomainError("note_missing", _l("Write the note first."))
        if len(text) > MAX_NOTE:
            raise DomainError("note_too_long", _l("A note may have at most %(max)s characters (this one has %(n)s).",
                                                  max=MAX_NOTE, n=len(text)))
        note = RequestNote(request=request, author_id=getattr(acting_user(), "id", None), text=text)
        db.session.add(note)
        db.session.flush()
        record("request_note_added", request, note_id=note.id)
    return note


def get_request(number: str) -> ServiceRequest:
    request = find_request(number) if REQUEST_NUMBER.fullmatch((number or "").strip().upper()) else None
    if request is None:
        raise NotFound("unknown_request", _l("There is no request %(number)s.", number=clean_line(number)[:30]))
    return request


def list_requests(*, status: str | None = None, owner_id: int | None = None, at_risk: bool = False,
                  page: int = 1, per_page: int = 50):
    query = select(ServiceRequest).options(selectinload(ServiceRequest.customer), selectinload(ServiceRequest.unit)
                                           .joinedload(Unit.model), selectinload(ServiceRequest.owner),
                                           selectinload(ServiceRequest.appointments))
    if status == "open":
        query = query.where(ServiceRequest.status.in_([s.value for s in OPEN_STATUSES]))
    elif status:
        query = query.where(ServiceRequest.status == status)
    if owner_id is not None:
        query = query.where(ServiceRequest.owner_id == owner_id)
    if at_risk:
        query = query.where(ServiceRequest.status == RequestStatus.NEW.value,
                            ServiceRequest.sla_due_at <= utcnow() + timedelta(hours=AT_RISK_HOURS))
        query = query.order_by(ServiceRequest.sla_due_at)
    else:
        query = query.order_by(ServiceRequest.reported_at.desc(), ServiceRequest.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def request_timeline(request: ServiceRequest) -> list[AuditEvent]:
    """The audit events of the request and of its visits, newest first."""
    appointment_ids = [str(a.id) for a in request.appointments]
    return list(db.session.scalars(
        select(AuditEvent).options(selectinload(AuditEvent.actor))
        .where(or_((AuditEvent.object_type == ServiceRequest.__tablename__)
                   & (AuditEvent.object_id == str(request.id)),
                   (AuditEvent.object_type == Appointment.__tablename__)
                   & AuditEvent.object_id.in_(appointment_ids)))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())))


EVENT_LABELS = {
    "request_created": _l("Request logged"),
    "request_status_changed": _l("Status changed"),
    "request_note_added": _l("Note added"),
    "request_forwarded": _l("Forwarded to partner"),
    "request_linked": _l("Linked to an earlier request"),
    "appointment_booked": _l("Visit booked"),
    "appointment_rescheduled": _l("Visit rescheduled"),
    "appointment_cancelled": _l("Visit cancelled"),
    "visit_en_route": _l("Technician on the way"),
    "visit_on_site": _l("Technician arrived"),
    "visit_completed": _l("Visit completed"),
}


def event_label(action: str) -> str:
    label = EVENT_LABELS.get(action)
    return str(label) if label else action.replace("_", " ")
