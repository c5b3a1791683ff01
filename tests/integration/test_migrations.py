"""The migrations build exactly the schema the models describe, and carry existing rows along."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import CheckConstraint, inspect, text

from fieldservice.extensions import db

INITIAL = "a2b514ab060e"


@pytest.fixture()
def empty_database(app):
    with app.app_context():
        db.drop_all()
        drop_alembic_version()
        try:
            yield
        finally:
            drop_alembic_version()
            db.drop_all()
            db.create_all()


def drop_alembic_version() -> None:
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def test_migrations_upgrade_to_a_schema_that_matches_the_models(empty_database):
    upgrade()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
        checks = check_constraints(connection)
    assert differences == []
    # Alembic's comparison leaves out CHECK constraints.
    assert checks == {table.name: {c.name for c in table.constraints if isinstance(c, CheckConstraint)}
                      for table in db.metadata.sorted_tables}
    downgrade(revision="base")


def test_a_migration_that_rebuilds_a_table_keeps_the_rows_that_refer_to_it(empty_database):
    # SQLite rebuilds `part` to add its product-line check, while stock still refers to the part.
    upgrade(revision=INITIAL)
    with db.engine.begin() as connection:
        connection.execute(text("INSERT INTO part (id, code, name, product_line, is_accessory, unit_price, "
                                "low_stock_threshold, active) VALUES (1, 'P1', '电容', 'aircon', false, 12, 2, true)"))
        connection.execute(text("INSERT INTO stock_location (id, code, name, kind) VALUES (1, 'W', '总仓', 'warehouse')"))
        connection.execute(text("INSERT INTO stock_level (part_id, location_id, qty) VALUES (1, 1, 5)"))
    upgrade()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT p.code, s.qty FROM stock_level s JOIN part p ON p.id = s.part_id"))\
            .all() == [("P1", 5)]
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    downgrade(revision="base")


def check_constraints(connection) -> dict[str, set[str]]:
    inspector = inspect(connection)
    return {table: {c["name"] for c in inspector.get_check_constraints(table)}
            for table in inspector.get_table_names() if table != "alembic_version"}
