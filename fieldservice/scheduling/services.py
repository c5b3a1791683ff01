"""Booking use cases: whom to send, book, reschedule, cancel, forward to a partner.

The database is the judge of overlaps: every appointment holds one AppointmentSlot row per slot of its
window, and the unique (technician, slot start) key refuses a second booking of any overlapping slot on
SQLite and PostgreSQL alike. Python checks what the database cannot (the window grid, working days,
skills, area, the promise) and never second-guesses it on overlaps.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import String, delete, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from .. import signals
from ..audit.services import record
from ..auth.current import acting_user
from ..auth.models import User
from ..catalog.models import Partner, Setting
from ..customers.models import Customer, Unit
from ..database import utcnow, write_transaction
from ..errors import Conflict, DomainError, NotFound
from ..extensions import db
from ..geo import geodesic_km, haversine_km
from ..i18n import lazy_gettext as _l
from ..intake.models import RequestNote, ServiceRequest
from ..intake.rules import RequestStatus, can_transition
from ..intake.services import change_request_status, status_label
from ..settings import EDITABLE
from ..validators import is_row_id
from . import rules
from .models import ACTIVE_APPOINTMENT_STATUSES, Appointment, AppointmentSlot, AppointmentStatus, Technician
from .rules import RequestFacts, SchedulingSettings, Suggestion, TechnicianFacts, Window

UTC = timezone.utc
MAX_REASON_LENGTH = 500
MAX_DAYS_AHEAD = 90
# Appointments that may still be moved or called off: once the technician is on site it is a visit.
CHANGEABLE_STATUSES = frozenset({AppointmentStatus.BOOKED, AppointmentStatus.EN_ROUTE})


# --- settings ----------------------------------------------------------------------------------

def scheduling_settings() -> SchedulingSettings:
    """The rules' settings from the configuration and the admin's runtime settings."""
    values = _settings("WINDOW_MINUTES", "ROAD_FACTOR", "SPEED_KMH")
    return SchedulingSettings(
        tz=ZoneInfo(current_app.config["SERVICE_TIMEZONE"]),
        window_minutes=int(values["WINDOW_MINUTES"]),
        road_factor=float(values["ROAD_FACTOR"]),
        speed_kmh=float(values["SPEED_KMH"]),
        visit_minutes=dict(current_app.config["VISIT_MINUTES"]),
    )


def service_hours() -> tuple[time, time]:
    """The service centre's opening hours (WORK_START/WORK_END): no technician's windows fall outside."""
    values = _settings("WORK_START", "WORK_END")
    return _parse_time(values["WORK_START"]), _parse_time(values["WORK_END"])


def _settings(*names: str) -> dict:
    """Several runtime settings in one query; the same values get_setting() gives one query each
    (suggestions are on the agent's critical path)."""
    stored = dict(db.session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(names))).all())
    return {name: EDITABLE[name](stored[name]) if name in stored else current_app.config[name] for name in names}


def _parse_time(text: str | time) -> time:
    if isinstance(text, time):
        return text
    hours, _, minutes = str(text).strip().partition(":")
    return time(int(hours), int(minutes or 0))


# --- facts for the rules -----------------------------------------------------------------------

def technician_facts(*, since: datetime, until: datetime, settings: SchedulingSettings,
                     qualified_for: RequestFacts | None = None, technician_ids: Iterable[int] | None = None,
                     exclude_appointment_id: int | None = None) -> list[TechnicianFacts]:
    """Active technicians with their active appointments between `since` and `until`.

    Two queries whatever the number of technicians: one for the technicians, one for the appointments
    of those that matter (with `qualified_for`, only the ones with the skill and the area).
    """
    facts = active_technicians(settings, technician_ids)
    if qualified_for is not None and facts:
        facts = [f for f, ok in zip(facts, rules.qualified_mask(qualified_for, facts)) if ok]
    return with_bookings(facts, since=since, until=until, settings=settings,
                         exclude_appointment_id=exclude_appointment_id)


