"""How transactions end: a rollback undoes every write, while on PostgreSQL a transaction that only read
ends with COMMIT so psycopg keeps its prepared statements (fieldservice.database.configure_postgresql)."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from fieldservice.catalog.models import ProductModel
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


def test_on_postgresql_a_transaction_that_only_read_keeps_the_prepared_statements(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's prepared statements: PostgreSQL only")
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
