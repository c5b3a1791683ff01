"""Use cases for complaints (投诉): log, work, reply within 24 hours, resolve (which books the callback)."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import database
from ..audit.services import record
from ..auth.current import acting_user
from ..auth.models import Role, User
from ..customers.models import Customer
from ..customers.rules import phone_search_digits
from ..database import write_transaction
from ..errors import Conflict, DomainError, NotFound
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..intake.models import ServiceRequest
from ..intake.rules import Channel
from ..signals import complaint_resolved
from ..settings import get_setting
from ..transitions import TransitionNotAllowed
from .models import Complaint, ComplaintNote
from .rules import (UNRESOLVED, ComplaintCategory, ComplaintStatus, Severity, check_transition,
                    list_order, reply_due)

CATEGORY_LABELS = {
    ComplaintCategory.LATENESS: _l("Lateness"),
    ComplaintCategory.ATTITUDE: _l("Attitude"),
    ComplaintCategory.REPAIR_QUALITY: _l("Quality of repair"),
    ComplaintCategory.FEES: _l("Fees"),
    ComplaintCategory.PARTS: _l("Parts"),
    ComplaintCategory.OTHER: _l("Other"),
}
SEVERITY_LABELS = {Severity.GENERAL: _l("General"), Severity.MAJOR: _l("Major")}
STATUS_LABELS = {
    ComplaintStatus.DRAFT: _l("Draft to review"),
    ComplaintStatus.OPEN: _l("Awaiting reply"),
    ComplaintStatus.REPLIED: _l("Replied"),
    ComplaintStatus.RESOLVED: _l("Resolved"),
    ComplaintStatus.DISMISSED: _l("Dismissed"),
}
CHANNEL_LABELS = {
    Channel.PHONE: _l("Phone"),
    Channel.ONLINE: _l("Online"),
    Channel.WECHAT: _l("WeChat"),
    Channel.EMAIL: _l("Email"),
    Channel.WALK_IN: _l("Walk-in"),
}


def category_label(category: str) -> str:
    return str(CATEGORY_LABELS[ComplaintCategory(category)])


def _get(complaint_id: int) -> Complaint:
    # Locked for the write transaction: two people working the same item queue instead of losing an update.
    complaint = db.session.get(Complaint, complaint_id, with_for_update=True, populate_existing=True)
    if complaint is None:
        raise NotFound("unknown_complaint", _l("This complaint does not exist."))
    return complaint


def _move(complaint: Complaint, target: ComplaintStatus) -> None:
    try:
        check_transition(complaint.status, target)
    except TransitionNotAllowed as error:
        raise Conflict("complaint_status",
                       _l("A complaint that is %(current)s cannot become %(target)s.",
                          current=STATUS_LABELS[error.current], target=STATUS_LABELS[error.target]))
    complaint.status = target


def _check_owner(owner_id: int | None) -> None:
    if owner_id is None:
        return
    user = db.session.get(User, owner_id)
    if user is None or not user.active or user.role not in (Role.AGENT, Role.MANAGER):
        raise DomainError("bad_owner", _l("Choose an active agent or manager as the owner."))


def log_complaint(*, customer_id: int | None, request_id: int | None, channel: str, category: str, severity: str,
                  description: str, owner_id: int | None = None) -> Complaint:
    """Log a complaint; the reply is due COMPLAINT_REPLY_HOURS (24) after receipt. Owner: the one who took it."""
    try:
        channel, category, severity = Channel(channel), ComplaintCategory(category), Severity(severity)
    except ValueError:
        raise DomainError("invalid_complaint", _l("Choose a channel, a category and a severity from the lists."))
    if not description or not description.strip():
        raise DomainError("description_required", _l("Describe what the customer complains about."))
    with write_transaction():
        request = None
        if request_id is not None:
            request = db.session.get(ServiceRequest, request_id)
            if request is None:
                raise NotFound("unknown_request", _l("This request does not exist."))
            if customer_id is not None and customer_id != request.customer_id:
                raise DomainError("request_of_other_customer", _l("This request belongs to another customer."))
            customer_id = request.customer_id
        if customer_id is None or db.session.get(Customer, customer_id) is None:
            raise NotFound("unknown_customer", _l("Choose the customer who complains."))
        actor = acting_user()
        owner_id = owner_id if owner_id is not None else (actor.id if actor else None)
        _check_owner(owner_id)
        received = database.utcnow()
        complaint = Complaint(customer_id=customer_id, request_id=request_id, channel=channel, category=category,
                              severity=severity, description=description.strip(), received_at=received,
                              reply_due_at=reply_due(received, get_setting("COMPLAINT_REPLY_HOURS")),
                              owner_id=owner_id, status=ComplaintStatus.OPEN)
        db.session.add(complaint)
        db.session.flush()
        record("complaint_logged", complaint, severity=str(severity), category=str(category))
    return complaint


def _draft_category(outcome) -> ComplaintCategory:
    """The likeliest category from the callback's answers; the reviewer may change it."""
    if outcome.attitude is not None and outcome.attitude <= 2:
        return ComplaintCategory.ATTITUDE
    if outcome.solved is False:
        return ComplaintCategory.REPAIR_QUALITY
    if outcome.on_time is False:
        return ComplaintCategory.LATENESS
    return ComplaintCategory.OTHER


