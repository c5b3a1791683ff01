"""The statistics of the after-sales manual: SQL aggregation, one function per report.

Each function takes the period (local days, inclusive) and filters and returns a ReportResult
(tables.py) that the page, the print view and the CSV all show. Where a figure needs a rule
(attainment, first-time fix, utilisation) the rows come from SQL and the rule from rules.py.

Shared definitions:
- A visit's report counts once it is signed and no signed revision replaced it ("current").
- A request is completed in the period when it is completed or closed and its latest current
  report was signed in the period; its technician is that report's.
- Filters: product line and model are the unit's, district the customer's, technician the one
  who signed (for visits), the visit's (for parts and callbacks).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _, ngettext
from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import aliased

from ..auth.models import User
from ..catalog.models import FaultCode, LabourItem, Part, ProductModel
from ..catalog.services import product_line_label
from ..complaints.models import Complaint
from ..complaints.rules import AWAITING_REPLY, ComplaintCategory, ComplaintStatus, Severity
from ..complaints.services import CATEGORY_LABELS, SEVERITY_LABELS
from ..customers.models import Customer, Unit
from ..customers.rules import mask_phone
from ..database import utcnow
from ..extensions import db
from ..followups.models import FollowUp
from ..followups.rules import FollowUpKind, FollowUpStatus
from ..i18n import current_locale, fmt_date, service_tz
from ..intake.models import ServiceRequest
from ..intake.rules import OPEN_STATUSES, RequestKind, RequestStatus
from ..intake.services import status_label
from ..parts.models import StockLocation, StockMovement
from ..parts.rules import MovementKind
from ..scheduling.models import Appointment, AppointmentStatus, Technician
from ..visits.models import ReportLine, ServiceReport
from ..visits.rules import LineKind
from . import charts
from .rules import (PromiseOutcome, PromiseTally, ReplyTally, SatisfactionTally, VisitFacts, classify_promise,
                    classify_reply, days_between, first_time_fixed, ranked, share, utc_bounds, utilisation,
                    week_range, working_minutes)
from .tables import Column, Figure, Kind, ReportResult, Table

COMPLETED = (RequestStatus.COMPLETED.value, RequestStatus.CLOSED.value)
# Requests the promise is not ours to keep: cancelled, or handed to a partner.
NOT_PROMISED = (RequestStatus.CANCELLED.value, RequestStatus.FORWARDED.value)
COUNTED_COMPLAINTS = (ComplaintStatus.OPEN.value, ComplaintStatus.REPLIED.value, ComplaintStatus.RESOLVED.value)
AT_RISK_HOURS = 4
DASHBOARD_CHART_W = 360  # three charts side by side at 1280 px
CHART_ITEMS = 8


@dataclass(frozen=True)
class ReportFilters:
    start: date
    end: date
    product_line: str | None = None
    model_id: int | None = None
    district: str | None = None
    technician_id: int | None = None

    @property
    def utc(self) -> tuple[datetime, datetime]:
        return utc_bounds(self.start, self.end, service_tz())


# --- shared pieces --------------------------------------------------------------------------------

def current_reports():
    """Signed visit reports that no signed revision replaced, with their request."""
    newer = aliased(ServiceReport)
    return (select(ServiceReport.id.label("report_id"), Appointment.request_id.label("request_id"),
                   ServiceReport.technician_id.label("technician_id"),
                   ServiceReport.fault_code_id.label("fault_code_id"), ServiceReport.outcome.label("outcome"),
                   ServiceReport.signed_at.label("signed_at"), ServiceReport.receipt_no.label("receipt_no"))
            .join(Appointment, Appointment.id == ServiceReport.appointment_id)
            .where(ServiceReport.signed_at.is_not(None),
                   ~exists().where(newer.supersedes_id == ServiceReport.id, newer.signed_at.is_not(None)))
            .subquery("current_report"))


def closing_reports():
    """Each request's latest current report (rn = 1), numbered per request."""
    cr = current_reports()
    rn = func.row_number().over(partition_by=cr.c.request_id, order_by=(cr.c.signed_at.desc(), cr.c.report_id.desc()))
    return select(cr, rn.label("rn")).subquery("closing_report")


def _with_request(stmt, request_id):
    return (stmt.join(ServiceRequest, ServiceRequest.id == request_id)
            .join(Customer, Customer.id == ServiceRequest.customer_id)
            .outerjoin(Unit, Unit.id == ServiceRequest.unit_id)
            .outerjoin(ProductModel, ProductModel.id == Unit.model_id))


def _filters(f: ReportFilters, technician=None) -> list:
    conditions = []
    if f.product_line:
        conditions.append(ProductModel.product_line == f.product_line)
    if f.model_id:
        conditions.append(Unit.model_id == f.model_id)
    if f.district:
        conditions.append(Customer.district == f.district)
    if f.technician_id and technician is not None:
        conditions.append(technician == f.technician_id)
    return conditions


def _completed_in_period(f: ReportFilters, repairs_only: bool = False):
    """The closing-report subquery and the conditions for requests completed in the period."""
    cl = closing_reports()
    start, end = f.utc
    conditions = [cl.c.rn == 1, cl.c.signed_at >= start, cl.c.signed_at < end, ServiceRequest.status.in_(COMPLETED),
                  *_filters(f, cl.c.technician_id)]
    if repairs_only:
        conditions.append(ServiceRequest.kind == RequestKind.REPAIR.value)
    return cl, conditions


def _technician_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(Technician.id, User.display_name).join(User, User.id == Technician.user_id)
                                   .where(Technician.id.in_(ids))).all())


def _model_label(code: str | None, name: str | None) -> str:
    return f"{code} {name}" if code else _("Unknown model")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _hbar(title: str, items: list[tuple[str, float, str]]) -> charts.Chart:
    return charts.hbar_chart(title, items[:CHART_ITEMS])


