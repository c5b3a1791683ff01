"""The dispatcher's views of the day (board, promises at risk, map) and planning a day.

Booking itself lives in scheduling.services; applying a plan books every visit through it, so the
database still refuses overlaps.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import exists, select, update
from sqlalchemy.orm import joinedload, selectinload

from ..audit.services import record
from ..auth.current import acting_user
from ..auth.models import User
from ..customers.models import Unit
from ..database import utcnow, write_transaction
from ..errors import Conflict, DomainError, NotFound
from ..extensions import db
from ..geo import geodesic_km, travel_minutes
from ..i18n import lazy_gettext as _l
from ..intake.models import ServiceRequest
from ..intake.rules import RequestStatus
from ..scheduling import planner, rules
from ..scheduling.models import ACTIVE_APPOINTMENT_STATUSES, Appointment, AppointmentStatus, DayPlan, Technician
from ..scheduling.services import (active_appointment, active_technicians, book_appointment, clean_reason,
                                   request_facts, scheduling_settings, with_bookings)
from ..validators import is_row_id
from . import svgmap

UTC = timezone.utc
AT_RISK_HOURS = 4
DEFAULT_PLAN_SECONDS = 10.0


# --- the board ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stop:
    appointment: Appointment
    road_km: float  # from the previous stop (the base for the first)
    minutes: float
    late: bool  # starts after the promise deadline


@dataclass(frozen=True)
class Lane:
    technician: Technician
    stops: list[Stop]
    windows: int  # appointment windows the technician works that day
    busy_minutes: int  # expected service time of the day's visits
    road_km: float  # base, the visits, back to base

    @property
    def load_percent(self) -> int:
        """Share of the day's windows taken."""
        return min(100, round(100 * len(self.stops) / self.windows)) if self.windows else 0


@dataclass(frozen=True)
class AtRisk:
    request: ServiceRequest
    appointment: Appointment | None  # the visit booked after the deadline, if any


@dataclass(frozen=True)
class Board:
    day: date
    lanes: list[Lane]
    at_risk: list[AtRisk]
    unscheduled: list[ServiceRequest]
    map: svgmap.SvgMap


def local_day(offset: int = 0, now: datetime | None = None) -> date:
    tz = scheduling_settings().tz
    return (now or utcnow()).astimezone(tz).date() + timedelta(days=offset)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = scheduling_settings().tz
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def at_risk_requests(now: datetime | None = None, hours: int = AT_RISK_HOURS) -> list[AtRisk]:
    """Open requests whose promise runs out within `hours` (or already has) with no visit booked to
    start by the deadline, most urgent first. A visit the customer asked to have later (a booking with
    the customer's late reason) is not a risk the dispatcher can fix."""
    now = now or utcnow()
    kept = exists().where(Appointment.request_id == ServiceRequest.id,
                          Appointment.status != AppointmentStatus.CANCELLED,
                          Appointment.window_start <= ServiceRequest.sla_due_at)
    agreed_later = exists().where(Appointment.request_id == ServiceRequest.id,
                                  Appointment.status.in_([str(s) for s in ACTIVE_APPOINTMENT_STATUSES]),
                                  Appointment.late_reason.is_not(None))
    requests = db.session.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.status.in_([RequestStatus.NEW, RequestStatus.SCHEDULED, RequestStatus.EN_ROUTE]),
               ServiceRequest.sla_due_at <= now + timedelta(hours=hours), ~kept, ~agreed_later)
        .options(joinedload(ServiceRequest.customer), joinedload(ServiceRequest.appointments))
        .order_by(ServiceRequest.sla_due_at)).unique().all()
    return [AtRisk(r, next((a for a in r.appointments if a.status in ACTIVE_APPOINTMENT_STATUSES), None))
            for r in requests]


def unscheduled_requests(exclude: set[int] = frozenset()) -> list[ServiceRequest]:
    """New requests waiting for a visit, the soonest deadline first."""
    rows = db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.status == RequestStatus.NEW)
        .options(joinedload(ServiceRequest.customer), joinedload(ServiceRequest.unit).joinedload(Unit.model))
        .order_by(ServiceRequest.sla_due_at)).all()
    return [r for r in rows if r.id not in exclude]


