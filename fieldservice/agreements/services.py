"""Use cases for service agreements (服务协议) and their plan (主动服务计划)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import database, i18n
from ..audit.services import record
from ..auth.models import Role, User
from ..customers.models import Customer, Unit
from ..database import write_transaction
from ..errors import Conflict, DomainError, NotFound
from ..extensions import db
from ..followups.models import FollowUp
from ..followups.rules import FollowUpKind, FollowUpStatus
from ..followups.services import create_agreement_callback, create_sales_offer, open_request
from ..i18n import lazy_gettext as _l
from ..intake.models import ServiceRequest
from ..intake.rules import RequestKind, RequestStatus
from ..intake.services import allocate_sequence, change_request_status
from ..settings import get_setting
from .models import PlannedVisit, ServiceAgreement
from .rules import (EXPIRY_NOTICE_DAYS, AgreementError, AgreementStatus, PlannedKind, PlannedStatus, Terms, check_terms,
                    check_transition, has_ended, is_stale, plan_items, within_horizon)

TERMS_MESSAGES = {
    "end_before_start": _l("The agreement must end after it starts."),
    "pct_out_of_range": _l("A waiver is a percentage from 0 to 100."),
    "contract_months_too_long": _l("Contract warranty can be at most 36 months."),
    "status_not_allowed": _l("This agreement cannot change to that status."),
}
STATUS_LABELS = {
    AgreementStatus.DRAFT: _l("Draft"),
    AgreementStatus.ACTIVE: _l("In force"),
    AgreementStatus.ENDED: _l("Ended"),
    AgreementStatus.CANCELLED: _l("Cancelled"),
}
KIND_LABELS = {
    PlannedKind.MONTHLY_CALLBACK: _l("Monthly callback"),
    PlannedKind.QUARTERLY_MAINTENANCE: _l("Quarterly maintenance"),
    PlannedKind.YEARLY_SERVICING: _l("Yearly servicing"),
}
PLANNED_STATUS_LABELS = {
    PlannedStatus.PLANNED: _l("Planned"),
    PlannedStatus.CREATED: _l("Created"),
    PlannedStatus.DONE: _l("Done"),
    PlannedStatus.CANCELLED: _l("Cancelled"),
    PlannedStatus.SKIPPED: _l("Skipped (too late)"),
}


def _error(error: AgreementError) -> DomainError:
    return DomainError(error.code, TERMS_MESSAGES[error.code])


def _get(agreement_id: int) -> ServiceAgreement:
    # Locked for the write transaction: two people working the same item queue instead of losing an update.
    agreement = db.session.get(ServiceAgreement, agreement_id, with_for_update=True, populate_existing=True)
    if agreement is None:
        raise NotFound("unknown_agreement", _l("This agreement does not exist."))
    return agreement


@dataclass
class AgreementInput:
    customer_id: int
    unit_ids: list[int]
    start_date: date
    end_date: date
    amount: Decimal
    parts_waiver_pct: int
    labour_waiver_pct: int
    contract_warranty_months: int
    monthly_callback: bool
    quarterly_maintenance: bool
    yearly_servicing: bool
    owner_id: int | None = None


def _apply(agreement: ServiceAgreement, data: AgreementInput) -> None:
    try:
        check_terms(Terms(data.start_date, data.end_date, data.parts_waiver_pct, data.labour_waiver_pct,
                          data.contract_warranty_months))
    except AgreementError as error:
        raise _error(error)
    if data.amount is None or data.amount < 0:
        raise DomainError("amount_negative", _l("The amount cannot be negative."))
    customer = db.session.get(Customer, data.customer_id)
    if customer is None:
        raise NotFound("unknown_customer", _l("Choose the customer first."))
    if not data.unit_ids:
        raise DomainError("no_units", _l("Choose at least one of the customer's units."))
    units = list(db.session.scalars(select(Unit).where(Unit.id.in_(data.unit_ids))))
    if len(units) != len(set(data.unit_ids)) or any(u.customer_id != customer.id for u in units):
        raise DomainError("foreign_unit", _l("Only the customer's own units can be on the agreement."))
    if data.owner_id is not None:
        owner = db.session.get(User, data.owner_id)
        if owner is None or not owner.active or owner.role not in (Role.AGENT, Role.MANAGER):
            raise DomainError("bad_owner", _l("Choose an active agent or manager as the account manager."))
    agreement.customer_id = customer.id
    agreement.units = sorted(units, key=lambda u: u.id)
    for name in ("start_date", "end_date", "amount", "parts_waiver_pct", "labour_waiver_pct",
                 "contract_warranty_months", "monthly_callback", "quarterly_maintenance", "yearly_servicing",
                 "owner_id"):
        setattr(agreement, name, getattr(data, name))


def create_agreement(data: AgreementInput) -> ServiceAgreement:
    """A draft agreement (AG-YYYYMMDD-NNNN); it covers and plans nothing until activated."""
    with write_transaction():
        today = i18n.local_today()
        agreement = ServiceAgreement(status=AgreementStatus.DRAFT,
                                     number=f"AG-{today:%Y%m%d}-{allocate_sequence('agreement', today):04d}")
        _apply(agreement, data)
        db.session.add(agreement)
        db.session.flush()
        record("agreement_created", agreement, number=agreement.number, units=sorted(data.unit_ids))
    return agreement


def update_agreement(agreement_id: int, data: AgreementInput) -> ServiceAgreement:
    with write_transaction():
        agreement = _get(agreement_id)
        if agreement.status != AgreementStatus.DRAFT:
            raise Conflict("agreement_not_draft", _l("Only a draft agreement can be changed."))
        if data.customer_id != agreement.customer_id:
            raise DomainError("customer_changed", _l("An agreement stays with its customer."))
        _apply(agreement, data)
        record("agreement_updated", agreement, units=sorted(data.unit_ids))
    return agreement


def _move(agreement: ServiceAgreement, target: AgreementStatus) -> None:
    try:
        check_transition(agreement.status, target)
    except AgreementError as error:
        raise Conflict(error.code, _l("A %(current)s agreement cannot become %(target)s.",
                                      current=STATUS_LABELS[AgreementStatus(agreement.status)],
                                      target=STATUS_LABELS[target]))
    agreement.status = target


def activate_agreement(agreement_id: int, today: date | None = None) -> PlanRun:
    """Active: the agreement now covers its units (warranty, waivers) and its plan is generated."""
    today = today or i18n.local_today()
    with write_transaction():
        agreement = _get(agreement_id)
        if agreement.end_date < today:
            raise DomainError("agreement_over", _l("This agreement's period is already over."))
        _move(agreement, AgreementStatus.ACTIVE)
        agreement.activated_on = today
        record("agreement_activated", agreement)
        run = PlanRun()
        _generate(agreement, today, run)
    return run


def cancel_agreement(agreement_id: int, reason: str) -> list[ServiceRequest]:
    """Cancelled: the plan stops. Unworked callbacks go, unbooked plan requests are cancelled; booked visits are
    returned for the dispatcher to cancel with the customer."""
    if not reason or not reason.strip():
        raise DomainError("reason_required", _l("Say why the agreement is cancelled."))
    kept = []
    with write_transaction():
        agreement = _get(agreement_id)
        _move(agreement, AgreementStatus.CANCELLED)
        agreement.cancel_reason = reason.strip()
        for item in agreement.planned_visits:
            if item.status == PlannedStatus.PLANNED:
                item.status = PlannedStatus.CANCELLED
            elif item.status == PlannedStatus.CREATED and item.request is not None:
                if item.request.status == RequestStatus.NEW:
                    change_request_status(item.request, RequestStatus.CANCELLED, reason=reason.strip())
                elif item.request.status not in (RequestStatus.COMPLETED, RequestStatus.CLOSED,
                                                 RequestStatus.CANCELLED):
                    kept.append(item.request)
        untouched = db.session.scalars(select(FollowUp).where(
            FollowUp.agreement_id == agreement.id, FollowUp.status == FollowUpStatus.PENDING,
            FollowUp.attempts == 0))
        for follow_up in untouched:
            if follow_up.planned_visit is not None:
                follow_up.planned_visit.status = PlannedStatus.CANCELLED
            db.session.delete(follow_up)
        record("agreement_cancelled", agreement, reason=reason.strip(), kept_requests=[r.number for r in kept])
    return kept


# --- the plan --------------------------------------------------------------------------------------------------

@dataclass
class PlanRun:
    """What a plan run did: counted so the command can report it and tests can see idempotence."""

    planned: int = 0
    callbacks: int = 0
    requests: int = 0
    skipped: int = 0
    ended: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.planned or self.callbacks or self.requests or self.skipped or self.ended)


def _kinds(agreement: ServiceAgreement) -> set[PlannedKind]:
    return {kind for kind, on in ((PlannedKind.MONTHLY_CALLBACK, agreement.monthly_callback),
                                  (PlannedKind.QUARTERLY_MAINTENANCE, agreement.quarterly_maintenance),
                                  (PlannedKind.YEARLY_SERVICING, agreement.yearly_servicing)) if on}


def _insert_planned(agreement: ServiceAgreement, run: PlanRun) -> None:
    """Every plan item of the agreement's period, each once (the unique keys hold it under concurrent runs)."""
    existing = {(p.kind, p.unit_id, p.due_date) for p in db.session.scalars(
        select(PlannedVisit).where(PlannedVisit.agreement_id == agreement.id))}
    items = plan_items(agreement.start_date, agreement.end_date, _kinds(agreement), [u.id for u in agreement.units],
                       plan_from=agreement.activated_on)
    db.session.flush()
    for item in items:
        if (item.kind, item.unit_id, item.due_date) in existing:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(PlannedVisit(agreement_id=agreement.id, unit_id=item.unit_id, kind=item.kind,
                                            due_date=item.due_date, status=PlannedStatus.PLANNED))
        except IntegrityError:
            continue  # another run planned it first
        run.planned += 1


