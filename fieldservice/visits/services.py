"""The technician's visit: the day's route, status steps, pricing, the one idempotent completion that
signs the report, issues the parts and closes the visit, corrections as revisions, and verification.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from ..agreements.queries import waiver_for_unit
from ..api.idempotency import Outcome, run_idempotent
from ..audit.services import record
from ..auth.models import Role
from ..billing.rules import (BillingError, Charges, LabourLine, LineKind, PartLine, compute_charges,
                             next_receipt_number)
from ..catalog.models import FaultCode, LabourItem, Part
from ..customers.models import Unit
from ..customers.rules import mask_phone, normalise_serial
from ..database import utcnow, write_transaction
from ..errors import Conflict, DomainError, NotFound
from ..extensions import db
from ..geo import geodesic_km
from ..i18n import lazy_gettext as _l, local_today, service_tz, to_local
from ..intake.models import ServiceRequest
from ..intake.rules import RequestKind, RequestStatus
from ..intake.services import allocate_sequence, change_request_status
from ..parts import services as parts
from ..parts.models import StockLevel
from ..parts.rules import QuantityError
from ..scheduling.models import Appointment, AppointmentStatus, Technician
from ..settings import get_setting
from ..signals import visit_completed
from ..transitions import TransitionNotAllowed
from ..warranty.rules import Component, WarrantyDecision, WarrantyFacts, decide_warranty, decision_from_snapshot
from ..warranty.services import decide_for_unit, decisions_for_units, status_label as warranty_status_label
from . import access
from .images import ImageError, clean_photo, clean_signature_png
from .models import ReportLine, ServiceReport, VisitPhoto
from .pdf import LABELS, ReportDocument, render_service_report
from .rules import (DEPOT_WORKING_DAYS, MAX_LABOUR_QTY, ON_SITE_EXCLUSIONS, OUTCOME_REQUEST_STATUS, Completion,
                    IdentityCheck, Verdict, VisitOutcome, WorkInput, add_working_days, check_identity,
                    check_visit_step, coverage_from_decisions, new_verification_code, normalise_verification_code,
                    parse_labour_qty, stock_shortfalls)

COMPLETE_ENDPOINT = "visits.complete"
MAX_PHOTOS = 6
MAX_TEXT = 4000

OUTCOME_LABELS = {
    VisitOutcome.FIXED: _l("Fixed"),
    VisitOutcome.AWAITING_PARTS: _l("Needs another visit (awaiting parts)"),
    VisitOutcome.DEPOT_REPAIR: _l("Depot repair (unit taken to the service centre)"),
}
VERDICT_LABELS = {
    Verdict.SATISFIED: _l("Satisfied"),
    Verdict.UNSATISFIED: _l("Not satisfied"),
}
STATUS_LABELS = {
    AppointmentStatus.BOOKED: _l("Booked"),
    AppointmentStatus.EN_ROUTE: _l("On the way"),
    AppointmentStatus.ON_SITE: _l("On site"),
    AppointmentStatus.DONE: _l("Done"),
    AppointmentStatus.CANCELLED: _l("Cancelled"),
}
IMAGE_MESSAGES = {
    "signature.empty": _l("The signature is missing: please ask the customer to sign in the box."),
    "signature.too_large": _l("The signature image is too large (at most 512 kB). Please clear the pad and sign "
                              "again."),
    "signature.not_png": _l("The signature must be a PNG image drawn on the pad; other formats such as SVG are "
                            "refused."),
    "signature.too_many_pixels": _l("The signature image has too many pixels (at most 2000 × 1000)."),
    "signature.malformed": _l("The signature image is damaged or incomplete. Please clear the pad and sign again."),
    "photo.empty": _l("A photo file is empty."),
    "photo.too_large": _l("A photo is too large (at most 8 MB)."),
    "photo.unsupported_format": _l("Photos must be JPEG or PNG images."),
    "photo.too_many_pixels": _l("A photo has too many pixels (at most 40 megapixels)."),
    "photo.malformed": _l("A photo is damaged or incomplete and cannot be read."),
}


FIELD_LABELS = {
    "serial_found": _l("Serial number on the unit"),
    "model_found": _l("Model on the unit"),
    "diagnosis": _l("Diagnosis"),
    "resolution": _l("Work done"),
    "exclusion_note": _l("What you saw"),
    "customer_comment": _l("Your comments"),
    "signer_name": _l("Signer's name"),
    "loaner_serial": _l("Loaner unit serial number"),
    "note": _l("Reason for the correction"),
}


def label(labels: dict, value) -> str:
    return str(labels.get(value, value or ""))


# -- Warranty --------------------------------------------------------------------------------------

def decide_for_visit(request: ServiceRequest, on: date, component: Component = Component.UNIT,
                     exclusions=()) -> WarrantyDecision:
    """The warranty decision for a request's unit on `on`, with the exclusions found on site.

    A request without a registered unit has no purchase on record: unverified, like the rules say.
    """
    if request.unit is None:
        return decide_warranty(WarrantyFacts(purchase_date=None, has_proof=False), on, component, exclusions)
    return decide_for_unit(request.unit, on, component, exclusions)


def visit_warranty(visit: Appointment, report: ServiceReport | None) -> WarrantyDecision:
    """As signed (with what was found on site) once there is a report; today's decision before."""
    if report is not None and report.warranty_snapshot:
        return decision_from_snapshot(report.warranty_snapshot)
    return decide_for_visit(visit.request, local_today())