# --- fault-cause analysis -----------------------------------------------------------------------

def fault_causes(f: ReportFilters) -> ReportResult:
    cl, conditions = _completed_in_period(f, repairs_only=True)
    rows = db.session.execute(
        _with_request(select(ProductModel.code, ProductModel.name, FaultCode.code, FaultCode.name_zh, FaultCode.name_en,
                             func.count()).select_from(cl), cl.c.request_id)
        .outerjoin(FaultCode, FaultCode.id == cl.c.fault_code_id)
        .where(*conditions)
        .group_by(ProductModel.code, ProductModel.name, FaultCode.code, FaultCode.name_zh, FaultCode.name_en)).all()
    zh = current_locale().startswith("zh")
    by_cause: dict[tuple, int] = defaultdict(int)
    by_model: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for model_code, model_name, code, name_zh, name_en, count in rows:
        cause = (code or "", (name_zh if zh else name_en) if code else _("No cause recorded"))
        by_cause[cause] += count
        by_model[_model_label(model_code, model_name)].append((*cause, count))
    total = sum(by_cause.values())

    causes = ranked([(code, name, n) for (code, name), n in by_cause.items()])
    top = Table("causes", _("Causes, most frequent first"),
                [Column("rank", _("Rank"), Kind.INT), Column("code", _("Code")),
                 Column("cause", _("Fault cause"), wrap=True), Column("count", _("Repairs"), Kind.INT),
                 Column("share", _("Share"), Kind.SHARE)],
                [{"rank": i, "code": c.key, "cause": c.label, "count": c.count, "share": c.share}
                 for i, c in enumerate(causes, 1)],
                totals={"cause": _("Total"), "count": total, "share": share(total, total)},
                empty_text=_("No repairs were completed in this period."))
    model_rows = []
    for model in sorted(by_model, key=lambda m: (-sum(n for *_x, n in by_model[m]), m)):
        model_total = sum(n for *_x, n in by_model[model])
        for code, cause, n in sorted(by_model[model], key=lambda item: (-item[2], item[1])):
            model_rows.append({"model": model, "code": code, "cause": cause, "count": n,
                               "model_share": share(n, model_total), "share": share(n, total)})
    per_model = Table("by_model", _("By model and cause"),
                      [Column("model", _("Model"), wrap=True), Column("code", _("Code")),
                       Column("cause", _("Fault cause"), wrap=True), Column("count", _("Repairs"), Kind.INT),
                       Column("model_share", _("Share of the model"), Kind.SHARE),
                       Column("share", _("Share of all"), Kind.SHARE)],
                      model_rows, totals={"model": _("Total"), "count": total},
                      empty_text=_("No repairs were completed in this period."))
    figures = [Figure(_("Repairs analysed"), total, Kind.INT),
               Figure(_("Causes seen"), len(causes), Kind.INT)]
    if causes:
        figures.append(Figure(_("Most frequent cause"), causes[0].share, Kind.SHARE, causes[0].label))
    chart = _hbar(_("Most frequent causes"), [(c.label, c.count, f"{c.count} · {_pct(c.share)}") for c in causes])
    return ReportResult(figures, [top, per_model], [chart])


# --- service items ------------------------------------------------------------------------------

def service_items(f: ReportFilters) -> ReportResult:
    cr = current_reports()
    start, end = f.utc
    item = func.coalesce(LabourItem.name, ReportLine.description)
    rows = db.session.execute(
        _with_request(select(LabourItem.code, item, func.count(ReportLine.id), func.sum(ReportLine.qty),
                             func.sum(ReportLine.gross),
                             func.sum(ReportLine.warranty_waiver + ReportLine.agreement_waiver),
                             func.sum(ReportLine.net))
                      .select_from(ReportLine).join(cr, cr.c.report_id == ReportLine.report_id), cr.c.request_id)
        .outerjoin(LabourItem, LabourItem.id == ReportLine.labour_item_id)
        .where(ReportLine.kind == LineKind.LABOUR.value, cr.c.signed_at >= start, cr.c.signed_at < end,
               *_filters(f, cr.c.technician_id))
        .group_by(LabourItem.code, item)).all()
    items = sorted(({"code": code or "", "item": name, "count": count, "qty": _dec(qty), "gross": _money(gross),
                     "waived": _money(waived), "net": _money(net)}
                    for code, name, count, qty, gross, waived, net in rows),
                   key=lambda r: (-r["count"], -r["gross"], r["item"]))
    totals = {"item": _("Total"), **{k: sum((r[k] for r in items), Decimal(0) if k != "count" else 0)
                                     for k in ("count", "qty", "gross", "waived", "net")}}
    table = Table("items", _("Labour items performed"),
                  [Column("code", _("Code")), Column("item", _("Labour item"), wrap=True),
                   Column("count", _("Times performed"), Kind.INT), Column("qty", _("Quantity"), Kind.AVERAGE),
                   Column("gross", _("Amount"), Kind.MONEY), Column("waived", _("Waived"), Kind.MONEY),
                   Column("net", _("Charged"), Kind.MONEY)],
                  items, totals=totals, empty_text=_("No labour was recorded in this period."))
    figures = [Figure(_("Labour items performed"), totals["count"], Kind.INT),
               Figure(_("Amount"), totals["gross"], Kind.MONEY),
               Figure(_("Waived (warranty and agreements)"), totals["waived"], Kind.MONEY),
               Figure(_("Charged"), totals["net"], Kind.MONEY)]
    chart = _hbar(_("Most performed labour items"), [(r["item"], r["count"], str(r["count"])) for r in items])
    return ReportResult(figures, [table], [chart])


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _dec(value) -> Decimal:
    return Decimal(value or 0)


# --- complaint causes ---------------------------------------------------------------------------

