from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from ..auth import services as auth_services
from ..auth.decorators import role_required
from ..auth.forms import ApiTokenForm, EditUserForm, ResetPasswordForm, UserForm
from ..auth.models import Role, User
from ..catalog.models import FaultCode, LabourItem, Part, Partner, ProductModel, Setting
from ..catalog.services import product_line_label
from ..errors import DomainError
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..scheduling.models import Technician
from ..settings import EDITABLE, get_setting
from ..validators import db_int
from ..web import valid_or_flashed
from . import services
from .forms import (WEEKDAYS, WINDOW_CHOICES, FaultCodeForm, LabourItemForm, NewTechnicianForm,
                    PartForm, PartnerForm, ProductModelForm, SettingsForm, TechnicianForm)

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@role_required(Role.ADMIN)
def users():
    rows = db.session.scalars(db.select(User).order_by(User.role, User.username)).all()
    return render_template("admin/users.html", users=rows, form=UserForm())


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_user():
    form = UserForm()
    if form.validate_on_submit():
        user = auth_services.create_user(username=form.username.data, display_name=form.display_name.data,
                                         role=form.role.data, password=form.password.data, phone=form.phone.data,
                                         locale=form.locale.data, actor=current_user)
        flash(_("User %(name)s created.", name=user.username), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), 200 if not form.errors else 422


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = EditUserForm(obj=user)
    if form.validate_on_submit():
        services.update_user(user.id, display_name=form.display_name.data, role=form.role.data,
                             phone=form.phone.data, locale=form.locale.data, active=form.active.data,
                             actor=current_user)
        flash(_("Saved."), "success")
        return redirect(url_for("admin.users"))
    return _user_page(user, form)


def _user_page(user: User, form=None, *, token_form=None, new_token: str | None = None, status: int = 200):
    # Forms not posted are filled from the user, never from another form's post: an absent checkbox
    # would read as "not active", and saving that page would disable the user.
    return render_template("admin/user_form.html", form=form or EditUserForm(formdata=None, obj=user), user=user,
                           reset_form=ResetPasswordForm(formdata=None),
                           token_form=token_form or ApiTokenForm(formdata=None),
                           tokens=auth_services.api_tokens(user.id), new_token=new_token), status


@bp.post("/users/<int:user_id>/password")
@role_required(Role.ADMIN)
def reset_password(user_id: int):
    form = ResetPasswordForm()
    if not valid_or_flashed(form):
        return redirect(url_for("admin.edit_user", user_id=user_id))
    auth_services.reset_password(user_id, form.password.data, actor=current_user)
    flash(_("Password changed; the user's open sessions were ended."), "success")
    return redirect(url_for("admin.edit_user", user_id=user_id))


@bp.post("/users/<int:user_id>/tokens")
@role_required(Role.ADMIN)
def issue_token(user_id: int):
    """The new token is shown on this answer only (never redirected or flashed: only its hash is kept)."""
    user = db.session.get(User, user_id) or abort(404)
    form = ApiTokenForm()
    if not form.validate():
        return _user_page(user, token_form=form, status=422)
    token = auth_services.issue_api_token(user.username, form.label.data, actor=current_user)
    return _user_page(user, new_token=token)


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
@role_required(Role.ADMIN)
def revoke_token(user_id: int, token_id: int):
    token = auth_services.revoke_api_token(user_id, token_id, actor=current_user)
    flash(_("The token %(label)s no longer opens the API.", label=token.label or f"#{token.id}"), "success")
    return redirect(url_for("admin.edit_user", user_id=user_id))


# --- technicians -----------------------------------------------------------------------------------------------

@bp.route("/technicians")
@role_required(Role.ADMIN)
def technicians():
    rows = db.session.scalars(select(Technician).join(Technician.user).options(
        joinedload(Technician.user), joinedload(Technician.van)).order_by(Technician.active.desc(), User.username))
    return render_template("admin/technicians.html", technicians=rows.all(), days_label=days_label)