def _claim(item: PlannedVisit, target: PlannedStatus) -> bool:
    """planned → target, by exactly one run: a conditional UPDATE both databases serialise."""
    claimed = db.session.execute(
        update(PlannedVisit).where(PlannedVisit.id == item.id, PlannedVisit.status == PlannedStatus.PLANNED)
        .values(status=target).execution_options(synchronize_session=False)).rowcount == 1
    db.session.refresh(item)
    return claimed


def _plan_deadline(due: date, reported: datetime) -> datetime:
    """A planned visit is promised by the end of its due day (not 24 hours after it was put on the list)."""
    end_of_day = datetime.combine(due + timedelta(days=1), time(0), tzinfo=i18n.service_tz())
    return max(end_of_day, reported + timedelta(hours=get_setting("SLA_HOURS")))


def _materialise(item: PlannedVisit, run: PlanRun) -> None:
    agreement = item.agreement
    if item.kind == PlannedKind.MONTHLY_CALLBACK:
        create_agreement_callback(item)
        run.callbacks += 1
        return
    with force_locale(agreement.customer.locale or "zh_CN"):
        description = _("%(kind)s of %(serial)s under agreement %(number)s, due %(due)s",
                        kind=KIND_LABELS[PlannedKind(item.kind)], serial=item.unit.serial if item.unit else "",
                        number=agreement.number, due=item.due_date.isoformat())
    request = open_request(customer_id=agreement.customer_id, unit_id=item.unit_id, kind=RequestKind.MAINTENANCE,
                           fault_description=description, owner_id=agreement.owner_id, agreement_id=agreement.id,
                           sla_due_at=_plan_deadline(item.due_date, database.utcnow()))
    item.request_id = request.id
    record("planned_visit_request_created", item, request=request.number)
    run.requests += 1