def board(day: date, now: datetime | None = None) -> Board:
    now = now or utcnow()
    settings = scheduling_settings()
    start, end = day_bounds(day)
    technicians = db.session.scalars(
        select(Technician).join(User, User.id == Technician.user_id)
        .where(Technician.active.is_(True), User.active.is_(True))
        .options(joinedload(Technician.user)).order_by(User.display_name, Technician.id)).all()
    appointments = db.session.scalars(
        select(Appointment)
        .where(Appointment.window_start >= start, Appointment.window_start < end,
               Appointment.status != AppointmentStatus.CANCELLED)
        .options(joinedload(Appointment.request).joinedload(ServiceRequest.customer))
        .order_by(Appointment.window_start)).all()
    by_tech: dict[int, list[Appointment]] = {}
    for a in appointments:
        by_tech.setdefault(a.technician_id, []).append(a)
    grid = {f.id: f for f in active_technicians(settings)}
    lanes = [_lane(t, by_tech.get(t.id, []), grid.get(t.id), day, settings) for t in technicians]
    at_risk = at_risk_requests(now)
    unscheduled = unscheduled_requests({r.request.id for r in at_risk})
    return Board(day, lanes, at_risk, unscheduled, _board_map(lanes, at_risk, unscheduled))


def _lane(tech: Technician, appointments: list[Appointment], facts: rules.TechnicianFacts | None, day: date,
          settings: rules.SchedulingSettings) -> Lane:
    here = (tech.base_lat, tech.base_lon)
    stops, total = [], 0.0
    for a in appointments:
        there = _place(a.request, tech)
        km = geodesic_km(here, there)
        stops.append(Stop(a, round(km * settings.road_factor, 1),
                          round(float(travel_minutes(km, settings.road_factor, settings.speed_kmh))),
                          a.window_start > a.request.sla_due_at))
        total += km
        here = there
    total += geodesic_km(here, (tech.base_lat, tech.base_lon))
    windows = 0
    if facts is not None and day.isoweekday() in facts.working_days:
        windows = len(rules.day_windows(day, settings.tz, facts.work_start, facts.work_end,
                                        settings.window_minutes, settings.slot_minutes))
    busy = sum(settings.visit_minutes.get(a.request.kind, settings.window_minutes) for a in appointments)
    return Lane(tech, stops, windows, busy, round(total * settings.road_factor, 1))


def _place(request: ServiceRequest, tech: Technician) -> tuple[float, float]:
    customer = request.customer
    return (customer.lat, customer.lon) if customer.lat is not None else (tech.base_lat, tech.base_lon)


def _board_map(lanes: list[Lane], at_risk: list[AtRisk], unscheduled: list[ServiceRequest]) -> svgmap.SvgMap:
    places = []
    for lane in lanes:
        t = lane.technician
        places.append(svgmap.Place(t.base_lat, t.base_lon, "technician", "active", _initial(t.name),
                                   f"{t.name} · {t.phone}", group=t.id))
        for n, stop in enumerate(lane.stops, start=1):
            a = stop.appointment
            lat, lon = _place(a.request, t)
            places.append(svgmap.Place(lat, lon, "visit", a.status, str(n),
                                       f"{a.request.number} · {t.name}", group=t.id, order=n))
    for item in at_risk:
        c = item.request.customer
        if c.lat is not None:
            places.append(svgmap.Place(c.lat, c.lon, "request", "at_risk", "!", item.request.number))
    for r in unscheduled:
        c = r.customer
        if c.lat is not None:
            places.append(svgmap.Place(c.lat, c.lon, "request", "new", "", r.number))
    return svgmap.build_map(places)


def _initial(name: str) -> str:
    return name[:1].upper()


# --- planning a day ----------------------------------------------------------------------------

def plan_time_limit() -> float:
    return float(current_app.config.get("PLAN_TIME_LIMIT", DEFAULT_PLAN_SECONDS))


