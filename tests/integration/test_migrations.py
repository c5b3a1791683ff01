"""The migrations build exactly the schema the models describe, and carry existing rows along."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import CheckConstraint, inspect, text

from fieldservice.extensions import db

INITIAL = "a2b514ab060e"
PRODUCT_LINES = "c41f0d2e7b19"


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


def test_a_transfers_requisition_moves_from_its_note_into_its_own_column_and_back(empty_database):
    upgrade(revision=PRODUCT_LINES)
    with db.engine.begin() as connection:
        for statement in (
            "INSERT INTO user_account (id, username, display_name, role, active, password_hash, session_version, "
            "created_at) VALUES (1, 'tech01', '王师傅', 'technician', true, 'x', 1, '2026-03-01 08:00:00')",
            "INSERT INTO part (id, code, name, product_line, is_accessory, unit_price, low_stock_threshold, active) "
            "VALUES (1, 'P1', '电容', 'aircon', false, 12, 2, true)",
            "INSERT INTO stock_location (id, code, name, kind) VALUES (1, 'W', '总仓', 'warehouse'), "
            "(2, 'V', '一号车', 'van')",
            "INSERT INTO technician (id, user_id, phone, base_address, base_lat, base_lon, skills, area_radius_km, "
            "regions, work_start, work_end, working_days, van_location_id, active) VALUES (1, 1, '13800138000', "
            "'上海', 31.2, 121.4, '[]', 30, '[]', '08:00:00', '18:00:00', '12345', 2, true)",
            "INSERT INTO requisition (id, technician_id, part_id, qty, from_location_id, to_location_id, status, "
            "requested_at) VALUES (12, 1, 1, 2, 1, 2, 'approved', '2026-03-01 08:00:00')",
        ):
            connection.execute(text(statement))
        movements = [(1, "transfer", "#12"), (2, "transfer", "#12"), (3, "transfer", "#99"),
                     (4, "transfer", "#12 加急"), (5, "transfer", "期初领用"), (6, "receipt", "#12")]
        for movement_id, kind, note in movements:
            source, target = (None, 1) if kind == "receipt" else (1, 2)
            connection.execute(text("INSERT INTO stock_movement (id, at, kind, part_id, qty, from_location_id, "
                                    "to_location_id, note) VALUES (:id, '2026-03-01 09:00:00', :kind, 1, 2, :source, "
                                    ":target, :note)"),
                               {"id": movement_id, "kind": kind, "source": source, "target": target, "note": note})
    upgrade()
    ledger = "SELECT id, requisition_id, note FROM stock_movement ORDER BY id"
    with db.engine.connect() as connection:
        # Only the transfer whose whole note is "#12" was the link: a second one, a requisition that does not
        # exist, a note with more words and a receipt keep their notes as they were.
        assert connection.execute(text(ledger)).all() == [
            (1, 12, None), (2, None, "#12"), (3, None, "#99"), (4, None, "#12 加急"), (5, None, "期初领用"),
            (6, None, "#12")]
    downgrade(revision=PRODUCT_LINES)
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT id, note FROM stock_movement ORDER BY id")).all() == [
            (1, "#12"), (2, "#12"), (3, "#99"), (4, "#12 加急"), (5, "期初领用"), (6, "#12")]
    downgrade(revision="base")


def check_constraints(connection) -> dict[str, set[str]]:
    inspector = inspect(connection)
    return {table: {c["name"] for c in inspector.get_check_constraints(table)}
            for table in inspector.get_table_names() if table != "alembic_version"}
