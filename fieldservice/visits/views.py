"""The technician's pages: the day's route, a visit, completing and signing it, the report PDF, and
the report verification page for any staff member."""
from __future__ import annotations

import io
import uuid
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth.decorators import role_required
from ..auth.models import Role
from ..catalog.models import FaultCode, LabourItem, Part
from ..errors import DomainError
from ..extensions import db
from ..i18n import local_today
from ..parts.models import StockLevel
from ..scheduling.models import AppointmentStatus
from ..validators import db_int, iso_date
from . import access, services
from .forms import ArriveForm, CompletionForm, CorrectionForm, TravelForm, VerifyForm
from .models import ServiceReport, VisitPhoto

bp = Blueprint("visits", __name__)
STAFF = (Role.TECHNICIAN, Role.MANAGER)


@bp.context_processor
def labels():
    return {"status_labels": services.STATUS_LABELS, "outcome_labels": services.OUTCOME_LABELS,
            "qty": lambda value: f"{value.normalize():f}"}


@bp.route("/visits/")
@role_required(*STAFF)
def today():
    day = request.args.get("date", type=iso_date) or local_today()
    return render_template("visits/today.html", stops=services.visits_on(current_user, day), day=day,
                           is_today=day == local_today(), prev_day=day - timedelta(days=1),
                           next_day=day + timedelta(days=1))


@bp.route("/visits/<int:appointment_id>")
@role_required(*STAFF)
def detail(appointment_id: int):
    visit = access.visit_or_404(current_user, appointment_id)
    report = services.latest_report(visit)
    return render_template(
        "visits/detail.html", visit=visit, report=report, receipt_no=services.receipt_number(report),
        revisions=services.revisions(visit),
        warranty=services.visit_warranty(visit, report), history=services.unit_history(visit),
        photos=db.session.scalars(select(VisitPhoto.id).where(VisitPhoto.appointment_id == visit.id)).all(),
        travel_form=TravelForm(), arrive_form=ArriveForm(), correction_form=_correction_form(report))


@bp.post("/visits/<int:appointment_id>/travel")
@role_required(*STAFF)
def start_travel(appointment_id: int):
    visit = access.visit_or_404(current_user, appointment_id)
    if TravelForm().validate_on_submit():
        services.start_travel(current_user, visit.id)
    return redirect(url_for("visits.detail", appointment_id=visit.id))


@bp.post("/visits/<int:appointment_id>/arrive")
@role_required(*STAFF)
def arrive(appointment_id: int):
    visit = access.visit_or_404(current_user, appointment_id)
    form = ArriveForm()
    if form.validate_on_submit():
        services.arrive(current_user, visit.id, *form.position())
    return redirect(url_for("visits.detail", appointment_id=visit.id))


@bp.route("/visits/<int:appointment_id>/complete", methods=["GET", "POST"])
@role_required(*STAFF)
def complete(appointment_id: int):
    visit = access.visit_or_404(current_user, appointment_id)
    if request.method == "GET" and visit.status != AppointmentStatus.ON_SITE:
        return redirect(url_for("visits.detail", appointment_id=visit.id))
    form = _completion_form(visit)
    if not form.validate_on_submit():
        return _completion_page(visit, form)
    try:
        completion = form.completion(_read(form.signature.data), [_read(f) for f in form.photos.data or () if f])
        outcome = services.complete_visit(current_user, visit.id, completion, form.idempotency_key.data)
    except DomainError as error:
        return _completion_page(visit, form, error)
    flash(_("The visit is completed and the report is signed."), "success")
    if _from_script():
        return jsonify({**outcome.body, "redirect": url_for("visits.detail", appointment_id=visit.id)}), outcome.status
    return redirect(url_for("visits.detail", appointment_id=visit.id))


@bp.post("/visits/<int:appointment_id>/fees")
@role_required(*STAFF)
def fee_preview(appointment_id: int):
    """The fee summary the customer reads before signing, in the customer's language."""
    visit = access.visit_or_404(current_user, appointment_id)
    form = _completion_form(visit)
    errors, pricing = form.work_errors(), None
    if not errors:
        try:
            work = form.work()
            services.check_van_stock(visit, work)  # the fees never show parts the van cannot supply
            pricing = services.price_visit(visit, work)
        except DomainError as error:
            errors = [str(error.message)]
    with force_locale(services.customer_locale(visit)):
        html = render_template("visits/_fees.html", pricing=pricing, errors=errors, visit=visit)
    return html, 422 if errors else 200


@bp.route("/visits/<int:appointment_id>/report.pdf")
@role_required(*STAFF)
def report_pdf(appointment_id: int):
    visit = access.visit_or_404(current_user, appointment_id)
    revision = request.args.get("revision", type=db_int)
    report = db.session.scalar(select(ServiceReport).where(ServiceReport.appointment_id == visit.id,
                                                           ServiceReport.revision == revision)) \
        if revision else services.latest_report(visit)
    if report is None:
        abort(404)
    return send_pdf(report)


