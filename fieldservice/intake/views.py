from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.decorators import role_required
from ..auth.models import Role
from ..customers.forms import attach_error
from ..customers.models import Unit
from ..customers.rules import normalise_phone
from ..customers.services import NewCustomer, NewUnit, SamePhone, possible_callers
from ..customers.views import model_choices
from ..errors import DomainError, NotFound
from ..extensions import db
from ..validators import db_int, parse_id
from ..warranty.services import decisions_for_units
from . import services
from .forms import CHANNEL_CHOICES, KIND_CHOICES, NEW, NewRequestForm, NoteForm, RequestFilterForm
from .rules import OPEN_STATUSES

bp = Blueprint("intake", __name__)

CALL_CENTRE = (Role.AGENT, Role.MANAGER, Role.ADMIN)


@bp.record_once
def _template_helpers(state) -> None:
    # Request statuses appear on customer, request and (later) dispatch pages alike.
    state.app.jinja_env.globals.update(request_status_label=services.status_label,
                                       open_statuses=frozenset(s.value for s in OPEN_STATUSES))


def _prefill() -> dict:
    """Start values from a link: ?unit_id= (warranty check, customer page), ?customer_id=, ?phone=.

    The phone field holds only what the agent typed: a customer's full number is shown on the customer page
    alone, where each look is audited."""
    unit = db.session.get(Unit, request.args.get("unit_id", type=db_int) or 0)
    if unit is not None:
        return {"customer": str(unit.customer_id), "unit": str(unit.id)}
    phone = request.args.get("phone", "")[:40]
    callers = possible_callers(phone, request.args.get("customer_id", type=db_int))
    if not callers:
        return {"customer": NEW, "phone": phone}
    first = callers[0]
    # A customer with a single unit is almost always calling about it.
    unit_choice = str(first.units[0].id) if len(first.units) == 1 else NEW
    return {"customer": str(first.id), "unit": unit_choice, "phone": phone}


def _form_page(form: NewRequestForm, status: int = 200, same_phone: bool = False):
    """The one screen: customers found for the phone with their units, and their open requests."""
    form.model_code.choices = model_choices()
    customers = possible_callers(form.phone.data, parse_id(form.customer.data))
    phones = {c.phone for c in customers} | {normalise_phone(form.phone.data or "")}
    duplicates = services.open_requests_for(parse_id(form.unit.data), phones)
    return render_template("intake/new.html", form=form, customers=customers, duplicates=duplicates,
                           decisions=decisions_for_units(u for c in customers for u in c.units),
                           same_phone=same_phone or form.allow_same_phone.data,
                           max_description=services.MAX_DESCRIPTION), status


def _new_request_input(form: NewRequestForm) -> services.NewRequest:
    return services.NewRequest(
        channel=form.channel.data, kind=form.kind.data, fault_description=form.fault_description.data,
        customer_id=None if form.new_customer else parse_id(form.customer.data),
        new_customer=NewCustomer(form.name.data, form.phone.data, form.address.data or "")
        if form.new_customer else None,
        unit_id=parse_id(form.unit.data),
        new_unit=NewUnit(form.serial.data, form.model_code.data, form.purchase_date.data, form.invoice_no.data,
                         form.sale_type.data, form.purchase_channel.data) if form.new_unit else None,
        allow_duplicate=form.allow_duplicate.data, allow_same_phone=form.allow_same_phone.data)


@bp.route("/requests/new", methods=["GET", "POST"])
@role_required(*CALL_CENTRE)
def new_request():
    form = NewRequestForm(**({} if request.method == "POST" else _prefill()))
    if form.is_submitted() and form.add_note_to.data:
        return _add_note_instead(form)
    if not form.validate_on_submit():
        return _form_page(form, 422 if form.errors else 200)
    try:
        created = services.log_request(_new_request_input(form))
    except SamePhone as error:
        # The customers with this number are listed above the form (found by the phone) to choose from.
        form.customer.errors = [_("This number belongs to %(names)s: choose the customer above, or confirm that "
                                  "the caller is someone else.", names="、".join(c.name for c in error.customers))]
        return _form_page(form, error.status_code, same_phone=True)
    except DomainError as error:
        attach_error(form, error) or flash(str(error.message), "error")
        return _form_page(form, error.status_code)
    flash(_("Request %(number)s logged.", number=created.number), "success")
    return redirect(url_for("intake.detail", number=created.number))


def _add_note_instead(form: NewRequestForm):
    """"Add this to the open request instead": the fault text becomes a note on that request."""
    try:
        note = services.add_note(form.add_note_to.data, form.fault_description.data)
    except DomainError as error:
        form.fault_description.errors = [str(error.message)]
        return _form_page(form, error.status_code)
    flash(_("Added as a note to request %(number)s.", number=note.request.number), "success")
    return redirect(url_for("intake.detail", number=note.request.number, _anchor="notes"))


@bp.route("/requests")
@role_required(*CALL_CENTRE)
def list_requests():
    form = RequestFilterForm(request.args)
    valid = form.validate()
    page = services.list_requests(status=form.status.data if valid else None,
                                  owner_id=current_user.id if form.mine.data else None,
                                  at_risk=bool(form.at_risk.data), page=request.args.get("page", 1, type=db_int))
    filters = {key: value for key, value in request.args.items() if key != "page"}
    return render_template("intake/list.html", form=form, page=page, filters=filters)


@bp.route("/requests/<number>")
@role_required(*CALL_CENTRE)
def detail(number: str, note_form: NoteForm | None = None, status: int = 200):
    try:
        req = services.get_request(number)
    except NotFound:
        abort(404)
    return render_template("intake/detail.html", req=req, note_form=note_form or NoteForm(),
                           timeline=services.request_timeline(req), event_label=services.event_label,
                           kind_labels=dict(KIND_CHOICES), channel_labels=dict(CHANNEL_CHOICES)), status


@bp.post("/requests/<number>/notes")
@role_required(*CALL_CENTRE)
def add_note(number: str):
    form = NoteForm()
    if not form.validate_on_submit():
        return detail(number, note_form=form, status=422)  # the page again, with the typed note and why
    services.add_note(number, form.text.data)
    flash(_("Note added."), "success")
    return redirect(url_for("intake.detail", number=number, _anchor="notes"))
