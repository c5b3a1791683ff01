"""Database plumbing: SQLite pragmas, write transactions, UTC timestamps."""
from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

from .extensions import db

_immediate = contextvars.ContextVar("immediate_transaction", default=False)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite would hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC datetimes")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def configure_sqlite(engine: Engine) -> None:
    """WAL, busy timeout, foreign keys, and BEGIN IMMEDIATE for write transactions.

    pysqlite's own lazy BEGIN upgrades a read lock to a write lock late, which fails at once
    with "database is locked" when another writer got there first; we take over BEGIN instead.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Straight to the driver: through SQLAlchemy's execution path a BEGIN costs as much as a query.
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")


def configure_postgresql(engine: Engine) -> None:
    """A transaction that only read ends with COMMIT instead of ROLLBACK.

    psycopg forgets its prepared statements on every ROLLBACK (the transaction might have changed the
    schema), and every request that writes nothing ends with one: each page then had its queries
    planned anew, half a millisecond for the warranty check alone. Committing a transaction that ran
    nothing but SELECTs changes nothing either, and the prepared statements stay.
    """
    if engine.dialect.name != "postgresql":
        return
    from psycopg.pq import TransactionStatus

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.info["only_read"] = True

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection, _cursor, statement, _parameters, _context, _executemany):
        # Anything but a plain SELECT (DML, DDL, WITH, SET, CALL…) counts as a change.
        if connection.info.get("only_read") and not statement.startswith("SELECT "):
            connection.info["only_read"] = False

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection):
        driver_connection = connection.connection.driver_connection
        if (connection.info.pop("only_read", False)
                and driver_connection.info.transaction_status == TransactionStatus.INTRANS):
            # The driver's own rollback() that follows finds no transaction and sends nothing.
            driver_connection.commit()


_in_write = contextvars.ContextVar("in_write_transaction", default=False)


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run a service's reads and writes in one transaction that holds the write lock from its start.

    Ends any read transaction the request already opened (e.g. loading the current user) so the
    new one starts fresh; commits on success, rolls back on any error. Nested calls join the
    outer transaction, so a wrapper (idempotency) can commit its record with the service's changes.
    """
    if _in_write.get():
        yield
        return
    session = db.session()
    if session.in_transaction():
        session.commit()
    immediate = _immediate.set(True)
    in_write = _in_write.set(True)
    try:
        with session.begin():
            # Force the BEGIN now, while the flag is set.
            session.connection()
            _immediate.reset(immediate)
            immediate = None
            yield
    finally:
        if immediate is not None:
            _immediate.reset(immediate)
        _in_write.reset(in_write)


def enum_check(column: str, enum) -> str:
    """SQL for a CHECK constraint that keeps a string column within a StrEnum's values."""
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"
