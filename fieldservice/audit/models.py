from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db


class AuditEvent(db.Model):
    """Append-only: the ORM refuses updates and deletes, the database refuses updates."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped["User | None"] = relationship()  # noqa: F821


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(_mapper, _connection, _event: AuditEvent) -> None:
    raise PermissionError("audit events are append-only")


# The database refuses updates too (created with the table, and by the migration).
AUDIT_APPEND_ONLY_SQL = {
    "sqlite": "CREATE TRIGGER audit_event_append_only BEFORE UPDATE ON audit_event "
              "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
    "postgresql": "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
                  "BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$ LANGUAGE plpgsql; "
                  "CREATE TRIGGER audit_event_append_only BEFORE UPDATE ON audit_event "
                  "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
}
for _dialect, _sql in AUDIT_APPEND_ONLY_SQL.items():
    event.listen(AuditEvent.__table__, "after_create", DDL(_sql).execute_if(dialect=_dialect))
