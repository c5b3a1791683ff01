"""Logins, sessions and API tokens: what an attacker with a guess, a copied cookie or an old token gets."""
from fieldservice import create_app
from fieldservice.audit.models import AuditEvent
from fieldservice.auth import services as auth_services
from fieldservice.auth.models import ApiToken, User
from fieldservice.auth.services import hash_token, issue_api_token
from tests import factories
from tests.conftest import login


def test_an_unknown_username_costs_a_password_check_like_a_wrong_password(client, db, monkeypatch):
    # Otherwise the quicker answer for a username that does not exist tells which ones do.
    factories.user(username="ivy")
    checked = []
    real_check = auth_services.check_password_hash
    monkeypatch.setattr(auth_services, "check_password_hash",
                        lambda stored, password: checked.append(stored) or real_check(stored, password))
    response = client.post("/login", data={"username": "nobody-here", "password": "guess"})
    assert response.status_code == 401 and "用户名或密码错误" in response.get_data(as_text=True)
    assert len(checked) == 1 and checked[0].startswith("pbkdf2:sha256:1$")


def test_an_unknown_username_and_a_wrong_password_get_the_same_answer(client, db):
    factories.user(username="jack")
    unknown = client.post("/login", data={"username": "nobody-here", "password": "guess"})
    wrong = client.post("/login", data={"username": "jack", "password": "guess"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_data(as_text=True).replace("nobody-here", "jack") == wrong.get_data(as_text=True)


def test_a_disabled_users_api_token_stops_working_at_once(client, db, admin_client):
    user = factories.user(username="telephony", role="agent")
    token = issue_api_token("telephony")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/models", headers=headers).status_code == 200
    admin_client.post(f"/admin/users/{user.id}", data={"display_name": "Telephony", "role": "agent", "locale": ""})
    assert db.session.get(User, user.id).active is False
    response = client.get("/api/v1/models", headers=headers)
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_api_tokens_are_stored_only_as_hashes(db):
    factories.user(username="wechat")
    token = issue_api_token("wechat")
    stored = db.session.scalars(db.select(ApiToken.token_hash)).all()
    assert stored == [hash_token(token)] and token not in stored[0]


def test_a_session_cookie_is_refused_by_the_api(app, db):
    # The API is exempt from CSRF because only a bearer token opens it: a logged-in browser gets nothing.
    factories.user(username="kate", role="manager")
    browser = login(app.test_client(), "kate")
    response = browser.get("/api/v1/followups")
    assert response.status_code == 401


def test_api_answers_with_customer_data_are_never_cached(client, db):
    factories.user(username="crm", role="agent")
    token = issue_api_token("crm")
    response = client.get("/api/v1/followups", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_the_session_cookie_is_httponly_and_samesite(app, db):
    factories.user(username="leo")
    response = app.test_client().post("/login", data={"username": "leo", "password": "secret-pass"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_production_cookies_are_secure_and_https_is_required(app, db):
    production = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
                             "PRODUCTION": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                             "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"})
    factories.user(username="mia")
    response = production.test_client().post("/login", data={"username": "mia", "password": "secret-pass"})
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers


def test_every_response_carries_the_security_headers_once_and_a_response_keeps_its_own(app, db):
    response = app.test_client().get("/login")
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
        assert len(response.headers.getlist(name)) == 1, name
    with app.test_request_context("/login"):
        own = app.process_response(app.make_response(("framed", 200, {"x-frame-options": "SAMEORIGIN"})))
    assert own.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"] and own.headers["Referrer-Policy"] == "same-origin"


def test_a_leaked_api_token_can_be_revoked_without_disabling_the_account(app, client, db):
    user = factories.user(username="wechat-front", role="agent")
    old, other = issue_api_token("wechat-front"), issue_api_token("wechat-front")
    result = app.test_cli_runner().invoke(args=["api-token", "wechat-front", "--revoke"])
    assert result.exit_code == 0 and "revoked 2" in result.output
    for token in (old, other):
        assert client.get("/api/v1/models", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    fresh = app.test_cli_runner().invoke(args=["api-token", "wechat-front"]).output.strip()
    assert client.get("/api/v1/models", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).active is True
    assert db.session.scalar(db.select(AuditEvent.action).where(AuditEvent.action == "api_tokens_revoked"))


def test_revoking_the_tokens_of_an_unknown_user_says_so(app, db):
    result = app.test_cli_runner().invoke(args=["api-token", "nobody", "--revoke"])
    assert result.exit_code != 0 and "nobody" in result.output
