"""Plan tomorrow: assign unscheduled requests to technicians' free windows with the least travel.

Pure: stdlib + numpy + pyvrp. The plan keeps the rules of rules.py: skills, service areas, working
hours, one visit per appointment window, booked windows untouched, and a visit fits a window as the
module docstring of rules.py defines (the way to the day's first visit is commute).

The PyVRP model (times in seconds from local midnight of the day, distances in road metres):
- one vehicle type per working technician, start and end depot at its base, shift = its windows;
- which technician may take which request (skill and area) is a routing profile per distinct
  eligibility pattern: edges to requests a technician may not take cost more than any prize, so the
  solver never uses them. PyVRP 0.14 has no per-vehicle client lists, and the price of exact
  restrictions is memory: 16 bytes x locations^2 per profile inside PyVRP plus 4 while building
  (1,000 requests and 120 technicians: 1,170 locations, 120 profiles, about 3.2 GB at the peak)
  and the set-up time of that many matrices (about 17 s of the 60);
- visits start on the window grid exactly: every visit's service time is one window and the travel
  "time" from a visit is ceil_W(service + travel) - W, so successive starts differ by whole windows;
- the promise is soft but dominant: a request due within the day becomes two mutually exclusive
  optional clients, on time (latest start = sla_due_at) with a large prize and late with a smaller one;
  a prize outweighs any detour, so a request is left out only when no free window can take it;
- booked appointments are required clients pinned to their technician and window.
The result is re-timed to the earliest grid window each visit can take (never later than the
solver's), checked, and anything that does not fit is reported unassigned rather than trusted.
"""
from __future__ import annotations

import time as _time
from bisect import bisect_left, insort
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np
import pyvrp
from pyvrp.stop import MultipleCriteria, NoImprovement

from ..geo.distance import haversine_matrix_km
from .rules import (
    Booking,
    Reason,
    RequestFacts,
    SchedulingSettings,
    TechnicianFacts,
    _bookings_ts,
    _day_bounds,
    _from_ts,
    _haversine_pairs_km,
    _ts,
    _window_ts,
    qualified_mask,
    reason_no_free_time,
    reason_no_skill,
    reason_not_working,
    reason_out_of_area,
    suggest,
)

# Objective weights, in road metres. A late visit is worth 1,000 km, more than any detour in a
# service region, so every request that fits is planned; a kept promise is worth ten late visits, so
# promises come first; a forbidden edge costs more than any prize, so it is never worth taking.
# (Kept this small on purpose: PyVRP's time-warp penalty must be able to outweigh a prize.)
PRIZE_LATE = 1_000_000
PRIZE_ON_TIME = 10_000_000
FORBIDDEN = 100_000_000


@dataclass(frozen=True, slots=True)
class PlannedVisit:
    request_id: int
    window_start: datetime
    window_end: datetime
    travel_km: float  # road estimate from the previous stop (base or visit)
    promise_kept: bool


@dataclass(frozen=True, slots=True)
class TechnicianPlan:
    technician_id: int
    name: str
    visits: tuple[PlannedVisit, ...]  # the new visits in route order; bookings are not repeated
    km: float  # road estimate of the whole day: base, booked and new visits, base


@dataclass(frozen=True, slots=True)
class Unassigned:
    request_id: int
    reason: Reason


@dataclass(frozen=True, slots=True)
class Plan:
    day: date
    technicians: tuple[TechnicianPlan, ...]
    unassigned: tuple[Unassigned, ...]
    solver: str
    seconds: float

    @property
    def total_km(self) -> float:
        return sum(t.km for t in self.technicians)

    @property
    def visits(self) -> list[PlannedVisit]:
        return [v for t in self.technicians for v in t.visits]

    @property
    def promises_kept(self) -> int:
        return sum(v.promise_kept for v in self.visits)

    @property
    def promises_missed(self) -> int:
        return sum(not v.promise_kept for v in self.visits)


@dataclass(frozen=True, slots=True)
class BookableToday:
    """A waiting request whose promise a booking today still keeps, while the planned day cannot: the
    window today that keeps it (the first suggestion) is a hint for the dispatcher, not a booking."""

    request_id: int
    technician_id: int
    name: str
    window_start: datetime
    window_end: datetime


