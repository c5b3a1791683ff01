"""Latency of the DB-backed suggestion service (load facts + rank) with a busy fleet in SQLite.

    /tmp/venv/bin/python bench/bench_suggest_service.py [--techs 500] [--calls 300] [--seed 5]

Seeds a temporary SQLite database with 500 technicians over greater Shanghai, each holding a full day
of appointments today (every window, with its slot rows) and about half of tomorrow, then times
scheduling.services.suggestions_for_request() for requests logged during today's office hours, each
call with a fresh session as a web request would have. Prints p50/p95/p99 of the whole call (wall
clock, and CPU time of this process, which other load on the machine does not inflate), of loading
the facts and of the ranking, and checks the first suggestion against the brute-force reference.
Target: p99 < 50 ms. Figures are printed, nothing asserted.
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, time as dtime, timedelta, timezone
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fieldservice import create_app  # noqa: E402  (after the path fix-up above)
from fieldservice.extensions import db  # noqa: E402
from fieldservice.models import (Appointment, AppointmentSlot, Customer, ProductModel, ServiceRequest,  # noqa: E402
                                 Technician, Unit, User)
from fieldservice.scheduling import rules, services  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc
TODAY = datetime(2026, 11, 23).date()  # a Monday
LINES = ("tv", "aircon", "fridge", "washer")
KINDS = ("repair", "maintenance", "install")
# One hash for every seeded user: hashing 500 passwords would only slow the set-up.
PASSWORD_HASH = "scrypt:32768:8:1$bench$0"


def seed(n_techs: int, n_requests: int, rng: np.random.Generator) -> list[tuple[int, datetime]]:
    """Technicians, their appointments (today full, tomorrow about half) and new requests; returns
    (request id, time it was logged) for the requests to suggest for."""
    settings = services.scheduling_settings()
    models = {}
    for line in LINES:
        models[line] = db.session.execute(insert(ProductModel).returning(ProductModel.id),
                                          [{"code": f"M-{line}", "name": line, "product_line": line}]).scalar_one()
    db.session.execute(insert(User), [
        {"id": i + 1, "username": f"tech{i:03d}", "display_name": f"技术员{i + 1:03d}", "role": "technician",
         "password_hash": PASSWORD_HASH, "session_version": 1, "active": True} for i in range(n_techs)])
    techs = []
    for i in range(n_techs):
        lat, lon = rng.uniform(30.78, 31.42), rng.uniform(121.0, 121.8)
        techs.append({"id": i + 1, "user_id": i + 1, "phone": f"139{i:08d}", "base_lat": lat, "base_lon": lon,
                      "skills": rng.choice(LINES, int(rng.integers(2, 4)), replace=False).tolist(),
                      "area_radius_km": float(rng.uniform(25, 40)), "regions": [], "work_start": dtime(8),
                      "work_end": dtime(20), "working_days": "1234567", "active": True})
    db.session.execute(insert(Technician), techs)

    customers, units, requests, appointments, slots = [], [], [], [], []

    def add_customer(lat, lon):
        cid = len(customers) + 1
        customers.append({"id": cid, "name": f"客户{cid}", "phone": f"138{cid:08d}", "address": "上海市",
                          "city": "上海市", "lat": lat, "lon": lon, "coord_source": "gps", "customer_type": "consumer",
                          "locale": "zh_CN"})
        line = LINES[cid % len(LINES)]
        units.append({"id": cid, "serial": f"SN{cid:09d}", "model_id": models[line], "customer_id": cid})
        return cid

    def add_request(cid, reported, status):
        rid = len(requests) + 1
        requests.append({"id": rid, "number": f"SR-{TODAY:%Y%m%d}-{rid:05d}", "customer_id": cid, "unit_id": cid,
                         "channel": "phone", "kind": str(rng.choice(KINDS)), "fault_description": "不制冷",
                         "reported_at": reported, "sla_due_at": reported + timedelta(hours=24), "status": status})
        return rid

    for tech in techs:
        for offset, share in ((0, 1.0), (1, 0.5)):
            day = TODAY + timedelta(days=offset)
            for window in rules.day_windows(day, TZ, tech["work_start"], tech["work_end"], settings.window_minutes):
                if rng.random() >= share:
                    continue
                cid = add_customer(tech["base_lat"] + rng.normal(0, 0.1), tech["base_lon"] + rng.normal(0, 0.1))
                rid = add_request(cid, window.start - timedelta(hours=12), "scheduled")
                aid = len(appointments) + 1
                appointments.append({"id": aid, "request_id": rid, "technician_id": tech["id"],
                                     "window_start": window.start, "window_end": window.end, "status": "booked"})
                slots.extend({"appointment_id": aid, "technician_id": tech["id"], "slot_start": s}
                             for s in rules.slot_starts(window.start, window.end))
    wanted = []
    for _ in range(n_requests):
        reported = datetime.combine(TODAY, dtime(8), tzinfo=TZ) + timedelta(minutes=int(rng.integers(0, 12 * 60)))
        cid = add_customer(rng.uniform(30.85, 31.35), rng.uniform(121.1, 121.7))
        wanted.append((add_request(cid, reported.astimezone(UTC), "new"), reported.astimezone(UTC)))
    for model, rows in ((Customer, customers), (Unit, units), (ServiceRequest, requests), (Appointment, appointments),
                        (AppointmentSlot, slots)):
        db.session.execute(insert(model), rows)
    db.session.commit()
    print(f"seeded {n_techs} technicians, {len(appointments)} appointments ({len(slots)} slot rows), "
          f"{n_requests} new requests")
    return wanted


def percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)

    def pick(q: float) -> float:
        return ms[min(len(ms) - 1, int(q * len(ms)))]

    return f"p50 {pick(.5):6.2f} ms   p95 {pick(.95):6.2f} ms   p99 {pick(.99):6.2f} ms   max {ms[-1]:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--techs", type=int, default=500)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "bench"})
        with app.app_context():
            db.create_all()
            wanted = seed(args.techs, args.calls, rng)
            total, cpu, loading, ranking, agree = [], [], [], [], 0
            real_suggest = rules.suggest

            def timed_suggest(*a, **kw):
                started = time.perf_counter()
                result = real_suggest(*a, **kw)
                ranking.append(time.perf_counter() - started)
                return result

            for request_id, logged in wanted[:5]:  # warm up: compiled statements, parsed columns
                services.suggestions_for_request(request_id, now=logged)
            # The seeded rows are long-lived, as a server's start-up objects are: keep them out of
            # the garbage collector's full passes (gc.freeze, what a pre-fork server does after loading).
            gc.collect()
            gc.freeze()
            firsts = {}
            for request_id, logged in wanted:
                db.session.remove()  # a fresh session, as each web request has
                with mock.patch.object(rules, "suggest", timed_suggest):
                    started, started_cpu = time.perf_counter(), time.process_time()
                    suggestions = services.suggestions_for_request(request_id, now=logged)
                    total.append(time.perf_counter() - started)
                    cpu.append(time.process_time() - started_cpu)
                loading.append(total[-1] - ranking[-1])
                firsts[request_id] = suggestions[0] if suggestions else None
            # The reference, after the timing: brute force over every technician, qualified or not.
            settings = services.scheduling_settings()
            for request_id, logged in wanted:
                since, until = services._horizon(logged, settings)
                facts = services.request_facts(db.session.get(ServiceRequest, request_id))
                fleet = services.technician_facts(since=since, until=until, settings=settings)
                best, first = rules.exhaustive_best(facts, fleet, logged, settings), firsts[request_id]
                agree += (best is None and first is None) or (
                    best is not None and first is not None
                    and (best.technician_id, best.window_start) == (first.technician_id, first.window_start))
            print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            print(f"suggestions_for_request   wall {percentiles(total)}   (target p99 < 50 ms)")
            print(f"                           CPU {percentiles(cpu)}")
            print(f"  loading facts (2 SQL)   wall {percentiles(loading)}")
            print(f"  ranking (rules.suggest) wall {percentiles(ranking)}")
            print(f"first suggestion equals the exhaustive search: {agree}/{len(wanted)}")
            print(f"mean {statistics.mean(total) * 1000:.2f} ms over {len(total)} calls")


if __name__ == "__main__":
    main()
