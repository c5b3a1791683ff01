"""Use cases for service requests. Status changes go through change_request_status only."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..audit.services import record
from ..database import utcnow, write_transaction
from ..errors import DomainError
from ..extensions import db
from ..signals import request_status_changed
from .models import DailyCounter, ServiceRequest
from .rules import RequestStatus, TransitionNotAllowed, check_transition


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
