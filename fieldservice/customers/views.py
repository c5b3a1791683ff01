from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.decorators import role_required
from ..auth.models import Role
from ..catalog.models import ProductModel
from ..errors import DomainError, NotFound
from ..extensions import db
from ..warranty.services import decisions_for_units
from . import services
from .forms import CustomerForm, ImportForm, SearchForm, UnitForm, attach_error
from .rules import format_phone, normalise_phone, search_text

bp = Blueprint("customers", __name__)

CALL_CENTRE = (Role.AGENT, Role.MANAGER, Role.ADMIN)


def model_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(ProductModel.code, ProductModel.name).order_by(ProductModel.code))
    return [("", _("Choose a model"))] + [(code, f"{code} · {name}") for code, name in rows]


@bp.route("/customers")
@role_required(*CALL_CENTRE)
def search():
    form = SearchForm(request.args)
    # A blank query is no query, and an invalid one is only its error: neither is searched for.
    searched = form.validate() and bool(search_text(form.q.data))
    hits = services.search_customers(form.q.data) if searched else []
    decisions = decisions_for_units(unit for hit in hits for unit in hit.customer.units)
    phone = normalise_phone(form.q.data or "") if searched else None
    return render_template("customers/search.html", form=form, searched=searched, hits=hits, decisions=decisions,
                           new_customer_phone=format_phone(phone) if phone else None)


@bp.route("/customers/new", methods=["GET", "POST"])
@role_required(*CALL_CENTRE)
def new_customer():
    form = CustomerForm(phone=request.args.get("phone", ""))
    same_phone: list = []
    status = 200
    if form.validate_on_submit():
        try:
            customer = services.create_customer(services.NewCustomer(
                form.name.data, form.phone.data, form.address.data or "", form.customer_type.data,
                form.contract_warranty_months.data, form.lat.data, form.lon.data),
                allow_same_phone=form.create_anyway.data)
        except services.SamePhone as error:
            # Nothing saved: the agent opens the existing customer or chooses to create another one.
            same_phone, status = error.customers, error.status_code
        except DomainError as error:
            attach_error(form, error) or flash(str(error.message), "error")
            status = error.status_code
        else:
            flash(_("Customer %(name)s saved.", name=customer.name), "success")
            return redirect(url_for("customers.detail", customer_id=customer.id))
    if form.errors:
        status = 422
    return render_template("customers/new.html", form=form, same_phone=same_phone), status


def _detail_page(customer_id: int, unit_form: UnitForm | None = None, revealed_phone: str | None = None,
                 status: int = 200):
    try:
        customer = services.get_customer(customer_id)
    except NotFound:
        abort(404)
    unit_form = unit_form or UnitForm()
    unit_form.model_code.choices = model_choices()
    return render_template(
        "customers/detail.html", customer=customer, decisions=decisions_for_units(customer.units),
        history=services.customer_history(customer.id), unit_form=unit_form,
        revealed_phone=format_phone(revealed_phone) if revealed_phone else None), status


@bp.route("/customers/<int:customer_id>")
@role_required(*CALL_CENTRE)
def detail(customer_id: int):
    return _detail_page(customer_id)


@bp.post("/customers/<int:customer_id>/phone")
@role_required(*CALL_CENTRE)
def reveal_phone(customer_id: int):
    # Rendered, not redirected: the number is shown once per audited reveal and not kept anywhere.
    return _detail_page(customer_id, revealed_phone=services.reveal_phone(customer_id))


@bp.post("/customers/<int:customer_id>/units")
@role_required(*CALL_CENTRE)
def register_unit(customer_id: int):
    form = UnitForm()
    form.model_code.choices = model_choices()
    status = 422
    if form.validate_on_submit():
        try:
            unit = services.register_unit(customer_id, services.NewUnit(
                form.serial.data, form.model_code.data, form.purchase_date.data, form.invoice_no.data,
                form.sale_type.data, form.purchase_channel.data, form.install_address.data))
        except DomainError as error:
            attach_error(form, error) or flash(str(error.message), "error")
            status = error.status_code
        else:
            flash(_("Unit %(serial)s registered.", serial=unit.serial), "success")
            return redirect(url_for("customers.detail", customer_id=customer_id, _anchor="units"))
    return _detail_page(customer_id, unit_form=form, status=status)


@bp.route("/customers/import", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def import_units():
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        try:
            report = services.import_units(services.read_units_csv(form.file.data.read()))
        except DomainError as error:
            form.file.errors = [str(error.message)]
    return render_template("customers/import.html", form=form, report=report), 422 if form.errors else 200
