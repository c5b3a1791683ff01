"""Who may see and change which visit: the one scoping rule for lists, pages, updates, PDFs and the API.

A technician sees only the appointments assigned to them, a manager sees all, everyone else none.
Anything outside the scope answers 404, never 403: a technician cannot even learn that a visit
number exists.
"""
from __future__ import annotations

from flask import abort
from sqlalchemy import Select, false, select

from ..auth.models import Role
from ..extensions import db
from ..scheduling.models import Appointment, Technician
from .models import ServiceReport


def visible_visits(user) -> Select:
    """SELECT of the appointments `user` may see; callers add their own filters and order."""
    query = select(Appointment)
    if user is None or not getattr(user, "is_authenticated", False):
        return query.where(false())
    if user.role == Role.MANAGER:
        return query
    if user.role == Role.TECHNICIAN:
        return query.join(Technician, Technician.id == Appointment.technician_id).where(Technician.user_id == user.id)
    return query.where(false())


def find_visit(user, appointment_id: int, *, for_update: bool = False) -> Appointment | None:
    """The appointment if `user` may see it. `for_update` locks its row (PostgreSQL) for a status change."""
    query = visible_visits(user).where(Appointment.id == appointment_id)
    if for_update:
        query = query.with_for_update(of=Appointment)
    return db.session.scalar(query)


def visit_or_404(user, appointment_id: int) -> Appointment:
    visit = find_visit(user, appointment_id)
    if visit is None:
        abort(404)
    return visit


def report_or_404(user, report_id: int) -> ServiceReport:
    """A report is visible exactly when its visit is."""
    report = db.session.get(ServiceReport, report_id)
    if report is None or find_visit(user, report.appointment_id) is None:
        abort(404)
    return report