@dataclass(eq=False)
class DayModel:
    """One day's planning problem in integers, shared by every solver (PyVRP, greedy, the bench's
    OR-Tools). Locations: technicians' bases [0, T), requests [T, T + R), bookings [T + R, L)."""

    day: date
    settings: SchedulingSettings
    origin: int  # POSIX seconds of local midnight; every time below is an offset from it
    requests: list[RequestFacts]
    techs: list[TechnicianFacts]  # those who work that day
    windows: list[list[int]]  # window starts per technician
    work_end: list[int]
    booked: list[list[tuple[int, int, int]]]  # per technician: (start, end, location), by start
    lat: np.ndarray  # per location
    lon: np.ndarray
    dist_m: np.ndarray  # L x L road metres
    travel_s: np.ndarray  # L x L driving seconds
    service_s: np.ndarray  # per location; 0 at bases
    eligible: np.ndarray  # R x T
    sla: np.ndarray  # per request
    reasons: dict[int, Reason]  # requests no working technician may take, and why

    @property
    def window_s(self) -> int:
        return self.settings.window_minutes * 60

    def request_loc(self, r: int) -> int:
        return len(self.techs) + r

    def is_request(self, loc: int) -> bool:
        return len(self.techs) <= loc < len(self.techs) + len(self.requests)


def plan_day(requests: Sequence[RequestFacts], technicians: Sequence[TechnicianFacts], day: date,
             settings: SchedulingSettings, time_limit_s: float = 10.0, seed: int = 0) -> Plan:
    """The product's planner: PyVRP, warm-started from a promise-first cheapest-insertion plan, within
    `time_limit_s` in all (model building included)."""
    started = _time.perf_counter()
    model = build_day_model(requests, technicians, day, settings)
    start = insertion_routes(model)
    if model.eligible.any():
        data, clients = _pyvrp_data(model)
        init = _pyvrp_solution(model, data, clients, start)
        # Small days converge long before the limit; stop once the search has stalled for a while.
        stop = MultipleCriteria([_Deadline(started + time_limit_s), NoImprovement(20_000)])
        result = pyvrp.solve(data, stop, seed=seed, collect_stats=False, display=False,
                             initial_solution=init if init.is_feasible() else None)
        routes = start if not result.best.is_feasible() else {
            route.vehicle_type(): [clients[a.idx][0] for a in route.schedule() if a.is_client()]
            for route in result.best.routes()}
    else:
        routes = start
    return plan_from_routes(model, routes, "pyvrp", _time.perf_counter() - started)


def greedy_plan(requests: Sequence[RequestFacts], technicians: Sequence[TechnicianFacts], day: date,
                settings: SchedulingSettings) -> Plan:
    """The baseline a dispatcher does by hand: most urgent request first, to the nearest qualified
    technician (by base) with a free window that keeps the promise, else the nearest one with any."""
    started = _time.perf_counter()
    model = build_day_model(requests, technicians, day, settings)
    return plan_from_routes(model, _greedy_routes(model), "greedy", _time.perf_counter() - started)


def bookable_today(requests: Sequence[RequestFacts], technicians: Sequence[TechnicianFacts], day: date,
                   now: datetime, settings: SchedulingSettings) -> tuple[BookableToday, ...]:
    """The requests to book today rather than plan into `day`: those the planned day cannot keep the
    promise of (due before the first window there of any qualified technician who works that day) and a
    free window today can (a qualified technician's window from `now` that starts by the deadline and
    fits, as rules.suggest defines it). Most urgent first, each holding the window it was given, so two
    requests never count on the same window. `technicians` carry their bookings of today."""
    today = replace(settings, horizon_days=1)
    techs = list(technicians)
    found = []
    for r in sorted(requests, key=lambda r: (r.sla_due_at, r.id or 0)):
        if r.sla_due_at <= now or not techs or _planned_day_keeps(r, techs, day, settings):
            continue
        best = next(iter(suggest(r, techs, now, today, limit=1)), None)
        if best is None or not best.meets_promise:
            continue
        found.append(BookableToday(r.id, best.technician_id, best.name, best.window_start, best.window_end))
        k = next(k for k, t in enumerate(techs) if t.id == best.technician_id)
        techs[k] = replace(techs[k], bookings=techs[k].bookings + (
            Booking(best.window_start, best.window_end, r.lat, r.lon, settings.visit_minutes.get(r.kind)),))
    return tuple(found)


