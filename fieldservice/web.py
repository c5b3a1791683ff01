"""Cross-cutting web concerns: sessions, security headers, error pages, template context."""
from __future__ import annotations

import functools
import time

from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from itsdangerous import URLSafeTimedSerializer
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from . import database
from .auth.current import session_user
from .catalog.services import product_line_label
from .choices import choice_labels
from .customers.rules import mask_phone
from .errors import DomainError
from .extensions import db, login_manager
from .i18n import LOCALES, catalogue, current_locale, fmt_datetime, lazy_gettext as _l, template_translators
from .navigation import nav_links, nav_menu, template_url_for
from .validators import DB_INT_MAX, has_nul

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")

ERROR_TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    413: _l("The upload is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, **extra):
    body = {"error": {"code": code, "message": message, **extra}}
    return jsonify(body), status


def valid_or_flashed(form, *, labelled: bool = False) -> bool:
    """Validate a POST form whose view redirects back either way; each message is flashed on the next page.

    `labelled` names the field in each message, for pages that hold several forms."""
    if form.validate_on_submit():
        return True
    for name, errors in form.errors.items():
        for error in errors:
            flash(f"{form[name].label.text}: {error}" if labelled else error, "error")
    return False


def back_or(default: str):
    """Back to the page the user came from, if it is one of ours; a Referer naming another site goes to
    `default`, so no redirect of ours leads off-site."""
    referrer = request.referrer or ""
    return redirect(referrer if referrer.startswith(request.host_url) else default)


@login_manager.user_loader
def load_user(user_id: str):
    user = session_user(int(user_id)) if user_id.isdigit() else None
    # A session survives only while its version matches: logout-everywhere, password change and
    # disable bump the version and so end every existing session.
    if user is None or not user.active or session.get("sv") != user.session_version:
        return None
    return user


class IdConverter(IntegerConverter):
    """`<int:…>` in a route: an id beyond the INTEGER columns matches no route (404), as a missing row does,
    instead of reaching the database, which refuses to compare with it."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


NUL_REFUSED = _l("The text contains a NUL character, which cannot be saved. Remove it and try again.")


def _nul_in_request() -> bool:
    # Every page pays for this check, so a query string without NUL is not parsed for it and a GET has no body
    # to read. Not next=: a redirect target, never stored or looked up, whose control characters it refuses.
    sources = []
    if b"%00" in request.query_string or b"\x00" in request.query_string:
        sources.append(request.args)
    if request.method not in ("GET", "HEAD"):
        sources.append(request.form)
        if request.is_json and has_nul(request.get_json(silent=True)):
            return True
    return any(has_nul(value) for source in sources for name, value in source.items(multi=True) if name != "next")


CSRF_FIELD = "csrf_token"
# Flask-WTF's salt: a token signed here must validate in flask_wtf.csrf.validate_csrf.
CSRF_SALT = "wtf-csrf-token"


@functools.lru_cache(maxsize=4096)
def _signed_csrf_token(raw_token: str, secret_key: str, minute: int) -> str:
    return URLSafeTimedSerializer(secret_key, salt=CSRF_SALT).dumps(raw_token)


def csrf_token() -> str:
    """Flask-WTF's generate_csrf(), with the signed token reused for up to a minute.

    Each page signs the session's token (an HMAC over it and a timestamp) for its forms, which costs
    as much as the rest of the page header. A reused token is at most a minute older, so it expires at
    most a minute sooner (WTF_CSRF_TIME_LIMIT is an hour).
    """
    # Not Flask-WTF's g.csrf_token: a form built by the view signs its own, at that second.
    token = g.get("reused_csrf_token")
    if token is None:
        raw_token = session.get(CSRF_FIELD)
        if raw_token is None:  # a new session: Flask-WTF creates the raw token, signed below like any other
            generate_csrf()
            raw_token = session[CSRF_FIELD]
        secret_key = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
        token = g.reused_csrf_token = _signed_csrf_token(raw_token, secret_key, int(time.time() // 60))
    return token


def printed_at() -> str:
    """The minute in the line a printed page carries, "Printed <when> by <who>" (a loose sheet must say how
    current it is). Every page carries it for the browser's print, so each minute is formatted once."""
    return _minute_text(database.utcnow().replace(second=0, microsecond=0), current_app.config["SERVICE_TIMEZONE"])


@functools.lru_cache(maxsize=64)
def _minute_text(minute, _timezone: str) -> str:
    return fmt_datetime(minute)


def css_string(value) -> Markup:
    """Any text as a CSS string literal for a <style> element (the printed pages' running title): every
    character but ASCII letters and digits is a hex escape, so nothing can end the string or the element.
    (A space is escaped too: CSS swallows one space after an escape.)"""
    plain = value.unescape() if isinstance(value, Markup) else str(value)  # a rendered block is HTML-escaped
    text = "".join(c if c.isascii() and c.isalnum() else f"\\{ord(c):06x}" for c in plain)
    return Markup(f'"{text}"')


def init_app(app) -> None:
    # Before the blueprints are registered: their rules are built with the converter of that moment.
    app.url_map.converters["int"] = IdConverter
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    security_headers_to_send = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
                                ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin")]
    if app.config["PRODUCTION"]:
        # Production cookies are Secure: the browser must never try the site over plain HTTP again.
        security_headers_to_send.append(("Strict-Transport-Security", "max-age=31536000"))

    @app.after_request
    def security_headers(response):
        # A response that set one of these itself keeps its own. (Headers.setdefault looks through every header
        # for each of them, which cost a page as much as a translated message per header.)
        present = {name.lower() for name in response.headers.keys()}
        response.headers.extend([(name, value) for name, value in security_headers_to_send
                                 if name.lower() not in present])
        # Pages, PDFs and photos for a logged-in user or an API token hold customer data: never stored by the
        # browser (a shared tablet), not even the "no-cache" copies send_file allows. Static files stay cached.
        signed_in = current_user.is_authenticated or g.get("api_user") is not None
        if signed_in and request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.before_request
    def refuse_nul_characters():
        # PostgreSQL cannot store or even compare text holding NUL (SQLite can), and no one types it.
        if "\x00" in request.path:
            abort(404)  # no page has such an address
        if not _nul_in_request():
            return None
        if wants_json():
            return json_error(422, "nul_character", str(NUL_REFUSED))  # as the API answers other invalid input
        return render_template("errors/error.html", status=400, title=str(ERROR_TITLES[400]),
                               detail=str(NUL_REFUSED)), 400

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if wants_json():
            return json_error(400, "csrf", _("The form expired. Please reload the page and try again."))
        return render_template("errors/error.html", status=400,
                               title=_("The form expired"),
                               detail=_("The form expired. Please reload the page and try again.")), 400

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        if wants_json():
            return json_error(error.status_code, error.code, str(error.message), **error.details)
        flash(str(error.message), "error")
        return back_or(url_for("main.home"))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        title = str(ERROR_TITLES.get(status, error.name))
        if wants_json():
            return json_error(status, error.name.lower().replace(" ", "_"), title)
        return render_template("errors/error.html", status=status, title=title, detail=None), status

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        current_app.logger.exception("unhandled error")
        db.session.rollback()
        title = str(ERROR_TITLES[500])
        if wants_json():
            return json_error(500, "internal_error", title)
        return render_template("errors/error.html", status=500, title=title, detail=None), 500

    app.jinja_env.globals.update(url_for=template_url_for, nav_menu=nav_menu, csrf_token=csrf_token, locales=LOCALES,
                                 mask_phone=mask_phone, page_locale=current_locale,
                                 has_endpoint=lambda endpoint: endpoint in app.view_functions, printed_at=printed_at)
    app.jinja_env.filters.update(choice_labels=choice_labels, product_line=product_line_label, css_string=css_string)

    @app.context_processor
    def template_context():
        locale = current_locale()
        return {
            "nav_items": nav_links(current_user.role, locale) if current_user.is_authenticated else (),
            "current_locale": locale,
            # Flask-WTF's context processor puts its own generate_csrf here; this one reuses signed tokens.
            "csrf_token": csrf_token,
            **template_translators(catalogue()),
        }
