"""A large installed base for benchmarks: a million units in minutes.

Rows go in by bulk INSERT in chunks, each chunk its own transaction (progress survives an interrupt, memory
stays flat). Nothing is geocoded per row: customers are placed at precomputed district points. Purchase dates
are spread evenly over four years, so about 1/48 of the units leave their 12-month warranty each month.
Scale serials start with "Z" (demo and real serials do not), which makes the run resumable: asking for N
units creates only those missing.
"""
from __future__ import annotations

import random
import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Table, func, select, text

from ..audit.services import record
from ..catalog.models import ProductModel
from ..customers.models import Customer, CustomerType, SaleType, Unit
from ..database import utcnow, write_transaction
from ..extensions import db
from ..geo import geocode
from ..i18n import local_today
from . import data
from .load import company_name, person_name

SERIAL_PREFIX = "Z"
CHUNK = 10_000
CUSTOMERS_PER_UNIT = 0.6
DAYS = 4 * 365 + 1


@dataclass(frozen=True)
class Place:
    prefix: str
    streets: tuple[str, ...]
    province: str
    city: str
    district: str | None
    lat: float
    lon: float
    coord_source: str


def district_points() -> tuple[list[Place], list[int]]:
    places, weights = [], []
    for prefix, streets, weight in data.DISTRICTS:
        hit = geocode(prefix)
        places.append(Place(prefix, streets, hit.province, hit.city, hit.district, hit.lat, hit.lon,
                            hit.coord_source))
        weights.append(weight)
    return places, weights


def existing_scale_units() -> int:
    return db.session.scalar(select(func.count()).select_from(Unit).where(
        Unit.serial.like(f"{SERIAL_PREFIX}%"))) or 0


def generate_installed_base(units: int, *, seed: int, chunk: int = CHUNK,
                            progress: Callable[[str], None] = print) -> int:
    """Bring the scale units up to `units`; returns how many were created."""
    models = db.session.scalars(select(ProductModel).order_by(ProductModel.id)).all()
    if not models:
        raise RuntimeError("no product models: load the demo catalogue first")
    prefixes = {code: prefix for code, _n, _l, _a, prefix in data.PRODUCT_MODELS}
    serial_codes = [SERIAL_PREFIX + prefixes.get(m.code, "XX00") for m in models]
    places, weights = district_points()
    today = local_today()
    done = existing_scale_units()
    wanted = units - done
    if wanted <= 0:
        progress(f"{done:,} scale units already present: nothing to do")
        return 0
    started = clock.perf_counter()
    progress(f"creating {wanted:,} units ({done:,} present)")
    created = 0
    while created < wanted:
        size = min(chunk, wanted - created)
        # A chunk's randomness depends only on its position: a resumed run continues the same data set.
        rng = random.Random(f"{seed}:scale:{done + created}")
        with write_transaction():
            _insert_chunk(rng, done + created, size, models, serial_codes, places, weights, today)
        created += size
        elapsed = clock.perf_counter() - started
        progress(f"  {done + created:,} / {units:,} units  {elapsed:6.1f} s  ({created / elapsed:,.0f} units/s)")
    with write_transaction():
        record("demo_scale_generated", object_type="demo", units=created, total=units)
    progress(f"created {created:,} units in {clock.perf_counter() - started:.1f} s")
    return created


CUSTOMER_COLUMNS = ("id", "name", "phone", "address", "province", "city", "district", "lat", "lon", "coord_source",
                    "customer_type", "contract_warranty_months", "contract_accessory_months", "locale", "created_at")
UNIT_COLUMNS = ("serial", "model_id", "customer_id", "purchase_date", "invoice_no", "sale_type", "purchase_channel",
                "created_at")


def _insert_chunk(rng, first_seq, size, models, serial_codes, places, weights, today) -> None:
    now = utcnow()
    customer_ids = _reserve_ids(Customer.__table__, max(1, round(size * CUSTOMERS_PER_UNIT)))
    customers = []
    for customer_id, place in zip(customer_ids, rng.choices(places, weights, k=len(customer_ids))):
        contract = rng.random() < 0.05
        customers.append((
            customer_id, company_name(rng) if contract else person_name(rng),
            rng.choice(data.MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}",
            f"{place.prefix}{rng.choice(place.streets)}{rng.randint(1, 1999)}号",
            place.province, place.city, place.district, place.lat, place.lon, place.coord_source,
            CustomerType.CONTRACT.value if contract else CustomerType.CONSUMER.value,
            rng.choice((18, 24, 36)) if contract else None, None, "zh_CN", now))
    _bulk_insert(Customer.__table__, CUSTOMER_COLUMNS, customers)
    # Every customer has a unit, the rest go to random customers of the chunk.
    owners = customer_ids + rng.choices(customer_ids, k=size - len(customer_ids))
    units = []
    n_models = len(models)
    for i, owner in enumerate(owners):
        m = rng.randrange(n_models)
        r = rng.random()
        units.append((
            f"{serial_codes[m]}{first_seq + i + 1:09d}", models[m].id, owner,
            None if r < 0.02 else today - timedelta(days=rng.randrange(DAYS)),
            None if r < 0.08 else f"{rng.randrange(10 ** 8):08d}",
            SaleType.CLEARANCE.value if 0.08 <= r < 0.11 else SaleType.NORMAL.value,
            rng.choice(data.PURCHASE_CHANNELS), now))
    _bulk_insert(Unit.__table__, UNIT_COLUMNS, units)


def _reserve_ids(table: Table, n: int) -> list[int]:
    """Primary keys for n new rows, so units can name their customers without a RETURNING round trip."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        return list(connection.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
            {"table": table.name, "n": n}).scalars())
    # SQLite: the write transaction holds the database lock, so nobody else takes these ids meanwhile.
    last = connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(last + 1, last + n + 1))


def _bulk_insert(table: Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """COPY on PostgreSQL (about ten times faster than batched INSERTs), executemany on SQLite."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        connection.execute(table.insert(), [dict(zip(columns, row)) for row in rows])