def complaint_causes(f: ReportFilters) -> ReportResult:
    start, end = f.utc
    conditions = [Complaint.received_at >= start, Complaint.received_at < end,
                  Complaint.status.in_(COUNTED_COMPLAINTS)]
    if f.district:
        conditions.append(Customer.district == f.district)
    rows = db.session.execute(
        select(Complaint.category, Complaint.severity, Complaint.reply_due_at, Complaint.replied_at)
        .join(Customer, Customer.id == Complaint.customer_id).where(*conditions)).all()
    now = utcnow()
    by_category = {c: ReplyTally() for c in ComplaintCategory}
    by_severity = {s: ReplyTally() for s in Severity}
    total = ReplyTally()
    for category, severity, due_at, replied_at in rows:
        outcome = classify_reply(due_at, replied_at, now)
        major = severity == Severity.MAJOR.value
        for tally in (by_category[ComplaintCategory(category)], by_severity[Severity(severity)], total):
            tally.add(outcome, major)

    def columns(first: Column, with_major: bool) -> list[Column]:
        return [first, Column("count", _("Complaints"), Kind.INT), Column("share", _("Share"), Kind.SHARE),
                *([Column("major", _("Major"), Kind.INT)] if with_major else []),
                Column("on_time", _("Replied in time"), Kind.INT), Column("late", _("Replied late"), Kind.INT),
                Column("overdue", _("Unreplied, overdue"), Kind.INT),
                Column("pending", _("Unreplied, not yet due"), Kind.INT),
                Column("attainment", _("Reply in time"), Kind.SHARE)]

    def row(label: str, t: ReplyTally) -> dict:
        return {"label": label, "count": t.count, "share": share(t.count, total.count), "major": t.major,
                "on_time": t.on_time, "late": t.late, "overdue": t.overdue, "pending": t.pending,
                "attainment": t.attainment}

    category_rows = sorted((row(str(CATEGORY_LABELS[c]), t) for c, t in by_category.items() if t.count),
                           key=lambda r: -r["count"])
    categories = Table("categories", _("By cause"), columns(Column("label", _("Cause"), wrap=True), True),
                       category_rows, totals=row(_("Total"), total),
                       empty_text=_("No complaints were received in this period."))
    severities = Table("severities", _("By severity"), columns(Column("label", _("Severity"), wrap=True), False),
                       [row(str(SEVERITY_LABELS[s]), t) for s, t in by_severity.items() if t.count],
                       totals=row(_("Total"), total), empty_text=_("No complaints were received in this period."))
    figures = [Figure(_("Complaints"), total.count, Kind.INT), Figure(_("Major"), total.major, Kind.INT),
               Figure(_("Replied within 24 hours"), total.attainment, Kind.SHARE,
                      _("%(late)s late, %(overdue)s overdue", late=total.late, overdue=total.overdue))]
    chart = _hbar(_("Complaints by cause"), [(r["label"], r["count"], str(r["count"])) for r in category_rows])
    return ReportResult(figures, [categories, severities], [chart])


# --- settlement detail --------------------------------------------------------------------------

def settlement(f: ReportFilters) -> ReportResult:
    cl, conditions = _completed_in_period(f)
    done = _with_request(select(cl.c.request_id).select_from(cl), cl.c.request_id).where(*conditions)
    cr = current_reports()

    def gross_of(kind: LineKind):
        return func.sum(case((ReportLine.kind == kind.value, ReportLine.gross), else_=0))

    sums = (select(cr.c.request_id, gross_of(LineKind.CALL_OUT).label("call_out"),
                   gross_of(LineKind.LABOUR).label("labour"), gross_of(LineKind.PART).label("parts"),
                   func.sum(ReportLine.gross).label("gross"), func.sum(ReportLine.warranty_waiver).label("warranty"),
                   func.sum(ReportLine.agreement_waiver).label("agreement"), func.sum(ReportLine.net).label("due"))
            .select_from(ReportLine).join(cr, cr.c.report_id == ReportLine.report_id)
            .where(cr.c.request_id.in_(done)).group_by(cr.c.request_id).subquery("charges"))
    rows = db.session.execute(
        _with_request(select(ServiceRequest.id, ServiceRequest.number, cl.c.signed_at, Customer.name, ProductModel.code,
                             Unit.serial, cl.c.technician_id, sums.c.call_out, sums.c.labour, sums.c.parts,
                             sums.c.gross, sums.c.warranty, sums.c.agreement, sums.c.due).select_from(cl),
                      cl.c.request_id)
        .outerjoin(sums, sums.c.request_id == cl.c.request_id)
        .where(*conditions).order_by(cl.c.signed_at, ServiceRequest.number)).all()
    receipts: dict[int, list[str]] = defaultdict(list)
    for request_id, receipt in db.session.execute(
            select(cr.c.request_id, cr.c.receipt_no)
            .where(cr.c.request_id.in_(done), cr.c.receipt_no.is_not(None)).order_by(cr.c.signed_at)):
        receipts[request_id].append(receipt)
    names = _technician_names(r.technician_id for r in rows)
    tz = service_tz()
    money_keys = ("call_out", "labour", "parts", "gross", "warranty", "agreement", "due")
    out = [{"number": r.number, "completed": r.signed_at.astimezone(tz).date(), "customer": r.name,
            "model": r.code or "", "serial": r.serial or "", "technician": names.get(r.technician_id, ""),
            **{k: _money(getattr(r, k)) for k in money_keys}, "receipts": " ".join(receipts.get(r.id, []))}
           for r in rows]
    totals = {"number": _("Total"), **{k: sum((r[k] for r in out), Decimal("0.00")) for k in money_keys}}
    table = Table("requests", _("Completed requests"),
                  [Column("number", _("Request")), Column("completed", _("Completed on"), Kind.DATE),
                   Column("customer", _("Customer"), wrap=True), Column("model", _("Model")),
                   Column("serial", _("Serial no.")),
                   Column("technician", _("Technician")), Column("call_out", _("Call-out"), Kind.MONEY),
                   Column("labour", _("Labour"), Kind.MONEY), Column("parts", _("Parts"), Kind.MONEY),
                   Column("gross", _("Gross"), Kind.MONEY), Column("warranty", _("Warranty waiver"), Kind.MONEY),
                   Column("agreement", _("Agreement waiver"), Kind.MONEY), Column("due", _("Amount due"), Kind.MONEY),
                   Column("receipts", _("Receipts"))],
                  out, totals=totals, empty_text=_("No requests were completed in this period."))
    figures = [Figure(_("Completed requests"), len(out), Kind.INT), Figure(_("Gross"), totals["gross"], Kind.MONEY),
               Figure(_("Waived"), totals["warranty"] + totals["agreement"], Kind.MONEY),
               Figure(_("Due from customers"), totals["due"], Kind.MONEY)]
    return ReportResult(figures, [table])


