from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from .. import database
from ..audit.services import events_for
from ..auth.decorators import role_required
from ..auth.models import OFFICE_ROLES, Role
from ..auth.services import office_staff_choices
from ..customers.models import Customer
from ..extensions import db
from ..i18n import fmt_datetime, lazy_gettext as _l
from ..followups.models import FollowUp
from ..intake.models import ServiceRequest
from ..validators import db_int
from ..web import valid_or_flashed
from . import services
from .forms import (ComplaintFilterForm, ComplaintForm, ConfirmDraftForm, CustomerSearchForm, DismissForm, NoteForm,
                    OwnerForm, ReplyForm, ResolveForm)
from .models import Complaint
from .rules import replied_in_time, reply_overdue

bp = Blueprint("complaints", __name__, url_prefix="/complaints")
EVENT_LABELS = {
    "complaint_logged": _l("Complaint logged"),
    "complaint_draft_raised": _l("Draft raised by a follow-up call"),
    "complaint_confirmed": _l("Confirmed as a complaint"),
    "complaint_dismissed": _l("Dismissed"),
    "complaint_owner_changed": _l("Owner changed"),
    "complaint_note_added": _l("Note added"),
    "complaint_replied": _l("Reply given"),
    "complaint_resolved": _l("Resolved"),
}


@bp.app_context_processor
def major_complaint_alerts():
    """Every manager sees unresolved major complaints on every page (templates/complaints/_major_alert.html)."""
    if current_user.is_authenticated and current_user.role == Role.MANAGER:
        return {"open_major_complaints": services.open_major_complaints()}
    return {"open_major_complaints": []}


def _labels() -> dict:
    return {"category_labels": services.CATEGORY_LABELS, "severity_labels": services.SEVERITY_LABELS,
            "status_labels": services.STATUS_LABELS, "channel_labels": services.CHANNEL_LABELS}


@bp.route("/")
@role_required(*OFFICE_ROLES)
def list_complaints():
    form = ComplaintFilterForm(formdata=request.args)
    if not form.validate():
        form = ComplaintFilterForm(formdata=None)
    complaints = services.complaint_list(form.status.data or None, severity=form.severity.data or None)
    return render_template("complaints/list.html", form=form, complaints=complaints, now=database.utcnow(),
                           reply_overdue=reply_overdue, **_labels())


@bp.route("/new", methods=["GET", "POST"])
@role_required(*OFFICE_ROLES)
def new_complaint():
    """From a customer page (?customer_id=) or a request (?request_id=): the form comes pre-filled."""
    form = ComplaintForm(customer_id=request.args.get("customer_id", type=db_int),
                         request_id=request.args.get("request_id", type=db_int))
    if form.validate_on_submit():
        complaint = services.log_complaint(customer_id=form.customer_id.data, request_id=form.request_id.data,
                                           channel=form.channel.data, category=form.category.data,
                                           severity=form.severity.data, description=form.description.data)
        flash(_("Complaint logged. Reply due by %(due)s.", due=fmt_datetime(complaint.reply_due_at)), "success")
        return redirect(url_for("complaints.show", complaint_id=complaint.id))
    service_request = db.session.get(ServiceRequest, form.request_id.data) if form.request_id.data else None
    customer_id = service_request.customer_id if service_request else form.customer_id.data
    customer = db.session.get(Customer, customer_id) if customer_id else None
    if customer is not None:
        form.customer_id.data = customer.id
    search = CustomerSearchForm(formdata=request.args)
    found = services.find_customers(search.q.data) if customer is None and search.validate() else []
    return render_template("complaints/new.html", form=form, customer=customer, service_request=service_request,
                           search=search, found=found), 422 if form.errors else 200


