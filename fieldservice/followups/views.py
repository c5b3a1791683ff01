from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user

from .. import i18n
from ..audit.services import events_for
from ..auth.decorators import role_required
from ..auth.models import OFFICE_ROLES, Role
from ..auth.services import office_staff_choices
from ..customers.rules import mask_phone
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..web import back_or, valid_or_flashed
from . import services
from .forms import KIND_LABELS, STATUS_LABELS, CallFilterForm, CallOutcomeForm, ReassignForm
from .models import FollowUp
from .rules import MAX_ATTEMPTS, csv_bytes, split_call_list

bp = Blueprint("followups", __name__, url_prefix="/followups")
EVENT_LABELS = {
    "follow_up_created": _l("Put on the call list"),
    "follow_up_call_recorded": _l("Call recorded"),
    "follow_up_reassigned": _l("Reassigned"),
    "follow_up_request_opened": _l("Repair request opened"),
}


def csv_response(filename: str, header, rows) -> Response:
    """A CSV download Excel opens correctly (UTF-8 BOM) and safely (formula-like cells neutralised).
    Reusable by any list that exports: csv_response("list.csv", header, rows)."""
    return Response(csv_bytes(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _filter_form(formdata, default_assignee: str) -> CallFilterForm:
    form = CallFilterForm(formdata=formdata, assignee=default_assignee)
    form.assignee.choices = ([("", _("Everyone")), (services.MINE, _("Mine and unassigned")),
                              (services.UNASSIGNED, _("Unassigned"))] + office_staff_choices("")[1:])
    form.district.choices = [("", _("All districts"))] + [(d, d) for d in services.districts_with_calls()]
    return form


def _filters() -> tuple[CallFilterForm, services.CallFilter]:
    """The filters from the query string; values that no longer exist (a stale link) fall back to the defaults."""
    default_assignee = services.MINE if current_user.role == Role.AGENT else ""
    form = _filter_form(request.args, default_assignee)
    if not form.validate():
        flash(_("Some filters no longer apply and were reset."), "warning")
        form = _filter_form(None, default_assignee)
    return form, services.CallFilter(kind=form.kind.data or None, assignee=form.assignee.data or None,
                                     district=form.district.data or None, status=form.status.data)


def _rows():
    form, filters = _filters()
    follow_ups = services.call_list(i18n.local_today(), filters, current_user.id)
    return form, follow_ups, services.call_contexts(follow_ups)


@bp.route("/")
@role_required(*OFFICE_ROLES)
def call_list():
    form, follow_ups, contexts = _rows()
    due_now, upcoming = split_call_list(follow_ups, i18n.local_today())
    return render_template("followups/call_list.html", form=form, due_now=due_now, upcoming=upcoming,
                           contexts=contexts, today=i18n.local_today(), kind_labels=KIND_LABELS,
                           status_labels=STATUS_LABELS, max_attempts=MAX_ATTEMPTS)


@bp.route("/print")
@role_required(*OFFICE_ROLES)
def print_list():
    form, follow_ups, contexts = _rows()
    return render_template("followups/call_list_print.html", form=form, follow_ups=follow_ups, contexts=contexts,
                           today=i18n.local_today(), kind_labels=KIND_LABELS, max_attempts=MAX_ATTEMPTS)


@bp.route("/export.csv")
@role_required(*OFFICE_ROLES)
def export_csv():
    _form, follow_ups, contexts = _rows()
    header = [_("Due"), _("Kind"), _("Customer"), _("Phone"), _("District"), _("Address"), _("What was done"),
              _("Technician"), _("Reference"), _("Attempts"), _("Assigned to"), _("Status")]
    rows = [[f.due_date.isoformat(), KIND_LABELS[f.kind], f.customer.name, mask_phone(f.customer.phone),
             f.customer.district or "", f.customer.address, contexts[f.id].done, contexts[f.id].technician or "",
             contexts[f.id].reference or "", f.attempts, f.assignee.display_name if f.assignee else "",
             STATUS_LABELS[f.status]] for f in follow_ups]
    return csv_response(f"followups-{i18n.local_today().isoformat()}.csv", header, rows)


@bp.route("/<int:follow_up_id>", methods=["GET", "POST"])
@role_required(*OFFICE_ROLES)
def show(follow_up_id: int):
    follow_up = db.session.get(FollowUp, follow_up_id) or abort(404)
    form = CallOutcomeForm()
    if form.validate_on_submit():
        outcome = services.record_call(follow_up_id, form.outcome())
        flash(_("Call recorded."), "success")
        if outcome.complaint is not None:
            flash(_("The low score raised a complaint draft; please review it."), "warning")
        return redirect(url_for("followups.show", follow_up_id=follow_up_id) if outcome.offer_new_request or
                        outcome.complaint is not None else url_for("followups.call_list"))
    reassign_form = ReassignForm(assignee=str(follow_up.assignee_id or ""))
    reassign_form.assignee.choices = office_staff_choices(_("Nobody"))
    return render_template("followups/show.html", follow_up=follow_up, form=form, reassign_form=reassign_form,
                           context=services.call_contexts([follow_up])[follow_up.id],
                           events=events_for("follow_up", follow_up.id), event_labels=EVENT_LABELS,
                           kind_labels=KIND_LABELS,
                           status_labels=STATUS_LABELS, max_attempts=MAX_ATTEMPTS,
                           today=i18n.local_today()), 422 if form.errors else 200


@bp.post("/<int:follow_up_id>/phone")
@role_required(*OFFICE_ROLES)
def reveal_phone(follow_up_id: int):
    phone = services.reveal_phone(follow_up_id)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(phone=phone)
    flash(_("Phone number: %(phone)s", phone=phone), "info")
    return back_or(url_for("followups.show", follow_up_id=follow_up_id))


@bp.post("/<int:follow_up_id>/repair-request")
@role_required(*OFFICE_ROLES)
def open_repair_request(follow_up_id: int):
    new_request = services.open_repair_request(follow_up_id)
    flash(_("Repair request %(number)s opened, linked to the earlier one. Book it like any other.",
            number=new_request.number), "success")
    if "intake.detail" in current_app.view_functions:  # the call centre's request page, where it is booked
        return redirect(url_for("intake.detail", number=new_request.number))
    return redirect(url_for("followups.show", follow_up_id=follow_up_id))


@bp.post("/<int:follow_up_id>/assign")
@role_required(*OFFICE_ROLES)
def reassign(follow_up_id: int):
    form = ReassignForm()
    form.assignee.choices = office_staff_choices("")
    if not valid_or_flashed(form, labelled=True):
        return redirect(url_for("followups.show", follow_up_id=follow_up_id))
    services.reassign(follow_up_id, int(form.assignee.data) if form.assignee.data else None)
    flash(_("Saved."), "success")
    return redirect(url_for("followups.show", follow_up_id=follow_up_id))