# -- The day's route -------------------------------------------------------------------------------

@dataclass(frozen=True)
class RouteStop:
    visit: Appointment
    leg_km: float | None  # from the previous stop (the technician's base for the first)
    warranty: WarrantyDecision


def day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = service_tz()
    return (datetime.combine(day, time(0), tzinfo=tz), datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz))


def visits_on(user, day: date) -> list[RouteStop]:
    """The visits `user` may see on a local day, per technician in route order (window start)."""
    start, end = day_bounds(day)
    visits = db.session.scalars(
        access.visible_visits(user)
        .where(Appointment.window_start >= start, Appointment.window_start < end,
               Appointment.status != AppointmentStatus.CANCELLED)
        .options(selectinload(Appointment.request).selectinload(ServiceRequest.customer),
                 selectinload(Appointment.request).selectinload(ServiceRequest.unit).selectinload(Unit.model),
                 selectinload(Appointment.technician))
        .order_by(Appointment.technician_id, Appointment.window_start, Appointment.id)
    ).all()
    decisions = decisions_for_units([v.request.unit for v in visits if v.request.unit], day)
    stops, previous, technician_id = [], None, None
    for visit in visits:
        if visit.technician_id != technician_id:
            technician_id = visit.technician_id
            previous = (visit.technician.base_lat, visit.technician.base_lon)
        customer = visit.request.customer
        here = (customer.lat, customer.lon) if customer.lat is not None and customer.lon is not None else None
        leg = geodesic_km(previous, here) if previous and here else None
        unit_id = visit.request.unit_id
        stops.append(RouteStop(visit, leg, decisions[unit_id] if unit_id else decide_for_visit(visit.request, day)))
        previous = here
    return stops


@dataclass(frozen=True)
class HistoryEntry:
    request: ServiceRequest
    visit: Appointment | None
    report: ServiceReport | None