@bp.route("/<int:complaint_id>")
@role_required(*OFFICE_ROLES)
def show(complaint_id: int, refused: FlaskForm | None = None):
    """The complaint page; `refused` is a text form that failed validation, shown again with its text and why."""
    complaint = db.session.get(Complaint, complaint_id) or abort(404)
    owner_form = OwnerForm(owner=str(complaint.owner_id or ""))
    owner_form.owner.choices = office_staff_choices(_("Nobody"))
    text_forms = {name: refused if isinstance(refused, form_class) else form_class()
                  for name, form_class in TEXT_FORMS.items()}
    source_call = db.session.scalar(select(FollowUp).where(FollowUp.raised_complaint_id == complaint.id))
    callback = db.session.scalar(select(FollowUp).where(FollowUp.complaint_id == complaint.id))
    return render_template("complaints/show.html", complaint=complaint, owner_form=owner_form, **text_forms,
                           confirm_form=ConfirmDraftForm(category=complaint.category, severity=complaint.severity),
                           source_call=source_call, callback=callback,
                           events=events_for("complaint", complaint.id), event_labels=EVENT_LABELS,
                           now=database.utcnow(), overdue=reply_overdue(complaint.status, complaint.reply_due_at,
                                                                        database.utcnow()),
                           in_time=replied_in_time(complaint.replied_at, complaint.reply_due_at),
                           **_labels()), 422 if refused else 200


TEXT_FORMS = {"note_form": NoteForm, "reply_form": ReplyForm, "resolve_form": ResolveForm,
              "dismiss_form": DismissForm}


def _back(complaint_id: int):
    return redirect(url_for("complaints.show", complaint_id=complaint_id))


@bp.post("/<int:complaint_id>/owner")
@role_required(*OFFICE_ROLES)
def set_owner(complaint_id: int):
    form = OwnerForm()
    form.owner.choices = office_staff_choices("")
    if valid_or_flashed(form):
        services.assign_owner(complaint_id, int(form.owner.data) if form.owner.data else None)
        flash(_("Saved."), "success")
    return _back(complaint_id)


@bp.post("/<int:complaint_id>/notes")
@role_required(*OFFICE_ROLES)
def add_note(complaint_id: int):
    form = NoteForm()
    if not form.validate_on_submit():
        return show(complaint_id, refused=form)
    services.add_note(complaint_id, form.text.data)
    flash(_("Note added."), "success")
    return _back(complaint_id)


@bp.post("/<int:complaint_id>/reply")
@role_required(*OFFICE_ROLES)
def reply(complaint_id: int):
    form = ReplyForm()
    if not form.validate_on_submit():
        return show(complaint_id, refused=form)
    complaint = services.record_reply(complaint_id, form.text.data)
    flash(_("Reply recorded within 24 hours.") if complaint.replied_at <= complaint.reply_due_at
          else _("Reply recorded, after the 24-hour promise."), "success")
    return _back(complaint_id)


@bp.post("/<int:complaint_id>/resolve")
@role_required(*OFFICE_ROLES)
def resolve(complaint_id: int):
    form = ResolveForm()
    if not form.validate_on_submit():
        return show(complaint_id, refused=form)
    services.resolve_complaint(complaint_id, form.resolution.data)
    flash(_("Complaint resolved. A callback to the customer is on the follow-up list."), "success")
    return _back(complaint_id)


@bp.post("/<int:complaint_id>/confirm")
@role_required(*OFFICE_ROLES)
def confirm(complaint_id: int):
    form = ConfirmDraftForm()
    if valid_or_flashed(form):
        services.confirm_draft(complaint_id, category=form.category.data, severity=form.severity.data)
        flash(_("Confirmed as a complaint."), "success")
    return _back(complaint_id)


@bp.post("/<int:complaint_id>/dismiss")
@role_required(*OFFICE_ROLES)
def dismiss(complaint_id: int):
    form = DismissForm()
    if not form.validate_on_submit():
        return show(complaint_id, refused=form)
    services.dismiss_draft(complaint_id, form.reason.data)
    flash(_("Draft dismissed."), "success")
    return _back(complaint_id)
