"""Customer search speed with a big installed base, on SQLite and PostgreSQL.

    /tmp/venv/bin/python bench/bench_search.py [--units 1000000] [--sqlite PATH] [--pg URL] [--samples 1000]

Target (issue 3): with 1,000,000 units, customer search by phone or serial answers in <= 20 ms at the 95th
percentile. Phones are typed the way callers read them out (+86 138 0013 8000, 0086…, full-width digits),
serials in lower case with spaces. Name prefixes and the last digits of a phone are printed too (no target).
Uses the databases bench_warranty.py builds. Figures are printed, nothing is asserted.
"""
from __future__ import annotations

import argparse
import random
import time

from sqlalchemy import select

from bench_warranty import DEFAULT_PG, DEFAULT_SQLITE, figures, prepare

from fieldservice.customers.models import Customer, Unit  # noqa: E402
from fieldservice.customers.services import search_customers  # noqa: E402
from fieldservice.extensions import db  # noqa: E402

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def sloppy_phone(phone: str, rng: random.Random) -> str:
    """The number as an agent might type it while the caller reads it out."""
    if len(phone) != 11:
        return phone
    grouped = f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    return rng.choice([f"+86 {grouped}", f"0086{phone}", f"{phone[:3]}-{phone[3:7]}-{phone[7:]}",
                       phone.translate(FULL_WIDTH), f" {grouped} "])


def samples(n: int, seed: int = 5):
    rng = random.Random(seed)
    last_customer = db.session.scalar(select(Customer.id).order_by(Customer.id.desc()).limit(1))
    last_unit = db.session.scalar(select(Unit.id).order_by(Unit.id.desc()).limit(1))
    customer_ids = rng.sample(range(1, last_customer + 1), n)
    unit_ids = rng.sample(range(1, last_unit + 1), n)
    phones, names = [], []
    for start in range(0, n, 500):
        for phone, name in db.session.execute(select(Customer.phone, Customer.name)
                                              .where(Customer.id.in_(customer_ids[start:start + 500]))):
            phones.append(phone)
            names.append(name)
    serials = []
    for start in range(0, n, 500):
        serials += db.session.scalars(select(Unit.serial).where(Unit.id.in_(unit_ids[start:start + 500])))
    return rng, phones, names, serials


def timed(queries: list[str]) -> list[float]:
    for query in queries[:50]:
        search_customers(query)
        db.session.rollback()
    timings = []
    for query in queries:
        started = time.perf_counter()
        hits = search_customers(query)
        timings.append(time.perf_counter() - started)
        assert hits or query.strip() == "", query
        db.session.rollback()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--sqlite", default=DEFAULT_SQLITE)
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL URL ('' to skip)")
    parser.add_argument("--samples", type=int, default=1000)
    options = parser.parse_args()
    targets = [("SQLite", f"sqlite:///{options.sqlite}")] + ([("PostgreSQL", options.pg)] if options.pg else [])
    for name, url in targets:
        print(f"== {name}: preparing {options.units:,} units", flush=True)
        app = prepare(url, options.units)
        with app.app_context():
            rng, phones, names, serials = samples(options.samples)
            print(f"== {name}: customer search", flush=True)
            print(figures("phone, typed sloppily", timed([sloppy_phone(p, rng) for p in phones])))
            print(figures("serial, lower case with spaces", timed([f" {s.lower()} " for s in serials])))
            print(figures("name (first two characters)", timed([n[:2] for n in names[:200]])))
            print(figures("last four digits of a phone", timed([p[-4:] for p in phones[:100]])))
            db.engine.dispose()
    print("target: phone or serial p95 <= 20 ms")


if __name__ == "__main__":
    main()
