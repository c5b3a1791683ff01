"""Use cases for follow-up calls (回访): creating them once, the call list, recording a call."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import database, i18n
from ..audit.services import record
from ..auth.current import acting_user
from ..auth.models import Role, User
from ..complaints.services import category_label, raise_complaint_draft
from ..customers.models import Customer
from ..database import write_transaction
from ..errors import Conflict, DomainError, NotFound
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..intake.models import ServiceRequest
from ..intake.rules import Channel, RequestKind
from ..intake.services import MAX_DESCRIPTION, create_request
from ..scheduling.models import Appointment, Technician
from ..settings import get_setting
from ..visits.models import ServiceReport
from .models import FollowUp
from .rules import (COMPLAINT_CALLBACK_DAYS, PARTNER_CHECK_DAYS, CallOutcome, FollowUpKind, FollowUpStatus,
                    InvalidOutcome, apply_call, callback_due)

UPCOMING_DAYS = 30  # the call list shows pending calls due up to this far ahead

OUTCOME_MESSAGES = {
    "not_pending": _l("This call has already been recorded."),
    "satisfaction_required": _l("Please record the customer's satisfaction (1 to 5)."),
    "score_out_of_range": _l("Scores go from 1 to 5."),
}


def _local_date(moment: datetime) -> date:
    return moment.astimezone(i18n.service_tz()).date()


def _create_once(follow_up: FollowUp, existing) -> FollowUp:
    """Add the follow-up unless an equal one exists (its unique key); call inside a write transaction.

    Checked first (the usual case), and the unique key catches a concurrent creator: the savepoint
    keeps the sender's transaction usable.
    """
    found = db.session.scalar(existing)
    if found is not None:
        return found
    db.session.flush()  # the sender's own pending changes must not be mistaken for our duplicate
    try:
        with db.session.begin_nested():
            db.session.add(follow_up)
    except IntegrityError:
        found = db.session.scalar(existing)
        if found is None:
            raise
        return found
    record("follow_up_created", follow_up, kind=follow_up.kind, due_date=follow_up.due_date.isoformat())
    return follow_up


def create_service_callback(appointment, report=None) -> FollowUp:
    """The callback for a completed visit, due CALLBACK_DAYS after its local completion day, on the
    request owner's list (首问负责). At most one per visit."""
    request = appointment.request
    finished = appointment.finished_at or (report.signed_at if report is not None else None) or database.utcnow()
    follow_up = FollowUp(kind=FollowUpKind.SERVICE_CALLBACK, customer_id=request.customer_id, request_id=request.id,
                         appointment_id=appointment.id, assignee_id=request.owner_id,
                         due_date=callback_due(_local_date(finished), get_setting("CALLBACK_DAYS")),
                         status=FollowUpStatus.PENDING, attempts=0)
    return _create_once(follow_up, select(FollowUp).where(FollowUp.kind == FollowUpKind.SERVICE_CALLBACK,
                                                          FollowUp.appointment_id == appointment.id))


def create_complaint_callback(complaint) -> FollowUp:
    """Every resolved complaint gets a callback the next day, on the complaint owner's list."""
    resolved = complaint.resolved_at or database.utcnow()
    follow_up = FollowUp(kind=FollowUpKind.COMPLAINT_CALLBACK, customer_id=complaint.customer_id,
                         request_id=complaint.request_id, complaint_id=complaint.id,
                         assignee_id=complaint.owner_id,
                         due_date=callback_due(_local_date(resolved), COMPLAINT_CALLBACK_DAYS),
                         status=FollowUpStatus.PENDING, attempts=0)
    return _create_once(follow_up, select(FollowUp).where(FollowUp.kind == FollowUpKind.COMPLAINT_CALLBACK,
                                                          FollowUp.complaint_id == complaint.id))