def _planned_day_keeps(request: RequestFacts, technicians: list[TechnicianFacts], day: date,
                       settings: SchedulingSettings) -> bool:
    """Whether any qualified technician working on `day` has a window there starting by the deadline."""
    due = _ts(request.sla_due_at)
    for t, ok in zip(technicians, qualified_mask(request, technicians)):
        if ok and day.isoweekday() in t.working_days:
            grid = _window_ts(day, settings.tz, t.work_start, t.work_end, settings.window_minutes,
                              settings.slot_minutes)
            if grid and grid[0][0] <= due:
                return True
    return False


def build_day_model(requests: Sequence[RequestFacts], technicians: Sequence[TechnicianFacts], day: date,
                    settings: SchedulingSettings) -> DayModel:
    """The day in integers: who works, their window grids and bookings, road distances and driving
    times between all places, who may take what, and why nobody may take some requests."""
    tz = settings.tz
    origin, day_end = (int(x.timestamp()) for x in _day_bounds(day, tz))
    techs, windows, work_end = [], [], []
    for t in technicians:
        grid = _window_ts(day, tz, t.work_start, t.work_end, settings.window_minutes, settings.slot_minutes)
        if day.isoweekday() in t.working_days and grid:
            techs.append(t)
            windows.append([s - origin for s, _ in grid])
            work_end.append(int(_ts(datetime.combine(day, t.work_end, tzinfo=tz))) - origin)
    n_t = len(techs)
    lats = [t.lat for t in techs] + [r.lat for r in requests]
    lons = [t.lon for t in techs] + [r.lon for r in requests]
    service = [0] * n_t + [settings.service_seconds(r.kind) for r in requests]
    booked = []
    for t in techs:
        mine = []
        for start, end, lat, lon, busy in _bookings_ts(t.bookings):
            if origin <= start < day_end:
                mine.append((int(start) - origin, int(end) - origin, len(lats)))
                lats.append(lat)
                lons.append(lon)
                service.append(int(busy))
        booked.append(mine)

    km = haversine_matrix_km(lats, lons) * settings.road_factor
    eligible, reasons = _eligibility(requests, technicians, techs, day)
    return DayModel(
        day=day, settings=settings, origin=origin, requests=list(requests), techs=techs, windows=windows,
        work_end=work_end, booked=booked, lat=np.array(lats), lon=np.array(lons),
        dist_m=np.rint(km * 1000).astype(np.int64),
        travel_s=np.rint(km / settings.speed_kmh * 3600).astype(np.int64),
        service_s=np.array(service, dtype=np.int64),
        eligible=eligible,
        sla=np.array([int(_ts(r.sla_due_at)) - origin for r in requests], dtype=np.int64),
        reasons=reasons,
    )


def plan_from_routes(model: DayModel, routes: dict[int, list[int]], solver: str, seconds: float) -> Plan:
    """Turn stop sequences (location indices per technician index, the technician's bookings included)
    into a plan. Each new visit takes the earliest grid window it can reach, that no booking holds,
    that keeps the next booking reachable and that ends in working hours: never later than the
    solver had it, so a promise the solver kept stays kept. A visit that fits nowhere is reported
    unassigned rather than trusted. Only the solvers' order is used, not their clocks."""
    W, n_t = model.window_s, len(model.techs)
    plans, placed = [], set()
    for k, tech in enumerate(model.techs):
        sequence = routes.get(k) or [loc for _, _, loc in model.booked[k]]
        if {loc for _, _, loc in model.booked[k]} - set(sequence):
            raise ValueError(f"the route of technician {tech.id} leaves out some of its bookings")
        stops = _schedule(model, k, sequence)
        if not stops:
            continue
        path = [k] + [loc for loc, _ in stops] + [k]
        visits = []
        for (loc, start), prev in zip(stops, path):
            if model.is_request(loc):
                r = loc - n_t
                placed.add(r)
                visits.append(PlannedVisit(
                    request_id=model.requests[r].id,
                    window_start=_from_ts(model.origin + start), window_end=_from_ts(model.origin + start + W),
                    travel_km=round(float(model.dist_m[prev, loc]) / 1000, 2),
                    promise_kept=bool(start <= model.sla[r])))
        plans.append(TechnicianPlan(technician_id=tech.id, name=tech.name, visits=tuple(visits),
                                    km=round(float(model.dist_m[path[:-1], path[1:]].sum()) / 1000, 2)))
    unassigned = tuple(Unassigned(req.id, model.reasons.get(r) or reason_no_free_time())
                       for r, req in enumerate(model.requests) if r not in placed)
    return Plan(model.day, tuple(plans), unassigned, solver, round(seconds, 3))


