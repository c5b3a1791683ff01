from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import i18n
from ..auth.decorators import role_required
from ..auth.models import OFFICE_ROLES
from ..auth.services import office_staff_choices
from ..complaints.forms import CustomerSearchForm
from ..complaints.services import find_customers
from ..customers.models import Customer
from ..extensions import db
from ..followups.models import FollowUp
from ..validators import db_int
from ..warranty.rules import add_months
from ..web import back_or
from . import services
from .forms import AgreementFilterForm, AgreementForm, CancelForm
from .models import AgreementStatus, PlannedStatus, PlannedVisit, ServiceAgreement
from .rules import EXPIRY_NOTICE_DAYS, HORIZON_DAYS, expires_soon, is_overdue

bp = Blueprint("agreements", __name__, url_prefix="/agreements")


def _labels() -> dict:
    return {"status_labels": services.STATUS_LABELS, "kind_labels": services.KIND_LABELS,
            "planned_status_labels": services.PLANNED_STATUS_LABELS}


def _overdue_counts(today) -> dict[int, int]:
    return dict(db.session.execute(
        select(PlannedVisit.agreement_id, func.count())
        .where(PlannedVisit.due_date < today,
               PlannedVisit.status.in_([PlannedStatus.PLANNED, PlannedStatus.CREATED]))
        .group_by(PlannedVisit.agreement_id)).all())


@bp.route("/")
@role_required(*OFFICE_ROLES)
def list_agreements():
    form = AgreementFilterForm(formdata=request.args)
    if not form.validate():
        form = AgreementFilterForm(formdata=None)
    query = select(ServiceAgreement).options(selectinload(ServiceAgreement.customer),
                                             selectinload(ServiceAgreement.owner))
    if form.status.data == "":
        query = query.where(ServiceAgreement.status.in_([AgreementStatus.DRAFT, AgreementStatus.ACTIVE]))
    elif form.status.data != "all":
        query = query.where(ServiceAgreement.status == form.status.data)
    agreements = db.session.scalars(query.order_by(ServiceAgreement.end_date, ServiceAgreement.id)).all()
    today = i18n.local_today()
    return render_template("agreements/list.html", form=form, agreements=agreements, today=today,
                           overdue=_overdue_counts(today), expires_soon=expires_soon, **_labels())


@bp.route("/expiring")
@role_required(*OFFICE_ROLES)
def expiring():
    agreements = services.expiring_agreements()
    return render_template("agreements/expiring.html", agreements=agreements, days=EXPIRY_NOTICE_DAYS,
                           today=i18n.local_today(), calls=services.renewal_calls([a.id for a in agreements]))


def _form(customer: Customer, agreement: ServiceAgreement | None = None) -> AgreementForm:
    if agreement is None:
        start = i18n.local_today()  # a year from today, the usual term, until changed
        form = AgreementForm(owner=str(current_user.id), start_date=start,
                             end_date=add_months(start, 12) - timedelta(days=1))
    else:
        form = AgreementForm(obj=agreement, owner=str(agreement.owner_id or ""),
                             units=[u.id for u in agreement.units])
    form.units.choices = [(u.id, f"{u.serial} · {u.model.name}") for u in customer.units]
    form.owner.choices = office_staff_choices(_("Nobody"))
    return form


def _input(customer: Customer, form: AgreementForm) -> services.AgreementInput:
    return services.AgreementInput(
        customer_id=customer.id, unit_ids=list(form.units.data), start_date=form.start_date.data,
        end_date=form.end_date.data, amount=form.amount.data, parts_waiver_pct=form.parts_waiver_pct.data,
        labour_waiver_pct=form.labour_waiver_pct.data, contract_warranty_months=form.contract_warranty_months.data,
        monthly_callback=form.monthly_callback.data, quarterly_maintenance=form.quarterly_maintenance.data,
        yearly_servicing=form.yearly_servicing.data, owner_id=int(form.owner.data) if form.owner.data else None)