def create_partner_check(request) -> FollowUp:
    """A request forwarded to a partner stays ours: the owner checks the next day that the partner called
    the customer. One open check per request (a second forward reuses it)."""
    follow_up = FollowUp(kind=FollowUpKind.PARTNER_CHECK, customer_id=request.customer_id, request_id=request.id,
                         assignee_id=request.owner_id,
                         due_date=callback_due(i18n.local_today(), PARTNER_CHECK_DAYS),
                         status=FollowUpStatus.PENDING, attempts=0)
    return _create_once(follow_up, select(FollowUp).where(FollowUp.kind == FollowUpKind.PARTNER_CHECK,
                                                          FollowUp.request_id == request.id,
                                                          FollowUp.status == FollowUpStatus.PENDING))


def create_agreement_callback(planned_visit) -> FollowUp:
    agreement = planned_visit.agreement
    follow_up = FollowUp(kind=FollowUpKind.AGREEMENT_CALLBACK, customer_id=agreement.customer_id,
                         agreement_id=agreement.id, planned_visit_id=planned_visit.id,
                         assignee_id=agreement.owner_id, due_date=planned_visit.due_date,
                         status=FollowUpStatus.PENDING, attempts=0)
    return _create_once(follow_up, select(FollowUp).where(FollowUp.planned_visit_id == planned_visit.id))


def create_sales_offer(agreement, due: date) -> FollowUp:
    """A renewal call for an agreement about to end; one open call per agreement."""
    follow_up = FollowUp(kind=FollowUpKind.SALES_OFFER, customer_id=agreement.customer_id,
                         agreement_id=agreement.id, assignee_id=agreement.owner_id, due_date=due,
                         status=FollowUpStatus.PENDING, attempts=0)
    return _create_once(follow_up, select(FollowUp).where(FollowUp.kind == FollowUpKind.SALES_OFFER,
                                                          FollowUp.agreement_id == agreement.id,
                                                          FollowUp.status == FollowUpStatus.PENDING))


# --- requests opened from aftercare ---------------------------------------------------------------------------

def open_request(*, customer_id: int, unit_id: int | None, kind: RequestKind, fault_description: str,
                 owner_id: int | None, parent_request_id: int | None = None, agreement_id: int | None = None,
                 sla_due_at: datetime | None = None) -> ServiceRequest:
    """A request from aftercare (a callback's "not solved", an agreement's plan), logged like any other by
    intake's create_request (number, promise, warranty snapshot, audit), then linked to where it came from.

    Both are deliberate follow-ons, so the call centre's duplicate check does not stop them.
    """
    with write_transaction():
        request = create_request(customer_id, unit_id, Channel.PHONE, fault_description[:MAX_DESCRIPTION], kind,
                                 allow_duplicate=True, check_phone=False)
        request.owner_id = owner_id
        request.parent_request_id = parent_request_id
        request.agreement_id = agreement_id
        if sla_due_at is not None:
            request.sla_due_at = sla_due_at
        record("request_linked", request, parent=parent_request_id, agreement=agreement_id, owner=owner_id)
    return request


def open_repair_request(follow_up_id: int) -> ServiceRequest:
    """"Not solved": a repair request linked to the old one, pre-filled; pressing twice opens one."""
    with write_transaction():
        follow_up = _get(follow_up_id)
        if follow_up.new_request_id is not None:
            return follow_up.new_request
        old = follow_up.request
        if old is None:
            raise DomainError("no_request", _l("This call is not about a service request."))
        customer = db.session.get(Customer, old.customer_id)
        with force_locale(customer.locale or "zh_CN"):
            description = _("Not solved after the visit (request %(number)s): %(fault)s",
                            number=old.number, fault=old.fault_description)
        actor = acting_user()
        request = open_request(customer_id=old.customer_id, unit_id=old.unit_id, kind=RequestKind.REPAIR,
                               fault_description=description, owner_id=actor.id if actor else old.owner_id,
                               parent_request_id=old.id)
        follow_up.new_request_id = request.id
        record("follow_up_request_opened", follow_up, request=request.number)
    return request


# --- working the list ------------------------------------------------------------------------------------------

def _get(follow_up_id: int) -> FollowUp:
    # Locked for the write transaction: two people working the same item queue instead of losing an update.
    follow_up = db.session.get(FollowUp, follow_up_id, with_for_update=True, populate_existing=True)
    if follow_up is None:
        raise NotFound("unknown_follow_up", _l("This follow-up call does not exist."))
    return follow_up