# --- parts detail -------------------------------------------------------------------------------

def parts_detail(f: ReportFilters) -> ReportResult:
    start, end = f.utc
    amount = StockMovement.qty * Part.unit_price
    rows = db.session.execute(
        _with_request(select(StockMovement.at, ServiceRequest.number, Customer.name.label("customer"),
                             Customer.district, Part.code, Part.name.label("part"), StockMovement.qty,
                             Part.unit_price, amount.label("amount"), Appointment.technician_id,
                             StockLocation.name.label("location"))
                      .select_from(StockMovement).join(Appointment, Appointment.id == StockMovement.appointment_id),
                      Appointment.request_id)
        .join(Part, Part.id == StockMovement.part_id)
        .outerjoin(StockLocation, StockLocation.id == StockMovement.from_location_id)
        .where(StockMovement.kind == MovementKind.ISSUE.value, StockMovement.at >= start, StockMovement.at < end,
               *_filters(f, Appointment.technician_id))
        .order_by(StockMovement.at, StockMovement.id)).all()
    names = _technician_names(r.technician_id for r in rows)
    tz = service_tz()
    detail = [{"at": r.at.astimezone(tz), "number": r.number, "customer": r.customer, "district": r.district or "",
               "code": r.code, "part": r.part, "qty": r.qty, "price": _money(r.unit_price), "amount": _money(r.amount),
               "technician": names.get(r.technician_id, ""), "location": r.location or ""} for r in rows]
    by_part: dict[tuple[str, str], dict] = {}
    for d in detail:
        entry = by_part.setdefault((d["code"], d["part"]), {"code": d["code"], "part": d["part"], "qty": 0,
                                                             "amount": Decimal("0.00"), "requests": set()})
        entry["qty"] += d["qty"]
        entry["amount"] += d["amount"]
        entry["requests"].add(d["number"])
    summary = sorted(({**e, "requests": len(e["requests"])} for e in by_part.values()),
                     key=lambda e: (-e["amount"], e["code"]))
    qty = sum(d["qty"] for d in detail)
    total_amount = sum((d["amount"] for d in detail), Decimal("0.00"))
    empty = _("No parts were issued to visits in this period.")
    summary_table = Table("parts", _("By part"),
                          [Column("code", _("Part code")), Column("part", _("Part"), wrap=True),
                           Column("requests", _("Requests"), Kind.INT), Column("qty", _("Quantity"), Kind.INT),
                           Column("amount", _("Amount at list price"), Kind.MONEY)],
                          summary, totals={"part": _("Total"), "qty": qty, "amount": total_amount}, empty_text=empty)
    detail_table = Table("issues", _("Parts issued per request"),
                         [Column("at", _("Issued"), Kind.DATETIME), Column("number", _("Request")),
                          Column("customer", _("Customer"), wrap=True), Column("district", _("District"), wrap=True),
                          Column("code", _("Part code")), Column("part", _("Part"), wrap=True),
                          Column("qty", _("Quantity"), Kind.INT), Column("price", _("List price"), Kind.MONEY),
                          Column("amount", _("Amount"), Kind.MONEY), Column("technician", _("Technician")),
                          Column("location", _("Issued from"), wrap=True)],
                         detail, totals={"number": _("Total"), "qty": qty, "amount": total_amount}, empty_text=empty)
    figures = [Figure(_("Parts issued"), qty, Kind.INT),
               Figure(_("Requests"), len({d["number"] for d in detail}), Kind.INT),
               Figure(_("Amount at list price"), total_amount, Kind.MONEY)]
    chart = _hbar(_("Parts by amount"), [(e["part"], float(e["amount"]), f"{e['amount']:,.2f}") for e in summary])
    return ReportResult(figures, [summary_table, detail_table], [chart])


# --- repair counts ------------------------------------------------------------------------------

REPAIRS_BEFORE_REPLACEMENT = 2