@bp.route("/new", methods=["GET", "POST"])
@role_required(*OFFICE_ROLES)
def new_agreement():
    """For a customer (?customer_id=, e.g. from the customer page); without one, find the customer first."""
    customer = db.session.get(Customer, request.args.get("customer_id", type=db_int) or 0)
    if customer is None:
        search = CustomerSearchForm(formdata=request.args)
        found = find_customers(search.q.data) if search.validate() else []
        return render_template("agreements/pick_customer.html", search=search, found=found)
    form = _form(customer)
    if form.validate_on_submit():
        agreement = services.create_agreement(_input(customer, form))
        flash(_("Agreement %(number)s saved as a draft. Activate it to start cover and the plan.",
                number=agreement.number), "success")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    return render_template("agreements/form.html", form=form, customer=customer, agreement=None), \
        422 if form.errors else 200


@bp.route("/<int:agreement_id>/edit", methods=["GET", "POST"])
@role_required(*OFFICE_ROLES)
def edit(agreement_id: int):
    agreement = db.session.get(ServiceAgreement, agreement_id) or abort(404)
    if agreement.status != AgreementStatus.DRAFT:
        flash(_("Only a draft agreement can be changed."), "error")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    form = _form(agreement.customer, agreement)
    if form.validate_on_submit():
        services.update_agreement(agreement.id, _input(agreement.customer, form))
        flash(_("Saved."), "success")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    return render_template("agreements/form.html", form=form, customer=agreement.customer, agreement=agreement), \
        422 if form.errors else 200


@bp.route("/<int:agreement_id>")
@role_required(*OFFICE_ROLES)
def show(agreement_id: int):
    agreement = db.session.get(ServiceAgreement, agreement_id) or abort(404)
    today = i18n.local_today()
    callbacks = {f.planned_visit_id: f for f in db.session.scalars(
        select(FollowUp).where(FollowUp.agreement_id == agreement.id, FollowUp.planned_visit_id.is_not(None)))}
    items = agreement.planned_visits
    overdue = [i for i in items if is_overdue(i.status, i.due_date, today)]
    return render_template("agreements/show.html", agreement=agreement, items=items, overdue=overdue,
                           callbacks=callbacks, today=today, cancel_form=CancelForm(), horizon=HORIZON_DAYS,
                           is_overdue=is_overdue, renewal_due=expires_soon(agreement.status, agreement.end_date, today),
                           renewal=services.renewal_calls([agreement.id]).get(agreement.id), **_labels())


@bp.post("/<int:agreement_id>/activate")
@role_required(*OFFICE_ROLES)
def activate(agreement_id: int):
    run = services.activate_agreement(agreement_id)
    # Counts after labels: three numbers in one sentence have no single plural form.
    flash(_("Agreement active. Planned items: %(planned)s. Created now: callbacks %(callbacks)s, maintenance "
            "requests %(requests)s.", planned=run.planned, callbacks=run.callbacks, requests=run.requests), "success")
    return redirect(url_for("agreements.show", agreement_id=agreement_id))


@bp.post("/<int:agreement_id>/cancel")
@role_required(*OFFICE_ROLES)
def cancel(agreement_id: int):
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("Say why the agreement is cancelled."), "error")
        return redirect(url_for("agreements.show", agreement_id=agreement_id))
    kept = services.cancel_agreement(agreement_id, form.reason.data)
    flash(_("Agreement cancelled."), "success")
    if kept:
        flash(_("These booked visits were kept; cancel them with the customer on the dispatch board: %(numbers)s",
                numbers=", ".join(r.number for r in kept)), "warning")
    return redirect(url_for("agreements.show", agreement_id=agreement_id))


@bp.post("/<int:agreement_id>/renewal-call")
@role_required(*OFFICE_ROLES)
def renewal_call(agreement_id: int):
    services.schedule_renewal_call(agreement_id)
    flash(_("The renewal call is on the follow-up list for today."), "success")
    return back_or(url_for("agreements.expiring"))


@bp.post("/plan/<int:item_id>/replan")
@role_required(*OFFICE_ROLES)
def replan(item_id: int):
    item = services.replan_item(item_id)
    flash(_("Planned again."), "success")
    return redirect(url_for("agreements.show", agreement_id=item.agreement_id))