@dataclass(frozen=True)
class CallRecorded:
    follow_up: FollowUp
    offer_new_request: bool
    complaint: object | None  # the complaint draft raised by a low score


def record_call(follow_up_id: int, outcome: CallOutcome) -> CallRecorded:
    """One call: not reached counts an attempt (the third makes it unreachable); reached records the answers.
    A low score raises a complaint draft for review; "not solved" offers a linked repair request."""
    with write_transaction():
        follow_up = _get(follow_up_id)
        try:
            result = apply_call(follow_up.status, follow_up.attempts, outcome)
        except InvalidOutcome as error:
            raise (Conflict if error.code == "not_pending" else DomainError)(error.code, OUTCOME_MESSAGES[error.code])
        now = database.utcnow()
        follow_up.attempts = result.attempts
        follow_up.status = result.status
        follow_up.last_attempt_at = now
        if outcome.reached:
            follow_up.satisfaction = outcome.satisfaction
            follow_up.on_time = outcome.on_time
            follow_up.solved = outcome.solved
            follow_up.attitude = outcome.attitude
            follow_up.comment = outcome.comment or None
        if result.status is not FollowUpStatus.PENDING:
            follow_up.completed_at = now
            if follow_up.planned_visit is not None:
                from ..agreements.services import mark_plan_item_done  # agreements builds on this module

                mark_plan_item_done(follow_up.planned_visit)
        record("follow_up_call_recorded", follow_up, reached=outcome.reached, attempts=result.attempts,
               status=str(result.status), satisfaction=outcome.satisfaction, solved=outcome.solved,
               comment=outcome.comment or None)
        complaint = raise_complaint_draft(follow_up, outcome) if result.raise_complaint else None
        if complaint is not None:
            follow_up.raised_complaint_id = complaint.id
    return CallRecorded(follow_up, result.offer_new_request and follow_up.request_id is not None, complaint)


def reveal_phone(follow_up_id: int) -> str:
    """The full number for the agent about to call; every look is audited."""
    with write_transaction():
        follow_up = _get(follow_up_id)
        record("phone_revealed", follow_up.customer, follow_up=follow_up.id)
        phone = follow_up.customer.phone
    return phone


def reassign(follow_up_id: int, assignee_id: int | None) -> FollowUp:
    with write_transaction():
        follow_up = _get(follow_up_id)
        if assignee_id is not None:
            user = db.session.get(User, assignee_id)
            if user is None or not user.active or user.role not in (Role.AGENT, Role.MANAGER):
                raise DomainError("bad_assignee", _l("Choose an active agent or manager."))
        previous = follow_up.assignee_id
        follow_up.assignee_id = assignee_id
        record("follow_up_reassigned", follow_up, previous=previous, assignee=assignee_id)
    return follow_up


# --- reading ---------------------------------------------------------------------------------------------------

MINE = "mine"
UNASSIGNED = "none"


@dataclass
class CallFilter:
    kind: str | None = None
    assignee: str | None = None  # a user id, MINE (mine and unassigned), UNASSIGNED, or None for everyone
    district: str | None = None
    status: str = FollowUpStatus.PENDING


