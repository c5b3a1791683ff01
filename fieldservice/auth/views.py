from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import DomainError
from . import services
from .forms import LanguageForm, LoginForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    # Only local paths: an open redirect would let a phishing link borrow our login page. Browsers read a
    # backslash as "/" and drop tabs and line breaks (so "/<TAB>/evil.example" becomes "//evil.example"):
    # a target holding a backslash, whitespace or a control character is refused outright.
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.username.data, form.password.data)
        except DomainError as error:
            flash(str(error.message), "error")
            return render_template("auth/login.html", form=form), 401
        session.clear()
        session["sv"] = user.session_version
        login_user(user)
        return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    services.end_sessions(current_user)
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            services.set_locale(current_user, form.locale.data)
    return redirect(_safe_next(request.form.get("next")) or url_for("main.home"))
