"""Scheduling rules: appointment windows, the slots they hold, service areas and whom to send.

Pure: stdlib + numpy, no Flask and no database. Datetimes at the edges are aware and in UTC;
inside, POSIX seconds, because the ranking compares thousands of them per call.

When a visit fits a window (suggest, exhaustive_best and the planner share this definition):
- the visit is planned to start at its window's start; the rest of the window is the customer's
  arrival margin, and it is the technician's only visit in that window;
- the technician comes from the previous visit of that day (free once it started plus its service
  time) or from the base, and cannot set off before now; the way to the day's first visit is commute:
      max(previous free, now) + travel <= window start
- the next visit of that day stays reachable:  window start + service + travel <= next start
- the visit ends within working hours:        window start + service <= work end
"""
from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np

from ..catalog.rules import product_line_names
from ..geo.distance import EARTH_RADIUS_KM, haversine_km, haversine_one_to_many_km, travel_minutes

UTC = timezone.utc


class Window(NamedTuple):
    start: datetime
    end: datetime


class ReasonCode(StrEnum):
    WITHIN_PROMISE = "within_promise"
    AFTER_PROMISE = "after_promise"
    NO_SKILL = "no_skill"
    OUT_OF_AREA = "out_of_area"
    NOT_WORKING = "not_working"
    NO_FREE_TIME = "no_free_time"


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Booking:
    """An existing appointment: its window, where it is, and how long the work takes."""

    start: datetime
    end: datetime
    lat: float
    lon: float
    # Expected service time; None = the whole window (the safe guess when the kind is unknown).
    service_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class TechnicianFacts:
    id: int
    name: str
    phone: str
    lat: float
    lon: float
    skills: frozenset[str]
    radius_km: float | None = None
    regions: frozenset[str] = frozenset()
    working_days: frozenset[int] = frozenset({1, 2, 3, 4, 5, 6})
    work_start: time = time(8, 0)
    work_end: time = time(20, 0)
    bookings: tuple[Booking, ...] = ()


@dataclass(frozen=True, slots=True)
class RequestFacts:
    lat: float
    lon: float
    product_line: str
    kind: str
    reported_at: datetime
    sla_due_at: datetime
    city: str | None = None
    district: str | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class SchedulingSettings:
    tz: tzinfo = ZoneInfo("Asia/Shanghai")
    window_minutes: int = 120
    slot_minutes: int = 30
    horizon_days: int = 7
    road_factor: float = 1.3
    speed_kmh: float = 30.0
    visit_minutes: Mapping[str, int] = field(
        default_factory=lambda: {"repair": 90, "install": 120, "maintenance": 60})

    def __post_init__(self):
        if self.slot_minutes <= 0 or self.window_minutes <= 0 or self.window_minutes % self.slot_minutes:
            raise ValueError("window_minutes must be a positive multiple of slot_minutes")
        if self.horizon_days < 1:
            raise ValueError("horizon_days must be at least 1")

    def service_seconds(self, kind: str) -> int:
        return self.visit_minutes[kind] * 60

    def travel_seconds(self, km):
        return travel_minutes(km, self.road_factor, self.speed_kmh) * 60.0


@dataclass(frozen=True, slots=True)
class Suggestion:
    technician_id: int
    name: str
    phone: str
    window_start: datetime
    window_end: datetime
    distance_km: float  # straight line from where the technician is just before
    travel_minutes: float
    meets_promise: bool
    load_count: int  # visits already booked that day
    load_minutes: int
    added_km: float  # straight-line detour of inserting this visit into the technician's day
    reason: Reason


@dataclass(frozen=True, slots=True)
class Exclusion:
    technician_id: int
    name: str
    reason: Reason


# --- windows and slots -------------------------------------------------------------------------

def day_windows(day: date, tz: tzinfo, work_start: time, work_end: time, window_minutes: int,
                slot_minutes: int = 30) -> list[Window]:
    """The appointment windows of one working day, in UTC. Only whole windows: a shift of 08:00-19:00
    with 2-hour windows ends its last window at 18:00."""
    return [Window(_from_ts(s), _from_ts(e))
            for s, e in _window_ts(day, tz, work_start, work_end, window_minutes, slot_minutes)]


