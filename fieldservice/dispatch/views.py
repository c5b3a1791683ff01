from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from wtforms.fields import SelectChoice

from ..auth.decorators import role_required
from ..auth.models import Role
from ..errors import DomainError
from ..extensions import db
from ..i18n import current_locale, local_today, to_local
from ..intake.models import ServiceRequest
from ..intake.services import status_label
from ..scheduling import services as booking
from ..scheduling.forms import BookForm, ForwardForm, PlanForm, ReassignForm, ReasonForm, encode_choice
from ..scheduling.models import Appointment, DayPlan
from ..validators import is_row_id
from ..web import valid_or_flashed
from . import services

bp = Blueprint("dispatch", __name__)

BOOKERS = (Role.AGENT, Role.MANAGER)
# Refusals that concern one field of the booking form: the page is shown again with the message on it.
BOOKING_FIELD_ERRORS = {"after_promise_needs_reason": "late_reason", "reason_required": "reason"}


@bp.record_once
def _template_helpers(state) -> None:
    state.app.jinja_env.globals.update(window_choice=encode_choice, dispatch_status_label=status_label,
                                       reason_text=reason_text)
    state.app.jinja_env.filters.update(day_label=day_label, fromiso=datetime.fromisoformat)


def day_label(value: date | datetime) -> str:
    """"Tomorrow 11-23 Mon": what an agent reads to the customer."""
    day = to_local(value).date() if isinstance(value, datetime) else value
    relative = {0: _("Today"), 1: _("Tomorrow"), 2: _("Day after tomorrow")}.get((day - local_today()).days)
    text = format_date(day, "MM-dd EEE")
    return f"{relative} {text}" if relative else text


def reason_text(reason) -> str:
    """A rule's reason (zh and en) in the reader's language."""
    return reason.zh if current_locale().startswith("zh") else reason.en


def _back_to_board_or(default: str):
    """Changes made on the board return to it (the day it showed); elsewhere they go on to `default`."""
    referrer = request.referrer or ""
    board = request.host_url.rstrip("/") + url_for(".board")
    return redirect(referrer if referrer.startswith(board) else default)


def _get_or_404(model, row_id: int):
    return (db.session.get(model, row_id) if is_row_id(row_id) else None) or abort(404)


# --- booking -----------------------------------------------------------------------------------

@bp.get("/requests/<int:request_id>/book")
@role_required(*BOOKERS)
def book(request_id: int):
    booked = booking.active_appointment(_get_or_404(ServiceRequest, request_id))
    if booked is not None:
        flash(_("This request already has a visit booked; you can move it here."), "info")
        return redirect(url_for(".reschedule", appointment_id=booked.id))
    options = booking.booking_options(request_id, days=7 if request.args.get("days") == "7" else 3)
    return render_template("dispatch/book.html", options=options, form=BookForm(), appointment=None,
                           forward_form=_forward_form(options.request))


@bp.post("/requests/<int:request_id>/book")
@role_required(*BOOKERS)
def book_submit(request_id: int):
    form = BookForm()
    if not valid_or_flashed(form):
        return redirect(url_for(".book", request_id=request_id))
    technician_id, start = form.selected()
    try:
        appointment = booking.book_appointment(request_id, technician_id, start, reason=form.late_reason.data)
    except DomainError as error:
        return _booking_page_again(error, form, request_id=request_id)
    return redirect(url_for(".confirmation", appointment_id=appointment.id))


def _booking_page_again(error: DomainError, form: BookForm, *, request_id: int | None = None,
                        appointment: Appointment | None = None):
    """A refusal about one field (a missing reason): the page again, as the user filled it in, with
    the message at the top and on the field. Other refusals go the usual way (flash, back)."""
    name = BOOKING_FIELD_ERRORS.get(error.code)
    if name is None:
        raise error
    form[name].errors = [str(error.message)]
    flash(str(error.message), "error")
    days = 7 if request.args.get("days") == "7" else 3
    if appointment is not None:
        options = booking.booking_options(appointment.request_id, days=days, exclude_appointment_id=appointment.id)
        forward_form = None
    else:
        options = booking.booking_options(request_id, days=days)
        forward_form = _forward_form(options.request)
    return render_template("dispatch/book.html", options=options, form=form, appointment=appointment,
                           forward_form=forward_form), 422


@bp.get("/appointments/<int:appointment_id>/confirmation")
@role_required(*BOOKERS)
def confirmation(appointment_id: int):
    appointment = _get_or_404(Appointment, appointment_id)
    return render_template("dispatch/confirmation.html", appointment=appointment, cancel_form=ReasonForm())


@bp.get("/appointments/<int:appointment_id>/reschedule")
@role_required(*BOOKERS)
def reschedule(appointment_id: int):
    appointment = _get_or_404(Appointment, appointment_id)
    options = booking.booking_options(appointment.request_id, days=7 if request.args.get("days") == "7" else 3,
                                      exclude_appointment_id=appointment.id)
    return render_template("dispatch/book.html", options=options, form=BookForm(), appointment=appointment,
                           forward_form=None)


