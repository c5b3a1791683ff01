from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import services as auth_services
from ..auth.decorators import role_required
from ..auth.forms import EditUserForm, ResetPasswordForm, UserForm
from ..auth.models import Role, User
from ..extensions import db

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
        auth_services.update_user(user.id, display_name=form.display_name.data, role=form.role.data,
                                  phone=form.phone.data, locale=form.locale.data, active=form.active.data,
                                  actor=current_user)
        flash(_("Saved."), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, reset_form=ResetPasswordForm())


@bp.post("/users/<int:user_id>/password")
@role_required(Role.ADMIN)
def reset_password(user_id: int):
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("admin.edit_user", user_id=user_id))
    auth_services.reset_password(user_id, form.password.data, actor=current_user)
    flash(_("Password changed; the user's open sessions were ended."), "success")
    return redirect(url_for("admin.edit_user", user_id=user_id))
