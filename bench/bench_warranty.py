"""Warranty check speed with a big installed base, on SQLite and PostgreSQL.

    /tmp/venv/bin/python bench/bench_warranty.py [--units 1000000] [--sqlite PATH|''] [--pg URL|'']
                                                 [--samples 3000] [--seconds 10] [--rounds 3] [--workers sync|gthread|all]
                                                 [--skip-http]

Targets (issue 3): with 1,000,000 units a warranty check by serial takes <= 1 ms at the 99th percentile in
the service layer (raw driver queries printed beside it as the floor), and the warranty page serves
>= 800 requests/s with p95 <= 15 ms under gunicorn with 2 workers and 8 concurrent clients. The page is
driven by wrk (Debian package) and measured in rounds beside bench/floor_app.py, a bare Flask page under
the same gunicorn settings, because this shared machine's speed changes by up to three times within minutes.

The databases are built once and reused: schema from the models, the demo data, then
`demo-data --scale` units (fieldservice/demo/scale.py). Figures are printed, nothing is asserted.
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import inspect, make_url, select  # noqa: E402

from fieldservice import create_app  # noqa: E402
from fieldservice.customers.models import Unit  # noqa: E402
from fieldservice.extensions import db  # noqa: E402

DEFAULT_SQLITE = "/tmp/fieldservice-bench.db"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:54329/fs_callcentre_bench"
AGENT, PASSWORD = "agent", "demo"  # a demo login (fieldservice/demo/data.py)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def figures(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (f"{label:<44} p50 {percentile(ms, 50):7.3f} ms   p95 {percentile(ms, 95):7.3f} ms   "
            f"p99 {percentile(ms, 99):7.3f} ms   (n={len(ms)})")


def bench_app(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})


def prepare(url: str, units: int):
    """The app on a database holding the demo data and at least `units` scale units."""
    if url.startswith("postgresql"):
        _ensure_pg_database(url)
    app = bench_app(url)
    with app.app_context():
        if not inspect(db.engine).has_table("unit"):
            db.create_all()
        # A database built before an index was added to the models gets it now.
        for table in db.metadata.sorted_tables:
            for index in table.indexes:
                index.create(db.engine, checkfirst=True)
        from fieldservice.demo.load import load_demo
        from fieldservice.demo.scale import generate_installed_base

        load_demo()
        generate_installed_base(units, seed=7, progress=lambda line: print("   ", line, flush=True))
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("ANALYZE")
        else:
            with db.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
    return app


def _ensure_pg_database(url: str) -> None:
    import psycopg

    target = make_url(url)
    name = target.database
    maintenance = target.set(drivername="postgresql", database="postgres")
    with psycopg.connect(maintenance.render_as_string(hide_password=False), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def sample_serials(app, n: int, seed: int = 11) -> list[str]:
    with app.app_context():
        last = db.session.scalar(select(Unit.id).order_by(Unit.id.desc()).limit(1))
        rng = random.Random(seed)
        ids = rng.sample(range(1, last + 1), min(n, last))
        serials = []
        for start in range(0, len(ids), 500):
            serials += db.session.scalars(select(Unit.serial).where(Unit.id.in_(ids[start:start + 500])))
        rng.shuffle(serials)
        return serials


# --- service layer ------------------------------------------------------------------------------

def bench_service(app, serials: list[str]) -> None:
    from fieldservice.warranty.services import check_serial

    with app.app_context():
        for serial in serials[:200]:  # warm the caches and the connection pool
            check_serial(serial)
            db.session.rollback()
        timings, cpu = [], 0.0
        for serial in serials:
            # As typed by an agent: lower case, spaces around.
            typed = f" {serial.lower()} "
            # A page has its connection and transaction already (the login's user was loaded with it):
            # the pool checkout, its ping and BEGIN are the request's cost, not the check's.
            db.session.execute(select(1))
            started, started_cpu = time.perf_counter(), time.process_time()
            check_serial(typed)
            timings.append(time.perf_counter() - started)
            cpu += time.process_time() - started_cpu
            db.session.rollback()
    print(figures("service layer check_serial()", timings))
    # Wall times on a busy 2-core machine include waiting for a core; this process's own CPU does not.
    print(f"{'':<44} mean CPU of this process {cpu / len(serials) * 1000:.3f} ms per check")


# The statements the service runs, written by hand: unit + model + customer, the unit's requests, the agreement.
UNIT_SQL = ("SELECT u.id, u.purchase_date, u.invoice_no, u.sale_type, m.unit_warranty_months, "
            "m.accessory_warranty_months, m.available, c.customer_type, c.contract_warranty_months "
            "FROM unit u JOIN product_model m ON m.id = u.model_id JOIN customer c ON c.id = u.customer_id "
            "WHERE u.serial = {p}")
REQUESTS_SQL = ("SELECT count(CASE WHEN status IN ('completed', 'closed') AND kind = 'repair' THEN 1 END), "
                "min(CASE WHEN status NOT IN ('completed', 'closed', 'cancelled') THEN reported_at END) "
                "FROM service_request WHERE unit_id = {p} GROUP BY unit_id")
AGREEMENT_SQL = ("SELECT a.end_date, a.contract_warranty_months FROM service_agreement a "
                 "JOIN agreement_unit au ON au.agreement_id = a.id WHERE au.unit_id = {p} AND a.status = 'active' "
                 "AND a.start_date <= {p} AND a.end_date >= {p} ORDER BY a.end_date DESC LIMIT 1")


def bench_raw(url: str, serials: list[str]) -> None:
    from datetime import date

    today = date.today()
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        placeholder = "?"
        run = connection.execute
    else:
        import psycopg

        connection = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
        placeholder = "%s"
        run = connection.execute
    unit_sql, requests_sql, agreement_sql = (sql.format(p=placeholder) for sql in (UNIT_SQL, REQUESTS_SQL,
                                                                                  AGREEMENT_SQL))
    timings = []
    for serial in serials[:200] + serials:
        started = time.perf_counter()
        unit_id = run(unit_sql, (serial,)).fetchone()[0]
        run(requests_sql, (unit_id,)).fetchall()
        run(agreement_sql, (unit_id, today, today)).fetchall()
        timings.append(time.perf_counter() - started)
    connection.close()
    driver = "sqlite3" if url.startswith("sqlite") else "psycopg"
    print(figures(f"raw {driver}, the same 3 queries (floor)", timings[200:]))


# --- the page under gunicorn --------------------------------------------------------------------

# wrk (Debian package "wrk") drives the load: a C client costs the 2-core machine little CPU, where a
# Python client took a third of it. Keep-alive only helps the threaded worker; the sync worker closes.
WORKERS = {
    "sync": ["--worker-class", "sync"],
    "gthread": ["--worker-class", "gthread", "--threads", "2", "--keep-alive", "30"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, port: int, worker: str, app_spec: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-secret", "FLASK_ENV": "production"}
    args = [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
            "--log-level", "warning", *WORKERS[worker], app_spec]
    process = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def log_in(port: int) -> str:
    """The session cookie of the demo agent, as a browser holds it after its first page."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    body = urlencode({"csrf_token": token[1], "username": AGENT, "password": PASSWORD})
    connection.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                "Cookie": cookie})
    response = connection.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"login failed: {response.status}")
    cookie = response.getheader("Set-Cookie").split(";")[0]
    # The first page stores the form token in the session; without the updated cookie every request
    # would write a new session cookie, which a browser does not cause.
    connection.request("GET", "/warranty", headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    return (response.getheader("Set-Cookie") or cookie).split(";")[0]


def run_wrk(port: int, cookie: str, serials_file: str, seconds: int) -> dict:
    env = {**os.environ, "COOKIE": cookie, "SERIALS": serials_file}
    output = subprocess.run(["wrk", "-t1", "-c8", f"-d{seconds}s", "-s", str(ROOT / "bench" / "wrk_warranty.lua"),
                             f"http://127.0.0.1:{port}"], env=env, capture_output=True, text=True,
                            check=True).stdout
    fields = dict(item.split("=") for item in re.search(r"RESULT (.*)", output)[1].split())
    return {"rps": int(fields["requests"]) / float(fields["seconds"]), "p50": float(fields["p50"]),
            "p95": float(fields["p95"]), "p99": float(fields["p99"]), "errors": int(fields["errors"])}


def measure(url: str, worker: str, app_spec: str, serials_file: str, seconds: int) -> dict:
    port = free_port()
    server = start_gunicorn(url, port, worker, app_spec)
    try:
        cookie = log_in(port) if app_spec == "wsgi:app" else "none=1"
        run_wrk(port, cookie, serials_file, 3)  # warm both workers
        return run_wrk(port, cookie, serials_file, seconds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


def bench_http(url: str, serials: list[str], seconds: int, rounds: int, workers: list[str]) -> None:
    if shutil.which("wrk") is None:
        print("    wrk is not installed (apt-get install wrk): page figures skipped")
        return
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(serials) + "\n")
    results: dict[tuple[str, str], list[dict]] = {}
    # Rounds alternate the page with the floor app, so a change in the machine's speed shows in both.
    for round_no in range(1, rounds + 1):
        for worker in workers:
            for label, app_spec in (("floor", "bench.floor_app:app"), ("page", "wsgi:app")):
                figures_ = measure(url, worker, app_spec, handle.name, seconds)
                results.setdefault((worker, label), []).append(figures_)
                print(f"    round {round_no} {worker:<8} {label:<6} {figures_['rps']:7.0f} requests/s   "
                      f"p50 {figures_['p50']:6.2f} ms   p95 {figures_['p95']:6.2f} ms   "
                      f"p99 {figures_['p99']:6.2f} ms   errors {figures_['errors']}", flush=True)
    os.unlink(handle.name)
    for (worker, label), runs in results.items():
        best = max(runs, key=lambda r: r["rps"])
        median_rps = sorted(r["rps"] for r in runs)[len(runs) // 2]
        print(f"GET /warranty ({label}), gunicorn 2 {worker} workers, 8 clients: best {best['rps']:.0f} requests/s "
              f"(p95 {best['p95']:.2f} ms), median {median_rps:.0f} requests/s over {len(runs)} rounds")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--sqlite", default=DEFAULT_SQLITE, help="SQLite file (created when missing; '' to skip)")
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL URL ('' to skip)")
    parser.add_argument("--samples", type=int, default=3000)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs per worker class")
    parser.add_argument("--workers", choices=[*WORKERS, "all"], default="all", help="gunicorn worker class(es)")
    parser.add_argument("--skip-http", action="store_true")
    options = parser.parse_args()
    targets = ([("SQLite", f"sqlite:///{options.sqlite}")] if options.sqlite else []) + (
        [("PostgreSQL", options.pg)] if options.pg else [])
    for name, url in targets:
        print(f"== {name}: preparing {options.units:,} units", flush=True)
        app = prepare(url, options.units)
        serials = sample_serials(app, options.samples)
        print(f"== {name}: warranty check by serial", flush=True)
        bench_service(app, serials)
        bench_raw(url, serials)
        if not options.skip_http:
            bench_http(url, serials, options.seconds, options.rounds,
                       list(WORKERS) if options.workers == "all" else [options.workers])
        with app.app_context():
            db.engine.dispose()
    print("targets: service p99 <= 1 ms; page >= 800 requests/s with p95 <= 15 ms")


if __name__ == "__main__":
    main()