def slot_starts(start: datetime, end: datetime, slot_minutes: int = 30) -> list[datetime]:
    """The slots an appointment holds. One row per slot with a unique (technician, slot start) is what
    makes the database refuse overlapping bookings, so both ends must sit on slot boundaries."""
    a, b, step = _ts(start), _ts(end), slot_minutes * 60
    if b <= a:
        raise ValueError("an appointment must end after it starts")
    if a % step or b % step:
        raise ValueError(f"appointment times must fall on {slot_minutes}-minute slot boundaries")
    return [_from_ts(s) for s in range(int(a), int(b), step)]


def free_windows(tech: TechnicianFacts, now: datetime, settings: SchedulingSettings,
                 days: int | None = None) -> list[Window]:
    """Windows from now over the next `days` days (settings.horizon_days by default) that the
    technician works and that no booking touches. A window that has started is past."""
    now_ts = _ts(now)
    booked = _bookings_ts(tech.bookings)
    free = []
    for day in _local_days(now, settings.tz, days or settings.horizon_days):
        if day.isoweekday() not in tech.working_days:
            continue
        for s, e in _window_ts(day, settings.tz, tech.work_start, tech.work_end, settings.window_minutes,
                               settings.slot_minutes):
            if s >= now_ts and not any(b[0] < e and b[1] > s for b in booked):
                free.append(Window(_from_ts(s), _from_ts(e)))
    return free


# --- area and skills ---------------------------------------------------------------------------

def covers_area(tech: TechnicianFacts, lat: float, lon: float, city: str | None = None,
                district: str | None = None) -> bool:
    """Within the radius around the base, or the city or district is one of the technician's regions."""
    if (city and city in tech.regions) or (district and district in tech.regions):
        return True
    return tech.radius_km is not None and haversine_km(tech.lat, tech.lon, lat, lon) <= tech.radius_km


def qualified_mask(request: RequestFacts, technicians: Sequence[TechnicianFacts]) -> np.ndarray:
    """Which technicians have the skill and cover the request's place, in one pass: the radius test
    is vectorised over every base at once."""
    line, city, district = request.product_line, request.city, request.district
    facts = np.array([(t.lat, t.lon, np.nan if t.radius_km is None else t.radius_km, line in t.skills,
                       bool(t.regions) and (city in t.regions or district in t.regions)) for t in technicians],
                     dtype=float).reshape(-1, 5)
    near = haversine_one_to_many_km(request.lat, request.lon, facts[:, 0], facts[:, 1]) <= facts[:, 2]  # NaN: False
    return (facts[:, 3] > 0) & ((facts[:, 4] > 0) | near)


def needs_partner(request: RequestFacts, technicians: Sequence[TechnicianFacts]) -> bool:
    """No technician of ours both has the skill and covers the place: forward to a partner."""
    return not qualified_mask(request, technicians).any() if technicians else True


def exclusions(request: RequestFacts, technicians: Sequence[TechnicianFacts]) -> list[Exclusion]:
    """Why technicians are not offered at all (the "why not" list): no skill, or out of area."""
    out = []
    for t in technicians:
        if request.product_line not in t.skills:
            out.append(Exclusion(t.id, t.name, reason_no_skill(request.product_line)))
        elif not covers_area(t, request.lat, request.lon, request.city, request.district):
            out.append(Exclusion(t.id, t.name, reason_out_of_area()))
    return out


# --- suggestions -------------------------------------------------------------------------------

# Candidate rows: one per (technician, free window), built in Python, evaluated with numpy.
_TECH, _WS, _WE, _PLAT, _PLON, _PFREE, _NLAT, _NLON, _NSTART, _WORKEND, _LCOUNT, _LBUSY, _FROMBASE = range(13)


