from types import SimpleNamespace

import pytest

from fieldservice import create_app, web
from tests import factories


@pytest.fixture()
def csrf_client(app, db):
    strict = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": True,
                         "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    return strict.test_client()


def test_a_post_without_a_csrf_token_is_refused_with_400(csrf_client):
    factories.user(username="grace")
    response = csrf_client.post("/login", data={"username": "grace", "password": "secret-pass"})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)


def test_a_post_with_the_pages_token_is_accepted(csrf_client):
    import re

    factories.user(username="heidi")
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = csrf_client.post("/login", data={"username": "heidi", "password": "secret-pass", "csrf_token": token})
    assert response.status_code == 302


def _page_token(client, path: str) -> str:
    import re

    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def test_pages_of_one_session_reuse_a_signed_token_that_the_form_check_accepts(csrf_client, monkeypatch):
    import itertools
    import re
    import time

    import itsdangerous.timed

    # Within one minute: two pages that straddle a minute's end rightly get two tokens. Signing clocks
    # move on a second per call, as on a slow machine, which must not matter within the minute.
    one_minute = time.time()
    monkeypatch.setattr(web, "time", SimpleNamespace(time=lambda: one_minute))
    ticks = itertools.count(int(one_minute))
    monkeypatch.setattr(itsdangerous.timed, "time", SimpleNamespace(time=lambda: next(ticks)))
    factories.user(username="ivan")
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    csrf_client.post("/login", data={"username": "ivan", "password": "secret-pass", "csrf_token": token})
    first, second = _page_token(csrf_client, "/"), _page_token(csrf_client, "/")
    assert first == second
    # The reused token passes Flask-WTF's check: the logout form is accepted, and it really logs out.
    assert csrf_client.post("/logout", data={"csrf_token": first}).status_code == 302
    assert csrf_client.get("/").status_code == 302 and "/login" in csrf_client.get("/").headers["Location"]


def test_a_forged_token_is_still_refused(csrf_client):
    factories.user(username="kim")
    _page_token(csrf_client, "/login")
    response = csrf_client.post("/login", data={"username": "kim", "password": "secret-pass",
                                                "csrf_token": "not-a-token"})
    assert response.status_code == 400


def test_another_session_gets_a_token_of_its_own(csrf_client):
    other = csrf_client.application.test_client()
    assert _page_token(csrf_client, "/login") != _page_token(other, "/login")
