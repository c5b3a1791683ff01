from __future__ import annotations

from flask import Blueprint, render_template, request

from ..auth.decorators import role_required
from ..auth.models import Role
from ..errors import DomainError
from ..i18n import local_today
from .forms import WarrantyCheckForm
from .rules import decision_from_snapshot
from .services import check_serial, status_label

bp = Blueprint("warranty", __name__)


@bp.app_template_filter("warranty_decision")
def warranty_decision_filter(snapshot):
    """A stored snapshot (ServiceRequest.warranty_snapshot) as a decision for the _badge.html macros."""
    return decision_from_snapshot(snapshot) if snapshot else None


# The badge macro's labels, shared by every page that shows a unit.
bp.add_app_template_global(status_label, "warranty_status_label")


@bp.route("/warranty", methods=["GET", "POST"])
@role_required(Role.AGENT, Role.MANAGER, Role.ADMIN, Role.TECHNICIAN)
def check():
    form = WarrantyCheckForm(request.form if request.method == "POST" else request.args, on=local_today())
    result, status = None, 200
    if form.serial.raw_data and form.validate():
        try:
            result = check_serial(form.serial.data, form.on.data, form.component.data, form.exclusions.data or ())
        except DomainError as error:
            form.serial.errors = [str(error.message)]
            status = error.status_code
    if form.errors and status == 200:
        status = 422
    return render_template("warranty/check.html", form=form, result=result), status