@bp.route("/technicians/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_technician():
    form = NewTechnicianForm()
    if form.validate_on_submit() and _attempt(form, lambda: services.create_technician(
            username=form.username.data, password=form.password.data, locale=form.locale.data or None,
            profile=form.profile(), actor=current_user)):
        flash(_("Technician %(name)s created, with a van stock location.", name=form.display_name.data), "success")
        return redirect(url_for("admin.technicians"))
    return render_template("admin/technician_form.html", form=form, technician=None), 422 if form.errors else 200


@bp.route("/technicians/<int:technician_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_technician(technician_id: int):
    technician = db.session.get(Technician, technician_id) or abort(404)
    form = TechnicianForm(data=TechnicianForm.data_from(technician))
    if form.validate_on_submit() and _attempt(form, lambda: services.update_technician(
            technician_id, form.profile(), actor=current_user)):
        flash(_("Saved."), "success")
        return redirect(url_for("admin.technicians"))
    return (render_template("admin/technician_form.html", form=form, technician=technician),
            422 if form.errors else 200)


def days_label(days: str) -> str:
    """'123456' -> 'Mon–Sat'; '1357' -> 'Mon, Wed, Fri, Sun'."""
    names = dict(WEEKDAYS)
    numbers = sorted(int(d) for d in days)
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{names[str(numbers[0])]}–{names[str(numbers[-1])]}"
    return _(", ").join(str(names[str(n)]) for n in numbers)


def _attempt(form, action) -> bool:
    """Run a service; a domain error the user caused becomes a message on its field (or the form)."""
    try:
        action()
    except DomainError as error:
        field = form._fields.get(error.details.get("field", ""))
        if field is not None:
            field.errors = [*field.errors, str(error.message)]
        else:
            form.form_errors.append(str(error.message))
        return False
    return True


# --- catalogue -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Section:
    """One kind of catalogue entry: how it is listed, searched, edited and saved."""

    title: str
    description: str
    new_label: str
    model: type
    form: type
    save: Callable
    order: tuple
    search: tuple
    columns: tuple  # (label, value of an entry, css class)


def _yes(value: bool) -> Markup:
    return Markup('<span class="badge badge-ok">{}</span>').format(_("Yes")) if value else Markup("")


def _active(value: bool) -> Markup:
    if value:
        return Markup('<span class="badge badge-ok">{}</span>').format(_("Active"))
    return Markup('<span class="badge badge-muted">{}</span>').format(_("Inactive"))


def _line(code: str | None) -> str:
    return product_line_label(code) if code else _("Any product line")


SECTIONS = {
    "models": Section(
        _l("Product models"), _l("Models with their product line and warranty periods."), _l("New product model"),
        ProductModel, ProductModelForm, services.save_product_model, (ProductModel.product_line, ProductModel.code),
        (ProductModel.code, ProductModel.name),
        ((_l("Model code"), lambda m: m.code, "code"), (_l("Name"), lambda m: m.name, ""),
         (_l("Product line"), lambda m: _line(m.product_line), ""),
         (_l("Unit warranty (months)"), lambda m: m.unit_warranty_months, "num"),
         (_l("Accessory warranty (months)"), lambda m: m.accessory_warranty_months, "num"),
         (_l("Available"), lambda m: _yes(m.available), ""))),
    "parts": Section(
        _l("Parts"), _l("Spare parts and accessories with prices and low-stock thresholds."), _l("New part"),
        Part, PartForm, services.save_part, (Part.code,), (Part.code, Part.name),
        ((_l("Part code"), lambda p: p.code, "code"), (_l("Name"), lambda p: p.name, ""),
         (_l("Product line"), lambda p: _line(p.product_line), ""),
         (_l("Accessory-type"), lambda p: _yes(p.is_accessory), ""),
         (_l("Price (yuan)"), lambda p: f"{p.unit_price:,.2f}", "num"),
         (_l("Low-stock threshold"), lambda p: p.low_stock_threshold, "num"),
         (_l("Status"), lambda p: _active(p.active), ""))),
    "labour": Section(
        _l("Labour items"), _l("Work that is charged by the item, with its standard time."), _l("New labour item"),
        LabourItem, LabourItemForm, services.save_labour_item, (LabourItem.code,), (LabourItem.code, LabourItem.name),
        ((_l("Code"), lambda i: i.code, "code"), (_l("Name"), lambda i: i.name, ""),
         (_l("Price (yuan)"), lambda i: f"{i.price:,.2f}", "num"),
         (_l("Standard time (minutes)"), lambda i: i.minutes, "num"),
         (_l("Status"), lambda i: _active(i.active), ""))),
    "faults": Section(
        _l("Fault codes"), _l("Fault causes recorded on service reports, in Chinese and English."),
        _l("New fault code"), FaultCode, FaultCodeForm, services.save_fault_code, (FaultCode.code,),
        (FaultCode.code, FaultCode.name_zh, FaultCode.name_en),
        ((_l("Code"), lambda f: f.code, "code"), (_l("Name in Chinese"), lambda f: f.name_zh, ""),
         (_l("Name in English"), lambda f: f.name_en, ""),
         (_l("Product line"), lambda f: _line(f.product_line), ""), (_l("Status"), lambda f: _active(f.active), ""))),
    "partners": Section(
        _l("Partners"), _l("Service companies that take requests from outside every technician's area."),
        _l("New partner"), Partner, PartnerForm, services.save_partner, (Partner.name,),
        (Partner.name, Partner.regions),
        ((_l("Company name"), lambda p: p.name, ""), (_l("Phone"), lambda p: p.phone, ""),
         (_l("Regions served"), lambda p: "、".join(filter(None, p.regions.split(","))), ""),
         (_l("Status"), lambda p: _active(p.active), ""))),
}
PER_PAGE = 50


def _section(name: str) -> Section:
    return SECTIONS.get(name) or abort(404)


@bp.route("/catalog")
@role_required(Role.ADMIN)
def catalog():
    counts = {name: db.session.scalar(select(func.count()).select_from(s.model)) for name, s in SECTIONS.items()}
    settings = {name: get_setting(name) for name in EDITABLE}
    return render_template("admin/catalog.html", sections=SECTIONS, counts=counts, settings=settings,
                           overridden=set(db.session.scalars(select(Setting.key))), form=SettingsForm(),
                           setting_text=setting_display)


@bp.route("/catalog/<name>")
@role_required(Role.ADMIN)
def catalog_list(name: str):
    section = _section(name)
    query = select(section.model).order_by(*section.order)
    q = request.args.get("q", "").strip()
    if q:
        query = query.where(or_(*(func.lower(c).contains(q.lower(), autoescape=True) for c in section.search)))
    page = db.paginate(query, page=request.args.get("page", 1, type=db_int), per_page=PER_PAGE, error_out=False)
    return render_template("admin/catalog_list.html", name=name, section=section, sections=SECTIONS, page=page, q=q)


@bp.route("/catalog/<name>/new", methods=["GET", "POST"], defaults={"item_id": None})
@bp.route("/catalog/<name>/<int:item_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def catalog_item(name: str, item_id: int | None):
    section = _section(name)
    item = None if item_id is None else db.session.get(section.model, item_id) or abort(404)
    form = section.form(obj=item)
    if form.validate_on_submit() and _attempt(form, lambda: section.save(item_id, form.values(), actor=current_user)):
        flash(_("Saved."), "success")
        return redirect(url_for("admin.catalog_list", name=name))
    return (render_template("admin/catalog_form.html", name=name, section=section, sections=SECTIONS, form=form,
                            item=item), 422 if form.errors else 200)


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def settings():
    form = SettingsForm(data={name: _setting_field_value(name) for name in EDITABLE})
    if form.validate_on_submit():
        changed = services.save_settings(form.setting_values(), actor=current_user)
        flash(_("Saved.") if changed else _("Nothing changed."), "success")
        return redirect(url_for("admin.settings"))
    defaults = {name: current_app.config[name] for name in EDITABLE}
    return (render_template("admin/settings.html", form=form, sections=SECTIONS, defaults=defaults,
                            overridden=set(db.session.scalars(select(Setting.key))), setting_text=setting_display),
            422 if form.errors else 200)


def setting_display(name: str, value) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "WINDOW_MINUTES":
        return str(dict(WINDOW_CHOICES).get(value, value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _setting_field_value(name: str):
    value = get_setting(name)
    if name in ("WORK_START", "WORK_END"):
        return time.fromisoformat(value)
    if name == "CALL_OUT_FEE":
        return Decimal(value)
    return value