def propose_plan(day: date, *, now: datetime | None = None) -> DayPlan:
    """Plan the new requests into the technicians' free windows of `day` with PyVRP and keep the
    proposal (with the greedy dispatcher's figures beside it) for the manager to review and apply.

    A request whose promise `day` cannot keep but a free window today still can is not planned late
    into `day`: it is listed apart ("book_today"), with the window today that keeps it, to be booked
    on the board or the booking page now."""
    now = now or utcnow()
    if day <= local_day(0, now):
        raise DomainError("plan_future_only", _l("Only days from tomorrow on can be planned."))
    settings = scheduling_settings()
    requests = unscheduled_requests()
    facts, unplaceable = [], []
    for r in requests:
        try:
            facts.append(request_facts(r))
        except DomainError as error:
            unplaceable.append({"request_id": r.id, "number": r.number, "code": error.code,
                                **_both_languages(error.message)})
    start, end = day_bounds(day)
    # Today's bookings too: they decide which windows today are still free.
    today_start, _ = day_bounds(local_day(0, now))
    techs = with_bookings(active_technicians(settings), since=today_start, until=end, settings=settings)
    today = planner.bookable_today(facts, techs, day, now, settings)
    kept_today = {t.request_id for t in today}
    facts = [f for f in facts if f.id not in kept_today]
    plan = planner.plan_day(facts, techs, day, settings, time_limit_s=plan_time_limit())
    greedy = planner.greedy_plan(facts, techs, day, settings)
    by_id = {r.id: r for r in requests}
    places = {f.id: (f.lat, f.lon) for f in facts}
    bases = {t.id: (t.lat, t.lon) for t in techs}
    payload = {
        "requests": len(requests) - len(today),
        "technicians": [{
            "technician_id": t.technician_id, "name": t.name, "km": t.km, "base": bases[t.technician_id],
            "visits": [{"request_id": v.request_id, "number": by_id[v.request_id].number,
                        "district": by_id[v.request_id].customer.district or by_id[v.request_id].customer.city,
                        "place": places[v.request_id],
                        "window_start": v.window_start.isoformat(), "window_end": v.window_end.isoformat(),
                        "travel_km": v.travel_km, "promise_kept": v.promise_kept} for v in t.visits],
        } for t in plan.technicians if t.visits],
        "unassigned": [{"request_id": u.request_id, "number": by_id[u.request_id].number, "code": str(u.reason.code),
                        "zh": u.reason.zh, "en": u.reason.en, "place": places[u.request_id]}
                       for u in plan.unassigned] + unplaceable,
        "book_today": [{"request_id": t.request_id, "number": by_id[t.request_id].number,
                        "district": by_id[t.request_id].customer.district or by_id[t.request_id].customer.city,
                        "sla_due_at": by_id[t.request_id].sla_due_at.isoformat(), "technician": t.name,
                        "window_start": t.window_start.isoformat(), "window_end": t.window_end.isoformat()}
                       for t in today],
        "promises_kept": plan.promises_kept, "promises_missed": plan.promises_missed,
        "greedy": {"km": greedy.total_km, "promises_kept": greedy.promises_kept,
                   "unassigned": len(greedy.unassigned)},
    }
    with write_transaction():
        user = acting_user()
        proposal = DayPlan(day=day, created_by_id=getattr(user, "id", None), solver=plan.solver,
                           seconds=plan.seconds, total_km=plan.total_km, baseline_km=greedy.total_km, payload=payload)
        db.session.add(proposal)
        db.session.flush()
        record("day_plan_proposed", proposal, day=day.isoformat(), visits=len(plan.visits),
               unassigned=len(payload["unassigned"]), km=plan.total_km, baseline_km=greedy.total_km,
               book_today=len(today) or None)
    return proposal


def book_today_now(proposal: DayPlan) -> list[dict]:
    """The plan's "book today" list as it stands now: the stored rows, each with the request's status and the
    visit booked for it since (if any), so a booked request shows its visit instead of a second booking link."""
    rows = proposal.payload.get("book_today") or []
    requests = {r.id: r for r in db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.id.in_([row["request_id"] for row in rows]))
        .options(selectinload(ServiceRequest.appointments).joinedload(Appointment.technician)))}
    current = []
    for row in rows:
        request = requests.get(row["request_id"])
        booked = active_appointment(request) if request else None
        current.append({**row, "status": request.status if request else None, "booked": booked,
                        "waiting": request is not None and request.status == RequestStatus.NEW})
    return current