def raise_complaint_draft(follow_up, outcome) -> Complaint:
    """A low score on a callback: a complaint draft for a person to review. The reply clock runs from the call,
    since that is when the customer told us. Call inside a write transaction."""
    received = database.utcnow()
    # Stored text, read by every colleague: in the centre's language, not in the caller's.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        description = _("Raised by a follow-up call: satisfaction %(satisfaction)s/5.",
                        satisfaction=outcome.satisfaction)
        if outcome.comment:
            description += " " + _("The customer said: %(comment)s", comment=outcome.comment)
    actor = acting_user()
    complaint = Complaint(customer_id=follow_up.customer_id, request_id=follow_up.request_id, channel=Channel.PHONE,
                          category=_draft_category(outcome), severity=Severity.GENERAL, description=description,
                          received_at=received,
                          reply_due_at=reply_due(received, get_setting("COMPLAINT_REPLY_HOURS")),
                          owner_id=actor.id if actor else follow_up.assignee_id, status=ComplaintStatus.DRAFT)
    db.session.add(complaint)
    db.session.flush()
    record("complaint_draft_raised", complaint, follow_up=follow_up.id, satisfaction=outcome.satisfaction)
    return complaint


def confirm_draft(complaint_id: int, *, category: str | None = None, severity: str | None = None) -> Complaint:
    with write_transaction():
        complaint = _get(complaint_id)
        _move(complaint, ComplaintStatus.OPEN)
        if category:
            complaint.category = ComplaintCategory(category)
        if severity:
            complaint.severity = Severity(severity)
        record("complaint_confirmed", complaint, category=complaint.category, severity=complaint.severity)
    return complaint


def dismiss_draft(complaint_id: int, reason: str) -> Complaint:
    if not reason or not reason.strip():
        raise DomainError("reason_required", _l("Say why this is not a complaint."))
    with write_transaction():
        complaint = _get(complaint_id)
        _move(complaint, ComplaintStatus.DISMISSED)
        complaint.resolution = reason.strip()
        complaint.resolved_at = database.utcnow()
        record("complaint_dismissed", complaint, reason=reason.strip())
    return complaint


def assign_owner(complaint_id: int, owner_id: int | None) -> Complaint:
    with write_transaction():
        complaint = _get(complaint_id)
        if ComplaintStatus(complaint.status) not in UNRESOLVED:
            raise Conflict("complaint_closed", _l("This complaint is closed."))
        _check_owner(owner_id)
        previous = complaint.owner_id
        complaint.owner_id = owner_id
        record("complaint_owner_changed", complaint, previous=previous, owner=owner_id)
    return complaint


def add_note(complaint_id: int, text: str) -> ComplaintNote:
    if not text or not text.strip():
        raise DomainError("note_required", _l("The note is empty."))
    with write_transaction():
        complaint = _get(complaint_id)
        actor = acting_user()
        note = ComplaintNote(complaint_id=complaint.id, author_id=actor.id if actor else None, text=text.strip())
        db.session.add(note)
        db.session.flush()
        record("complaint_note_added", complaint, note=note.id)
    return note


def record_reply(complaint_id: int, text: str) -> Complaint:
    """The reply given to the customer; its time is what the 24-hour promise is measured by."""
    if not text or not text.strip():
        raise DomainError("reply_required", _l("Write down what the customer was told."))
    with write_transaction():
        complaint = _get(complaint_id)
        _move(complaint, ComplaintStatus.REPLIED)
        _replied(complaint, text.strip())
        record("complaint_replied", complaint, in_time=complaint.replied_at <= complaint.reply_due_at)
    return complaint


def _replied(complaint: Complaint, text: str) -> None:
    actor = acting_user()
    complaint.replied_at = database.utcnow()
    complaint.replied_by_id = actor.id if actor else None
    complaint.reply_text = text


def resolve_complaint(complaint_id: int, resolution: str) -> Complaint:
    """Resolved: the complaint callback is booked (signal complaint_resolved) in the same transaction."""
    if not resolution or not resolution.strip():
        raise DomainError("resolution_required", _l("Describe how the complaint was resolved."))
    with write_transaction():
        complaint = _get(complaint_id)
        _move(complaint, ComplaintStatus.RESOLVED)
        if complaint.replied_at is None:
            _replied(complaint, resolution.strip())  # telling the customer the resolution is the reply
        complaint.resolution = resolution.strip()
        complaint.resolved_at = database.utcnow()
        record("complaint_resolved", complaint, in_time=complaint.replied_at <= complaint.reply_due_at)
        complaint_resolved.send(complaint)
    return complaint


# --- reading ---------------------------------------------------------------------------------------------------

def complaint_list(status: str | None, *, severity: str | None = None) -> list[Complaint]:
    """Unresolved by default, overdue replies at the top."""
    query = select(Complaint).options(selectinload(Complaint.customer), selectinload(Complaint.owner),
                                      selectinload(Complaint.request))
    if status == "all":
        pass
    elif status:
        query = query.where(Complaint.status == ComplaintStatus(status))
    else:
        query = query.where(Complaint.status.in_(UNRESOLVED))
    if severity:
        query = query.where(Complaint.severity == Severity(severity))
    return list_order(db.session.scalars(query.order_by(Complaint.received_at.desc()).limit(500)),
                      database.utcnow())


def open_major_complaints() -> list[Complaint]:
    """Major complaints not yet resolved: in front of every manager on every page."""
    return list(db.session.scalars(
        select(Complaint).options(selectinload(Complaint.customer))
        .where(Complaint.severity == Severity.MAJOR,
               Complaint.status.in_([ComplaintStatus.OPEN, ComplaintStatus.REPLIED]))
        .order_by(Complaint.reply_due_at)))


def find_customers(text: str, limit: int = 20) -> list[Customer]:
    """Customers by phone (4 or more digits, any format) or by name, for picking who a complaint is from."""
    text = (text or "").strip()
    if not text:
        return []
    digits = phone_search_digits(text)
    condition = Customer.phone.contains(digits) if digits else Customer.name.contains(text)
    return list(db.session.scalars(select(Customer).where(condition).order_by(Customer.name).limit(limit)))