def unit_history(visit: Appointment) -> list[HistoryEntry]:
    """Earlier requests and visits of this unit, newest first: what was found and which parts went in.

    A visit shows its newest report revision; a request never visited shows once, without a visit.
    """
    unit_id = visit.request.unit_id
    if unit_id is None:
        return []
    older = aliased(ServiceReport)
    superseded = select(older.supersedes_id).where(older.supersedes_id.is_not(None))
    rows = db.session.execute(
        select(ServiceRequest, Appointment, ServiceReport)
        .outerjoin(Appointment, Appointment.request_id == ServiceRequest.id)
        .outerjoin(ServiceReport, (ServiceReport.appointment_id == Appointment.id)
                   & ServiceReport.id.not_in(superseded))
        .where(ServiceRequest.unit_id == unit_id)
        .options(selectinload(ServiceReport.lines), selectinload(ServiceReport.fault_code))
        .order_by(ServiceRequest.reported_at.desc(), Appointment.window_start.desc())
    ).all()
    entries, shown = [], set()
    for request, appointment, report in rows:
        if report is not None and appointment.id != visit.id:
            entries.append(HistoryEntry(request, appointment, report))
            shown.add(request.id)
    for request, _appointment, _report in rows:
        if request.id not in shown and request.id != visit.request_id:
            entries.append(HistoryEntry(request, None, None))
            shown.add(request.id)
    return sorted(entries, reverse=True,
                  key=lambda e: (e.request.reported_at, e.visit.window_start if e.visit else e.request.reported_at))


# -- Status steps ----------------------------------------------------------------------------------

STEP_REQUEST_STATUS = {AppointmentStatus.EN_ROUTE: RequestStatus.EN_ROUTE,
                       AppointmentStatus.ON_SITE: RequestStatus.ON_SITE}


def _visit_for_change(actor, appointment_id: int) -> Appointment:
    visit = access.find_visit(actor, appointment_id, for_update=True)
    if visit is None:
        raise NotFound("unknown_visit", _l("This visit does not exist."))
    return visit


def _step(actor, appointment_id: int, target: AppointmentStatus, **detail) -> Appointment:
    with write_transaction():
        visit = _visit_for_change(actor, appointment_id)
        if visit.status == target:
            return visit  # a double tap or a retry on a bad connection: already done
        try:
            check_visit_step(visit.status, target)
        except TransitionNotAllowed as error:
            raise Conflict("step_not_allowed", _l("This visit is %(current)s and cannot be marked %(target)s.",
                                                  current=label(STATUS_LABELS, error.current),
                                                  target=label(STATUS_LABELS, error.target))) from None
        now = utcnow()
        visit.status = target.value
        if target == AppointmentStatus.EN_ROUTE:
            visit.en_route_at = now
        else:
            visit.arrived_at = now
            visit.arrival_lat, visit.arrival_lon = detail.get("lat"), detail.get("lon")
        change_request_status(visit.request, STEP_REQUEST_STATUS[target], appointment_id=visit.id)
        record(f"visit_{target.value}", visit, actor=actor, **detail)
    return visit


def start_travel(actor, appointment_id: int) -> Appointment:
    return _step(actor, appointment_id, AppointmentStatus.EN_ROUTE)


def arrive(actor, appointment_id: int, lat: float | None = None, lon: float | None = None) -> Appointment:
    """Arrival time always; the position only when the browser gave a plausible one."""
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        lat = lon = None
    return _step(actor, appointment_id, AppointmentStatus.ON_SITE, lat=lat, lon=lon)


# -- Pricing ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pricing:
    identity: IdentityCheck
    exclusions: tuple[str, ...]
    warranty: WarrantyDecision
    accessory_warranty: WarrantyDecision
    charges: Charges
    agreement_number: str | None


def _first_visit_of_request(visit: Appointment) -> bool:
    return not db.session.scalar(select(exists().where(
        ServiceReport.appointment_id == Appointment.id, Appointment.request_id == visit.request_id,
        Appointment.id != visit.id)))


