"""Fixtures shared by integration, web and e2e tests.

The database is SQLite in a temporary file by default; set TEST_DATABASE_URL (postgresql+psycopg://…)
to run the same tests on PostgreSQL. The schema is created once per run; every test starts empty.
"""
from __future__ import annotations

import contextvars
import os
import threading

import pytest
from flask import has_app_context
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.serving import make_server

from fieldservice import create_app
from fieldservice.extensions import db as _db
from fieldservice.i18n import compile_catalogs
from tests import factories


def pytest_configure(config):
    # WTForms 3.4 drops (value, label) tuples in field definitions: fieldservice.choices.select_choices.
    config.addinivalue_line("filterwarnings", "error:Passing SelectField choices:DeprecationWarning")


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (own DB session, own flask.g), as in production.

    Without this a request would reuse the test's app context and see its session and cached user.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            # End the test's transaction: objects are expired and re-read after the request.
            _db.session.commit()

        def isolated():
            _cv_app.set(None)
            response = super(IsolatedClient, self).open(*args, **kwargs)
            if response.is_streamed:  # read where stream_with_context can push the request's context again
                response.make_sequence()
            return response

        return contextvars.copy_context().run(isolated)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    compile_catalogs()
    application = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
        "WTF_CSRF_ENABLED": False,
        "LOGIN_MAX_FAILURES": 5,
        # scrypt costs ~0.25 s a user; tests create hundreds.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
    })
    application.test_client_class = IsolatedClient
    with application.app_context():
        _db.drop_all()
        _db.create_all()
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _empty_all_tables() -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture()
def db(app):
    with app.app_context():
        _empty_all_tables()
        yield _db
        _db.session.remove()


@pytest.fixture()
def client(app, db):
    return app.test_client()


def login(client, username: str, password: str = "secret-pass"):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture()
def make_client(app, db):
    """A logged-in test client for a new user of the given role."""

    def _make(role: str, username: str | None = None, **kwargs):
        user = factories.user(role=role, username=username or f"{role}-{factories.next_id()}", **kwargs)
        client = app.test_client()
        login(client, user.username)
        client.user = user
        return client

    return _make


@pytest.fixture()
def agent_client(make_client):
    return make_client("agent")


@pytest.fixture()
def manager_client(make_client):
    return make_client("manager")


@pytest.fixture()
def admin_client(make_client):
    return make_client("admin")


@pytest.fixture()
def technician_client(app, db):
    tech = factories.technician()
    client = app.test_client()
    login(client, tech.user.username)
    client.user = tech.user
    client.technician = tech
    return client


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture()
def live_server(app, db):
    """The app served on 127.0.0.1 by a threaded server (concurrency and browser tests)."""
    with LiveServer(app) as server:
        yield server
