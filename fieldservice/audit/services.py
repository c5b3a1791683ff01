"""Recording audit events. Called by services inside their transaction."""
from __future__ import annotations

from flask import has_request_context, request

from ..auth.current import acting_user

from ..extensions import db
from .models import AuditEvent


def record(action: str, obj=None, *, actor=None, object_type: str | None = None,
           object_id: str | int | None = None, **detail) -> AuditEvent:
    if actor is None:
        actor = acting_user()
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
    event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        detail={k: v for k, v in detail.items() if v is not None},
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


def events_for(object_type: str, object_id) -> list[AuditEvent]:
    return list(db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    ))