def active_technicians(settings: SchedulingSettings, technician_ids: Iterable[int] | None = None
                       ) -> list[TechnicianFacts]:
    """Active technicians (of active users) without their bookings, in one query."""
    opening, closing = service_hours()
    stmt = (select(Technician.id, User.display_name, Technician.phone, Technician.base_lat, Technician.base_lon,
                   _raw(Technician.skills), Technician.area_radius_km, _raw(Technician.regions),
                   Technician.working_days, _raw(Technician.work_start), _raw(Technician.work_end))
            .join(User, User.id == Technician.user_id)
            .where(Technician.active.is_(True), User.active.is_(True))
            .order_by(Technician.id))
    if technician_ids is not None:
        stmt = stmt.where(Technician.id.in_(list(technician_ids)))
    rows = db.session.connection().execute(stmt).all()
    return [_technician(tuple(row), opening, closing, settings.slot_minutes) for row in rows]


def with_bookings(facts: list[TechnicianFacts], *, since: datetime, until: datetime, settings: SchedulingSettings,
                  exclude_appointment_id: int | None = None) -> list[TechnicianFacts]:
    """The same technicians with their active appointments between `since` and `until`, in one query."""
    if not facts:
        return []
    bases = {f.id: (f.lat, f.lon) for f in facts}
    stmt = (select(Appointment.technician_id, _raw(Appointment.window_start), _raw(Appointment.window_end),
                   Customer.lat, Customer.lon, ServiceRequest.kind)
            .join(ServiceRequest, ServiceRequest.id == Appointment.request_id)
            .join(Customer, Customer.id == ServiceRequest.customer_id)
            .where(Appointment.technician_id.in_(list(bases)),
                   Appointment.status.in_([str(s) for s in ACTIVE_APPOINTMENT_STATUSES]),
                   Appointment.window_end > since, Appointment.window_start < until))
    if exclude_appointment_id is not None:
        stmt = stmt.where(Appointment.id != exclude_appointment_id)
    bookings: dict[int, list[rules.Booking]] = defaultdict(list)
    minutes = settings.visit_minutes
    for tech_id, start, end, lat, lon, kind in db.session.connection().execute(stmt).all():
        if lat is None:  # a customer without coordinates yet: the base is the best guess
            lat, lon = bases[tech_id]
        bookings[tech_id].append(rules.Booking(_utc(start), _utc(end), lat, lon, minutes.get(kind)))
    return [replace(f, bookings=tuple(bookings[f.id])) if f.id in bookings else f for f in facts]


# The suggestion service reads every technician and their week on each call (500 technicians, 3,000
# appointments in the benchmark). SQLAlchemy's per-value result processing (JSON, Time, the UTC
# datetime type) was two thirds of that time, so these columns are read raw and converted here, with
# the few distinct values (skill lists, working days, hours) parsed once.

def _raw(column):
    return type_coerce(column, String)


def _utc(value) -> datetime:
    """SQLite hands back the stored text, PostgreSQL an aware datetime."""
    if isinstance(value, str):
        return _utc_from_text(value)
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


@lru_cache(maxsize=4096)
def _utc_from_text(text: str) -> datetime:
    # Appointments start and end on the window grid: a few hundred distinct values a week.
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@lru_cache(maxsize=1024)
def _names_from_text(text: str | None) -> frozenset[str]:
    return frozenset(json.loads(text)) if text else frozenset()


def _names(value) -> frozenset[str]:
    return _names_from_text(value) if value is None or isinstance(value, str) else frozenset(value)


@lru_cache(maxsize=256)
def _time_from_text(text: str) -> time:
    return time.fromisoformat(text)


def _time(value) -> time:
    return _time_from_text(value) if isinstance(value, str) else value


@lru_cache(maxsize=256)
def _weekdays(text: str | None) -> frozenset[int]:
    return frozenset(int(c) for c in (text or "") if c in "1234567")


def _technician(row: tuple, opening: time, closing: time, slot_minutes: int) -> TechnicianFacts:
    # PostgreSQL hands back the JSON columns as lists: tuples, to be part of the cache key.
    key = tuple(tuple(v) if isinstance(v, list) else v for v in row)
    return _technician_cached(key, opening, closing, slot_minutes)