def repair_counts(f: ReportFilters) -> ReportResult:
    cl, conditions = _completed_in_period(f, repairs_only=True)
    rows = db.session.execute(
        _with_request(select(ServiceRequest.unit_id, Unit.serial, ProductModel.code, ProductModel.name, Customer.name,
                             Customer.phone, cl.c.technician_id).select_from(cl), cl.c.request_id)
        .where(*conditions)).all()
    done = _with_request(select(ServiceRequest.unit_id).select_from(cl), cl.c.request_id).where(*conditions)
    to_date = dict(db.session.execute(
        select(ServiceRequest.unit_id, func.count())
        .where(ServiceRequest.unit_id.in_(done), ServiceRequest.kind == RequestKind.REPAIR.value,
               ServiceRequest.status.in_(COMPLETED))
        .group_by(ServiceRequest.unit_id)).all())
    units: dict[int, dict] = {}
    by_technician: dict[int, int] = defaultdict(int)
    for unit_id, serial, model_code, model_name, customer, phone, technician_id in rows:
        by_technician[technician_id] += 1
        if unit_id is None:
            continue
        entry = units.setdefault(unit_id, {"serial": serial, "model": _model_label(model_code, model_name),
                                           "customer": customer, "phone": mask_phone(phone), "repairs": 0,
                                           "to_date": to_date.get(unit_id, 0)})
        entry["repairs"] += 1
    unit_rows = sorted(units.values(), key=lambda u: (-u["repairs"], -u["to_date"], u["serial"]))
    repeat = {i for i, u in enumerate(unit_rows) if u["to_date"] >= REPAIRS_BEFORE_REPLACEMENT}
    per_unit = Table("units", _("Per unit"),
                     [Column("serial", _("Serial no.")), Column("model", _("Model"), wrap=True),
                      Column("customer", _("Customer"), wrap=True),
                      Column("phone", _("Phone")), Column("repairs", _("Repairs in period"), Kind.INT),
                      Column("to_date", _("Repairs to date"), Kind.INT)],
                     unit_rows, totals={"serial": _("Total"), "repairs": sum(u["repairs"] for u in unit_rows)},
                     highlighted=repeat,
                     note=_("Highlighted: units with two or more completed repairs. Another failure within "
                            "warranty entitles the customer to a free replacement of the same model."),
                     empty_text=_("No repairs were completed in this period."))
    models: dict[str, dict] = {}
    for u in unit_rows:
        m = models.setdefault(u["model"], {"model": u["model"], "repairs": 0, "units": 0, "repeat": 0})
        m["repairs"] += u["repairs"]
        m["units"] += 1
        m["repeat"] += u["to_date"] >= REPAIRS_BEFORE_REPLACEMENT
    model_rows = sorted(({**m, "per_unit": share(m["repairs"], m["units"])} for m in models.values()),
                        key=lambda m: (-m["repairs"], m["model"]))
    per_model = Table("models", _("Per model"),
                      [Column("model", _("Model"), wrap=True), Column("repairs", _("Repairs"), Kind.INT),
                       Column("units", _("Units repaired"), Kind.INT),
                       Column("per_unit", _("Repairs per unit"), Kind.AVERAGE),
                       Column("repeat", _("Units with 2+ repairs"), Kind.INT)],
                      model_rows, totals={"model": _("Total"), "repairs": sum(m["repairs"] for m in model_rows),
                                          "units": len(unit_rows), "repeat": len(repeat)},
                      empty_text=_("No repairs were completed in this period."))
    names = _technician_names(by_technician)
    tech_rows = sorted(({"technician": names.get(t, ""), "repairs": n} for t, n in by_technician.items()),
                       key=lambda r: (-r["repairs"], r["technician"]))
    per_technician = Table("technicians", _("Per technician"),
                           [Column("technician", _("Technician")),
                            Column("repairs", _("Repairs"), Kind.INT)],
                           tech_rows, totals={"technician": _("Total"), "repairs": len(rows)},
                           empty_text=_("No repairs were completed in this period."))
    figures = [Figure(_("Repairs completed"), len(rows), Kind.INT), Figure(_("Units repaired"), len(units), Kind.INT),
               Figure(_("Units with 2+ repairs"), len(repeat), Kind.INT)]
    chart = _hbar(_("Repairs per model"), [(m["model"], m["repairs"], str(m["repairs"])) for m in model_rows])
    return ReportResult(figures, [per_unit, per_model, per_technician], [chart])


# --- 24-hour promise ----------------------------------------------------------------------------

@dataclass
class _Promise:
    reported_on: date
    district: str
    outcome: PromiseOutcome


def promise_outcomes(first: date, last: date, f: ReportFilters | None = None) -> list[_Promise]:
    """Every promised request reported on the local days first..last, with how its promise went."""
    start, end = utc_bounds(first, last, service_tz())
    conditions = [ServiceRequest.reported_at >= start, ServiceRequest.reported_at < end,
                  ServiceRequest.status.not_in(NOT_PROMISED), ServiceRequest.partner_id.is_(None)]
    if f is not None:
        conditions += _filters(f)
    requests = (select(ServiceRequest.id, ServiceRequest.reported_at, ServiceRequest.sla_due_at, Customer.district)
                .join(Customer, Customer.id == ServiceRequest.customer_id)
                .outerjoin(Unit, Unit.id == ServiceRequest.unit_id)
                .outerjoin(ProductModel, ProductModel.id == Unit.model_id)
                .where(*conditions))
    rows = db.session.execute(requests).all()
    visits: dict[int, list[VisitFacts]] = defaultdict(list)
    ids = requests.with_only_columns(ServiceRequest.id)
    for request_id, window_start, arrived_at, after_promise, late_reason, status in db.session.execute(
            select(Appointment.request_id, Appointment.window_start, Appointment.arrived_at, Appointment.after_promise,
                   Appointment.late_reason, Appointment.status).where(Appointment.request_id.in_(ids))):
        # A late visit without the customer's reason (a day plan's) is the company's miss.
        visits[request_id].append(VisitFacts(window_start, arrived_at, bool(after_promise and late_reason),
                                             status == AppointmentStatus.CANCELLED.value))
    now = utcnow()
    tz = service_tz()
    return [_Promise(reported_at.astimezone(tz).date(), district or "",
                     classify_promise(due_at, visits.get(request_id, []), now))
            for request_id, reported_at, due_at, district in rows]


def _promise_columns(first: Column) -> list[Column]:
    return [first, Column("requests", _("Requests"), Kind.INT), Column("met", _("On site in time"), Kind.INT),
            Column("missed_company", _("Missed by us"), Kind.INT),
            Column("missed_customer", _("Later at the customer's wish"), Kind.INT),
            Column("pending", _("Not yet due"), Kind.INT), Column("attainment", _("Attainment"), Kind.SHARE),
            Column("company_attainment", _("Attainment without customer delays"), Kind.SHARE)]