def suggest(request: RequestFacts, technicians: Sequence[TechnicianFacts], now: datetime,
            settings: SchedulingSettings, limit: int = 5) -> list[Suggestion]:
    """The technicians to offer for a request, best first, each with its best window.

    A (technician, window) ranks by: meets the promise (window start <= sla_due_at) first; within the
    promise the cheapest insertion (added km), then the earliest window; past the promise the
    earliest window, then the cheapest insertion (the customer should not wait days to save a few
    km); then the lighter day, then the technician id. Each technician appears once, with its best
    window. The walk goes day by day and stops once `limit` technicians are settled, since later days
    can only rank lower.
    """
    qualified = np.flatnonzero(qualified_mask(request, technicians)) if technicians else []
    if not len(qualified):
        return []
    ctx = _Context(request, now, settings)
    # Sorted by start but not converted: only the days walked need their bookings in seconds.
    booked = {int(i): sorted(technicians[i].bookings, key=_start) for i in qualified}
    starts = {i: [b.start for b in bs] for i, bs in booked.items()}
    best: dict[int, tuple[tuple, np.ndarray]] = {}
    remaining = list(booked)
    for day in _local_days(now, settings.tz, settings.horizon_days):
        day_start, day_end = _day_bounds(day, settings.tz)
        rows = []
        for i in remaining:
            tech = technicians[i]
            if day.isoweekday() in tech.working_days:
                lo, hi = bisect_left(starts[i], day_start), bisect_left(starts[i], day_end)
                _collect_rows(rows, i, tech, day, _bookings_ts(booked[i][lo:hi]), ctx)
        if rows:
            _keep_best(best, np.array(rows), ctx, technicians)
        if day_end.timestamp() > ctx.sla:
            # Past the promise: a technician with a candidate already has its best one.
            remaining = [i for i in remaining if i not in best]
            if len(best) >= limit or not remaining:
                break
    ranked = sorted(best.values(), key=lambda kv: kv[0])[:limit]
    closest = min((row[_DIN] for _, row in ranked), default=None)
    return [_suggestion(technicians[int(row[_TECH])], row, ctx, closest=row[_DIN] == closest)
            for _, row in ranked]


def exhaustive_best(request: RequestFacts, technicians: Sequence[TechnicianFacts], now: datetime,
                    settings: SchedulingSettings) -> Suggestion | None:
    """Brute force over every technician and every free window, scalar maths only: the reference
    that suggest()[0] must equal (tests and bench/bench_suggest.py)."""
    ctx = _Context(request, now, settings)
    best = None
    for tech in technicians:
        if request.product_line not in tech.skills or not covers_area(
                tech, request.lat, request.lon, request.city, request.district):
            continue
        booked = _bookings_ts(tech.bookings)
        for day in _local_days(now, settings.tz, settings.horizon_days):
            if day.isoweekday() not in tech.working_days:
                continue
            day_start, day_end = (t.timestamp() for t in _day_bounds(day, settings.tz))
            today = [b for b in booked if day_start <= b[0] < day_end]
            load_busy = sum(b[4] for b in today)
            work_end = _ts(datetime.combine(day, tech.work_end, tzinfo=settings.tz))
            for ws, we in _window_ts(day, settings.tz, tech.work_start, tech.work_end,
                                     settings.window_minutes, settings.slot_minutes):
                if ws < ctx.now or any(b[0] < we and b[1] > ws for b in today):
                    continue
                before = [b for b in today if b[0] < ws]
                after = [b for b in today if b[0] >= we]
                prev = before[-1] if before else None
                nxt = after[0] if after else None
                p_lat, p_lon = (prev[2], prev[3]) if prev else (tech.lat, tech.lon)
                n_lat, n_lon = (nxt[2], nxt[3]) if nxt else (tech.lat, tech.lon)
                d_in = haversine_km(p_lat, p_lon, request.lat, request.lon)
                d_out = haversine_km(request.lat, request.lon, n_lat, n_lon)
                p_free = prev[0] + prev[4] if prev else -math.inf
                if max(p_free, ctx.now) + settings.travel_seconds(d_in) > ws:
                    continue
                if nxt and ws + ctx.service + settings.travel_seconds(d_out) > nxt[0]:
                    continue
                if ws + ctx.service > work_end:
                    continue
                added = d_in + d_out - haversine_km(p_lat, p_lon, n_lat, n_lon)
                key = _rank_key(ws <= ctx.sla, round(added * 1000), ws, len(today), load_busy, tech.id)
                if best is None or key < best[0]:
                    row = np.array([0, ws, we, p_lat, p_lon, p_free, n_lat, n_lon, 0, 0, len(today),
                                    load_busy, prev is None, d_in, added])
                    best = (key, tech, row)
    if best is None:
        return None
    _, tech, row = best
    return _suggestion(tech, row, ctx, closest=True)


# --- reasons -----------------------------------------------------------------------------------

def reason_no_skill(product_line: str) -> Reason:
    zh, en = product_line_names(product_line)
    return Reason(ReasonCode.NO_SKILL, f"不具备{zh}产品线技能", f"Not trained for {en.lower()}")


def reason_out_of_area() -> Reason:
    return Reason(ReasonCode.OUT_OF_AREA, "不在服务区域内", "Outside the service area")


