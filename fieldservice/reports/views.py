"""The manager's overview, the warranty-expiry list and the manual's statistics: page, print, CSV (and PDF)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask import (Blueprint, Response, current_app, flash, redirect, render_template, request, stream_template,
                   stream_with_context, url_for)
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.decorators import role_required
from ..auth.models import Role
from ..choices import choice_labels
from ..database import utcnow
from ..errors import DomainError
from ..i18n import fmt_date, fmt_datetime, lazy_gettext as _l, local_today
from ..validators import db_int
from . import queries, services
from .csv import Cell, csv_chunks
from .expiry import ExpiryFilters, ExpiryQuery, ExpiryRow
from .forms import ExpiryForm, OfferForm, ReportForm
from .pdf import ExpiryPdfText, render_expiry_pdf
from .rules import CoverageChoice, CoverageKind, month_range
from .tables import Kind, ReportResult, csv_value, display

bp = Blueprint("reports", __name__, url_prefix="/reports")
manager_only = role_required(Role.MANAGER)

PER_PAGE = 50
MAX_PDF_ROWS = 30_000
KIND_LABELS = {CoverageKind.UNIT: _l("Whole unit"), CoverageKind.ACCESSORY: _l("Accessory"),
               CoverageKind.AGREEMENT: _l("Agreement")}


@dataclass(frozen=True)
class ReportSpec:
    endpoint: str
    slug: str
    title: str
    description: str
    build: Callable[[queries.ReportFilters], ReportResult]
    fields: tuple[str, ...]  # the filters the report offers besides the period
    landscape: bool = False


REPORTS = (
    ReportSpec("promise", "promise", _l("24-hour promise attainment"),
               _l("Requests with a technician on site within 24 hours, misses we caused and misses the customer "
                  "asked for, by day and district."),
               queries.promise_attainment, ("product_line", "district"), landscape=True),
    ReportSpec("fault_causes", "fault-causes", _l("Fault-cause analysis"),
               _l("Completed repairs by model and fault cause: counts, shares, the most frequent causes."),
               queries.fault_causes, ("product_line", "model_id", "district", "technician_id")),
    ReportSpec("repair_counts", "repair-counts", _l("Repair counts"),
               _l("Repairs per unit (units repaired twice or more stand out), per model and per technician."),
               queries.repair_counts, ("product_line", "model_id", "district", "technician_id")),
    ReportSpec("first_time_fix", "first-time-fix", _l("First-time fix rate"),
               _l("Repairs fixed at the first visit with no return request, per technician and product line."),
               queries.first_time_fix, ("product_line", "district", "technician_id")),
    ReportSpec("satisfaction", "satisfaction", _l("Callback satisfaction"),
               _l("Scores from service callbacks, customers reached, on time and solved, per technician."),
               queries.callback_satisfaction, ("district", "technician_id"), landscape=True),
    ReportSpec("utilisation", "utilisation", _l("Technician utilisation"),
               _l("Working hours, booked hours, visits and time on site per technician."),
               queries.technician_utilisation, ("technician_id",)),
    ReportSpec("service_items", "service-items", _l("Service items statistics"),
               _l("Labour items performed: how often, amounts, waivers and charges."),
               queries.service_items, ("product_line", "district", "technician_id")),
    ReportSpec("settlement", "settlement", _l("Service-order settlement detail"),
               _l("Every completed request with its charges by kind, waivers, amount due and receipts."),
               queries.settlement, ("product_line", "district", "technician_id"), landscape=True),
    ReportSpec("parts_detail", "parts", _l("Service-order parts detail"),
               _l("Parts issued to each request, by whom and from which stock, with totals per part."),
               queries.parts_detail, ("product_line", "district", "technician_id"), landscape=True),
    ReportSpec("complaint_causes", "complaints", _l("Complaint cause statistics"),
               _l("Complaints by cause and severity, and how many got a reply within 24 hours."),
               queries.complaint_causes, ("district",), landscape=True),
)


# --- overview and index --------------------------------------------------------------------------

@bp.route("/overview")
@manager_only
def dashboard():
    return render_template("reports/dashboard.html", board=queries.dashboard(local_today()), now=utcnow())


@bp.route("/")
@manager_only
def index():
    return render_template("reports/index.html", reports=REPORTS)


# --- warranty-expiry list ------------------------------------------------------------------------

def _expiry_form() -> ExpiryForm:
    first, last = month_range(local_today(), 1)
    return ExpiryForm(formdata=request.args or None, data={"start": first, "end": last}).load_choices()


def _expiry_filters(form: ExpiryForm) -> ExpiryFilters:
    return ExpiryFilters(
        start=form.start.data, end=form.end.data, coverage=CoverageChoice(form.coverage.data),
        product_line=form.optional_text("product_line"), model_id=form.optional_int("model_id"),
        province=form.optional_text("province"), city=form.optional_text("city"),
        district=form.optional_text("district"), customer_type=form.optional_text("customer_type"),
        technician_id=form.optional_int("technician_id"))


def _summary(form, names: tuple[str, ...], first_label: str) -> str:
    """The period and every filter in use, as one line for headings and footers."""
    parts = [first_label.format(start=fmt_date(form.start.data), end=fmt_date(form.end.data))]
    for name in names:
        field = getattr(form, name)
        if not field.data:
            continue
        value = choice_labels(field.choices).get(field.data, field.data) if hasattr(field, "choices") else field.data
        parts.append(f"{field.label.text}: {value}")
    return " · ".join(parts)


EXPIRY_FILTERS = ("coverage", "product_line", "model_id", "province", "city", "district", "customer_type",
                  "technician_id")


def _expiry_summary(form: ExpiryForm) -> str:
    return _summary(form, EXPIRY_FILTERS, _("Coverage ends {start} to {end}"))


def _month_links() -> list[tuple[str, dict]]:
    today = local_today()
    return [(label, {"start": first.isoformat(), "end": last.isoformat()})
            for label, (first, last) in ((_("This month"), month_range(today)),
                                         (_("Next month"), month_range(today, 1)),
                                         (_("In two months"), month_range(today, 2)))]


@bp.route("/warranty-expiry")
@manager_only
def warranty_expiry():
    form = _expiry_form()
    if not form.validate():
        return render_template("reports/warranty_expiry.html", form=form, rows=None, months=_month_links()), 422
    query = ExpiryQuery(_expiry_filters(form))
    page = max(request.args.get("page", 1, type=db_int), 1)
    total = query.count()
    return render_template("reports/warranty_expiry.html", form=form, rows=query.page(page, PER_PAGE, local_today()),
                           total=total, page=page, pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
                           kind_labels=KIND_LABELS, months=_month_links(), summary=_expiry_summary(form))


def _invalid_export() -> Response:
    # The page shows what is wrong with the filters.
    return redirect(url_for(".warranty_expiry", **request.args))


@bp.route("/warranty-expiry/print")
@manager_only
def warranty_expiry_print():
    form = _expiry_form()
    if not form.validate():
        return _invalid_export()
    rows = ExpiryQuery(_expiry_filters(form)).stream(local_today())
    # Streamed: a month at full scale is thousands of rows, which never sit in memory at once.
    return Response(stream_template("reports/warranty_expiry_print.html", rows=rows, kind_labels=KIND_LABELS,
                                    summary=_expiry_summary(form), printed=_printed()))


def _printed() -> str:
    return _("Printed %(when)s by %(who)s", when=fmt_datetime(utcnow()), who=current_user.display_name)


def _expiry_csv_rows(rows: Iterator[ExpiryRow]):
    yield [_("Customer"), _("Phone"), _("Address"), _("Model"), _("Model name"), _("Serial no."), _("Purchased"),
           _("Coverage"), _("Coverage ends"), _("Days left"), _("Repairs"), _("Offer call due"),
           _("Draft agreement")]
    for r in rows:
        yield [r.customer_name, r.phone, r.address, r.model_code, r.model_name, r.serial,
               Cell(r.purchase_date.isoformat() if r.purchase_date else ""), str(KIND_LABELS[r.kind]),
               Cell(r.coverage_end.isoformat()), Cell(r.days_left), Cell(r.repairs),
               Cell(r.offer_due.isoformat() if r.offer_due else ""), _("Yes") if r.draft_agreement else ""]


def _download(body, mimetype: str, filename: str, inline: bool = False) -> Response:
    response = Response(body, mimetype=mimetype)  # Werkzeug adds "charset=utf-8" to a text/* type
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response


@bp.route("/warranty-expiry.csv")
@manager_only
def warranty_expiry_csv():
    form = _expiry_form()
    if not form.validate():
        return _invalid_export()
    rows = ExpiryQuery(_expiry_filters(form)).stream(local_today())
    return _download(stream_with_context(csv_chunks(_expiry_csv_rows(rows))), "text/csv",
                     f"warranty-expiry_{form.start.data}_{form.end.data}.csv")


def _pdf_text(form: ExpiryForm) -> ExpiryPdfText:
    return ExpiryPdfText(
        centre=current_app.config["SERVICE_CENTRE_NAME"], title=_("Warranty expiry list"),
        subtitle=_expiry_summary(form), printed=_printed(),
        page=_("Page %(page)s of %(pages)s", page="{page}", pages="{pages}"),
        headers=[_("No."), _("Customer"), _("Phone"), _("Address"), _("Model"), _("Serial no."), _("Purchased"),
                 _("Coverage"), _("Ends"), _("Days left"), _("Repairs"), _("Offer call")],
        kinds={k.value: str(label) for k, label in KIND_LABELS.items()}, draft=_("Draft agreement"),
        total=_("%(n)s units", n="{n}"), empty=_("No unit's coverage ends in this period."))


@bp.route("/warranty-expiry.pdf")
@manager_only
def warranty_expiry_pdf():
    form = _expiry_form()
    if not form.validate():
        return _invalid_export()
    query = ExpiryQuery(_expiry_filters(form))
    if query.count() > MAX_PDF_ROWS:
        raise DomainError("too_many_rows", _l("The list has more than %(n)s units, too many for one PDF. Narrow the "
                                              "period or the filters, or export CSV.", n=f"{MAX_PDF_ROWS:,}"))
    pdf = render_expiry_pdf(query.stream(local_today()), _pdf_text(form), fmt_date)
    return _download(pdf, "application/pdf", f"warranty-expiry_{form.start.data}_{form.end.data}.pdf", inline=True)


@bp.post("/warranty-expiry/offers")
@manager_only
def start_offer():
    form = OfferForm()
    back = form.next.data if (form.next.data or "").startswith("/reports/") else url_for(".warranty_expiry")
    if not form.validate_on_submit():
        flash(_("Choose a unit from the list."), "error")
        return redirect(back)
    services.start_agreement_offer(form.unit_id.data)
    flash(_("An offer call is on your call list for today."), "success")
    return redirect(back)


# --- the manual's statistics ---------------------------------------------------------------------

def _report_form() -> ReportForm:
    today = local_today()
    return ReportForm(formdata=request.args or None, data={"start": today.replace(day=1), "end": today}).load_choices()


def _report_filters(form: ReportForm) -> queries.ReportFilters:
    return queries.ReportFilters(start=form.start.data, end=form.end.data,
                                 product_line=form.optional_text("product_line"),
                                 model_id=form.optional_int("model_id"), district=form.optional_text("district"),
                                 technician_id=form.optional_int("technician_id"))


def _report_summary(spec: ReportSpec, form: ReportForm) -> str:
    return _summary(form, spec.fields, _("{start} to {end}"))


def _report_csv_rows(result: ReportResult, summary: str):
    fmt = lambda moment: fmt_datetime(moment)  # noqa: E731  (the service time zone, like the page)
    yield [summary]
    for table in result.tables:
        yield []
        yield [table.title]
        yield [c.label for c in table.columns]
        for row in table.rows + ([table.totals] if table.totals else []):
            yield [Cell(csv_value(row.get(c.key), c.kind, fmt)) if c.kind is not Kind.TEXT else row.get(c.key, "")
                   for c in table.columns]


def _report_views(spec: ReportSpec):
    def page():
        form = _report_form()
        if not form.validate():
            return render_template("reports/report.html", spec=spec, form=form, result=None), 422
        return render_template("reports/report.html", spec=spec, form=form, result=spec.build(_report_filters(form)),
                               summary=_report_summary(spec, form))

    def print_view():
        form = _report_form()
        if not form.validate():
            return redirect(url_for(f".{spec.endpoint}", **request.args))
        return render_template("reports/report_print.html", spec=spec, result=spec.build(_report_filters(form)),
                               summary=_report_summary(spec, form), printed=_printed())

    def csv_view():
        form = _report_form()
        if not form.validate():
            return redirect(url_for(f".{spec.endpoint}", **request.args))
        rows = _report_csv_rows(spec.build(_report_filters(form)), f"{spec.title} · {_report_summary(spec, form)}")
        # Cells are formatted as they stream, with the service time zone from the app context.
        return _download(stream_with_context(csv_chunks(rows)), "text/csv",
                         f"{spec.slug}_{form.start.data}_{form.end.data}.csv")

    bp.add_url_rule(f"/{spec.slug}", spec.endpoint, manager_only(page))
    bp.add_url_rule(f"/{spec.slug}/print", f"{spec.endpoint}_print", manager_only(print_view))
    bp.add_url_rule(f"/{spec.slug}.csv", f"{spec.endpoint}_csv", manager_only(csv_view))


for _spec in REPORTS:
    _report_views(_spec)


@bp.app_template_filter("report_cell")
def report_cell(value, kind: Kind) -> str:
    return display(value, kind, fmt_date, fmt_datetime)