def late_visits(proposal: DayPlan) -> int:
    """How many of the plan's visits start after their promise."""
    return sum(not v["promise_kept"] for t in proposal.payload["technicians"] for v in t["visits"])


def apply_plan(plan_id: int, late_reason: str | None = None) -> DayPlan:
    """Book every visit of a proposed plan through the booking service. A visit the database refuses
    (its window was taken since the preview) or that no longer fits is reported; the rest is booked.

    Visits after the promise need the manager's reason, or nothing is booked. It is kept with the plan's audit
    event, not as the visits' late_reason: that field holds the customer's wish for a later visit, and a visit
    late for want of capacity is the company's miss (in the statistics and as a risk on the board)."""
    late_reason = clean_reason(late_reason) or None
    with write_transaction():
        proposal = db.session.get(DayPlan, plan_id) if is_row_id(plan_id) else None
        if proposal is None:
            raise NotFound("unknown_plan", _l("This plan does not exist."))
        late = late_visits(proposal)
        if late and not late_reason and proposal.applied_at is None:
            raise DomainError("plan_late_needs_reason", _l(
                "Visits of this plan after the promised time: %(n)d. Give the reason for these late visits (e.g. "
                "\"no technician free earlier\"), then apply the plan.", n=late))
        user = acting_user()
        # Claimed with a conditional update, so two managers pressing "apply" book it once.
        claimed = db.session.execute(update(DayPlan).where(DayPlan.id == plan_id, DayPlan.applied_at.is_(None))
                                     .values(applied_at=utcnow(), applied_by_id=getattr(user, "id", None)))
        if claimed.rowcount != 1:
            raise Conflict("plan_applied", _l("This plan has already been applied."))
        record("day_plan_applied", proposal, late_visits=late or None, late_reason=late_reason if late else None)
    booked, conflicts = [], []
    for tech in proposal.payload["technicians"]:
        for visit in tech["visits"]:
            try:
                appointment = book_appointment(visit["request_id"], tech["technician_id"],
                                               datetime.fromisoformat(visit["window_start"]),
                                               accept_late=not visit["promise_kept"])
                booked.append(appointment.id)
            except DomainError as error:
                conflicts.append({"number": visit["number"], "technician": tech["name"],
                                  "window_start": visit["window_start"], "code": error.code,
                                  **_both_languages(error.message)})
    with write_transaction():
        proposal = db.session.get(DayPlan, plan_id)
        proposal.result = {"booked": booked, "conflicts": conflicts}
    return proposal


def _both_languages(message) -> dict[str, str]:
    """A lazy translated message as stored text in both languages (the plan is read later, by anyone)."""
    with force_locale("zh_CN"):
        zh = str(message)
    with force_locale("en"):
        en = str(message)
    return {"zh": zh, "en": en}


def plan_map(proposal: DayPlan) -> svgmap.SvgMap:
    """The proposed routes: each technician's base and new visits in order, late ones in orange."""
    places = []
    for tech in proposal.payload["technicians"]:
        lat, lon = tech["base"]
        places.append(svgmap.Place(lat, lon, "technician", "active", _initial(tech["name"]), tech["name"],
                                   group=tech["technician_id"]))
        for n, visit in enumerate(tech["visits"], start=1):
            lat, lon = visit["place"]
            places.append(svgmap.Place(lat, lon, "visit", "planned" if visit["promise_kept"] else "late", str(n),
                                       f"{visit['number']} · {tech['name']}", group=tech["technician_id"], order=n))
    for item in proposal.payload["unassigned"]:
        if item.get("place"):
            lat, lon = item["place"]
            places.append(svgmap.Place(lat, lon, "request", "at_risk", "!", item["number"]))
    return svgmap.build_map(places, width=480, height=440)


def recent_plans(limit: int = 5) -> list[DayPlan]:
    return db.session.scalars(select(DayPlan).order_by(DayPlan.created_at.desc(), DayPlan.id.desc())
                              .limit(limit)).all()