def _generate(agreement: ServiceAgreement, today: date, run: PlanRun) -> None:
    _insert_planned(agreement, run)
    waiting = db.session.scalars(
        select(PlannedVisit).where(PlannedVisit.agreement_id == agreement.id,
                                   PlannedVisit.status == PlannedStatus.PLANNED)
        .order_by(PlannedVisit.due_date, PlannedVisit.id)).all()
    for item in waiting:
        if is_stale(item.kind, item.due_date, today):
            if _claim(item, PlannedStatus.SKIPPED):
                record("planned_visit_skipped", item)
                run.skipped += 1
        elif within_horizon(item.due_date, today) and _claim(item, PlannedStatus.CREATED):
            _materialise(item, run)


def generate_plans(today: date | None = None) -> PlanRun:
    """The daily run (cron: `flask --app wsgi plans generate`): ends agreements past their end date, then plans
    every active agreement and creates what falls due within the horizon. Running it again creates nothing new.

    One transaction per agreement: a problem with one agreement does not hold back the others' plans.
    """
    today = today or i18n.local_today()
    run = PlanRun()
    agreement_ids = db.session.scalars(select(ServiceAgreement.id).where(
        ServiceAgreement.status == AgreementStatus.ACTIVE).order_by(ServiceAgreement.id)).all()
    for agreement_id in agreement_ids:
        with write_transaction():
            agreement = _get(agreement_id)
            if agreement.status != AgreementStatus.ACTIVE:
                continue  # cancelled meanwhile
            if has_ended(agreement.status, agreement.end_date, today):
                _move(agreement, AgreementStatus.ENDED)
                record("agreement_ended", agreement)
                run.ended.append(agreement.number)
            else:
                _generate(agreement, today, run)
    return run