def price_visit(visit: Appointment, work: WorkInput) -> Pricing:
    """What the visit costs, line by line, given what was found and done; reads only."""
    request, unit = visit.request, visit.request.unit
    unknown = [e for e in work.exclusions if e not in {x.value for x in ON_SITE_EXCLUSIONS}]
    if unknown:
        raise DomainError("unknown_exclusion", _l("Unknown exclusion: %(value)s.", value=", ".join(unknown)))
    identity = check_identity(unit.model.code if unit else "", unit.serial if unit else "", work.model_found,
                              work.serial_found or (unit.serial if unit else ""), work.serial_altered) \
        if unit else IdentityCheck(False, False, work.serial_altered)
    exclusions = tuple(dict.fromkeys([*work.exclusions, *identity.exclusions]))
    today = local_today()
    unit_decision = decide_for_visit(request, today, Component.UNIT, exclusions)
    accessory_decision = decide_for_visit(request, today, Component.ACCESSORY, exclusions)
    agreement = waiver_for_unit(unit.id, today) if unit else None
    fee = Decimal(str(get_setting("CALL_OUT_FEE"))) if _first_visit_of_request(visit) else Decimal(0)
    try:
        charges = compute_charges(
            call_out_fee=fee,
            labour=[_labour_line(line.item_id, line.qty) for line in work.labour],
            parts=[_part_line(line.part_id, line.qty) for line in work.parts],
            coverage=coverage_from_decisions(unit_decision, accessory_decision),
            agreement=agreement)
    except BillingError as error:
        raise DomainError(f"billing_{error.code}", _l("The charges cannot be computed: %(detail)s.",
                                                        detail=error.detail or error.code)) from None
    return Pricing(identity, exclusions, unit_decision, accessory_decision, charges,
                   agreement.number if agreement else None)


def _labour_line(item_id: int, qty: Decimal) -> LabourLine:
    item = db.session.get(LabourItem, item_id)
    if item is None or not item.active:
        raise DomainError("unknown_labour_item", _l("This labour item does not exist or is no longer used."))
    if not isinstance(qty, Decimal) or qty <= 0:
        raise DomainError("quantity_not_positive", LABOUR_QUANTITY_MESSAGES["not_positive"])
    return LabourLine(item.code, item.name, qty, item.price)


def _part_line(part_id: int, qty: int) -> PartLine:
    part = db.session.get(Part, part_id)
    if part is None or not part.active:
        raise DomainError("unknown_part", _l("This part does not exist or is no longer used."))
    return PartLine(part.code, part.name, parts.quantity(qty), part.unit_price, part.is_accessory)


def customer_locale(visit: Appointment) -> str:
    locale = visit.request.customer.locale
    return locale if locale in LABELS else "zh_CN"


# -- Completion ------------------------------------------------------------------------------------

def complete_visit(actor, appointment_id: int, completion: Completion, key: str | None) -> Outcome:
    """Sign and close a visit once per idempotency key: a double tap or a retry replays the first answer."""
    return run_idempotent(actor.id, key, COMPLETE_ENDPOINT, completion.fingerprint(appointment_id),
                          lambda: _complete(actor, appointment_id, completion))