def insertion_routes(model: DayModel) -> dict[int, list[int]]:
    """PyVRP's warm start: most urgent first, each request at its cheapest insertion (added road km)
    among the windows that keep its promise; only then the rest, late, at their cheapest insertion.
    Keeping promises first stops late visits from taking the windows urgent ones need."""
    d = model.dist_m
    stops = {k: [(s, loc) for s, _, loc in model.booked[k]] for k in range(len(model.techs))}
    pending = sorted(range(len(model.requests)), key=lambda r: (model.sla[r], r))
    for late in (False, True):
        left = []
        for r in pending:
            loc = model.request_loc(r)
            best = min(((d[p, loc] + d[loc, n] - d[p, n], s, int(k))
                        for k in np.flatnonzero(model.eligible[r])
                        for s, p, n in _fits(model, int(k), loc, stops[int(k)], None if late else model.sla[r])),
                       default=None)
            if best:
                insort(stops[best[2]], (best[1], loc))
            else:
                left.append(r)
        pending = left
    return {k: [loc for _, loc in seq] for k, seq in stops.items()}


# --- internals ---------------------------------------------------------------------------------

class _Deadline:
    """Stop at a wall-clock time. PyVRP's MaxRuntime starts counting at the first iteration, after
    its own set-up (neighbourhoods per routing profile), which takes seconds on a large day."""

    def __init__(self, at: float):
        self.at = at

    def __call__(self, best_cost: float) -> bool:
        return _time.perf_counter() >= self.at


def _eligibility(requests: Sequence[RequestFacts], everyone: Sequence[TechnicianFacts],
                 working: list[TechnicianFacts], day: date) -> tuple[np.ndarray, dict[int, Reason]]:
    """Skill and area per (request, technician) for all technicians, vectorised over the radius test;
    the working ones' columns are the eligibility, the rest explain why nobody may go."""
    n_r = len(requests)
    if not everyone or not n_r:
        return np.zeros((n_r, len(working)), bool), {
            r: reason_no_skill(req.product_line) for r, req in enumerate(requests)}
    r_lat = np.array([r.lat for r in requests])[:, None]
    r_lon = np.array([r.lon for r in requests])[:, None]
    b_lat = np.array([t.lat for t in everyone])[None, :]
    b_lon = np.array([t.lon for t in everyone])[None, :]
    radius = np.array([np.nan if t.radius_km is None else t.radius_km for t in everyone])[None, :]
    area = _haversine_pairs_km(r_lat, r_lon, b_lat, b_lon) <= radius
    skill = np.zeros_like(area)
    for k, t in enumerate(everyone):
        skill[:, k] = [req.product_line in t.skills for req in requests]
        if t.regions:
            area[:, k] |= [(req.city in t.regions) or (req.district in t.regions) for req in requests]
    working_ids = {id(t) for t in working}
    works = np.array([id(t) in working_ids for t in everyone])
    qualified = skill & area
    eligible = qualified[:, works]
    reasons = {}
    for r, req in enumerate(requests):
        if not skill[r].any():
            reasons[r] = reason_no_skill(req.product_line)
        elif not qualified[r].any():
            reasons[r] = reason_out_of_area()
        elif not eligible[r].any():
            reasons[r] = reason_not_working(day)
    return eligible, reasons