@lru_cache(maxsize=8192)
def _technician_cached(row: tuple, opening: time, closing: time, slot_minutes: int) -> TechnicianFacts:
    # Keyed by every column read: an edited technician is a new key, never a stale answer.
    return _technician_facts(row, opening, closing, slot_minutes)


def _technician_facts(row: tuple, opening: time, closing: time, slot_minutes: int) -> TechnicianFacts:
    tech_id, name, phone, lat, lon, skills, radius, regions, working_days, work_start, work_end = row
    # A technician's own hours inside the centre's; windows start on the slot grid (08:15 -> 08:30).
    start = _ceil_to_slot(max(_time(work_start), opening), slot_minutes)
    end = min(_time(work_end), closing)
    works = end > start
    return TechnicianFacts(
        id=tech_id, name=name, phone=phone, lat=lat, lon=lon, skills=_names(skills), radius_km=radius,
        regions=_names(regions), working_days=_weekdays(working_days) if works else frozenset(),
        work_start=start, work_end=end if works else time(23, 59))


@lru_cache(maxsize=256)
def _ceil_to_slot(value: time, slot_minutes: int) -> time:
    minutes = value.hour * 60 + value.minute + (1 if value.second or value.microsecond else 0)
    minutes = -(-minutes // slot_minutes) * slot_minutes
    return time(23, 30) if minutes >= 24 * 60 else time(minutes // 60, minutes % 60)


def request_facts(request: ServiceRequest) -> RequestFacts:
    """What the rules need to know about a request; refuses one without a place or a product."""
    customer = request.customer
    if customer.lat is None or customer.lon is None:
        raise DomainError("no_location", _l("The customer's address has no location yet. Correct the address "
                                            "(or set the coordinates) on the customer page, then book."))
    if request.unit is None:
        raise DomainError("no_product", _l("The request names no unit, so the product line (and the skill "
                                           "needed) is unknown. Add the unit to the request, then book."))
    return RequestFacts(lat=customer.lat, lon=customer.lon, product_line=request.unit.model.product_line,
                        kind=request.kind, reported_at=request.reported_at, sla_due_at=request.sla_due_at,
                        city=customer.city, district=customer.district, id=request.id)


def _horizon(now: datetime, settings: SchedulingSettings, days: int | None = None) -> tuple[datetime, datetime]:
    """From the start of today (the day's earlier visits place the technician) to the end of the horizon."""
    today = now.astimezone(settings.tz).date()
    start = datetime.combine(today, time(0), tzinfo=settings.tz).astimezone(UTC)
    return start, start + timedelta(days=(days or settings.horizon_days) + 1)


# --- suggestions -------------------------------------------------------------------------------

@dataclass(frozen=True)
class DayFreeWindows:
    day: date
    windows: list[tuple[Window, bool]]  # (window, meets the promise)


@dataclass(frozen=True)
class TechnicianFreeWindows:
    technician: TechnicianFacts
    distance_km: float  # straight line from the base to the customer
    days: list[DayFreeWindows]


@dataclass(frozen=True)
class BookingOptions:
    request: ServiceRequest
    facts: RequestFacts | None
    suggestions: list[Suggestion]
    free: list[TechnicianFreeWindows]  # every qualified technician, nearest first, day by day
    exclusions: list[rules.Exclusion]  # why the others are not offered
    needs_partner: bool
    days: list[date]
    problem: str | None = None  # why nothing can be offered yet (no location, no unit)


def _get(model, row_id: int):
    return db.session.get(model, row_id) if is_row_id(row_id) else None


def _load_request(request_id: int, *, lock: bool = False) -> ServiceRequest:
    """The request with its customer and unit; `lock` holds its row until the transaction ends, so two
    agents booking the same request at once (different windows) are served one after the other.
    (PostgreSQL; SQLite's write transactions are serial already.)"""
    stmt = (select(ServiceRequest).where(ServiceRequest.id == request_id)
            .options(joinedload(ServiceRequest.customer), joinedload(ServiceRequest.unit).joinedload(Unit.model)))
    if lock:
        stmt = stmt.with_for_update(of=ServiceRequest).execution_options(populate_existing=True)
    request = db.session.scalar(stmt) if is_row_id(request_id) else None
    if request is None:
        raise NotFound("unknown_request", _l("This request does not exist."))
    return request


def suggestions_for_request(request_id: int, limit: int = 5, *, now: datetime | None = None,
                            exclude_appointment_id: int | None = None) -> list[Suggestion]:
    """The best technicians for a request, each with its best window, best first (see rules.suggest)."""
    now = now or utcnow()
    settings = scheduling_settings()
    facts = request_facts(_load_request(request_id))
    since, until = _horizon(now, settings)
    techs = technician_facts(since=since, until=until, settings=settings, qualified_for=facts,
                             exclude_appointment_id=exclude_appointment_id)
    return rules.suggest(facts, techs, now, settings, limit=limit)


def booking_options(request_id: int, *, days: int = 3, limit: int = 5, now: datetime | None = None,
                    exclude_appointment_id: int | None = None) -> BookingOptions:
    """Everything the booking page offers: the suggestions, and every free window of every qualified
    technician over the next `days` days; or, when nobody qualifies, why not."""
    now = now or utcnow()
    settings = scheduling_settings()
    request = _load_request(request_id)
    local_days = [now.astimezone(settings.tz).date() + timedelta(days=k) for k in range(days)]
    try:
        if exclude_appointment_id is None:
            _check_bookable(request)
        facts = request_facts(request)
    except DomainError as error:
        return BookingOptions(request, None, [], [], [], False, local_days, problem=str(error.message))
    since, until = _horizon(now, settings)
    everyone = active_technicians(settings)
    mask = rules.qualified_mask(facts, everyone) if everyone else []
    qualified = with_bookings([t for t, ok in zip(everyone, mask) if ok], since=since, until=until,
                              settings=settings, exclude_appointment_id=exclude_appointment_id)
    free = []
    for tech in qualified:
        by_day: dict[date, list[tuple[Window, bool]]] = defaultdict(list)
        for window in rules.free_windows(tech, now, settings, days=days):
            by_day[window.start.astimezone(settings.tz).date()].append((window, window.start <= facts.sla_due_at))
        free.append(TechnicianFreeWindows(tech, round(haversine_km(tech.lat, tech.lon, facts.lat, facts.lon), 1),
                                          [DayFreeWindows(d, by_day.get(d, [])) for d in local_days]))
    free.sort(key=lambda f: (f.distance_km, f.technician.id))
    return BookingOptions(
        request=request, facts=facts,
        suggestions=rules.suggest(facts, qualified, now, settings, limit=limit),
        free=free, exclusions=rules.exclusions(facts, everyone), needs_partner=not qualified, days=local_days)


# --- booking -----------------------------------------------------------------------------------

def book_appointment(request_id: int, technician_id: int, window_start: datetime, *, reason: str | None = None,
                     accept_late: bool = False, now: datetime | None = None) -> Appointment:
    """Book one of the technician's windows for the request and write the customer's confirmation.

    A window starting after the promise deadline needs the customer's reason for the later visit (stored as
    late_reason: the miss is then not the company's). `accept_late` books it without one, as the company's own
    miss: a day plan's late visits, whose reason the manager gives for the whole plan. Raises
    Conflict("slot_taken") when the database refuses an overlapping slot.
    """
    with write_transaction():
        request = _load_request(request_id, lock=True)
        _check_bookable(request)
        appointment = _book(request, technician_id, window_start, late_reason=reason, accept_late=accept_late,
                            now=now or utcnow())
        change_request_status(request, RequestStatus.SCHEDULED, appointment_id=appointment.id)
        signals.appointment_booked.send(appointment)
    return appointment


def reschedule_appointment(appointment_id: int, technician_id: int, window_start: datetime, reason: str, *,
                           late_reason: str | None = None, now: datetime | None = None) -> Appointment:
    """Move an appointment to another window and/or technician in one transaction: the old one is
    cancelled and its slots released, then the new one is booked (so it may overlap the old one)."""
    reason = _required_reason(reason, _l("Say why the appointment moves (e.g. customer asked for the afternoon)."))
    with write_transaction():
        old = _changeable_appointment(appointment_id)
        request = _load_request(old.request_id, lock=True)
        same_window = old.window_start == window_start
        _release(old, reason)
        # Moving the technician but not the time keeps the customer's agreed reason for a late window.
        new = _book(request, technician_id, window_start,
                    late_reason=late_reason or (old.late_reason if same_window else None), now=now or utcnow())
        if request.status != RequestStatus.SCHEDULED:
            change_request_status(request, RequestStatus.SCHEDULED, reason=reason, appointment_id=new.id)
        record("appointment_rescheduled", new, from_appointment=old.id, reason=reason,
               from_technician=old.technician_id, from_window=old.window_start.isoformat())
        signals.appointment_cancelled.send(old, reason=reason)
        signals.appointment_booked.send(new)
    return new


def reassign_appointment(appointment_id: int, technician_id: int, reason: str, *,
                         now: datetime | None = None) -> Appointment:
    """Give the same window to another technician."""
    appointment = _get(Appointment, appointment_id)
    if appointment is None:
        raise NotFound("unknown_appointment", _l("This appointment does not exist."))
    return reschedule_appointment(appointment_id, technician_id, appointment.window_start, reason, now=now)


def cancel_appointment(appointment_id: int, reason: str) -> Appointment:
    """Call an appointment off: its slots are released and the request goes back to new (to be booked
    again), unless another visit of it is still booked."""
    reason = _required_reason(reason)
    with write_transaction():
        appointment = _changeable_appointment(appointment_id)
        _release(appointment, reason)
        request = appointment.request
        if active_appointment(request) is None:
            request.confirmation_text = None  # it announced the visit that is now called off
            if request.status in (RequestStatus.SCHEDULED, RequestStatus.EN_ROUTE):
                change_request_status(request, RequestStatus.NEW, reason=reason, appointment_id=appointment.id)
        record("appointment_cancelled", appointment, reason=reason, request=request.number)
        signals.appointment_cancelled.send(appointment, reason=reason)
    return appointment


def forward_to_partner(request_id: int, partner_id: int, note: str | None = None) -> ServiceRequest:
    """Hand a request we cannot serve to a partner company. The request stays ours (status forwarded,
    partner recorded) and the aftercare subscribers put a follow-up on the agent's list."""
    note = _clean_text(note)
    with write_transaction():
        request = _load_request(request_id, lock=True)
        partner = _get(Partner, partner_id)
        if partner is None or not partner.active:
            raise NotFound("unknown_partner", _l("This partner does not exist or is no longer active."))
        change_request_status(request, RequestStatus.FORWARDED, reason=note or None, partner=partner.name)
        request.partner_id = partner.id
        user = acting_user()
        db.session.add(RequestNote(request_id=request.id, author_id=getattr(user, "id", None),
                                   text=gettext("Forwarded to %(partner)s (%(phone)s).", partner=partner.name,
                                                phone=partner.phone) + (f" {note}" if note else "")))
        record("request_forwarded", request, partner_id=partner.id, partner=partner.name, note=note or None)
        signals.request_forwarded.send(request, partner=partner)
    return request


def partners_for(request: ServiceRequest) -> list[Partner]:
    """Active partners, those naming the customer's city or district in their regions first."""
    partners = db.session.scalars(select(Partner).where(Partner.active.is_(True)).order_by(Partner.name)).all()
    places = {p for p in (request.customer.city, request.customer.district) if p}
    return sorted(partners, key=lambda p: not any(place in (p.regions or "") for place in places))


# --- internals ---------------------------------------------------------------------------------

def active_appointment(request: ServiceRequest) -> Appointment | None:
    """The request's booked (or under way) visit, if it has one."""
    return next((a for a in request.appointments if a.status in ACTIVE_APPOINTMENT_STATUSES), None)


def _check_bookable(request: ServiceRequest) -> None:
    active = active_appointment(request)
    if active is not None:
        raise Conflict("already_booked", _l("This request already has an appointment (%(when)s). Reschedule "
                                            "that one instead.", when=_local_text(active.window_start)))
    if not can_transition(request.status, RequestStatus.SCHEDULED):
        raise DomainError("cannot_book", _l("A request in status %(status)s cannot be booked.",
                                            status=status_label(request.status)))


def _book(request: ServiceRequest, technician_id: int, window_start: datetime, *, late_reason: str | None,
          now: datetime, accept_late: bool = False) -> Appointment:
    settings = scheduling_settings()
    facts = request_facts(request)
    window_start = _checked_start(window_start, now)
    since, until = _horizon(window_start, settings, days=1)
    found = technician_facts(since=since, until=until, settings=settings, technician_ids=[technician_id]) \
        if is_row_id(technician_id) else []
    if not found:
        raise NotFound("unknown_technician", _l("This technician does not exist or is not active."))
    tech = found[0]
    if facts.product_line not in tech.skills:
        raise DomainError("not_qualified", _l("%(name)s is not trained for this product line.", name=tech.name))
    if not rules.covers_area(tech, facts.lat, facts.lon, facts.city, facts.district):
        raise DomainError("out_of_area", _l("The customer is outside %(name)s's service area.", name=tech.name))
    window = _window_of(tech, window_start, settings)
    after_promise = window.start > request.sla_due_at
    late_reason = _clean_text(late_reason) or None
    if after_promise and not late_reason and not accept_late:
        raise DomainError("after_promise_needs_reason", _l(
            "This window starts after the promised time (%(deadline)s). Enter the customer's reason for the "
            "later visit, e.g. \"customer asked for Saturday\".", deadline=_local_text(request.sla_due_at, zone=True)))
    user = acting_user()
    appointment = Appointment(
        request_id=request.id, technician_id=tech.id, window_start=window.start, window_end=window.end,
        status=AppointmentStatus.BOOKED, travel_km=_travel_km(tech, window.start, facts, settings),
        late_reason=late_reason if after_promise else None, after_promise=after_promise,
        created_by_id=getattr(user, "id", None))
    appointment.slots = [AppointmentSlot(technician_id=tech.id, slot_start=s)
                         for s in rules.slot_starts(window.start, window.end, settings.slot_minutes)]
    try:
        with db.session.begin_nested():
            db.session.add(appointment)
            db.session.flush()
    except IntegrityError as error:
        if "appointment_slot" not in str(error.orig):
            raise
        raise Conflict("slot_taken", _l("This window of %(name)s was just taken by another booking. "
                                        "Please pick another window.", name=tech.name)) from None
    technician = db.session.get(Technician, tech.id)
    request.confirmation_text = confirmation_text(request, appointment, technician)
    record("appointment_booked", appointment, request=request.number, technician_id=tech.id,
           window_start=window.start.isoformat(), after_promise=after_promise or None, late_reason=late_reason,
           planned_late=(after_promise and not late_reason) or None)
    return appointment


def _checked_start(start: datetime, now: datetime) -> datetime:
    if start.tzinfo is None:
        raise DomainError("invalid_window", _l("The window start must include its time zone."))
    try:
        start = start.astimezone(UTC)
    except OverflowError:
        raise DomainError("invalid_window", _l("This is not a time a visit can be booked for.")) from None
    if start < now:
        raise DomainError("window_past", _l("This window has already started. Pick a later one."))
    if start > now + timedelta(days=MAX_DAYS_AHEAD):
        raise DomainError("window_too_far", _l("Visits can be booked at most %(n)d days ahead.", n=MAX_DAYS_AHEAD))
    return start


def _window_of(tech: TechnicianFacts, start: datetime, settings: SchedulingSettings) -> Window:
    day = start.astimezone(settings.tz).date()
    if day.isoweekday() not in tech.working_days:
        raise DomainError("not_working", _l("%(name)s does not work on %(day)s.", name=tech.name,
                                            day=day.isoformat()))
    for window in rules.day_windows(day, settings.tz, tech.work_start, tech.work_end, settings.window_minutes,
                                    settings.slot_minutes):
        if window.start == start:
            return window
    raise DomainError("not_a_window", _l("%(time)s is not the start of one of %(name)s's appointment windows.",
                                         time=_local_text(start, zone=True), name=tech.name))


def _travel_km(tech: TechnicianFacts, start: datetime, facts: RequestFacts, settings: SchedulingSettings) -> float:
    """Road estimate from where the technician is just before: the day's previous visit, else the base."""
    day = start.astimezone(settings.tz).date()
    before = [b for b in tech.bookings if b.start < start and b.start.astimezone(settings.tz).date() == day]
    previous = max(before, key=lambda b: b.start, default=None)
    origin = (previous.lat, previous.lon) if previous else (tech.lat, tech.lon)
    return round(geodesic_km(origin, (facts.lat, facts.lon)) * settings.road_factor, 1)


def _changeable_appointment(appointment_id: int) -> Appointment:
    # Locked: a second cancel or reschedule of the same appointment waits, then finds it cancelled.
    appointment = db.session.scalar(select(Appointment).where(Appointment.id == appointment_id)
                                    .with_for_update().execution_options(populate_existing=True)) \
        if is_row_id(appointment_id) else None
    if appointment is None:
        raise NotFound("unknown_appointment", _l("This appointment does not exist."))
    if appointment.status not in CHANGEABLE_STATUSES:
        raise DomainError("appointment_not_changeable", _l(
            "This appointment can no longer be changed (the technician is on site or it is finished or "
            "cancelled)."))
    return appointment


def _release(appointment: Appointment, reason: str) -> None:
    """Cancel an appointment and give its slots back (deleted at once, so the same transaction may
    book them again)."""
    db.session.execute(delete(AppointmentSlot).where(AppointmentSlot.appointment_id == appointment.id))
    db.session.expire(appointment, ["slots"])
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancel_reason = reason
    db.session.flush()


def _required_reason(reason: str | None, message=None) -> str:
    reason = _clean_text(reason)
    if not reason:
        raise DomainError("reason_required", message or _l("Please give a reason."))
    return reason


def clean_reason(text: str | None) -> str:
    """A reason as it will be stored (see _clean_text): for callers that check it before booking."""
    return _clean_text(text)


def _clean_text(text: str | None) -> str:
    """A reason or note as typed, trimmed; refused when too long or holding control characters."""
    text = (text or "").strip()
    if len(text) > MAX_REASON_LENGTH:
        raise DomainError("reason_too_long", _l("The reason is too long (at most %(n)d characters).",
                                                n=MAX_REASON_LENGTH))
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        raise DomainError("reason_invalid", _l("The reason contains characters that cannot be stored."))
    return text


def _local_text(value: datetime, *, zone: bool = False) -> str:
    """The service's local time; with `zone`, its UTC offset too ("2026-11-23 08:17 +08:00"), for messages
    about a time the caller sent (an API client may have sent it in UTC)."""
    tz = ZoneInfo(current_app.config["SERVICE_TIMEZONE"])
    local = value.astimezone(tz)
    text = local.strftime("%Y-%m-%d %H:%M")
    if zone:
        offset = local.isoformat()[-6:]  # +08:00
        text = f"{text} {'UTC' if offset == '+00:00' else offset}"
    return text


# --- the customer's confirmation ---------------------------------------------------------------

def confirmation_text(request: ServiceRequest, appointment: Appointment, technician: Technician) -> str:
    """The SMS-ready confirmation, in the customer's language: request number, date and window in the
    service's time zone, the technician's name and phone, what to have ready."""
    locale = request.customer.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    tz = ZoneInfo(current_app.config["SERVICE_TIMEZONE"])
    start, end = appointment.window_start.astimezone(tz), appointment.window_end.astimezone(tz)
    has_proof = request.unit is not None and request.unit.has_proof
    with force_locale(locale):
        text = gettext(
            "[%(centre)s] Your service request %(number)s is booked for %(date)s, %(start)s-%(end)s. "
            "Technician %(name)s (%(phone)s) will come to you.",
            centre=current_app.config["SERVICE_CENTRE_NAME"], number=request.number,
            date=format_date(start.date(), "yyyy-MM-dd EEE", locale=locale), start=f"{start:%H:%M}",
            end=f"{end:%H:%M}", name=technician.name, phone=technician.phone)
        prepare = (gettext("Please have the purchase invoice ready.") if has_proof else
                   gettext("Please have your proof of purchase (invoice) ready: without it the repair is charged."))
        change = gettext("To change the time call %(phone)s.", phone=current_app.config["SERVICE_CENTRE_PHONE"])
    separator = "" if locale.startswith("zh") else " "
    return separator.join([text, prepare, change])