@bp.route("/visits/<int:appointment_id>/photos/<int:photo_id>")
@role_required(*STAFF)
def photo(appointment_id: int, photo_id: int):
    visit = access.visit_or_404(current_user, appointment_id)
    row = db.session.get(VisitPhoto, photo_id)
    if row is None or row.appointment_id != visit.id:
        abort(404)
    return send_file(io.BytesIO(row.data), mimetype=row.content_type, max_age=0)


@bp.post("/visits/reports/<int:report_id>/correct")
@role_required(Role.MANAGER)
def correct_report(report_id: int):
    report = access.report_or_404(current_user, report_id)
    form = _correction_form(report)
    if form.validate_on_submit():
        new = services.correct_report(current_user, report.id, fault_code_id=form.fault_code.data,
                                      diagnosis=form.diagnosis.data, resolution=form.resolution.data,
                                      note=form.note.data)
        flash(_("Revision %(revision)s of the report was issued.", revision=new.revision), "success")
    else:
        # A text that is filled in but refused is too long: say which and by how much.
        refused = [f"{field.label.text}: {error}" for field in (form.diagnosis, form.resolution, form.note)
                   if (field.data or "").strip() for error in field.errors]
        for message in refused:
            flash(message, "error")
        if len(refused) < sum(len(errors) for errors in form.errors.values()):
            flash(_("Please fill in the diagnosis, the work done and the reason for the correction."), "error")
    return redirect(url_for("visits.detail", appointment_id=report.appointment_id))


@bp.route("/reports/verify", methods=["GET", "POST"])
@login_required
def verify_report():
    form = VerifyForm()
    checked, report = False, None
    if form.validate_on_submit():
        if form.pdf.data:
            checked, report = True, services.report_by_pdf(_read(form.pdf.data))
        elif form.number.data and form.code.data:
            checked, report = True, services.report_by_code(form.number.data, form.code.data)
        else:
            flash(_("Upload the report PDF, or enter the request number and the verification code."), "error")
    return render_template("visits/verify.html", form=form, checked=checked, report=report,
                           newer=services.superseding(report) if report else None)


def send_pdf(report: ServiceReport):
    """The stored bytes, exactly: their SHA-256 is the one printed and stored at signing."""
    number = report.appointment.request.number
    return send_file(io.BytesIO(report.pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{number}-r{report.revision}.pdf", etag=report.pdf_sha256, max_age=0)


def _read(upload) -> bytes:
    return upload.read() if upload else b""


def _from_script() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _completion_form(visit) -> CompletionForm:
    unit = visit.request.unit
    form = CompletionForm(model_found=unit.model.code if unit else "", serial_found=unit.serial if unit else "",
                          idempotency_key=uuid.uuid4().hex)
    product_line = unit.model.product_line if unit else None
    fault_codes = db.session.scalars(
        select(FaultCode).where(FaultCode.active.is_(True),
                                FaultCode.product_line.is_(None) | (FaultCode.product_line == product_line))
        .order_by(FaultCode.code)).all()
    labour = db.session.scalars(select(LabourItem).where(LabourItem.active.is_(True)).order_by(LabourItem.code)).all()
    van_stock = db.session.scalars(
        select(StockLevel).join(Part).where(StockLevel.location_id == visit.technician.van_location_id,
                                            StockLevel.qty > 0, Part.active.is_(True)).order_by(Part.code)).all()
    form.set_choices(fault_codes, labour, van_stock, str(services.customer_locale(visit)))
    return form


def _completion_page(visit, form: CompletionForm, error: DomainError | None = None):
    """The form (again): a refused submission keeps everything entered, and says why."""
    failed = form.is_submitted()
    status = error.status_code if error else 422 if failed else 200
    message = str(error.message) if error else _("Please correct the marked fields.") if failed else None
    if failed and _from_script():
        details = error.details if error else {}
        return jsonify({"error": {"code": error.code if error else "invalid", "message": message, **details,
                                  "fields": _field_errors(form)}}), status
    if message:
        flash(message, "error")
    with force_locale(services.customer_locale(visit)):
        customer_step = render_template("visits/_customer_step.html", form=form, visit=visit)
    return render_template("visits/complete.html", visit=visit, form=form, customer_step=customer_step,
                           upload_limit_mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)), status


def _field_errors(form) -> dict:
    flat = {}

    def walk(prefix, errors):
        if isinstance(errors, dict):
            for key, value in errors.items():
                walk(f"{prefix}-{key}" if prefix else str(key), value)
        elif isinstance(errors, list) and errors and isinstance(errors[0], dict):
            for index, value in enumerate(errors):
                walk(f"{prefix}-{index}", value)
        else:
            flat[prefix] = [str(m) for m in errors if m]

    walk("", form.errors)
    return {k: v for k, v in flat.items() if v}


def _correction_form(report: ServiceReport | None) -> CorrectionForm | None:
    if report is None or not current_user.has_role(Role.MANAGER):
        return None
    form = CorrectionForm(fault_code=report.fault_code_id, diagnosis=report.diagnosis, resolution=report.resolution)
    form.fault_code.choices = [("", "—")] + [
        (f.id, f"{f.code} {f.name_for(str(report.locale))}")
        for f in db.session.scalars(select(FaultCode).order_by(FaultCode.code))]
    return form
