"""Plan tomorrow: the product's planner (PyVRP) beside the greedy dispatcher and OR-Tools.

    /tmp/venv/bin/python bench/bench_planner.py [--sizes 200x25,200x50,500x60,1000x120] [--seed 7]

Targets (bench/README.md): 200 requests planned in <= 10 s and 1000 in <= 60 s, each with at least
15 % less travel than greedy and every promise that can be kept, kept. OR-Tools (requirements-bench.txt)
is skipped when it is not installed. Figures are printed, nothing is asserted.
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections import Counter
from datetime import date, datetime, time as dtime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fieldservice.scheduling.planner import (  # noqa: E402  (after the path fix-up above)
    PRIZE_LATE,
    PRIZE_ON_TIME,
    DayModel,
    Plan,
    build_day_model,
    greedy_plan,
    insertion_routes,
    plan_day,
    plan_from_routes,
)
from fieldservice.scheduling.rules import (  # noqa: E402
    Booking,
    day_windows,
    RequestFacts,
    SchedulingSettings,
    TechnicianFacts,
)

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 24)  # a Tuesday
LINES = ("tv", "aircon", "fridge", "washer")
KINDS = ("repair", "maintenance", "install")
KIND_SHARE = (0.6, 0.25, 0.15)
# requests, technicians -> time limit in seconds (the targets' budgets less a margin). At 8 requests
# per technician the fleet is short of windows; 200 / 50 shows a day with room for every request.
SIZES = {(200, 25): 9.5, (200, 50): 9.5, (500, 60): 28.0, (1000, 120): 57.0}


def make_region(n_requests: int, n_techs: int, seed: int):
    """Greater Shanghai (lat 30.7-31.5, lon 120.9-121.9). Technicians: 2-3 of 4 product lines, a
    25-40 km radius, most on 08:00-20:00 and a fifth on 09:00-18:00, three in ten with one or two
    bookings tomorrow. Requests: reported today between 08:00 and 20:00, so due tomorrow at the same
    time; 60 % repairs, 25 % maintenance, 15 % installs."""
    rng = np.random.default_rng(seed)
    settings = SchedulingSettings(tz=TZ)
    techs = []
    for i in range(n_techs):
        lat, lon = rng.uniform(30.78, 31.42), rng.uniform(121.0, 121.8)
        short = rng.random() < 0.2
        start, end = (dtime(9), dtime(18)) if short else (dtime(8), dtime(20))
        n_windows = (end.hour - start.hour) // 2
        bookings = ()
        if rng.random() < 0.3:
            # One window, or two with a free one between (as suggest() would have allowed).
            first = int(rng.integers(0, n_windows))
            picks = [first] if rng.random() < 0.5 or first + 2 >= n_windows else [first, first + 2]
            bookings = tuple(
                Booking(start=(s := datetime.combine(DAY, start, tzinfo=TZ) + timedelta(hours=2 * int(w))),
                        end=s + timedelta(hours=2), lat=lat + rng.normal(0, 0.08), lon=lon + rng.normal(0, 0.08),
                        service_minutes=int(rng.choice([60, 90, 120])))
                for w in picks)
        techs.append(TechnicianFacts(
            id=i + 1, name=f"技术员{i + 1:03d}", phone=f"139{i:08d}", lat=lat, lon=lon,
            skills=frozenset(rng.choice(LINES, int(rng.integers(2, 4)), replace=False).tolist()),
            radius_km=float(rng.uniform(25, 40)), work_start=start, work_end=end, bookings=bookings))
    requests = []
    for r in range(n_requests):
        reported = datetime.combine(DAY - timedelta(days=1), dtime(8), tzinfo=TZ) + timedelta(
            minutes=int(rng.integers(0, 720)))
        requests.append(RequestFacts(
            lat=rng.uniform(30.7, 31.5), lon=rng.uniform(120.9, 121.9), product_line=str(rng.choice(LINES)),
            kind=str(rng.choice(KINDS, p=KIND_SHARE)), reported_at=reported,
            sla_due_at=reported + timedelta(hours=24), id=r + 1))
    return requests, techs, settings


def solve_ortools(model: DayModel, time_limit_s: float, warm: dict[int, list[int]], started: float) -> Plan:
    """The same day on OR-Tools' routing solver (guided local search), warm-started from the same
    promise-first insertion plan as PyVRP. The promise is a soft upper bound on the visit's start,
    priced so that a window late costs what a kept promise is worth in the PyVRP model; dropping a
    request costs its prize."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n_t, n_r, W = len(model.techs), len(model.requests), model.window_s
    serv = model.service_s
    n = len(serv)
    time_m = -(-(serv[:, None] + model.travel_s) // W) * W  # service plus drive, in whole windows
    time_m[:n_t, :] = 0
    time_m[:, :n_t] = np.maximum(W, serv)[:, None]
    time_m[:n_t, :n_t] = 0
    for bookings in model.booked:  # bookings agreed earlier never conflict with each other
        for (s1, _, a), (s2, _, b) in zip(bookings, bookings[1:]):
            time_m[a, b] = min(time_m[a, b], s2 - s1)
    manager = pywrapcp.RoutingIndexManager(n, n_t, list(range(n_t)), list(range(n_t)))
    routing = pywrapcp.RoutingModel(manager)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(model.dist_m.tolist()))
    horizon = 2 * 86400
    routing.AddDimension(routing.RegisterTransitMatrix(time_m.tolist()), horizon, horizon, False, "time")
    clock = routing.GetDimensionOrDie("time")
    for k in range(n_t):
        first = min([model.windows[k][0]] + [s for s, _, _ in model.booked[k]])
        clock.CumulVar(routing.Start(k)).SetRange(first, first)
        clock.CumulVar(routing.End(k)).SetMax(max([model.work_end[k]] + [
            s + max(W, int(serv[loc])) for s, _, loc in model.booked[k]]))
    for r in range(n_r):
        index = manager.NodeToIndex(model.request_loc(r))
        allowed = np.flatnonzero(model.eligible[r]).tolist()
        routing.VehicleVar(index).SetValues([-1] + allowed)
        if not allowed:
            routing.AddDisjunction([index], 0)
            continue
        # As in the PyVRP model: the promise only matters when it falls within the day's windows.
        in_day = (min(model.windows[k][0] for k in allowed) <= model.sla[r]
                  < max(model.work_end[k] for k in allowed))
        routing.AddDisjunction([index], PRIZE_ON_TIME if in_day else PRIZE_LATE)
        if in_day:
            clock.SetCumulVarSoftUpperBound(index, int(model.sla[r]), (PRIZE_ON_TIME - PRIZE_LATE) // W)
    for k, bookings in enumerate(model.booked):
        for s, _, loc in bookings:
            index = manager.NodeToIndex(loc)
            routing.VehicleVar(index).SetValues([k])
            clock.CumulVar(index).SetRange(s, s)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(max(0.1, time_limit_s - (time.perf_counter() - started)) * 1000))
    routing.CloseModelWithParameters(params)
    initial = routing.ReadAssignmentFromRoutes(
        [[manager.NodeToIndex(loc) for loc in warm.get(k, [])] for k in range(n_t)], True)
    solution = (routing.SolveFromAssignmentWithParameters(initial, params) if initial
                else routing.SolveWithParameters(params))
    routes = {}
    for k in range(n_t):
        index, seq = solution.Value(routing.NextVar(routing.Start(k))), []
        while not routing.IsEnd(index):
            seq.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        routes[k] = seq
    return plan_from_routes(model, routes, "ortools", time.perf_counter() - started)


