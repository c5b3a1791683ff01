"""Latency of suggest() with a busy fleet, and its agreement with the brute-force reference.

    /tmp/venv/bin/python bench/bench_suggest.py [--techs 500] [--requests 1000] [--seed 11]

Target (bench/README.md): p99 < 50 ms with 500 technicians each holding a full day of appointments,
and suggest()[0] equal to exhaustive_best() for every request. Figures are printed, nothing asserted.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, time as dtime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fieldservice.scheduling.rules import (  # noqa: E402  (after the path fix-up above)
    Booking,
    RequestFacts,
    SchedulingSettings,
    TechnicianFacts,
    day_windows,
    exhaustive_best,
    suggest,
)

TZ = ZoneInfo("Asia/Shanghai")
TODAY = datetime(2026, 11, 23).date()  # a Monday
LINES = ("tv", "aircon", "fridge", "washer")
KINDS = ("repair", "maintenance", "install")


def make_fleet(n: int, rng: np.random.Generator, settings: SchedulingSettings) -> list[TechnicianFacts]:
    """Technicians over greater Shanghai: today fully booked, tomorrow about half, the day after a
    third; 2-3 of 4 product lines; 25-40 km radius; a fifth on 09:00-18:00; Sundays off."""
    fleet = []
    for i in range(n):
        lat, lon = rng.uniform(30.78, 31.42), rng.uniform(121.0, 121.8)
        start, end = (dtime(9), dtime(18)) if rng.random() < 0.2 else (dtime(8), dtime(20))
        bookings = []
        for offset, share in ((0, 1.0), (1, 0.5), (2, 0.3)):
            day = TODAY + timedelta(days=offset)
            for w in day_windows(day, TZ, start, end, settings.window_minutes):
                if rng.random() < share:
                    bookings.append(Booking(w.start, w.end, lat + rng.normal(0, 0.1), lon + rng.normal(0, 0.1),
                                            service_minutes=int(rng.choice([60, 90, 120]))))
        fleet.append(TechnicianFacts(
            id=i + 1, name=f"技术员{i + 1:03d}", phone=f"139{i:08d}", lat=lat, lon=lon,
            skills=frozenset(rng.choice(LINES, int(rng.integers(2, 4)), replace=False).tolist()),
            radius_km=float(rng.uniform(25, 40)), working_days=frozenset(range(1, 7)),
            work_start=start, work_end=end, bookings=tuple(bookings)))
    return fleet


def make_requests(n: int, rng: np.random.Generator) -> list[tuple[RequestFacts, datetime]]:
    """Requests logged at random moments of today's office hours, each due 24 hours later."""
    out = []
    for r in range(n):
        now = datetime.combine(TODAY, dtime(8), tzinfo=TZ) + timedelta(seconds=int(rng.integers(0, 12 * 3600)))
        out.append((RequestFacts(
            lat=rng.uniform(30.7, 31.5), lon=rng.uniform(120.9, 121.9), product_line=str(rng.choice(LINES)),
            kind=str(rng.choice(KINDS, p=(0.6, 0.25, 0.15))), reported_at=now,
            sla_due_at=now + timedelta(hours=24), id=r + 1), now))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--techs", type=int, default=500)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    settings = SchedulingSettings(tz=TZ)
    fleet = make_fleet(args.techs, rng, settings)
    requests = make_requests(args.requests, rng)
    suggest(requests[0][0], fleet, requests[0][1], settings)  # warm the window caches

    # Wall time is what a user waits; CPU time is the same work without the waits a shared machine adds.
    fast, fast_cpu, slow, same, in_promise, empty = [], [], [], 0, 0, 0
    for request, now in requests:
        t0, c0 = time.perf_counter(), time.process_time()
        top = suggest(request, fleet, now, settings)
        t1, c1 = time.perf_counter(), time.process_time()
        best = exhaustive_best(request, fleet, now, settings)
        t2 = time.perf_counter()
        fast.append((t1 - t0) * 1000)
        fast_cpu.append((c1 - c0) * 1000)
        slow.append((t2 - t1) * 1000)
        first = top[0] if top else None
        same += (first is None and best is None) or (
            first is not None and best is not None
            and (first.technician_id, first.window_start) == (best.technician_id, best.window_start))
        in_promise += bool(first and first.meets_promise)
        empty += first is None

    bookings = sum(len(t.bookings) for t in fleet)
    print(f"{args.techs} technicians, {bookings} bookings over three days; {args.requests} requests")
    for label, times in (("suggest()", fast), ("  CPU time", fast_cpu), ("exhaustive_best()", slow)):
        p50, p95, p99 = np.percentile(times, [50, 95, 99])
        print(f"  {label:<18} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   p99 {p99:7.2f} ms   max {max(times):7.2f} ms")
    print(f"  suggest()[0] == exhaustive_best(): {same}/{len(requests)} ({same / len(requests):.1%})")
    print(f"  top suggestion within the promise: {in_promise}; no suggestion (partner): {empty}")


if __name__ == "__main__":
    main()
