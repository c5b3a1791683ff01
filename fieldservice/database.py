"""Database plumbing: SQLite pragmas, write transactions, UTC timestamps."""
from __future__ import annotations

import contextvars
import select
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
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


_LOCKING_CLAUSES = (" FOR UPDATE", " FOR NO KEY UPDATE", " FOR SHARE", " FOR KEY SHARE")


def configure_postgresql(engine: Engine) -> None:
    """Reads without BEGIN and COMMIT; a dead pooled connection replaced without a ping.

    The warranty page's queries cost less than the round trips around them: a ping on checkout, then BEGIN,
    and COMMIT at the end (ROLLBACK would also make psycopg forget its prepared statements). So outside
    write_transaction() a transaction starts in autocommit: each SELECT is its own statement, which under
    READ COMMITTED (PostgreSQL's default) sees exactly what it would have seen inside a transaction. The first
    statement that may change something (DML, DDL, SET, SAVEPOINT, SELECT … FOR UPDATE, a server-side cursor)
    turns the transaction into a real one, which BEGINs before it, so a write is never committed on its own.
    """
    if engine.dialect.name != "postgresql":
        return
    from psycopg import ServerCursor

    @event.listens_for(engine, "checkout")
    def _refuse_dead_connection(dbapi_connection, _record, _proxy):
        if _connection_is_dead(dbapi_connection):
            raise DisconnectionError("the pooled connection was closed by the server")  # the pool reconnects

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        driver_connection = connection.connection.driver_connection
        # Not when SQLAlchemy itself runs this connection in autocommit, nor under a stricter isolation level,
        # where separate statements would no longer share one snapshot.
        if (not _in_write.get() and not driver_connection.autocommit
                and engine.dialect.default_isolation_level == "READ COMMITTED"):
            driver_connection.autocommit = True
            connection.info["reading_in_autocommit"] = True

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection, cursor, statement, _parameters, _context, _executemany):
        if not connection.info.get("reading_in_autocommit"):
            return
        # A server-side cursor (yield_per) is declared, which PostgreSQL allows only inside a transaction.
        if (not statement.startswith("SELECT ") or isinstance(cursor, ServerCursor)
                or any(clause in statement for clause in _LOCKING_CLAUSES)):
            _end_autocommit(connection)

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection):
        if connection.info.get("reading_in_autocommit"):
            _end_autocommit(connection)


def _connection_is_dead(dbapi_connection) -> bool:
    if dbapi_connection.closed:
        return True
    # An idle connection has nothing to read unless the server ended it (restart, idle timeout, a terminated
    # backend): it then sent its goodbye and closed the socket. Cheaper than a ping's round trip.
    poller = select.poll()
    poller.register(dbapi_connection.pgconn.socket, select.POLLIN)
    return bool(poller.poll(0))


def _end_autocommit(connection) -> None:
    """Back to transactions: psycopg sends BEGIN before the next statement."""
    connection.info.pop("reading_in_autocommit")
    connection.connection.driver_connection.autocommit = False


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