def call_list(today: date, filters: CallFilter, user_id: int | None, *, due_by: date | None = None) -> list[FollowUp]:
    """Follow-ups in due-date order (most overdue first). Pending ones up to UPCOMING_DAYS ahead; finished ones
    of the last UPCOMING_DAYS when asked for."""
    query = (select(FollowUp).join(Customer, Customer.id == FollowUp.customer_id)
             .options(selectinload(FollowUp.customer),
                      selectinload(FollowUp.request).selectinload(ServiceRequest.partner),
                      selectinload(FollowUp.assignee), selectinload(FollowUp.agreement),
                      selectinload(FollowUp.complaint),
                      selectinload(FollowUp.appointment).selectinload(Appointment.technician)
                      .selectinload(Technician.user))
             .order_by(FollowUp.due_date, FollowUp.id))
    if filters.status == FollowUpStatus.PENDING:
        query = query.where(FollowUp.status == FollowUpStatus.PENDING,
                            FollowUp.due_date <= (due_by or today + timedelta(days=UPCOMING_DAYS)))
    else:
        query = query.where(FollowUp.status == filters.status,
                            FollowUp.completed_at >= database.utcnow() - timedelta(days=UPCOMING_DAYS))
    if filters.kind:
        query = query.where(FollowUp.kind == filters.kind)
    if filters.district:
        query = query.where(Customer.district == filters.district)
    if filters.assignee == MINE:
        query = query.where(or_(FollowUp.assignee_id == user_id, FollowUp.assignee_id.is_(None)))
    elif filters.assignee == UNASSIGNED:
        query = query.where(FollowUp.assignee_id.is_(None))
    elif filters.assignee:
        query = query.where(FollowUp.assignee_id == int(filters.assignee))
    return list(db.session.scalars(query))


def districts_with_calls() -> list[str]:
    return list(db.session.scalars(
        select(Customer.district).join(FollowUp, FollowUp.customer_id == Customer.id)
        .where(Customer.district.is_not(None))
        .distinct().order_by(Customer.district)))


@dataclass(frozen=True)
class CallContext:
    """What the agent needs on the phone: what was done, by whom, when."""

    done: str
    technician: str | None = None
    visit_day: date | None = None
    reference: str | None = None  # request, complaint or agreement number


def call_contexts(follow_ups: list[FollowUp]) -> dict[int, CallContext]:
    """One context per follow-up, with the visits' reports loaded in one query."""
    locale = i18n.current_locale()
    appointment_ids = [f.appointment_id for f in follow_ups if f.appointment_id]
    reports: dict[int, ServiceReport] = {}
    if appointment_ids:
        for report in db.session.scalars(
                select(ServiceReport).where(ServiceReport.appointment_id.in_(appointment_ids))
                .options(selectinload(ServiceReport.fault_code)).order_by(ServiceReport.revision)):
            reports[report.appointment_id] = report  # the latest revision wins
    contexts = {}
    for f in follow_ups:
        request = f.request
        reference = request.number if request else None
        if f.kind == FollowUpKind.SERVICE_CALLBACK and f.appointment is not None:
            report = reports.get(f.appointment_id)
            appointment = f.appointment
            parts = []
            if report is not None and report.fault_code is not None:
                parts.append(report.fault_code.name_for(locale))
            if report is not None and report.resolution:
                parts.append(report.resolution)
            done = " · ".join(parts) or (request.fault_description if request else "")
            finished = appointment.finished_at or appointment.window_start
            contexts[f.id] = CallContext(done, appointment.technician.name, _local_date(finished), reference)
        elif f.kind == FollowUpKind.COMPLAINT_CALLBACK and f.complaint is not None:
            done = category_label(f.complaint.category) + (f" · {f.complaint.resolution}" if f.complaint.resolution
                                                            else "")
            contexts[f.id] = CallContext(done, reference=f"#{f.complaint.id}")
        elif f.kind == FollowUpKind.PARTNER_CHECK and request is not None:
            partner = request.partner.name if request.partner else ""
            contexts[f.id] = CallContext(_("Forwarded to %(partner)s: %(fault)s", partner=partner,
                                           fault=request.fault_description), reference=reference)
        elif f.kind in (FollowUpKind.AGREEMENT_CALLBACK, FollowUpKind.SALES_OFFER) and f.agreement is not None:
            agreement = f.agreement
            if f.kind == FollowUpKind.SALES_OFFER:
                done = _("Agreement ends on %(end)s", end=i18n.fmt_date(agreement.end_date))
            else:
                done = _("Monthly callback under the service agreement")
            contexts[f.id] = CallContext(done, reference=agreement.number)
        elif f.kind == FollowUpKind.SALES_OFFER:  # started from the warranty-expiry list (reports)
            contexts[f.id] = CallContext(_("Offer a service agreement: the warranty is ending"))
        else:
            contexts[f.id] = CallContext(request.fault_description if request else "", reference=reference)
    return contexts