def reason_not_working(day: date) -> Reason:
    return Reason(ReasonCode.NOT_WORKING, f"{day:%m月%d日}无合格技术员上班",
                  f"No qualified technician works on {day:%d %b}")


def reason_no_free_time() -> Reason:
    return Reason(ReasonCode.NO_FREE_TIME, "当天没有合格技术员的空闲时段",
                  "No qualified technician has a free window that day")


def _suggestion_reason(km: float, from_base: bool, meets_promise: bool, promise_hours: int,
                       window_start: datetime, tz: tzinfo, closest: bool) -> Reason:
    zh_from = "距技术员驻点" if from_base else "距上一个上门点"
    en_from = "from the technician's base" if from_base else "from the previous visit"
    zh = f"{'最近：' if closest else ''}{zh_from} {km:.1f} 公里，"
    en = f"{'Closest: ' if closest else ''}{km:.1f} km {en_from}; "
    if meets_promise:
        return Reason(ReasonCode.WITHIN_PROMISE, zh + "可在承诺时限内上门",
                      en + f"can arrive within the {promise_hours}-hour promise")
    local = window_start.astimezone(tz)
    return Reason(ReasonCode.AFTER_PROMISE, zh + f"最早 {local:%m月%d日 %H:%M} 上门，超出承诺时限",
                  en + f"earliest visit {local:%d %b %H:%M}, after the {promise_hours}-hour promise")


# --- internals ---------------------------------------------------------------------------------

_DIN, _ADDED = 13, 14  # columns appended to a chosen row: distance in, added km


class _Context:
    """What every candidate of one request shares, precomputed once."""

    def __init__(self, request: RequestFacts, now: datetime, settings: SchedulingSettings):
        self.request = request
        self.settings = settings
        self.now = _ts(now)
        self.sla = _ts(request.sla_due_at)
        self.service = settings.service_seconds(request.kind)
        self.promise_hours = round((self.sla - _ts(request.reported_at)) / 3600)


def _collect_rows(rows: list, i: int, tech: TechnicianFacts, day: date, today: list, ctx: _Context) -> None:
    """Append a row for every free, not-yet-started window of the technician that day, with the visits
    of the day around it (base when there is none)."""
    s = ctx.settings
    load_busy = sum(b[4] for b in today)
    work_end = _ts(datetime.combine(day, tech.work_end, tzinfo=s.tz))
    j = 0  # first booking of the day that starts at or after the window
    for ws, we in _window_ts(day, s.tz, tech.work_start, tech.work_end, s.window_minutes, s.slot_minutes):
        while j < len(today) and today[j][0] < ws:
            j += 1
        if ws < ctx.now:
            continue
        prev = today[j - 1] if j else None
        nxt = today[j] if j < len(today) else None
        if (prev and prev[1] > ws) or (nxt and nxt[0] < we):
            continue  # booked
        rows.append((
            i, ws, we,
            *((prev[2], prev[3], prev[0] + prev[4]) if prev else (tech.lat, tech.lon, -math.inf)),
            *((nxt[2], nxt[3], nxt[0]) if nxt else (tech.lat, tech.lon, math.inf)),
            work_end, len(today), load_busy, prev is None,
        ))


def _keep_best(best: dict, rows: np.ndarray, ctx: _Context, technicians: Sequence[TechnicianFacts]) -> None:
    """Evaluate a batch of candidate rows at once and keep each technician's best feasible one."""
    s, req = ctx.settings, ctx.request
    d_in = _haversine_pairs_km(rows[:, _PLAT], rows[:, _PLON], req.lat, req.lon)
    d_out = _haversine_pairs_km(req.lat, req.lon, rows[:, _NLAT], rows[:, _NLON])
    d_skip = _haversine_pairs_km(rows[:, _PLAT], rows[:, _PLON], rows[:, _NLAT], rows[:, _NLON])
    ws = rows[:, _WS]
    has_next = np.isfinite(rows[:, _NSTART])
    ok = np.maximum(rows[:, _PFREE], ctx.now) + s.travel_seconds(d_in) <= ws
    ok &= ~has_next | (ws + ctx.service + s.travel_seconds(d_out) <= rows[:, _NSTART])
    ok &= ws + ctx.service <= rows[:, _WORKEND]
    if not ok.any():
        return
    added = d_in + d_out - d_skip
    rows = np.column_stack([rows, d_in, added])[ok]
    added_m = np.rint(rows[:, _ADDED] * 1000)
    late = rows[:, _WS] > ctx.sla
    tech_ids = np.array([technicians[int(i)].id for i in rows[:, _TECH]])
    # The same order as _rank_key, most significant last for lexsort.
    first = np.where(late, rows[:, _WS], added_m)
    second = np.where(late, added_m, rows[:, _WS])
    order = np.lexsort((tech_ids, rows[:, _LBUSY], rows[:, _LCOUNT], second, first, late))
    _, firsts = np.unique(rows[order, _TECH], return_index=True)
    for k in order[firsts]:
        row = rows[k]
        key = _rank_key(not late[k], int(added_m[k]), int(row[_WS]), int(row[_LCOUNT]), int(row[_LBUSY]),
                        int(tech_ids[k]))
        i = int(row[_TECH])
        if i not in best or key < best[i][0]:
            best[i] = (key, row)


