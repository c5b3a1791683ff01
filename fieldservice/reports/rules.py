"""Pure calculations behind the manager's reports: coverage windows, shares, promise and reply
attainment, first-time fix, satisfaction and utilisation. Stdlib only; no Flask, no database.

Definitions (where the after-sales manual is silent, these are the ones the reports print):
- A share is part / whole, None when there is nothing to divide (shown as "—", never 0 %).
- 24-hour promise: met when the first technician arrival is at or before the deadline. A miss is the
  customer's when the visit that decided it (the first arrival, else the current booking) was booked
  after the promise at the customer's wish; otherwise it is the company's. A request with no arrival
  whose deadline has not passed is pending and counts in neither share.
- Complaint reply: on time when replied at or before the reply deadline; late when replied after it;
  overdue when unreplied past it; pending when unreplied and not yet due (not counted).
- First-time fix: a completed request whose only visit ended "fixed" and that no return request
  (a request naming it as parent) followed.
- Utilisation: minutes on site (arrival to finish) over the technician's working minutes in the period.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from enum import StrEnum

from ..warranty.rules import add_months, last_covered_day

DAY = timedelta(days=1)
KM_PER_DEGREE_LAT = 111.195  # on the mean-radius sphere the geo package uses
SATISFIED_FROM = 4  # a callback score of 4 or 5 out of 5 counts as satisfied


class CoverageKind(StrEnum):
    UNIT = "unit"
    ACCESSORY = "accessory"
    AGREEMENT = "agreement"


class CoverageChoice(StrEnum):
    """What the expiry list shows: the unit's own coverage end (purchase period or the agreement
    that outlasts it), accessory coverage ends, or both."""

    UNIT = "unit"
    ACCESSORY = "accessory"
    ALL = "all"

    @property
    def kinds(self) -> tuple[CoverageKind, ...]:
        if self is CoverageChoice.UNIT:
            return (CoverageKind.UNIT, CoverageKind.AGREEMENT)
        if self is CoverageChoice.ACCESSORY:
            return (CoverageKind.ACCESSORY,)
        return tuple(CoverageKind)


# --- dates and coverage windows -----------------------------------------------------------------

def effective_months(model_months: int, contract_months: int | None, cap: int) -> int:
    """The warranty months a unit gets: its model's, or a longer contract's capped at `cap`
    (as warranty.rules decides: a contract never shortens the model warranty)."""
    if contract_months is None:
        return model_months
    return max(model_months, min(contract_months, cap))


def purchase_window(start: date, end: date, months: int) -> tuple[date, date] | None:
    """The purchase dates whose last covered day (`months` of coverage) falls within [start, end].

    last_covered_day is non-decreasing in the purchase date, so the answer is one range; it is
    empty (None) when no purchase date lands there, e.g. 30 March for one month of coverage
    (1 March + 1 month ends 31 March; 28 February + 1 month ends 27 March).
    """
    if end < start:
        return None
    # Walk from the month arithmetic's guess to the exact edge; monotonicity makes this a few steps.
    lo = add_months(start, -months)
    while last_covered_day(lo - DAY, months) >= start:
        lo -= DAY
    while last_covered_day(lo, months) < start:
        lo += DAY
    hi = add_months(end, -months)
    while last_covered_day(hi + DAY, months) <= end:
        hi += DAY
    while last_covered_day(hi, months) > end:
        hi -= DAY
    return (lo, hi) if lo <= hi else None


def month_range(day: date, offset: int = 0) -> tuple[date, date]:
    """First and last day of the month `offset` months from the one containing `day`."""
    first = add_months(day.replace(day=1), offset)
    return first, add_months(first, 1) - DAY


def week_range(day: date) -> tuple[date, date]:
    """Monday to Sunday of the week containing `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + 6 * DAY


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def utc_bounds(first: date, last: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """Local days first..last (inclusive) as a half-open UTC interval [start, end)."""
    start = datetime.combine(first, time(0), tz).astimezone(timezone.utc)
    end = datetime.combine(last + DAY, time(0), tz).astimezone(timezone.utc)
    return start, end


def days_left(coverage_end: date, today: date) -> int:
    """Days from today to the last covered day (0 = ends today, negative = already ended)."""
    return (coverage_end - today).days


# --- shares -------------------------------------------------------------------------------------

def share(part: float, whole: float) -> float | None:
    return None if not whole else part / whole


@dataclass(frozen=True)
class Ranked:
    key: object
    label: str
    count: int
    share: float | None


def ranked(counts: Iterable[tuple[object, str, int]], limit: int | None = None) -> list[Ranked]:
    """Counts with their share of the total, largest first, optionally the top `limit`.

    Ties go by key, not by label, so both languages rank alike; a blank key (nothing recorded) comes last."""
    items = list(counts)
    total = sum(count for _key, _label, count in items)
    ordered = sorted(items, key=lambda item: (-item[2], item[0] in ("", None), str(item[0])))
    return [Ranked(key, label, count, share(count, total)) for key, label, count in ordered[:limit]]


# --- 24-hour promise ----------------------------------------------------------------------------

class PromiseOutcome(StrEnum):
    MET = "met"
    MISSED_COMPANY = "missed_company"
    MISSED_CUSTOMER = "missed_customer"
    PENDING = "pending"


@dataclass(frozen=True)
class VisitFacts:
    window_start: datetime
    arrived_at: datetime | None = None
    # Booked after the promise because the customer asked for a later time (the booking's late reason).
    customer_asked_later: bool = False
    cancelled: bool = False


def classify_promise(due_at: datetime, visits: Sequence[VisitFacts], now: datetime) -> PromiseOutcome:
    arrived = [v for v in visits if v.arrived_at is not None]
    if arrived:
        deciding = min(arrived, key=lambda v: v.arrived_at)
        if deciding.arrived_at <= due_at:
            return PromiseOutcome.MET
    else:
        if now <= due_at:
            return PromiseOutcome.PENDING
        booked = [v for v in visits if not v.cancelled]
        deciding = max(booked, key=lambda v: v.window_start) if booked else None
    if deciding is not None and deciding.customer_asked_later:
        return PromiseOutcome.MISSED_CUSTOMER
    return PromiseOutcome.MISSED_COMPANY


@dataclass
class PromiseTally:
    met: int = 0
    missed_company: int = 0
    missed_customer: int = 0
    pending: int = 0

    def add(self, outcome: PromiseOutcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)

    @property
    def decided(self) -> int:
        return self.met + self.missed_company + self.missed_customer

    @property
    def attainment(self) -> float | None:
        """Share of decided requests with a technician on site in time."""
        return share(self.met, self.decided)

    @property
    def company_attainment(self) -> float | None:
        """The same, leaving out the misses the customer asked for."""
        return share(self.met, self.met + self.missed_company)


# --- complaint replies --------------------------------------------------------------------------

class ReplyOutcome(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    OVERDUE = "overdue"
    PENDING = "pending"


def classify_reply(due_at: datetime, replied_at: datetime | None, now: datetime) -> ReplyOutcome:
    if replied_at is not None:
        return ReplyOutcome.ON_TIME if replied_at <= due_at else ReplyOutcome.LATE
    return ReplyOutcome.OVERDUE if now > due_at else ReplyOutcome.PENDING


@dataclass
class ReplyTally:
    count: int = 0
    major: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    pending: int = 0

    def add(self, outcome: ReplyOutcome, major: bool) -> None:
        self.count += 1
        self.major += major
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)

    @property
    def attainment(self) -> float | None:
        """Replies within the deadline among complaints whose deadline is decided."""
        return share(self.on_time, self.on_time + self.late + self.overdue)


# --- first-time fix, satisfaction, utilisation --------------------------------------------------

def first_time_fixed(visit_outcomes: Sequence[str], has_return_request: bool) -> bool:
    """One visit, fixed, and no return request for the same fault."""
    return len(visit_outcomes) == 1 and visit_outcomes[0] == "fixed" and not has_return_request


@dataclass
class SatisfactionTally:
    """Done callbacks (with or without a score) and unreachable ones."""

    done: int = 0
    unreachable: int = 0
    scores: list[int] = field(default_factory=list)
    on_time: list[bool] = field(default_factory=list)
    solved: list[bool] = field(default_factory=list)

    def add(self, status: str, satisfaction: int | None, on_time: bool | None, solved: bool | None) -> None:
        if status == "unreachable":
            self.unreachable += 1
            return
        self.done += 1
        if satisfaction is not None:
            self.scores.append(satisfaction)
        if on_time is not None:
            self.on_time.append(on_time)
        if solved is not None:
            self.solved.append(solved)

    @property
    def average(self) -> float | None:
        return share(sum(self.scores), len(self.scores))

    @property
    def satisfied_share(self) -> float | None:
        return share(sum(s >= SATISFIED_FROM for s in self.scores), len(self.scores))

    @property
    def on_time_share(self) -> float | None:
        return share(sum(self.on_time), len(self.on_time))

    @property
    def solved_share(self) -> float | None:
        return share(sum(self.solved), len(self.solved))

    @property
    def reach_share(self) -> float | None:
        return share(self.done, self.done + self.unreachable)

    def distribution(self) -> dict[int, int]:
        return {score: self.scores.count(score) for score in range(1, 6)}


def working_minutes(first: date, last: date, working_days: str, work_start: time, work_end: time) -> int:
    """Minutes of working time between two local days (inclusive) for a technician's schedule."""
    per_day = (work_end.hour * 60 + work_end.minute) - (work_start.hour * 60 + work_start.minute)
    days = sum(str(d.isoweekday()) in working_days for d in days_between(first, last))
    return max(per_day, 0) * days


def utilisation(on_site_minutes: float, available_minutes: float) -> float | None:
    return share(on_site_minutes, available_minutes)


# --- technician area ----------------------------------------------------------------------------

@dataclass(frozen=True)
class AreaBox:
    """A circle around a base as plain arithmetic a database can evaluate on every row:
    the bounding box (so an index or cheap comparison cuts first) and the equirectangular
    distance test (dy² + dx² ≤ r² in km, within 0.1 % of the great circle at service-area sizes)."""

    lat: float
    lon: float
    radius_km: float
    km_per_deg_lat: float
    km_per_deg_lon: float

    @property
    def lat_min(self) -> float:
        return self.lat - self.radius_km / self.km_per_deg_lat

    @property
    def lat_max(self) -> float:
        return self.lat + self.radius_km / self.km_per_deg_lat

    @property
    def lon_min(self) -> float:
        return self.lon - self.radius_km / self.km_per_deg_lon

    @property
    def lon_max(self) -> float:
        return self.lon + self.radius_km / self.km_per_deg_lon

    def contains(self, lat: float, lon: float) -> bool:
        dy = (lat - self.lat) * self.km_per_deg_lat
        dx = (lon - self.lon) * self.km_per_deg_lon
        return dy * dy + dx * dx <= self.radius_km * self.radius_km


def area_box(lat: float, lon: float, radius_km: float) -> AreaBox:
    return AreaBox(lat, lon, radius_km, KM_PER_DEGREE_LAT, KM_PER_DEGREE_LAT * math.cos(math.radians(lat)))
