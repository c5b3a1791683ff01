"""The warranty-expiry list at scale: HTML first page, CSV stream, whole-month PDF, beside the floor.

    /tmp/venv/bin/python bench/bench_warranty_expiry.py --database-url URL [--units 1000000]
                         [--start 2026-12-01 --end 2026-12-31] [--repeat 5]

The database gets the demo data and `--units` installed units (fieldservice.demo.scale: resumable, so a
second run only measures). On PostgreSQL the URL may carry `?options=-csearch_path%3Dbench`: the tables
then live in their own schema, untouched by test runs that empty the public one.

Each measurement runs in a fresh process, so its peak memory (ru_maxrss) is its own; the process's
baseline (Python, the app, reportlab and the CJK font, before the request) is printed beside it.
tracemalloc slows Python down several times, so it runs separately, only for the PDF's allocations.
The floor: the list's SQL alone (the same statements, plain rows, no formatting), and a bare reportlab
loop drawing the same number of rows with one drawString per cell. Times are wall clock; the PDF also
shows its process CPU time, which is what a busy machine does not inflate.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGETS = {"html": 0.5, "pdf": 3.0, "pdf_mb": 200}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_app(url: str):
    from fieldservice import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})


def prepare(url: str, units: int) -> None:
    from sqlalchemy import text

    from fieldservice.demo.load import load_demo
    from fieldservice.demo.scale import generate_installed_base
    from fieldservice.extensions import db

    app = make_app(url)
    with app.app_context():
        if db.engine.dialect.name == "postgresql" and "search_path" in url:
            schema = url.split("search_path%3D", 1)[1].split("&", 1)[0]
            with db.engine.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        db.create_all()
        load_demo()
        generate_installed_base(units, seed=2026, progress=lambda line: print(line, flush=True))
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("ANALYZE"))


def logged_in_client(app):
    client = app.test_client()
    response = client.post("/login", data={"username": "manager", "password": "demo"})
    assert response.status_code == 302, response.status_code
    return client


def query_string(args) -> str:
    return f"start={args.start}&end={args.end}"


def task_html(args) -> dict:
    app = make_app(args.database_url)
    client = logged_in_client(app)
    baseline = rss_mb()
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        response = client.get(f"/reports/warranty-expiry?{query_string(args)}")
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    return {"first": times[0], "median": statistics.median(times), "best": min(times),
            "rows_on_page": page.count("data-unit="), "baseline_mb": baseline, "peak_mb": rss_mb()}


def task_csv(args) -> dict:
    app = make_app(args.database_url)
    client = logged_in_client(app)
    baseline = rss_mb()
    started = time.perf_counter()
    response = client.get(f"/reports/warranty-expiry.csv?{query_string(args)}")
    first_chunk = None
    size = lines = 0
    for chunk in response.response:
        if first_chunk is None:
            first_chunk = time.perf_counter() - started
        data = chunk.encode() if isinstance(chunk, str) else chunk
        size += len(data)
        lines += data.count(b"\n")
    return {"first_chunk": first_chunk, "total": time.perf_counter() - started, "rows": lines - 1,
            "mb": size / 1e6, "baseline_mb": baseline, "peak_mb": rss_mb()}


def task_pdf(args) -> dict:
    app = make_app(args.database_url)
    client = logged_in_client(app)
    from fieldservice.pdf_fonts import cjk_font_name

    cjk_font_name()  # registered once per process, before the clock (0.3 s parsing the font file)
    baseline = rss_mb()
    runs = []
    pdf = b""
    for _ in range(2):  # the first run may pay for database pages not in memory yet
        pdf = b""  # one PDF in memory at a time, as in a server
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(f"/reports/warranty-expiry.pdf?{query_string(args)}")
        runs.append((time.perf_counter() - started, time.process_time() - cpu))
        pdf = response.get_data()
        del response
        assert pdf.startswith(b"%PDF"), pdf[:100]
    if args.save_pdf:
        Path(args.save_pdf).write_bytes(pdf)
    return {"first": runs[0][0], "first_cpu": runs[0][1], "second": runs[1][0], "second_cpu": runs[1][1],
            "mb": len(pdf) / 1e6, "pages": len(re.findall(rb"/Type /Page\b", pdf)), "baseline_mb": baseline,
            "peak_mb": rss_mb()}


def task_pdf_alloc(args) -> dict:
    """The Python allocations of building the PDF (the rows stream from the database as they are drawn)."""
    import tracemalloc

    from flask_login import login_user
    from sqlalchemy import select

    from fieldservice.auth.models import User
    from fieldservice.extensions import db
    from fieldservice.i18n import fmt_date, local_today
    from fieldservice.pdf_fonts import cjk_font_name
    from fieldservice.reports.expiry import ExpiryQuery
    from fieldservice.reports.pdf import render_expiry_pdf
    from fieldservice.reports.views import _expiry_filters, _expiry_form, _pdf_text

    app = make_app(args.database_url)
    cjk_font_name()
    with app.test_request_context(f"/reports/warranty-expiry.pdf?{query_string(args)}"):
        login_user(db.session.scalar(select(User).where(User.username == "manager")))
        form = _expiry_form()
        assert form.validate(), form.errors
        query = ExpiryQuery(_expiry_filters(form))
        text = _pdf_text(form)
        tracemalloc.start()
        render_expiry_pdf(query.stream(local_today()), text, fmt_date)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {"python_peak_mb": peak / 1e6}


def task_floor_sql(args) -> dict:
    """The list's SQL alone: the count, the ordered keys through a server-side cursor and, per batch of
    2,000, the detail queries by primary key, as plain rows (no row objects, no formatting)."""
    from fieldservice.extensions import db
    from fieldservice.reports.expiry import ExpiryFilters, ExpiryQuery, _details

    app = make_app(args.database_url)
    with app.app_context():
        started = time.perf_counter()
        query = ExpiryQuery(ExpiryFilters(date.fromisoformat(args.start), date.fromisoformat(args.end)))
        count = query.count()
        count_time = time.perf_counter() - started
        times = []
        for _ in range(2):  # the first pass reads pages from disk; the second is what a warm server sees
            started = time.perf_counter()
            rows = 0
            for batch in db.session.execute(query._chosen().execution_options(yield_per=2000)).partitions():
                _details([key.unit_id for key in batch])
                rows += len(batch)
            times.append(time.perf_counter() - started)
            db.session.rollback()
        return {"count": count, "count_time": count_time, "cold": times[0], "warm": times[1], "rows": rows,
                "peak_mb": rss_mb()}


def task_floor_canvas(args) -> dict:
    """Reportlab at its plainest: the same number of rows, one drawString per cell, 30 rows a page."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    from fieldservice.pdf_fonts import cjk_font_name

    font = cjk_font_name()
    cells = ["1", "张伟", "138****8000", "上海市浦东新区张江路100号", "KFR-35GW", "Z000000001", "2025-12-02",
             "整机", "2026-12-01", "9", "0", ""]
    xs = [30 + 64 * i for i in range(len(cells))]
    started = time.perf_counter()
    canvas = Canvas(io.BytesIO(), pagesize=landscape(A4), pageCompression=1, initialFontName=font)
    canvas.setFont(font, 7.5)
    for n in range(args.rows):
        y = 540 - (n % 30) * 16
        for x, cell in zip(xs, cells):
            canvas.drawString(x, y, cell)
        if n % 30 == 29:
            canvas.showPage()
            canvas.setFont(font, 7.5)
    canvas.save()
    return {"total": time.perf_counter() - started, "rows": args.rows, "peak_mb": rss_mb()}


