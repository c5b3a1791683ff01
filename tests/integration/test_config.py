import shutil

import pytest
from flask import request

from fieldservice import create_app
from fieldservice.config import build_config


def test_a_development_secret_key_is_created_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = build_config(str(tmp_path), {"PRODUCTION": False})["SECRET_KEY"]
    second = build_config(str(tmp_path), {"PRODUCTION": False})["SECRET_KEY"]
    assert first == second and len(first) == 64


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError):
        build_config(str(tmp_path), {"PRODUCTION": True})


def test_production_cookies_are_secure(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    config = build_config(str(tmp_path), {"PRODUCTION": True})
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]


def test_database_url_from_the_environment_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@localhost/fs")
    assert build_config(str(tmp_path), {"SECRET_KEY": "k"})["SQLALCHEMY_DATABASE_URI"] == "postgresql://u:p@localhost/fs"


def test_the_factory_uses_the_top_level_templates_and_static_folders(app):
    assert app.template_folder == "../templates" and app.static_folder.endswith("static")
    assert "auth" in app.blueprints and "admin" in app.blueprints


def test_the_factory_compiles_the_translations_a_fresh_checkout_lacks(tmp_path, monkeypatch):
    from fieldservice import i18n

    catalogues = tmp_path / "translations"
    shutil.copytree(i18n.TRANSLATIONS_DIR, catalogues, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", catalogues)
    create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fs.db'}"})
    po_files = sorted(catalogues.glob("zh/LC_MESSAGES/*.po"))
    assert po_files and all(po.with_suffix(".mo").exists() for po in po_files)


def test_a_visit_may_send_all_its_photos_at_their_largest(app):
    from fieldservice.visits.images import PHOTO_MAX_BYTES
    from fieldservice.visits.services import MAX_PHOTOS

    assert app.config["MAX_CONTENT_LENGTH"] > MAX_PHOTOS * PHOTO_MAX_BYTES


def _seen_by_the_app(trusted_proxies: int, tmp_path):
    app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fs.db'}",
                      "TRUSTED_PROXIES": trusted_proxies})
    app.add_url_rule("/seen", "seen", lambda: f"{request.scheme} {request.host} {request.remote_addr}")
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "service.example.cn",
               "X-Forwarded-For": "203.0.113.7"}
    return app.test_client().get("/seen", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"}).text


def test_behind_a_trusted_tls_proxy_the_app_sees_https_and_the_clients_address(tmp_path):
    assert _seen_by_the_app(1, tmp_path) == "https service.example.cn 203.0.113.7"


def test_forwarded_headers_are_ignored_unless_a_proxy_is_trusted(tmp_path):
    assert _seen_by_the_app(0, tmp_path) == "http localhost 10.0.0.2"
