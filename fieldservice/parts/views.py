"""Stock pages: a technician's van and requisitions; managers' levels, movements, receipts, approvals."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..auth.decorators import role_required
from ..auth.models import Role
from ..catalog.models import Part
from ..extensions import db
from ..i18n import service_tz
from ..settings import get_setting
from ..validators import db_int
from ..web import valid_or_flashed
from . import services
from .forms import (KIND_LABELS, LevelFilterForm, MovementFilterForm, ReceiptForm, RejectForm, RequisitionForm,
                    ReturnForm)
from .models import Requisition, StockLevel, StockLocation, StockMovement
from .rules import LocationKind, RequisitionStatus, is_low, low_threshold

bp = Blueprint("parts", __name__, url_prefix="/parts")
PAGE_SIZE = 50
# /parts/my holds two stock forms: a prefix gives each its own field names and element ids.
REQUISITION_PREFIX, RETURN_PREFIX = "requisition", "return"
# Who may open a service request's page (intake.detail), to link a movement's request number.
REQUEST_READERS = (Role.AGENT, Role.MANAGER, Role.ADMIN)


@bp.route("/my")
@role_required(Role.TECHNICIAN)
def my_stock():
    technician = services.technician_for(current_user)
    van_id = technician.van_location_id if technician else None
    levels = _levels(StockLevel.location_id == van_id)
    requisitions = db.session.scalars(
        select(Requisition).where(Requisition.technician_id == (technician.id if technician else None))
        .options(selectinload(Requisition.part)).order_by(Requisition.requested_at.desc()).limit(20)).all()
    return render_template("parts/my_stock.html", levels=levels, requisitions=requisitions, is_low=is_low,
                           van=db.session.get(StockLocation, van_id) if van_id else None,
                           requisition_form=_choices(RequisitionForm(prefix=REQUISITION_PREFIX), _active_parts()),
                           return_form=_choices(ReturnForm(prefix=RETURN_PREFIX),
                                                [level.part for level in levels if level.qty > 0]),
                           needs_approval=get_setting("REQUISITION_NEEDS_APPROVAL"), locations=_locations())


@bp.post("/requisitions")
@role_required(Role.TECHNICIAN)
def request_parts():
    form = _choices(RequisitionForm(prefix=REQUISITION_PREFIX), _active_parts())
    if valid_or_flashed(form, labelled=True):
        requisition = services.request_parts(current_user, form.part.data, form.location.data, form.qty.data,
                                             form.note.data)
        flash(_("Parts moved into your van.") if requisition.status == RequisitionStatus.APPROVED
              else _("Requisition sent for approval."), "success")
    return redirect(url_for("parts.my_stock"))


@bp.post("/returns")
@role_required(Role.TECHNICIAN)
def return_parts():
    form = _choices(ReturnForm(prefix=RETURN_PREFIX), _active_parts())
    if valid_or_flashed(form, labelled=True):
        services.return_parts(current_user, form.part.data, form.location.data, form.qty.data, form.note.data)
        flash(_("Parts returned to the warehouse."), "success")
    return redirect(url_for("parts.my_stock"))


@bp.route("/levels")
@role_required(Role.MANAGER, Role.ADMIN)
def levels():
    form = LevelFilterForm(request.args)
    form.location.choices = [("", _("All locations"))] + [(loc.id, loc.name) for loc in _locations()]
    form.validate()
    conditions = []
    if form.location.data:
        conditions.append(StockLevel.location_id == form.location.data)
    if form.q.data:
        conditions.append(_part_matches(form.q.data))
    if form.low.data:
        conditions.append(services.is_low_stock())
    pending = db.session.scalars(
        select(Requisition).where(Requisition.status == RequisitionStatus.PENDING)
        .options(selectinload(Requisition.part), selectinload(Requisition.technician))
        .order_by(Requisition.requested_at)).all()
    return render_template("parts/levels.html", form=form, levels=_levels(*conditions), pending=pending,
                           is_low=is_low, low_threshold=low_threshold,
                           receipt_form=_choices(ReceiptForm(), _active_parts()),
                           reject_form=RejectForm(), locations={loc.id: loc for loc in _locations()})


@bp.route("/movements")
@role_required(Role.MANAGER, Role.ADMIN)
def movements():
    form = MovementFilterForm(request.args)
    form.location.choices = [("", _("All locations"))] + [(loc.id, loc.name) for loc in _locations()]
    form.validate()
    query = select(StockMovement).join(Part, Part.id == StockMovement.part_id)
    if form.location.data:
        query = query.where(or_(StockMovement.from_location_id == form.location.data,
                                StockMovement.to_location_id == form.location.data))
    if form.q.data:
        query = query.where(_part_matches(form.q.data))
    if form.kind.data:
        query = query.where(StockMovement.kind == form.kind.data)
    tz = service_tz()
    if form.date_from.data and not form.date_from.errors:
        query = query.where(StockMovement.at >= datetime.combine(form.date_from.data, time(0), tzinfo=tz))
    if form.date_to.data and not form.date_to.errors:
        query = query.where(StockMovement.at < datetime.combine(form.date_to.data + timedelta(days=1), time(0),
                                                                tzinfo=tz))
    page = max(request.args.get("page", 1, type=db_int), 1)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    loads = (selectinload(StockMovement.part),
             selectinload(StockMovement.requisition).selectinload(Requisition.technician))
    rows = db.session.scalars(query.options(*loads)
                              .order_by(StockMovement.at.desc(), StockMovement.id.desc())
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return render_template("parts/movements.html", form=form, movements=rows, page=page, total=total,
                           pages=max(1, -(-total // PAGE_SIZE)), kind_labels=KIND_LABELS,
                           requests=services.request_numbers(rows),
                           link_requests=current_user.role in REQUEST_READERS,
                           locations={loc.id: loc for loc in _locations()},
                           filter_args={k: v for k, v in request.args.items() if k != "page"})


@bp.post("/receipts")
@role_required(Role.MANAGER)
def receive():
    form = _choices(ReceiptForm(), _active_parts())
    if valid_or_flashed(form, labelled=True):
        services.receive_stock(current_user, form.part.data, form.location.data, form.qty.data, form.note.data)
        flash(_("Stock received."), "success")
    return redirect(url_for("parts.levels"))


@bp.post("/requisitions/<int:requisition_id>/approve")
@role_required(Role.MANAGER)
def approve(requisition_id: int):
    if RejectForm().validate_on_submit():
        services.approve_requisition(current_user, requisition_id)
        flash(_("Requisition approved: the parts are in the van."), "success")
    return redirect(url_for("parts.levels"))


@bp.post("/requisitions/<int:requisition_id>/reject")
@role_required(Role.MANAGER)
def reject(requisition_id: int):
    form = RejectForm()
    if form.validate_on_submit():
        services.reject_requisition(current_user, requisition_id, form.note.data)
        flash(_("Requisition rejected."), "success")
    return redirect(url_for("parts.levels"))


def _choices(form, parts):
    warehouses = [loc for loc in _locations() if loc.kind == LocationKind.WAREHOUSE]
    form.part.choices = [("", _("— choose —"))] + [(p.id, f"{p.code} {p.name}") for p in parts]
    form.location.choices = [("", _("— choose —"))] + [(w.id, w.name) for w in warehouses]
    return form


def _active_parts() -> list[Part]:
    return list(db.session.scalars(select(Part).where(Part.active.is_(True)).order_by(Part.code)))


def _locations() -> list[StockLocation]:
    return list(db.session.scalars(select(StockLocation).order_by(StockLocation.kind.desc(), StockLocation.name)))


def _levels(*conditions) -> list[StockLevel]:
    return list(db.session.scalars(
        select(StockLevel).join(Part, Part.id == StockLevel.part_id)
        .join(StockLocation, StockLocation.id == StockLevel.location_id).where(*conditions)
        .options(selectinload(StockLevel.part), selectinload(StockLevel.location))
        .order_by(StockLevel.location_id, Part.code)))


def _part_matches(text: str):
    # autoescape: a typed "%" or "_" is looked for as itself, not as a wildcard.
    text = text.strip()
    return or_(Part.code.icontains(text, autoescape=True), Part.name.icontains(text, autoescape=True))