def _rank_key(meets_promise: bool, added_m: int, ws: int, load_count: int, load_busy: int, tech_id: int):
    if meets_promise:
        return (0, added_m, ws, load_count, load_busy, tech_id)
    return (1, ws, added_m, load_count, load_busy, tech_id)


def _suggestion(tech: TechnicianFacts, row: np.ndarray, ctx: _Context, closest: bool) -> Suggestion:
    s = ctx.settings
    start = _from_ts(row[_WS])
    meets = row[_WS] <= ctx.sla
    d_in = float(row[_DIN])
    return Suggestion(
        technician_id=tech.id, name=tech.name, phone=tech.phone,
        window_start=start, window_end=_from_ts(row[_WE]),
        distance_km=round(d_in, 2), travel_minutes=round(float(s.travel_seconds(d_in)) / 60, 1),
        meets_promise=bool(meets), load_count=int(row[_LCOUNT]), load_minutes=int(row[_LBUSY]) // 60,
        added_km=round(float(row[_ADDED]), 2),
        reason=_suggestion_reason(d_in, bool(row[_FROMBASE]), bool(meets), ctx.promise_hours, start, s.tz,
                                  closest),
    )


def _haversine_pairs_km(lat1, lon1, lat2, lon2):
    """Element-wise haversine with numpy broadcasting (the geo module has one-to-many and matrix forms;
    the ranking needs pairs: previous stop -> next stop for every candidate)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(np.subtract(lon2, lon1)) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def _bookings_ts(bookings: Sequence[Booking]) -> list[tuple[float, float, float, float, float]]:
    """(start, end, lat, lon, busy seconds) sorted by start."""
    return sorted((_ts(b.start), _ts(b.end), b.lat, b.lon,
                   b.service_minutes * 60 if b.service_minutes is not None else _ts(b.end) - _ts(b.start))
                  for b in bookings)


def _start(booking: Booking) -> datetime:
    return booking.start


@lru_cache(maxsize=4096)
def _window_ts(day: date, tz: tzinfo, work_start: time, work_end: time, window_minutes: int,
               slot_minutes: int) -> tuple[tuple[int, int], ...]:
    if window_minutes <= 0 or window_minutes % slot_minutes:
        raise ValueError("window_minutes must be a positive multiple of slot_minutes")
    if work_end <= work_start:
        raise ValueError("work_end must be after work_start")
    step = timedelta(minutes=window_minutes)
    start, end = datetime.combine(day, work_start, tzinfo=tz), datetime.combine(day, work_end, tzinfo=tz)
    windows = []
    while start + step <= end:  # aware + timedelta is wall-clock arithmetic: windows follow the local clock
        windows.append((int(start.timestamp()), int((start + step).timestamp())))
        start += step
    if any(s % (slot_minutes * 60) for s, _ in windows):
        raise ValueError(f"working hours must start on a {slot_minutes}-minute slot boundary")
    return tuple(windows)


@lru_cache(maxsize=1024)
def _day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """Local midnight to the next, in UTC (comparing datetimes of one tzinfo skips the offset look-ups)."""
    return (datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC),
            datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC))


def _local_days(now: datetime, tz: tzinfo, days: int) -> list[date]:
    today = now.astimezone(tz).date()
    return [today + timedelta(days=k) for k in range(days)]


def _ts(dt: datetime) -> float:
    if dt.tzinfo is None:
        raise ValueError("naive datetime: scheduling needs aware datetimes (UTC)")
    return dt.timestamp()


def _from_ts(ts: float) -> datetime:
    return datetime.fromtimestamp(int(ts), UTC)
