"""How transactions behave: a rollback undoes every write. On PostgreSQL reads outside a write transaction run
without BEGIN and COMMIT, and anything that may change data turns the transaction into a real one first
(fieldservice.database.configure_postgresql)."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from fieldservice.catalog.models import ProductModel
from fieldservice.database import write_transaction
from fieldservice.customers.models import Customer
from tests import factories


def _model_name(db, model_id: int) -> str:
    db.session.rollback()
    return db.session.scalar(select(ProductModel.name).where(ProductModel.id == model_id))


def test_a_rollback_undoes_an_orm_write(db):
    model = factories.product_model(name="原名")
    model.name = "改名"
    db.session.flush()
    db.session.rollback()
    assert _model_name(db, model.id) == "原名"


@pytest.mark.parametrize("statement", [
    "UPDATE product_model SET name = 'changed' WHERE id = :id",
    "update product_model set name = 'changed' where id = :id",
    "WITH target AS (SELECT :id AS id) UPDATE product_model SET name = 'changed' WHERE id IN (SELECT id FROM target)",
])
def test_a_rollback_undoes_a_written_out_write_after_reads(db, statement):
    model = factories.product_model(name="原名")
    db.session.scalar(select(ProductModel.name).where(ProductModel.id == model.id))
    db.session.execute(text(statement), {"id": model.id})
    db.session.scalar(select(ProductModel.name).where(ProductModel.id == model.id))
    db.session.rollback()
    assert _model_name(db, model.id) == "原名"


def test_a_failed_statement_is_rolled_back_and_the_next_transaction_works(db):
    model = factories.product_model(name="原名")
    db.session.scalar(select(ProductModel.name).where(ProductModel.id == model.id))
    with pytest.raises(DBAPIError):
        db.session.execute(text("SELECT no_such_column FROM product_model"))
    db.session.rollback()
    assert _model_name(db, model.id) == "原名"


def test_reads_see_what_other_transactions_committed_after_a_read_only_transaction_ended(db, app):
    db.session.scalar(select(Customer.id).limit(1))
    db.session.rollback()
    with app.app_context():  # another session, as another request would have
        factories.customer(name="新客户")
    assert db.session.scalar(select(Customer.name)) == "新客户"


def _postgresql_only(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's transactions and psycopg's connection")


def _in_transaction_on_the_server(db) -> bool:
    from psycopg.pq import TransactionStatus

    status = db.session.connection().connection.driver_connection.info.transaction_status
    return status != TransactionStatus.IDLE


def test_on_postgresql_reads_outside_a_write_transaction_open_no_transaction(db):
    _postgresql_only(db)
    model = factories.product_model()
    db.session.commit()
    db.session.scalar(select(ProductModel.name).where(ProductModel.id == model.id))
    db.session.scalar(select(Customer.id).limit(1))
    assert not _in_transaction_on_the_server(db)


@pytest.mark.parametrize("statement", [
    "UPDATE product_model SET name = 'changed' WHERE id = :id",
    "SELECT name FROM product_model WHERE id = :id FOR UPDATE",
    "SELECT name FROM product_model WHERE id = :id FOR NO KEY UPDATE",
    "SELECT name FROM product_model WHERE id = :id FOR SHARE",
    "select name from product_model where id = :id",
])
def test_on_postgresql_a_statement_that_may_change_or_lock_begins_a_transaction(db, statement):
    _postgresql_only(db)
    model = factories.product_model()
    db.session.commit()
    db.session.scalar(select(ProductModel.name).where(ProductModel.id == model.id))
    db.session.execute(text(statement), {"id": model.id})
    assert _in_transaction_on_the_server(db)


def test_on_postgresql_a_row_locked_by_a_read_stays_locked_until_the_transaction_ends(db, app):
    _postgresql_only(db)
    model = factories.product_model()
    db.session.commit()
    db.session.get(ProductModel, model.id, with_for_update=True)
    with app.app_context():  # another request tries to lock the same row
        db.session.execute(text("SET LOCAL lock_timeout = '100ms'"))
        with pytest.raises(DBAPIError, match="lock timeout"):
            db.session.get(ProductModel, model.id, with_for_update=True)
        db.session.rollback()


def test_on_postgresql_a_write_transaction_is_one_from_its_first_read(db):
    _postgresql_only(db)
    with write_transaction():
        db.session.scalar(select(Customer.id).limit(1))
        assert _in_transaction_on_the_server(db)


def test_on_postgresql_rows_stream_from_a_server_side_cursor_outside_a_write_transaction(db):
    _postgresql_only(db)
    names = {factories.product_model().name for _ in range(5)}
    db.session.commit()
    result = db.session.execute(select(ProductModel.name).execution_options(yield_per=2))
    assert {name for batch in result.partitions() for (name,) in batch} >= names


def test_on_postgresql_a_local_setting_made_after_reads_lasts_until_the_transaction_ends(db):
    _postgresql_only(db)
    with db.engine.connect() as connection:
        connection.execute(select(Customer.id).limit(1))
        connection.execute(text("SET LOCAL lock_timeout = '1s'"))
        assert connection.scalar(text("SHOW lock_timeout")) == "1s"
        connection.rollback()
        assert connection.scalar(text("SHOW lock_timeout")) != "1s"


def test_on_postgresql_a_pooled_connection_the_server_closed_is_replaced_without_an_error(db):
    _postgresql_only(db)
    backend = db.session.scalar(text("SELECT pg_backend_pid()"))
    db.session.rollback()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        deadline = time.monotonic() + 5
        while other.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": backend}):
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert db.session.scalar(text("SELECT pg_backend_pid()")) != backend


def test_on_postgresql_a_transaction_that_only_read_keeps_the_prepared_statements(db):
    _postgresql_only(db)
    model = factories.product_model()
    query = select(ProductModel.name).where(ProductModel.id == model.id)
    with db.engine.connect() as connection:
        # psycopg prepares a statement on its fifth execution on a connection; a ROLLBACK would forget it.
        for _ in range(6):
            connection.execute(query).scalar()
            connection.rollback()
        prepared = connection.execute(text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE :sql"),
                                      {"sql": "SELECT product_model.name %"}).scalar()
    assert prepared == 1
