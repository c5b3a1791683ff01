import pytest
from sqlalchemy import text

from fieldservice.audit.models import AuditEvent
from fieldservice.audit.services import record
from fieldservice.database import write_transaction


def test_the_orm_refuses_to_change_an_audit_event(db):
    with write_transaction():
        record("something", object_type="demo", object_id=1)
    event = db.session.scalar(db.select(AuditEvent))
    event.action = "forged"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()


def test_the_database_refuses_to_update_an_audit_event(db):
    with write_transaction():
        record("something", object_type="demo", object_id=1)
    with pytest.raises(Exception, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE audit_event SET action = 'forged'"))
    assert db.session.scalar(db.select(AuditEvent.action)) == "something"