def _greedy_routes(model: DayModel) -> dict[int, list[int]]:
    """Most urgent first; nearest qualified technician (by base) with a window in the promise, else
    the nearest with any window. Returns stop sequences, bookings included, by window start."""
    stops = {k: [(s, loc) for s, _, loc in model.booked[k]] for k in range(len(model.techs))}
    for r in sorted(range(len(model.requests)), key=lambda r: (model.sla[r], r)):
        loc = model.request_loc(r)
        techs = np.flatnonzero(model.eligible[r])
        techs = techs[np.argsort(model.dist_m[techs, loc], kind="stable")]
        for latest in (model.sla[r], None):
            choice = next(((int(k), fit[0]) for k in techs
                           if (fit := next(_fits(model, int(k), loc, stops[int(k)], latest), None))), None)
            if choice:
                insort(stops[choice[0]], (choice[1], loc))
                break
    return {k: [loc for _, loc in seq] for k, seq in stops.items()}


def _fits(model: DayModel, k: int, loc: int, stops: list[tuple[int, int]], latest):
    """Every free window (starting no later than `latest`) where the visit fits between the
    technician's stops, which are (start, location) in time order: yields (start, previous
    location, next location), the base standing in for a missing neighbour."""
    serv, trav = model.service_s, model.travel_s
    for s in model.windows[k]:
        if latest is not None and s > latest:
            return
        if s + serv[loc] > model.work_end[k] or _window_taken(model, k, s, stops):
            continue
        n = bisect_left(stops, (s, -1))
        if n and stops[n - 1][0] + serv[stops[n - 1][1]] + trav[stops[n - 1][1], loc] > s:
            continue
        if n < len(stops) and s + serv[loc] + trav[loc, stops[n][1]] > stops[n][0]:
            continue
        yield s, stops[n - 1][1] if n else k, stops[n][1] if n < len(stops) else k


def _window_taken(model: DayModel, k: int, s: int, stops: list[tuple[int, int]]) -> bool:
    """Whether the window starting at s overlaps a booked window or another planned visit's."""
    W = model.window_s
    ends = {loc: e for _, e, loc in model.booked[k]}
    return any(t < s + W and s < ends.get(loc, t + W) for t, loc in stops)


def _schedule(model: DayModel, k: int, sequence: list[int]) -> list[tuple[int, int]]:
    """(location, start) for a technician's stops in the given order: bookings at their windows, each
    new visit at the earliest window that fits (see plan_from_routes); misfits are left out."""
    serv, trav = model.service_s, model.travel_s
    booked = {loc: s for s, _, loc in model.booked[k]}
    taken = [(s, loc) for loc, s in booked.items()]
    out: list[tuple[int, int]] = []
    for n, loc in enumerate(sequence):
        if loc in booked:
            out.append((loc, booked[loc]))
            continue
        earliest = out[-1][1] + serv[out[-1][0]] + trav[out[-1][0], loc] if out else -1
        nxt = next((b for b in sequence[n + 1:] if b in booked), None)
        for s in model.windows[k]:
            if s < earliest or _window_taken(model, k, s, taken):
                continue
            # Later windows only end later, so the first free one decides.
            if s + serv[loc] <= model.work_end[k] and (
                    nxt is None or s + serv[loc] + trav[loc, nxt] <= booked[nxt]):
                out.append((loc, s))
                taken.append((s, loc))
            break
    return out