def _promise_row(key: str, label, t: PromiseTally) -> dict:
    return {key: label, "requests": t.decided + t.pending, "met": t.met, "missed_company": t.missed_company,
            "missed_customer": t.missed_customer, "pending": t.pending, "attainment": t.attainment,
            "company_attainment": t.company_attainment}


def _day_columns(by_day: dict[date, PromiseTally]) -> list[tuple[str, float | None, str]]:
    """One column per day; with many days the values lose their % sign and only the 1st and 15th keep a
    label, so the texts do not run into each other."""
    many = len(by_day) > 12
    long = len(by_day) > 31
    columns = []
    for day, t in by_day.items():
        label = (f"{day.month}-{day.day}" if day.day in (1, 15) else "") if long else str(day.day)
        value = t.attainment
        text = "—" if value is None else f"{value * 100:.0f}" if many else _pct(value)
        columns.append((label, value, text))
    return columns


def promise_attainment(f: ReportFilters) -> ReportResult:
    outcomes = promise_outcomes(f.start, f.end, f)
    total = PromiseTally()
    by_day = {d: PromiseTally() for d in days_between(f.start, f.end)}
    by_district: dict[str, PromiseTally] = defaultdict(PromiseTally)
    for p in outcomes:
        total.add(p.outcome)
        by_day[p.reported_on].add(p.outcome)
        by_district[p.district].add(p.outcome)
    day_rows = [_promise_row("day", d, t) for d, t in by_day.items() if t.decided + t.pending]
    district_rows = sorted((_promise_row("district", d or _("Unknown district"), t) for d, t in by_district.items()),
                           key=lambda r: (r["attainment"] is None, r["attainment"] or 0, r["district"]))
    empty = _("No requests were reported in this period.")
    days = Table("days", _("By day reported"), _promise_columns(Column("day", _("Day"), Kind.DATE)), day_rows,
                 totals=_promise_row("day", _("Total"), total), empty_text=empty)
    districts = Table("districts", _("By district, lowest attainment first"),
                      _promise_columns(Column("district", _("District"), wrap=True)), district_rows,
                      totals=_promise_row("district", _("Total"), total), empty_text=empty)
    figures = [Figure(_("On site within 24 hours"), total.attainment, Kind.SHARE,
                      ngettext("%(met)s of %(num)s request", "%(met)s of %(num)s requests", total.decided,
                               met=total.met)),
               Figure(_("Without the delays customers asked for"), total.company_attainment, Kind.SHARE),
               Figure(_("Missed by us"), total.missed_company, Kind.INT),
               Figure(_("Later at the customer's wish"), total.missed_customer, Kind.INT)]
    chart = charts.column_chart(_("Attainment by day reported (%)"), _day_columns(by_day), max_value=1.0,
                                width=min(max(520, 26 * len(by_day)), 1000))
    return ReportResult(figures, [days, districts], [chart])


# --- first-time fix -----------------------------------------------------------------------------

def first_time_fix(f: ReportFilters) -> ReportResult:
    cl, conditions = _completed_in_period(f, repairs_only=True)
    done = _with_request(select(cl.c.request_id).select_from(cl), cl.c.request_id).where(*conditions)
    lines = dict(db.session.execute(
        _with_request(select(cl.c.request_id, ProductModel.product_line).select_from(cl), cl.c.request_id)
        .where(*conditions)).all())
    cr = current_reports()
    visits: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for request_id, technician_id, outcome in db.session.execute(
            select(cr.c.request_id, cr.c.technician_id, cr.c.outcome).where(cr.c.request_id.in_(done))
            .order_by(cr.c.request_id, cr.c.signed_at, cr.c.report_id)):
        visits[request_id].append((technician_id, outcome))
    returned = set(db.session.scalars(select(ServiceRequest.parent_request_id)
                                      .where(ServiceRequest.parent_request_id.in_(done))))
    by_technician: dict[int, list[bool]] = defaultdict(list)
    by_line: dict[str, list[bool]] = defaultdict(list)
    for request_id, product_line in lines.items():
        request_visits = visits[request_id]
        fixed = first_time_fixed([outcome for _t, outcome in request_visits], request_id in returned)
        by_technician[request_visits[0][0]].append(fixed)
        by_line[product_line or ""].append(fixed)
    names = _technician_names(by_technician)
    all_fixed = [fixed for results in by_technician.values() for fixed in results]

    def row(key: str, label: str, results: list[bool]) -> dict:
        return {key: label, "completed": len(results), "fixed": sum(results), "rate": share(sum(results), len(results))}

    def columns(first: Column) -> list[Column]:
        return [first, Column("completed", _("Repairs completed"), Kind.INT),
                Column("fixed", _("Fixed at the first visit"), Kind.INT),
                Column("rate", _("First-time fix rate"), Kind.SHARE)]

    empty = _("No repairs were completed in this period.")
    tech_rows = sorted((row("technician", names.get(t, ""), r) for t, r in by_technician.items()),
                       key=lambda r: (-(r["rate"] or 0), r["technician"]))
    technicians = Table("technicians", _("Per technician (of the first visit)"),
                        columns(Column("technician", _("Technician"))), tech_rows,
                        totals=row("technician", _("Total"), all_fixed), empty_text=empty)
    line_rows = sorted((row("line", product_line_label(line) if line else _("Unknown"), r)
                        for line, r in by_line.items()), key=lambda r: r["line"])
    product_lines = Table("lines", _("Per product line"), columns(Column("line", _("Product line"), wrap=True)),
                          line_rows, totals=row("line", _("Total"), all_fixed), empty_text=empty)
    figures = [Figure(_("First-time fix rate"), share(sum(all_fixed), len(all_fixed)), Kind.SHARE,
                      ngettext("%(fixed)s of %(num)s repair", "%(fixed)s of %(num)s repairs", len(all_fixed),
                               fixed=sum(all_fixed))),
               Figure(_("Repairs needing more visits"), len(all_fixed) - sum(all_fixed), Kind.INT)]
    chart = _hbar(_("First-time fix rate per technician"),
                  [(r["technician"], r["rate"] or 0, _pct(r["rate"])) for r in tech_rows])
    return ReportResult(figures, [technicians, product_lines], [chart])


