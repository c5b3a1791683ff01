"""fieldservice: after-sales field-service dispatch."""
from __future__ import annotations

import importlib
import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import i18n
from .config import build_config
from .extensions import babel, csrf, db, login_manager, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# Domain areas whose views.py (if present) defines a blueprint `bp`.
AREAS = ("main", "auth", "admin", "customers", "warranty", "intake", "dispatch", "visits", "parts", "reports",
         "followups", "complaints", "agreements", "api")


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static", instance_relative_config=True)
    app.config.update(build_config(app.instance_path, config))
    os.makedirs(app.instance_path, exist_ok=True)

    from . import models  # noqa: F401  (registers every table on the metadata)
    from .database import configure_postgresql, configure_sqlite

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
        configure_postgresql(db.engine)
    migrate.init_app(app, db, render_as_batch=True, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    i18n.init_babel(app, babel)
    # A checkout holds the .po catalogues only (the .mo are build output); without them every page is English.
    try:
        i18n.compile_catalogs()
    except OSError as error:
        app.logger.warning("the translations could not be compiled, so pages will be in English: %s", error)

    from . import web
    web.init_app(app)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    for area in AREAS:
        # Subscribers connect to the domain signals once, at import.
        import_optional(f"{__name__}.{area}.subscribers")
        views = import_optional(f"{__name__}.{area}.views")
        if views is not None:
            app.register_blueprint(views.bp)

    from .cli import register_commands
    register_commands(app)
    return app


def import_optional(name: str):
    """The module, or None when it (or its package) does not exist; other import errors propagate."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name and (name == error.name or name.startswith(error.name + ".")):
            return None
        raise