def _pyvrp_data(model: DayModel) -> tuple[pyvrp.ProblemData, list[tuple[int, bool]]]:
    """The PyVRP instance (see the module docstring) and, per client, (location, is the on-time copy)."""
    n_t, n_r, W = len(model.techs), len(model.requests), model.window_s
    serv = model.service_s
    # Travel "time" from a stop: the whole windows its service plus the drive take, less the one
    # window that is its service duration; to the base only the overrun past the window counts.
    duration = -(-(serv[:, None] + model.travel_s) // W) * W - W
    duration[:n_t, :] = 0
    duration[:, :n_t] = np.maximum(0, serv - W)[:, None]
    duration[:n_t, :n_t] = 0
    np.fill_diagonal(duration, 0)
    for bookings in model.booked:  # bookings agreed earlier never conflict with each other here
        for (s1, _, a), (s2, _, b) in zip(bookings, bookings[1:]):
            duration[a, b] = min(duration[a, b], max(0, s2 - s1 - W))

    allowed = np.zeros((n_t, len(serv)), bool)
    allowed[:, :n_t] = True
    allowed[:, n_t:n_t + n_r] = model.eligible.T
    for k, bookings in enumerate(model.booked):
        allowed[k, [loc for _, _, loc in bookings]] = True
    profiles: dict[bytes, int] = {}
    profile_of = [profiles.setdefault(allowed[k].tobytes(), len(profiles)) for k in range(n_t)]
    # int32 on the Python side (PyVRP converts): half the transient memory of one matrix per profile.
    dist32, distances = model.dist_m.astype(np.int32), []
    for mask in profiles:
        ok = np.frombuffer(mask, dtype=bool)
        d = np.where(ok[:, None] & ok[None, :], dist32, np.int32(FORBIDDEN))
        np.fill_diagonal(d, 0)
        distances.append(d)

    clients, groups, meta = [], [], []
    for r in np.flatnonzero(model.eligible.any(axis=1)):
        loc, due = model.request_loc(int(r)), int(model.sla[r])
        # Windows start on slot boundaries, so the last one in the promise starts by the slot boundary
        # before it; a deadline on that boundary keeps time-warp steps whole slots, which PyVRP's
        # bounded penalty can always outweigh the promise's prize with.
        due -= (model.origin + due) % (model.settings.slot_minutes * 60)
        techs = np.flatnonzero(model.eligible[r])
        if min(model.windows[k][0] for k in techs) <= due < max(model.work_end[k] for k in techs):
            groups.append(pyvrp.ClientGroup([len(clients), len(clients) + 1], required=False))
            clients.append(pyvrp.Client(location=loc, service_duration=W, tw_late=due, prize=PRIZE_ON_TIME,
                                        required=False, group=len(groups) - 1))
            clients.append(pyvrp.Client(location=loc, service_duration=W, prize=PRIZE_LATE, required=False,
                                        group=len(groups) - 1))
            meta += [(loc, True), (loc, False)]
        else:  # due after the day (always on time) or before its first window (never)
            clients.append(pyvrp.Client(location=loc, service_duration=W, prize=PRIZE_LATE, required=False))
            meta.append((loc, due >= max(model.work_end[k] for k in techs)))
    vehicles = []
    for k, tech in enumerate(model.techs):
        first, last = model.windows[k][0], model.work_end[k]
        for s, _, loc in model.booked[k]:
            clients.append(pyvrp.Client(location=loc, service_duration=W, tw_early=s, tw_late=s))
            meta.append((loc, True))
            first, last = min(first, s), max(last, s + max(W, int(serv[loc])))
        vehicles.append(pyvrp.VehicleType(num_available=1, start_depot=k, end_depot=k, tw_early=first,
                                          tw_late=last, profile=profile_of[k], name=str(tech.id)))
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(x=float(x), y=float(y)) for x, y in zip(model.lon, model.lat)],
        clients=clients, depots=[pyvrp.Depot(location=k) for k in range(n_t)], vehicle_types=vehicles,
        distance_matrices=distances, duration_matrices=[duration] * len(distances), groups=groups)
    return data, meta


def _pyvrp_solution(model: DayModel, data: pyvrp.ProblemData, meta: list[tuple[int, bool]],
                    routes: dict[int, list[int]]) -> pyvrp.Solution:
    """Routes (e.g. the greedy plan) as a PyVRP solution, each visit as its on-time copy when its
    earliest schedule keeps the promise."""
    index = {m: c for c, m in enumerate(meta)}
    out = []
    for k, sequence in routes.items():
        visits = []
        for loc, start in _schedule(model, k, sequence):
            on_time = not model.is_request(loc) or start <= model.sla[loc - len(model.techs)]
            visits.append(index.get((loc, on_time), index.get((loc, not on_time))))
        if visits:
            out.append(pyvrp.Route(data, visits, k))
    return pyvrp.Solution(data, out)