def ortools_plan(requests, techs, settings, time_limit_s: float) -> Plan | None:
    if importlib.util.find_spec("ortools") is None:
        return None
    started = time.perf_counter()
    model = build_day_model(requests, techs, DAY, settings)
    return solve_ortools(model, time_limit_s, insertion_routes(model), started)


def insertion_plan(requests, techs, settings) -> Plan:
    """PyVRP's starting point on its own: how much the search adds."""
    started = time.perf_counter()
    model = build_day_model(requests, techs, DAY, settings)
    return plan_from_routes(model, insertion_routes(model), "insertion", time.perf_counter() - started)


def row(plan: Plan, greedy: Plan) -> str:
    visits = len(plan.visits)
    change = (plan.total_km / greedy.total_km - 1) * 100 if greedy.total_km else 0.0
    per_visit = plan.total_km / visits if visits else 0.0
    return (f"  {plan.solver:<9} {visits:>7} {plan.promises_kept:>7} {plan.promises_missed:>5} "
            f"{len(plan.unassigned):>10} {plan.total_km:>9.1f} {per_visit:>8.2f} {change:>+11.1f}% "
            f"{plan.seconds:>7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=",".join(f"{r}x{t}" for r, t in SIZES))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for size in args.sizes.split(","):
        n_r, n_t = (int(x) for x in size.split("x"))
        limit = SIZES.get((n_r, n_t), 10.0)
        requests, techs, settings = make_region(n_r, n_t, args.seed)
        capacity = sum(len(day_windows(DAY, TZ, t.work_start, t.work_end, settings.window_minutes))
                       - len(t.bookings) for t in techs)
        # A promise that can be kept is one the request alone could keep with the fleet's free windows.
        keepable = sum(greedy_plan([r], techs, DAY, settings).promises_kept for r in requests)
        print(f"\n{n_r} requests / {n_t} technicians: {capacity} free windows, {keepable} promises keepable "
              f"one by one; time limit {limit} s")
        print(f"  {'solver':<9} {'planned':>7} {'on time':>7} {'late':>5} {'unassigned':>10} {'km':>9} "
              f"{'km/visit':>8} {'km vs greedy':>12} {'seconds':>7}")
        greedy = greedy_plan(requests, techs, DAY, settings)
        plans = [greedy, insertion_plan(requests, techs, settings),
                 plan_day(requests, techs, DAY, settings, time_limit_s=limit, seed=args.seed)]
        if (other := ortools_plan(requests, techs, settings, limit)) is not None:
            plans.append(other)
        else:
            print("  (ortools not installed: skipped)")
        for plan in plans:
            print(row(plan, greedy))
        why = Counter(u.reason.code.value for u in plans[2].unassigned)
        print(f"  pyvrp unassigned by reason: {dict(why)}")


if __name__ == "__main__":
    main()