TASKS = {"html": task_html, "csv": task_csv, "pdf": task_pdf, "pdf_alloc": task_pdf_alloc,
         "floor_sql": task_floor_sql, "floor_canvas": task_floor_canvas}


def run_task(name: str, args, **extra) -> dict:
    """The task in a fresh interpreter; it prints one JSON line."""
    command = [sys.executable, __file__, "--task", name, "--database-url", args.database_url, "--start", args.start,
               "--end", args.end, "--repeat", str(args.repeat)]
    for key, value in extra.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    if args.save_pdf and name == "pdf":
        command += ["--save-pdf", args.save_pdf]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.exit(f"task {name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    from fieldservice.reports.rules import month_range

    next_month = month_range(date.today(), 1)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"), required=False)
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--start", default=next_month[0].isoformat())
    parser.add_argument("--end", default=next_month[1].isoformat())
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rows", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--task", choices=TASKS, help=argparse.SUPPRESS)
    parser.add_argument("--skip-prepare", action="store_true", help="Measure only; do not add units.")
    parser.add_argument("--save-pdf", help="Also write the month's PDF to this file.")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or BENCH_DATABASE_URL) is required")
    if args.task:
        print(json.dumps(TASKS[args.task](args)))
        return

    if not args.skip_prepare:
        prepare(args.database_url, args.units)
    print(f"\nwarranty-expiry list, coverage ending {args.start} to {args.end}, {args.units:,} units")
    sql = run_task("floor_sql", args)
    rows = sql["rows"]
    print(f"  floor  SQL alone: count {sql['count']:,} in {sql['count_time'] * 1000:.0f} ms; all {rows:,} rows "
          f"(keys by server-side cursor, details by key) in {sql['cold'] * 1000:.0f} ms, again "
          f"{sql['warm'] * 1000:.0f} ms")
    html = run_task("html", args)
    print(f"  HTML   first page ({html['rows_on_page']} rows): first request {html['first'] * 1000:.0f} ms, "
          f"median of {args.repeat} {html['median'] * 1000:.0f} ms, best {html['best'] * 1000:.0f} ms"
          f"   target <= {TARGETS['html'] * 1000:.0f} ms")
    csv = run_task("csv", args)
    print(f"  CSV    {csv['rows']:,} rows, {csv['mb']:.1f} MB: first chunk after {csv['first_chunk'] * 1000:.0f} ms, "
          f"all in {csv['total']:.2f} s; peak RSS {csv['peak_mb']:.0f} MB (process baseline "
          f"{csv['baseline_mb']:.0f} MB)")
    pdf = run_task("pdf", args)
    alloc = run_task("pdf_alloc", args)
    print(f"  PDF    {pdf['pages']} pages, {pdf['mb']:.1f} MB: {pdf['first']:.2f} s ({pdf['first_cpu']:.2f} s CPU), "
          f"again {pdf['second']:.2f} s ({pdf['second_cpu']:.2f} s CPU); peak RSS {pdf['peak_mb']:.0f} MB "
          f"(baseline {pdf['baseline_mb']:.0f} MB), Python allocations peak {alloc['python_peak_mb']:.0f} MB"
          f"   target <= {TARGETS['pdf']:.0f} s, <= {TARGETS['pdf_mb']} MB")
    canvas = run_task("floor_canvas", args, rows=rows)
    print(f"  floor  bare canvas loop, {rows:,} rows x 12 drawString: {canvas['total']:.2f} s")


if __name__ == "__main__":
    main()