# --- callback satisfaction ----------------------------------------------------------------------

def callback_satisfaction(f: ReportFilters) -> ReportResult:
    start, end = f.utc
    called_at = func.coalesce(FollowUp.completed_at, FollowUp.last_attempt_at)
    conditions = [FollowUp.kind == FollowUpKind.SERVICE_CALLBACK.value,
                  FollowUp.status.in_((FollowUpStatus.DONE.value, FollowUpStatus.UNREACHABLE.value)),
                  called_at >= start, called_at < end]
    if f.district:
        conditions.append(Customer.district == f.district)
    if f.technician_id:
        conditions.append(Appointment.technician_id == f.technician_id)
    rows = db.session.execute(
        select(Appointment.technician_id, FollowUp.status, FollowUp.satisfaction, FollowUp.on_time, FollowUp.solved)
        .join(Customer, Customer.id == FollowUp.customer_id)
        .outerjoin(Appointment, Appointment.id == FollowUp.appointment_id).where(*conditions)).all()
    total = SatisfactionTally()
    by_technician: dict[int | None, SatisfactionTally] = defaultdict(SatisfactionTally)
    for technician_id, status, satisfaction, on_time, solved in rows:
        for tally in (total, by_technician[technician_id]):
            tally.add(status, satisfaction, on_time, solved)
    names = _technician_names(by_technician)

    def row(label: str, t: SatisfactionTally) -> dict:
        return {"technician": label, "done": t.done, "unreachable": t.unreachable, "scored": len(t.scores),
                "average": t.average, "satisfied": t.satisfied_share, "on_time": t.on_time_share,
                "solved": t.solved_share}

    empty = _("No callbacks were made in this period.")
    tech_rows = sorted((row(names.get(t, _("Unknown")), tally) for t, tally in by_technician.items()),
                       key=lambda r: (-(r["average"] or 0), r["technician"]))
    technicians = Table("technicians", _("Per technician of the visit"),
                        [Column("technician", _("Technician")),
                         Column("done", _("Callbacks made"), Kind.INT),
                         Column("unreachable", _("Unreachable"), Kind.INT), Column("scored", _("Scored"), Kind.INT),
                         Column("average", _("Average score (1-5)"), Kind.AVERAGE),
                         Column("satisfied", _("Satisfied (4-5)"), Kind.SHARE),
                         Column("on_time", _("Said on time"), Kind.SHARE),
                         Column("solved", _("Said solved"), Kind.SHARE)],
                        tech_rows, totals=row(_("Total"), total), empty_text=empty)
    distribution = total.distribution()
    scores = Table("scores", _("Scores given"),
                   [Column("score", _("Score")), Column("count", _("Callbacks"), Kind.INT),
                    Column("share", _("Share"), Kind.SHARE)],
                   [{"score": str(s), "count": n, "share": share(n, len(total.scores))}
                    for s, n in sorted(distribution.items(), reverse=True)],
                   totals={"score": _("Total"), "count": len(total.scores)}, empty_text=empty)
    figures = [Figure(_("Average score"), total.average, Kind.AVERAGE,
                      _("%(n)s callbacks scored", n=len(total.scores))),
               Figure(_("Satisfied (4-5)"), total.satisfied_share, Kind.SHARE),
               Figure(_("Customers reached"), total.reach_share, Kind.SHARE,
                      _("%(n)s unreachable", n=total.unreachable)),
               Figure(_("Said solved"), total.solved_share, Kind.SHARE)]
    chart = charts.column_chart(_("Scores given"), [(str(s), float(n), str(n)) for s, n in distribution.items()],
                                width=300, height=160)
    return ReportResult(figures, [technicians, scores], [chart])


# --- technician utilisation ---------------------------------------------------------------------

def technician_utilisation(f: ReportFilters) -> ReportResult:
    conditions = [Technician.active.is_(True)]
    if f.technician_id:
        conditions = [Technician.id == f.technician_id]
    technicians = db.session.execute(
        select(Technician.id, User.display_name, Technician.working_days, Technician.work_start, Technician.work_end)
        .join(User, User.id == Technician.user_id).where(*conditions).order_by(User.display_name)).all()
    start, end = f.utc
    booked: dict[int, float] = defaultdict(float)
    on_site: dict[int, float] = defaultdict(float)
    visits: dict[int, int] = defaultdict(int)
    for technician_id, status, window_start, window_end, arrived_at, finished_at in db.session.execute(
            select(Appointment.technician_id, Appointment.status, Appointment.window_start, Appointment.window_end,
                   Appointment.arrived_at, Appointment.finished_at)
            .where(Appointment.window_start >= start, Appointment.window_start < end,
                   Appointment.technician_id.in_([t.id for t in technicians]))):
        if status == AppointmentStatus.CANCELLED.value:
            continue
        booked[technician_id] += (window_end - window_start).total_seconds() / 60
        if arrived_at is not None:
            visits[technician_id] += 1
            if finished_at is not None:
                on_site[technician_id] += max((finished_at - arrived_at).total_seconds() / 60, 0)
    rows = []
    for t in technicians:
        available = working_minutes(f.start, f.end, t.working_days, t.work_start, t.work_end)
        rows.append({"technician": t.display_name, "available": available, "booked": booked[t.id],
                     "booked_share": share(booked[t.id], available), "visits": visits[t.id],
                     "on_site": on_site[t.id], "utilisation": utilisation(on_site[t.id], available)})
    available = sum(r["available"] for r in rows)
    total_on_site = sum(r["on_site"] for r in rows)
    totals = {"technician": _("Total"), "available": available, "booked": sum(r["booked"] for r in rows),
              "booked_share": share(sum(r["booked"] for r in rows), available),
              "visits": sum(r["visits"] for r in rows), "on_site": total_on_site,
              "utilisation": utilisation(total_on_site, available)}
    table = Table("technicians", _("Per technician"),
                  [Column("technician", _("Technician")),
                   Column("available", _("Working hours"), Kind.HOURS), Column("booked", _("Booked hours"), Kind.HOURS),
                   Column("booked_share", _("Booked share"), Kind.SHARE),
                   Column("visits", _("Visits"), Kind.INT), Column("on_site", _("Hours on site"), Kind.HOURS),
                   Column("utilisation", _("Utilisation"), Kind.SHARE)],
                  rows, totals=totals,
                  note=_("Utilisation is time on site (arrival to finish) over working hours; booked is the "
                         "booked appointment windows over working hours."),
                  empty_text=_("No active technicians."))
    figures = [Figure(_("Utilisation"), totals["utilisation"], Kind.SHARE),
               Figure(_("Booked share"), totals["booked_share"], Kind.SHARE),
               Figure(_("Visits"), totals["visits"], Kind.INT)]
    chart = _hbar(_("Utilisation per technician"),
                  [(r["technician"], r["utilisation"] or 0, _pct(r["utilisation"])) for r in rows])
    return ReportResult(figures, [table], [chart])


