"""Navigation per role. Entries whose endpoint is not registered are skipped."""
from __future__ import annotations

from typing import NamedTuple

from flask import current_app, has_request_context, request, url_for
from markupsafe import Markup

from .auth.models import Role
from .i18n import lazy_gettext as _l

A, T, M, AD = Role.AGENT, Role.TECHNICIAN, Role.MANAGER, Role.ADMIN

NAV = [
    ("reports.dashboard", _l("Overview"), {M}),
    ("intake.new_request", _l("New request"), {A, M}),
    ("customers.search", _l("Customers"), {A, M}),
    ("warranty.check", _l("Warranty check"), {A, M}),
    ("intake.list_requests", _l("Requests"), {A, M}),
    ("dispatch.board", _l("Dispatch board"), {M}),
    ("visits.today", _l("Today's visits"), {T}),
    ("parts.my_stock", _l("My van stock"), {T}),
    ("parts.levels", _l("Stock"), {M, AD}),
    ("followups.call_list", _l("Follow-up calls"), {A, M}),
    ("complaints.list_complaints", _l("Complaints"), {A, M}),
    ("agreements.list_agreements", _l("Agreements"), {A, M}),
    ("reports.index", _l("Reports"), {M}),
    ("admin.users", _l("Users"), {AD}),
    ("admin.technicians", _l("Technicians"), {AD}),
    ("admin.catalog", _l("Catalogue"), {AD}),
    ("customers.import_units", _l("Import units"), {AD}),
]

# Where each role lands after login (the first that exists, else the generic home page).
ROLE_HOME = {
    A: ["intake.new_request", "main.home"],
    T: ["visits.today", "main.home"],
    M: ["reports.dashboard", "dispatch.board", "main.home"],
    AD: ["admin.users", "main.home"],
}


class NavLink(NamedTuple):
    endpoint: str
    url: str
    label: str


def nav_links(role: str, locale: str) -> tuple[NavLink, ...]:
    """The role's menu with its URLs and labels, built once per role, language and mount point.

    Every page shows it, and building it costs a URL and a translation per entry.
    """
    return _built_once("nav_links", (role, locale, request.script_root), lambda: tuple(
        NavLink(endpoint, url_for(endpoint), str(label)) for endpoint, label, roles in NAV
        if role in roles and endpoint in current_app.view_functions))


def nav_menu(role: str, locale: str, active_endpoint: str | None) -> Markup:
    """The role's menu as HTML, with the current page's entry marked, rendered once per role, language, mount
    point and page: every page shows it, and rendering its links cost as much as a page's form."""
    return _built_once("nav_menu", (role, locale, request.script_root, active_endpoint), lambda: Markup(
        current_app.jinja_env.get_template("_nav_menu.html").render(
            links=nav_links(role, locale), active_endpoint=active_endpoint)))


def template_url_for(endpoint: str, **values) -> str:
    """url_for for templates: URLs of static files and of pages without arguments are built once per mount point.

    Every page links its stylesheets, script and header forms, at about 4 µs for each URL built.
    """
    # A ".endpoint" depends on the request's blueprint: built each time, like URLs with arguments.
    if (values and (endpoint != "static" or values.keys() != {"filename"}) or endpoint.startswith(".")
            or not has_request_context()):
        return url_for(endpoint, **values)
    return _built_once("template_urls", (endpoint, values.get("filename"), request.script_root),
                       lambda: url_for(endpoint, **values))


def _built_once(cache_name: str, key: tuple, build):
    """The value for `key` in one of the app's caches, built by `build()` the first time it is asked for."""
    cache = current_app.extensions.setdefault(f"fieldservice.{cache_name}", {})
    value = cache.get(key)
    if value is None:
        value = cache[key] = build()
    return value


def home_endpoint(role: str, view_functions) -> str:
    return next(e for e in ROLE_HOME.get(Role(role), ["main.home"]) + ["main.home"] if e in view_functions)