def replan_item(item_id: int, today: date | None = None) -> PlannedVisit:
    """A cancelled plan item put back on the plan (e.g. the customer asked to do it after all)."""
    today = today or i18n.local_today()
    with write_transaction():
        item = db.session.get(PlannedVisit, item_id)
        if item is None:
            raise NotFound("unknown_plan_item", _l("This plan item does not exist."))
        if item.status != PlannedStatus.CANCELLED or item.agreement.status != AgreementStatus.ACTIVE:
            raise Conflict("not_cancelled", _l("Only a cancelled item of an active agreement can be planned again."))
        if item.kind == PlannedKind.MONTHLY_CALLBACK and db.session.scalar(
                select(FollowUp.id).where(FollowUp.planned_visit_id == item.id)) is not None:
            raise Conflict("callback_exists", _l("This callback has already been made."))
        item.status = PlannedStatus.PLANNED
        item.request_id = None
        record("planned_visit_replanned", item)
        _generate(item.agreement, today, PlanRun())
    return item


def mark_plan_item_done(item: PlannedVisit) -> None:
    """Its callback was made or its visit completed; call inside a write transaction."""
    if item.status in (PlannedStatus.CREATED, PlannedStatus.PLANNED):
        item.status = PlannedStatus.DONE
        record("planned_visit_done", item)


def sync_plan_with_request(request, current: RequestStatus) -> None:
    """Keep the plan item of a plan request in step with it: cancelled → cancelled (it can be planned again
    from the agreement page), completed → done. Called from the request status signal."""
    item = db.session.scalar(select(PlannedVisit).where(PlannedVisit.request_id == request.id))
    if item is None:
        return
    if current is RequestStatus.CANCELLED and item.status == PlannedStatus.CREATED:
        item.status = PlannedStatus.CANCELLED
        record("planned_visit_cancelled", item, request=request.number)
    elif current in (RequestStatus.COMPLETED, RequestStatus.CLOSED):
        mark_plan_item_done(item)


# --- renewal ---------------------------------------------------------------------------------------------------

def expiring_agreements(today: date | None = None, days: int = EXPIRY_NOTICE_DAYS) -> list[ServiceAgreement]:
    """Active agreements ending within `days`: the renewal call list."""
    today = today or i18n.local_today()
    rows = db.session.scalars(
        select(ServiceAgreement).options(selectinload(ServiceAgreement.customer), selectinload(ServiceAgreement.owner))
        .where(ServiceAgreement.status == AgreementStatus.ACTIVE, ServiceAgreement.end_date >= today,
               ServiceAgreement.end_date <= today + timedelta(days=days))
        .order_by(ServiceAgreement.end_date, ServiceAgreement.id))
    return list(rows)


def schedule_renewal_call(agreement_id: int, today: date | None = None) -> FollowUp:
    """A sales-offer call on the account manager's list, due today; one open call per agreement."""
    today = today or i18n.local_today()
    with write_transaction():
        agreement = _get(agreement_id)
        if agreement.status != AgreementStatus.ACTIVE:
            raise Conflict("agreement_not_active", _l("Only an active agreement can be renewed."))
        follow_up = create_sales_offer(agreement, today)
    return follow_up


def renewal_calls(agreement_ids: list[int]) -> dict[int, FollowUp]:
    """The open renewal call of each agreement, if any."""
    if not agreement_ids:
        return {}
    return {f.agreement_id: f for f in db.session.scalars(
        select(FollowUp).where(FollowUp.kind == FollowUpKind.SALES_OFFER, FollowUp.agreement_id.in_(agreement_ids),
                               FollowUp.status == FollowUpStatus.PENDING))}
