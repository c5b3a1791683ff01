"""Pure rules for service agreements (服务协议) and their visit plans (主动服务计划).

The plan splits the agreement into consecutive periods of the kind's length (1, 3 or 12 months),
measured from the start date with month-end clamping (31 Jan + 1 month = 28/29 Feb). Each period gets
one item:

- the monthly callback (月回访) on the period's last day: it asks how the month went;
- quarterly maintenance (季维护) and yearly servicing (年保养) in the middle of the period, leaving
  time on both sides to book the visit inside the period.

An item whose day falls after the agreement's end is left out (a short last period), and so is one
before the day the plan starts (an agreement activated after its start date plans nothing in the past).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from ..warranty.rules import UNIT_CONTRACT_CAP_MONTHS, add_months

HORIZON_DAYS = 30  # callbacks and maintenance requests are created this far ahead
STALE_CALLBACK_DAYS = 30  # a monthly callback not made within a month of its day is skipped, not made late
EXPIRY_NOTICE_DAYS = 60  # agreements ending this soon are on the renewal list


class AgreementStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ENDED = "ended"
    CANCELLED = "cancelled"


class PlannedKind(StrEnum):
    MONTHLY_CALLBACK = "monthly_callback"
    QUARTERLY_MAINTENANCE = "quarterly_maintenance"
    YEARLY_SERVICING = "yearly_servicing"


class PlannedStatus(StrEnum):
    PLANNED = "planned"  # on the plan, nothing created yet
    CREATED = "created"  # its callback or request exists
    DONE = "done"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # a callback whose month was long over before it could be put on the list


PERIOD_MONTHS = {
    PlannedKind.MONTHLY_CALLBACK: 1,
    PlannedKind.QUARTERLY_MAINTENANCE: 3,
    PlannedKind.YEARLY_SERVICING: 12,
}
# Maintenance and servicing are visits to each unit; the callback is one call per agreement.
PER_UNIT = frozenset({PlannedKind.QUARTERLY_MAINTENANCE, PlannedKind.YEARLY_SERVICING})

A = AgreementStatus
TRANSITIONS: dict[AgreementStatus, frozenset[AgreementStatus]] = {
    A.DRAFT: frozenset({A.ACTIVE, A.CANCELLED}),
    A.ACTIVE: frozenset({A.ENDED, A.CANCELLED}),
    A.ENDED: frozenset(),
    A.CANCELLED: frozenset(),
}


class AgreementError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def check_transition(current: AgreementStatus | str, target: AgreementStatus | str) -> AgreementStatus:
    current, target = AgreementStatus(current), AgreementStatus(target)
    if target not in TRANSITIONS[current]:
        raise AgreementError("status_not_allowed")
    return target


@dataclass(frozen=True)
class Terms:
    start_date: date
    end_date: date
    parts_waiver_pct: int
    labour_waiver_pct: int
    contract_warranty_months: int


def check_terms(terms: Terms) -> None:
    """The same limits the database enforces, as codes a form can explain."""
    if terms.end_date <= terms.start_date:
        raise AgreementError("end_before_start")
    for pct in (terms.parts_waiver_pct, terms.labour_waiver_pct):
        if not 0 <= pct <= 100:
            raise AgreementError("pct_out_of_range")
    if not 0 <= terms.contract_warranty_months <= UNIT_CONTRACT_CAP_MONTHS:
        raise AgreementError("contract_months_too_long")


def periods(start: date, end: date, months: int) -> Iterator[tuple[date, date]]:
    """Consecutive (first day, last day) periods from `start`, each measured from the start (no drift)."""
    n = 0
    while True:
        first = add_months(start, n * months)
        if first > end:
            return
        yield first, add_months(start, (n + 1) * months) - timedelta(days=1)
        n += 1


def planned_dates(kind: PlannedKind | str, start: date, end: date, plan_from: date | None = None) -> list[date]:
    """The due dates of one kind of plan item within the agreement [start, end]."""
    kind = PlannedKind(kind)
    if end < start:
        raise AgreementError("end_before_start")
    lower = max(start, plan_from or start)
    dates = []
    for first, last in periods(start, end, PERIOD_MONTHS[kind]):
        due = last if kind is PlannedKind.MONTHLY_CALLBACK else first + timedelta(days=(last - first).days // 2)
        if lower <= due <= end:
            dates.append(due)
    return dates


@dataclass(frozen=True)
class PlanItem:
    kind: PlannedKind
    unit_id: int | None
    due_date: date


def plan_items(start: date, end: date, kinds: frozenset[PlannedKind] | set[PlannedKind], unit_ids: list[int],
               plan_from: date | None = None) -> list[PlanItem]:
    """Every item of an agreement's plan, in due-date order (per-unit kinds once per unit)."""
    items = []
    for kind in kinds:
        for due in planned_dates(kind, start, end, plan_from):
            if kind in PER_UNIT:
                items += [PlanItem(PlannedKind(kind), unit_id, due) for unit_id in unit_ids]
            else:
                items.append(PlanItem(PlannedKind(kind), None, due))
    return sorted(items, key=lambda i: (i.due_date, i.kind, i.unit_id or 0))


def within_horizon(due: date, today: date, days: int = HORIZON_DAYS) -> bool:
    """Created now: due within `days` ahead, or already past (an overdue item is still owed)."""
    return due <= today + timedelta(days=days)


def is_stale(kind: PlannedKind | str, due: date, today: date) -> bool:
    """A monthly callback that never reached the call list and whose month is long over (the daily run did not
    run for weeks): asking about that month helps nobody, the next callback is due anyway. Visits stay owed."""
    return PlannedKind(kind) is PlannedKind.MONTHLY_CALLBACK and (today - due).days > STALE_CALLBACK_DAYS


def is_overdue(status: PlannedStatus | str, due: date, today: date) -> bool:
    return PlannedStatus(status) in (PlannedStatus.PLANNED, PlannedStatus.CREATED) and due < today


def expires_soon(status: AgreementStatus | str, end: date, today: date, days: int = EXPIRY_NOTICE_DAYS) -> bool:
    return AgreementStatus(status) is AgreementStatus.ACTIVE and today <= end <= today + timedelta(days=days)


def has_ended(status: AgreementStatus | str, end: date, today: date) -> bool:
    return AgreementStatus(status) is AgreementStatus.ACTIVE and end < today
