"""Configuration from the environment, with development defaults."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_secret_key(instance_path: str, production: bool) -> str:
    """SECRET_KEY from the environment; in development a random key kept in instance/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise RuntimeError("SECRET_KEY must be set in the environment in production (FLASK_ENV=production).")
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # SQLAlchemy 2.1 maps postgresql:// to psycopg 3; accept Heroku-style postgres:// too.
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://"):]
        return url
    return f"sqlite:///{Path(instance_path) / 'fieldservice.db'}"


def build_config(instance_path: str, overrides: dict | None = None) -> dict:
    overrides = dict(overrides or {})
    production = overrides.get("PRODUCTION", os.environ.get("FLASK_ENV") == "production")
    config = {
        "PRODUCTION": production,
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": 3600,
        # A visit's six photos of up to 8 MB each, with the rest of the form (visits.services.MAX_PHOTOS).
        "MAX_CONTENT_LENGTH": 52 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "LANGUAGES": ["zh_CN", "en"],
        "SERVICE_TIMEZONE": os.environ.get("SERVICE_TIMEZONE", "Asia/Shanghai"),
        "SERVICE_CENTRE_NAME": os.environ.get("SERVICE_CENTRE_NAME", "华东售后服务中心"),
        "SERVICE_CENTRE_PHONE": os.environ.get("SERVICE_CENTRE_PHONE", "400-820-8820"),
        "SERVICE_CENTRE_ADDRESS": os.environ.get("SERVICE_CENTRE_ADDRESS", "上海市闵行区莘庄工业区申富路 88 号"),
        "SLA_HOURS": int(os.environ.get("SLA_HOURS", "24")),
        "CALLBACK_DAYS": int(os.environ.get("CALLBACK_DAYS", "3")),
        "COMPLAINT_REPLY_HOURS": 24,
        "CALL_OUT_FEE": os.environ.get("CALL_OUT_FEE", "50.00"),
        "WORK_START": os.environ.get("WORK_START", "08:00"),
        "WORK_END": os.environ.get("WORK_END", "20:00"),
        "WINDOW_MINUTES": int(os.environ.get("WINDOW_MINUTES", "120")),
        "VISIT_MINUTES": {"repair": 90, "install": 120, "maintenance": 60},
        "PLAN_TIME_LIMIT": float(os.environ.get("PLAN_TIME_LIMIT", "10")),
        "ROAD_FACTOR": float(os.environ.get("ROAD_FACTOR", "1.3")),
        "SPEED_KMH": float(os.environ.get("SPEED_KMH", "30")),
        "REQUISITION_NEEDS_APPROVAL": _env_bool("REQUISITION_NEEDS_APPROVAL", True),
        "USE_NOMINATIM": _env_bool("USE_NOMINATIM", False),
        "NOMINATIM_USER_AGENT": os.environ.get("NOMINATIM_USER_AGENT", "fieldservice/1.0"),
        "CJK_FONT_PATH": os.environ.get("FIELDSERVICE_CJK_FONT"),
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_LOCK_MINUTES": 15,
        # How many proxies in front set X-Forwarded-For/-Proto/-Host (a TLS-terminating nginx: 1). Trusting
        # them makes the app see https and the client's address; trusting headers no proxy set would let
        # anyone fake them, so it is 0 unless the deployment says so.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
    }
    config.update(overrides)
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # PostgreSQL's JIT once added over a second to a report query; these queries never gain from it.
        # A connection the server closed while pooled is replaced on checkout (database.configure_postgresql).
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {**config["SQLALCHEMY_ENGINE_OPTIONS"],
                                               "connect_args": {"options": "-c jit=off"}}
    config["SECRET_KEY"] = overrides.get("SECRET_KEY") or load_secret_key(instance_path, production)
    return config