def _text(value: str | None, field: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError("missing_field", _l("Please fill in: %(field)s.", field=label(FIELD_LABELS, field)),
                          field=field)
    if len(value) > limit:
        raise DomainError("too_long", _l("%(field)s: at most %(limit)s characters, please.",
                                         field=label(FIELD_LABELS, field), limit=limit), field=field)
    return value


def image_error(error: ImageError) -> DomainError:
    return DomainError(f"image_{error.code}", IMAGE_MESSAGES[error.message_key],
                       field=error.message_key.split(".")[0])


def _check_completion(visit: Appointment, c: Completion) -> tuple[bytes, list[tuple[bytes, str]], FaultCode | None]:
    """Everything about the input that can be refused, before anything is written."""
    if visit.status == AppointmentStatus.CANCELLED:
        raise Conflict("visit_cancelled", _l("This visit was cancelled; it cannot be completed."))
    if visit.status == AppointmentStatus.DONE:
        raise Conflict("visit_already_completed", _l("This visit is already completed and signed."))
    if visit.status != AppointmentStatus.ON_SITE:
        raise Conflict("not_on_site", _l("Record your arrival before completing the visit."))
    if c.outcome not in set(VisitOutcome):
        raise DomainError("invalid_outcome", _l("Choose the outcome of the visit."), field="outcome")
    if c.verdict not in set(Verdict):
        raise DomainError("invalid_verdict", _l("Ask the customer whether they are satisfied."), field="verdict")
    _text(c.work.serial_found, "serial_found", required=visit.request.unit is not None, limit=64)
    _text(c.work.model_found, "model_found", limit=40)
    for value, field in ((c.diagnosis, "diagnosis"), (c.resolution, "resolution")):
        _text(value, field, required=True)
    _text(c.exclusion_note, "exclusion_note")
    _text(c.customer_comment, "customer_comment", limit=1000)
    _text(c.signer_name, "signer_name", required=True, limit=100)
    if c.outcome == VisitOutcome.DEPOT_REPAIR:
        _text(c.loaner_serial, "loaner_serial", required=True, limit=64)
    if c.work.exclusions and not c.exclusion_note.strip():
        raise DomainError("exclusion_note_missing",
                          _l("Describe what you saw when you record misuse or force majeure."), field="exclusion_note")
    fault = db.session.get(FaultCode, c.fault_code_id) if c.fault_code_id else None
    if c.fault_code_id and (fault is None or not fault.active):
        raise DomainError("unknown_fault_code", _l("Choose a fault cause from the list."), field="fault_code")
    if fault is None and visit.request.kind == RequestKind.REPAIR:
        raise DomainError("fault_code_missing", _l("Choose a fault cause from the list."), field="fault_code")
    if len(c.photos) > MAX_PHOTOS:
        raise DomainError("too_many_photos", _l("At most %(n)s photos per visit.", n=MAX_PHOTOS), field="photos")
    try:
        signature = clean_signature_png(c.signature_png)
        photos = [clean_photo(data) for data in c.photos]
    except ImageError as error:
        raise image_error(error) from None
    return signature, photos, fault


def _complete(actor, appointment_id: int, c: Completion) -> tuple[int, dict]:
    visit = _visit_for_change(actor, appointment_id)
    signature, photos, fault = _check_completion(visit, c)
    pricing = price_visit(visit, c.work)
    request, now, today = visit.request, utcnow(), local_today()
    van_id = visit.technician.van_location_id
    for line in c.work.parts:
        parts.issue_for_visit(visit, line.part_id, line.qty, van_id, actor=actor)
    receipt = next_receipt_number(today, allocate_sequence("receipt", today)) if pricing.charges.money_due else None

    visit.status, visit.finished_at = AppointmentStatus.DONE.value, now
    outcome = VisitOutcome(c.outcome)
    if outcome == VisitOutcome.DEPOT_REPAIR:
        request.loaner_serial = normalise_serial(c.loaner_serial)
        request.depot_due_date = add_working_days(today, DEPOT_WORKING_DAYS)
    change_request_status(request, OUTCOME_REQUEST_STATUS[outcome], appointment_id=visit.id)

    report = ServiceReport(
        appointment_id=visit.id, revision=1, technician_id=visit.technician_id, locale=customer_locale(visit),
        model_found=c.work.model_found.strip() or None, serial_found=normalise_serial(c.work.serial_found) or None,
        model_mismatch=pricing.identity.model_mismatch, serial_altered=pricing.identity.serial_altered,
        exclusions=list(pricing.exclusions), exclusion_note=c.exclusion_note.strip() or None,
        fault_code_id=fault.id if fault else None, diagnosis=c.diagnosis.strip(), resolution=c.resolution.strip(),
        outcome=outcome.value, loaner_serial=request.loaner_serial if outcome == VisitOutcome.DEPOT_REPAIR else None,
        warranty_snapshot=pricing.warranty.to_snapshot(), charges=pricing.charges.to_dict(),
        total_due=pricing.charges.total_due, receipt_no=receipt, verdict=c.verdict,
        customer_comment=c.customer_comment.strip() or None, signer_name=c.signer_name.strip(),
        signature_png=signature, signed_at=now, verification_code=new_verification_code(), created_at=now)
    report.lines = _report_lines(pricing.charges, c.work)
    report.appointment, report.technician, report.fault_code = visit, visit.technician, fault
    _seal(report)
    db.session.add(report)
    for data, content_type in photos:
        db.session.add(VisitPhoto(appointment_id=visit.id, content_type=content_type, data=data,
                                  note=c.exclusion_note.strip() or None))
    db.session.flush()
    record("visit_completed", visit, actor=actor, report_id=report.id, outcome=outcome.value,
           total_due=str(report.total_due), receipt_no=receipt, sha256=report.pdf_sha256)
    visit_completed.send(visit, report=report)
    return 201, report_body(report)


def _report_lines(charges: Charges, work: WorkInput) -> list[ReportLine]:
    labour_ids = iter([line.item_id for line in work.labour])
    part_ids = iter([line.part_id for line in work.parts])
    rows = []
    for line in charges.lines:
        rows.append(ReportLine(
            kind=line.kind.value, description=line.description or line.code, qty=line.qty,
            unit_price=line.unit_price, gross=line.gross, warranty_waiver=line.warranty_waiver,
            agreement_waiver=line.agreement_waiver, net=line.net,
            labour_item_id=next(labour_ids) if line.kind == LineKind.LABOUR else None,
            part_id=next(part_ids) if line.kind == LineKind.PART else None))
    return rows


def report_body(report: ServiceReport) -> dict:
    return {"report_id": report.id, "pdf_url": url_for("api.visit_report_pdf", report_id=report.id),
            "sha256": report.pdf_sha256, "verification_code": report.verification_code,
            "revision": report.revision}


# -- The PDF ---------------------------------------------------------------------------------------

def _fmt(value: datetime | None) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def receipt_number(report: ServiceReport | None) -> str | None:
    """The receipt issued with the first revision: a correction changes the report, not the receipt."""
    return _original(report).receipt_no if report is not None else None


def _original(report: ServiceReport) -> ServiceReport:
    while report.supersedes_id is not None:
        report = db.session.get(ServiceReport, report.supersedes_id)
    return report


def report_document(report: ServiceReport) -> ReportDocument:
    """What the PDF prints, from the stored report and its visit, in the report's own language."""
    visit = report.appointment
    request = visit.request
    customer, unit = request.customer, request.unit
    locale = report.locale if report.locale in LABELS else "zh_CN"
    decision = decision_from_snapshot(report.warranty_snapshot)
    previous = db.session.get(ServiceReport, report.supersedes_id) if report.supersedes_id else None
    config = current_app.config
    with force_locale(locale):
        outcome = label(OUTCOME_LABELS, report.outcome)
        if report.outcome == VisitOutcome.DEPOT_REPAIR and request.depot_due_date:
            outcome = str(_l("%(outcome)s; loaner unit %(serial)s; back by %(date)s", outcome=outcome,
                             serial=report.loaner_serial or "—", date=request.depot_due_date.isoformat()))
        warranty_status = warranty_status_label(decision.status)
        verdict = label(VERDICT_LABELS, report.verdict)
    return ReportDocument(
        locale=locale,
        centre_name=config["SERVICE_CENTRE_NAME"], centre_address=config["SERVICE_CENTRE_ADDRESS"],
        centre_phone=config["SERVICE_CENTRE_PHONE"],
        request_number=request.number, revision=report.revision,
        reported_at=_fmt(request.reported_at), arrived_at=_fmt(visit.arrived_at),
        finished_at=_fmt(visit.finished_at), signed_at=_fmt(report.signed_at),
        customer_name=customer.name, customer_phone=mask_phone(customer.phone),
        customer_address=(unit.install_address if unit and unit.install_address else customer.address),
        model=f"{unit.model.code} {unit.model.name}" if unit else "",
        serial=unit.serial if unit else "",
        purchase_date=unit.purchase_date.isoformat() if unit and unit.purchase_date else "",
        found_model=report.model_found or "", found_serial=report.serial_found or "",
        model_mismatch=report.model_mismatch,
        serial_mismatch=bool(unit and report.serial_found and normalise_serial(report.serial_found) != unit.serial),
        warranty_status=warranty_status,
        warranty_reasons=tuple(r.text(locale) for r in decision.reasons),
        fault_code=report.fault_code.code if report.fault_code else "",
        fault_text=report.fault_code.name_for(locale) if report.fault_code else "",
        diagnosis=report.diagnosis, resolution=report.resolution, outcome=outcome,
        charges=Charges.from_dict(report.charges),
        receipt_number=receipt_number(report),
        verdict=verdict, verdict_comment=report.customer_comment or "",
        signer_name=report.signer_name or "", signature_png=report.signature_png,
        technician_name=f"{report.technician.name}  {report.technician.phone}",
        verification_code=report.verification_code,
        previous_sha256=previous.pdf_sha256 if previous else None,
        verify_url=url_for("visits.verify_report", _external=True) if has_request_context() else "/reports/verify",
    )


def load_report(report_id: int) -> ServiceReport | None:
    """A report with everything its PDF prints (visit, request, customer, unit, technician) in one query."""
    return db.session.scalar(select(ServiceReport).where(ServiceReport.id == report_id).options(
        joinedload(ServiceReport.appointment).joinedload(Appointment.request).options(
            joinedload(ServiceRequest.customer), joinedload(ServiceRequest.unit).joinedload(Unit.model)),
        joinedload(ServiceReport.technician).joinedload(Technician.user),
        joinedload(ServiceReport.fault_code)))


def _seal(report: ServiceReport) -> None:
    """Render the PDF once and store it with its hash: every later download returns these bytes."""
    report.pdf = render_service_report(report_document(report))
    report.pdf_sha256 = hashlib.sha256(report.pdf).hexdigest()


# -- Corrections and verification ------------------------------------------------------------------

def latest_report(visit: Appointment) -> ServiceReport | None:
    return db.session.scalar(select(ServiceReport).where(ServiceReport.appointment_id == visit.id)
                             .order_by(ServiceReport.revision.desc()).limit(1))


def revisions(visit: Appointment) -> list[ServiceReport]:
    return list(db.session.scalars(select(ServiceReport).where(ServiceReport.appointment_id == visit.id)
                                   .order_by(ServiceReport.revision.desc())))


def superseding(report: ServiceReport) -> ServiceReport | None:
    return db.session.scalar(select(ServiceReport).where(ServiceReport.supersedes_id == report.id))


def correct_report(actor, report_id: int, *, fault_code_id: int | None, diagnosis: str, resolution: str,
                   note: str) -> ServiceReport:
    """A manager's correction: a new signed revision referencing the old one, which stays unchanged.

    The customer signed the visit, so the revision carries their signature, verdict and signing
    time; its PDF says which revision (and which SHA-256) it replaces.
    """
    if actor.role != Role.MANAGER:
        raise NotFound("unknown_report", _l("This report does not exist."))
    with write_transaction():
        old = load_report(report_id)
        if old is None or access.find_visit(actor, old.appointment_id, for_update=True) is None:
            raise NotFound("unknown_report", _l("This report does not exist."))
        if superseding(old) is not None:
            raise Conflict("report_superseded", _l("This revision was already corrected; correct the newest one."))
        note = _text(note, "note", required=True, limit=1000)
        fault = db.session.get(FaultCode, fault_code_id) if fault_code_id else None
        if fault_code_id and fault is None:
            raise DomainError("unknown_fault_code", _l("Choose a fault cause from the list."))
        copied = {column: getattr(old, column) for column in (
            "appointment_id", "model_found", "serial_found", "model_mismatch", "serial_altered", "exclusions",
            "exclusion_note", "outcome", "loaner_serial", "warranty_snapshot", "charges", "total_due", "verdict",
            "customer_comment", "signer_name", "signature_png", "signed_at", "technician_id", "locale")}
        new = ServiceReport(**copied, revision=old.revision + 1, supersedes_id=old.id,
                            fault_code_id=fault.id if fault else None,
                            diagnosis=_text(diagnosis, "diagnosis", required=True),
                            resolution=_text(resolution, "resolution", required=True),
                            correction_note=note, verification_code=new_verification_code(), created_at=utcnow())
        new.lines = [ReportLine(kind=line.kind, labour_item_id=line.labour_item_id, part_id=line.part_id,
                                description=line.description, qty=line.qty, unit_price=line.unit_price,
                                gross=line.gross, warranty_waiver=line.warranty_waiver,
                                agreement_waiver=line.agreement_waiver, net=line.net) for line in old.lines]
        new.appointment, new.technician, new.fault_code = old.appointment, old.technician, fault
        _seal(new)
        db.session.add(new)
        db.session.flush()
        record("report_corrected", new, actor=actor, supersedes=old.id, revision=new.revision, note=note)
    return new


def report_by_pdf(data: bytes) -> ServiceReport | None:
    digest = hashlib.sha256(data).hexdigest()
    return db.session.scalar(select(ServiceReport).where(ServiceReport.pdf_sha256 == digest))


def report_by_code(request_number: str, code: str) -> ServiceReport | None:
    normalised = normalise_verification_code(code)
    if not normalised:
        return None
    return db.session.scalar(
        select(ServiceReport).join(Appointment, Appointment.id == ServiceReport.appointment_id)
        .join(ServiceRequest, ServiceRequest.id == Appointment.request_id)
        .where(ServiceReport.verification_code == normalised,
               ServiceRequest.number == request_number.strip().upper()))


# Labour is not counted like parts: 1.5 is fine, and the limit is rules.MAX_LABOUR_QTY.
LABOUR_QUANTITY_MESSAGES = {
    "required": _l("Enter the labour quantity."),
    "not_a_number": _l("Enter the labour quantity as a number, e.g. 1 or 1.5."),
    "not_positive": _l("The labour quantity must be more than 0."),
    "too_large": _l("The labour quantity is too large (at most %(max)s).", max=MAX_LABOUR_QTY),
    "too_precise": _l("Use at most two decimals, e.g. 1.5."),
}


def labour_quantity_message(error: QuantityError) -> str:
    return str(LABOUR_QUANTITY_MESSAGES[error.code]) % {"value": error.value}


def parse_labour_quantity(value: object) -> Decimal:
    try:
        return parse_labour_qty(value)
    except QuantityError as error:
        raise DomainError(f"quantity_{error.code}", labour_quantity_message(error)) from None


def check_van_stock(visit: Appointment, work: WorkInput) -> None:
    """Refuse parts the technician's van does not hold enough of, before the customer sees the fees; reads only.
    Completing the visit checks again when it takes the parts (stock can change in between)."""
    van_id = visit.technician.van_location_id
    wanted = {line.part_id for line in work.parts}
    van = dict(db.session.execute(select(StockLevel.part_id, StockLevel.qty).where(
        StockLevel.location_id == van_id, StockLevel.part_id.in_(wanted))).all()) if van_id and wanted else {}
    short = stock_shortfalls(work.parts, van)
    if short:
        first = short[0]
        part = db.session.get(Part, first.part_id)
        raise Conflict("not_enough_stock",
                       _l("Not enough in your van: %(part)s, %(want)s entered, %(have)s in the van.",
                          part=f"{part.code} {part.name}" if part else first.part_id, want=first.wanted,
                          have=first.have), part_id=first.part_id, available=first.have)