# --- the manager's overview ---------------------------------------------------------------------

@dataclass
class AtRisk:
    request_id: int
    number: str
    customer: str
    district: str
    status_label: str
    sla_due_at: datetime
    booked_start: datetime | None  # the current booking, which starts after the deadline


@dataclass
class Dashboard:
    week: tuple[date, date]
    week_promise: PromiseTally
    open_by_status: list[tuple[str, str, int]]
    at_risk: list[AtRisk]
    missed_open: int
    overdue_callbacks: int
    overdue_complaints: int
    charts: list[charts.Chart] = field(default_factory=list)


def dashboard(today: date) -> Dashboard:
    now = utcnow()
    week = week_range(today)
    outcomes = promise_outcomes(week[0], min(week[1], today))
    tally = PromiseTally()
    by_day = {d: PromiseTally() for d in days_between(*week)}
    for p in outcomes:
        tally.add(p.outcome)
        by_day[p.reported_on].add(p.outcome)

    counts = dict(db.session.execute(
        select(ServiceRequest.status, func.count()).where(ServiceRequest.status.in_([s.value for s in OPEN_STATUSES]))
        .group_by(ServiceRequest.status)).all())
    open_by_status = [(s.value, status_label(s), counts.get(s.value, 0)) for s in RequestStatus if s in OPEN_STATUSES]

    arrived = exists().where(Appointment.request_id == ServiceRequest.id, Appointment.arrived_at.is_not(None))
    in_time = exists().where(Appointment.request_id == ServiceRequest.id,
                             Appointment.status != AppointmentStatus.CANCELLED.value,
                             Appointment.window_start <= ServiceRequest.sla_due_at)
    waiting = ServiceRequest.status.in_((RequestStatus.NEW.value, RequestStatus.SCHEDULED.value,
                                         RequestStatus.EN_ROUTE.value))
    booked = (select(func.min(Appointment.window_start))
              .where(Appointment.request_id == ServiceRequest.id,
                     Appointment.status != AppointmentStatus.CANCELLED.value).scalar_subquery())
    at_risk = [AtRisk(r.id, r.number, r.name, r.district or "", status_label(r.status), r.sla_due_at, r.booked)
               for r in db.session.execute(
                   select(ServiceRequest.id, ServiceRequest.number, Customer.name, Customer.district,
                          ServiceRequest.status, ServiceRequest.sla_due_at, booked.label("booked"))
                   .join(Customer, Customer.id == ServiceRequest.customer_id)
                   .where(waiting, ServiceRequest.sla_due_at >= now,
                          ServiceRequest.sla_due_at <= now + timedelta(hours=AT_RISK_HOURS), ~arrived, ~in_time)
                   .order_by(ServiceRequest.sla_due_at))]
    missed_open = db.session.scalar(
        select(func.count()).select_from(ServiceRequest)
        .where(ServiceRequest.status.in_([s.value for s in OPEN_STATUSES]), ServiceRequest.partner_id.is_(None),
               ServiceRequest.status != RequestStatus.FORWARDED.value, ServiceRequest.sla_due_at < now, ~arrived))
    overdue_callbacks = db.session.scalar(
        select(func.count()).select_from(FollowUp)
        .where(FollowUp.status == FollowUpStatus.PENDING.value, FollowUp.due_date < today))
    overdue_complaints = db.session.scalar(
        select(func.count()).select_from(Complaint)
        .where(Complaint.status.in_([s.value for s in AWAITING_REPLY]), Complaint.reply_due_at < now))

    week_chart = charts.column_chart(
        _("On site within 24 hours, this week"),
        [(fmt_date(d)[5:], t.attainment, _pct(t.attainment)) for d, t in by_day.items()], max_value=1.0,
        width=DASHBOARD_CHART_W, height=170)
    status_chart = charts.hbar_chart(_("Open requests by status"),
                                     [(label, n, str(n)) for _s, label, n in open_by_status],
                                     width=DASHBOARD_CHART_W, label_width=140)
    month = ReportFilters(today.replace(day=1), today)
    causes = fault_causes(month).table("causes").rows
    causes_chart = charts.hbar_chart(_("Most frequent fault causes this month"),
                                     [(r["cause"], r["count"], str(r["count"])) for r in causes[:5]],
                                     width=DASHBOARD_CHART_W, label_width=140)
    return Dashboard(week, tally, open_by_status, at_risk, missed_open, overdue_callbacks, overdue_complaints,
                     [week_chart, status_chart, causes_chart])
