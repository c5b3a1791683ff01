from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..navigation import home_endpoint

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index():
    return redirect(url_for(home_endpoint(current_user.role, current_app.view_functions)))


@bp.route("/home")
@login_required
def home():
    endpoint = home_endpoint(current_user.role, current_app.view_functions)
    if endpoint != "main.home":
        return redirect(url_for(endpoint))
    return render_template("main/home.html")


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}


@bp.route("/favicon.ico")
def favicon():
    # Pages link static/favicon.svg; this answers browsers and tools that ask for /favicon.ico anyway.
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.route("/csrf-token")
@login_required
def csrf_token():
    # The tablet refreshes its token before submitting a visit that took longer than the token lives.
    from flask_wtf.csrf import generate_csrf

    return {"csrf_token": generate_csrf()}