@bp.post("/appointments/<int:appointment_id>/reschedule")
@role_required(*BOOKERS)
def reschedule_submit(appointment_id: int):
    form = BookForm()
    if not valid_or_flashed(form):
        return redirect(url_for(".reschedule", appointment_id=appointment_id))
    technician_id, start = form.selected()
    try:
        moved = booking.reschedule_appointment(appointment_id, technician_id, start, form.reason.data,
                                               late_reason=form.late_reason.data)
    except DomainError as error:
        return _booking_page_again(error, form, appointment=_get_or_404(Appointment, appointment_id))
    return redirect(url_for(".confirmation", appointment_id=moved.id))


@bp.post("/appointments/<int:appointment_id>/cancel")
@role_required(*BOOKERS)
def cancel(appointment_id: int):
    form = ReasonForm()
    if not valid_or_flashed(form):
        return _back_to_board_or(url_for(".confirmation", appointment_id=appointment_id))
    appointment = booking.cancel_appointment(appointment_id, form.reason.data)
    flash(_("Appointment cancelled; request %(number)s is waiting for a new visit.",
            number=appointment.request.number), "success")
    return _back_to_board_or(url_for(".book", request_id=appointment.request_id))


@bp.post("/appointments/<int:appointment_id>/reassign")
@role_required(Role.MANAGER)
def reassign(appointment_id: int):
    form = ReassignForm()
    if not valid_or_flashed(form):
        return redirect(url_for(".board"))
    moved = booking.reassign_appointment(appointment_id, form.technician_id.data, form.reason.data)
    flash(_("%(number)s now goes to %(name)s.", number=moved.request.number, name=moved.technician.name), "success")
    return _back_to_board_or(url_for(".board"))


@bp.post("/requests/<int:request_id>/forward")
@role_required(*BOOKERS)
def forward(request_id: int):
    form = ForwardForm()
    form.partner_id.choices = _partner_choices(_get_or_404(ServiceRequest, request_id))
    if not valid_or_flashed(form):
        return redirect(url_for(".book", request_id=request_id))
    forwarded = booking.forward_to_partner(request_id, form.partner_id.data, form.note.data)
    flash(_("Request %(number)s forwarded to %(partner)s. A follow-up call is on your list.",
            number=forwarded.number, partner=forwarded.partner.name), "success")
    return redirect(url_for("intake.detail", number=forwarded.number) if "intake.detail" in current_app.view_functions
                    else url_for(".book", request_id=request_id))


def _forward_form(request_row: ServiceRequest) -> ForwardForm:
    form = ForwardForm()
    form.partner_id.choices = _partner_choices(request_row)
    return form


def _partner_choices(request_row: ServiceRequest) -> list[SelectChoice]:
    return [SelectChoice(p.id, p.name) for p in booking.partners_for(request_row)]


# --- the board and the day plan ----------------------------------------------------------------

@bp.get("/dispatch")
@role_required(Role.MANAGER)
def board():
    offset = 1 if request.args.get("day") == "tomorrow" else 0
    view = services.board(services.local_day(offset))
    return render_template("dispatch/board.html", board=view, offset=offset,
                           technicians=[lane.technician for lane in view.lanes])


@bp.route("/dispatch/plan", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def plan():
    form = PlanForm()
    if form.validate_on_submit():
        proposal = services.propose_plan(services.local_day(1))
        return redirect(url_for(".plan_preview", plan_id=proposal.id))
    return render_template("dispatch/plan.html", form=form, day=services.local_day(1),
                           waiting=len(services.unscheduled_requests()), plans=services.recent_plans(),
                           time_limit=services.plan_time_limit())


@bp.get("/dispatch/plan/<int:plan_id>")
@role_required(Role.MANAGER)
def plan_preview(plan_id: int):
    return _plan_preview_page(_get_or_404(DayPlan, plan_id), PlanForm())


def _plan_preview_page(proposal: DayPlan, form: PlanForm):
    return render_template("dispatch/plan_preview.html", plan=proposal, form=form,
                           plan_map=services.plan_map(proposal), late_visits=services.late_visits(proposal),
                           book_today=services.book_today_now(proposal))


@bp.post("/dispatch/plan/<int:plan_id>/apply")
@role_required(Role.MANAGER)
def plan_apply(plan_id: int):
    form = PlanForm()
    if not valid_or_flashed(form):
        return redirect(url_for(".plan_preview", plan_id=plan_id))
    try:
        applied = services.apply_plan(plan_id, late_reason=form.late_reason.data)
    except DomainError as error:
        if error.code not in ("plan_late_needs_reason", "reason_invalid", "reason_too_long"):
            raise
        form.late_reason.errors = [str(error.message)]
        flash(str(error.message), "error")
        return _plan_preview_page(_get_or_404(DayPlan, plan_id), form), 422
    booked, conflicts = len(applied.result["booked"]), len(applied.result["conflicts"])
    flash(_("Plan applied: %(booked)d booked, %(conflicts)d not booked (see below).", booked=booked,
            conflicts=conflicts) if conflicts else _("Plan applied: all %(booked)d booked.", booked=booked),
          "warning" if conflicts else "success")
    return redirect(url_for(".plan_preview", plan_id=plan_id))
