from fieldservice.audit.models import AuditEvent
from fieldservice.auth.models import User
from tests import factories
from tests.conftest import login


def test_the_login_page_is_shown_in_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page


def test_the_browser_language_chooses_english(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "Log in" in page


def test_a_wrong_password_is_refused_with_a_clear_message_and_audited(client, db):
    factories.user(username="alice")
    response = client.post("/login", data={"username": "alice", "password": "nope"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "login_failed")) is not None


def test_logins_are_locked_after_five_failures(client, db):
    factories.user(username="bob")
    for _ in range(5):
        client.post("/login", data={"username": "bob", "password": "wrong"})
    response = client.post("/login", data={"username": "bob", "password": "secret-pass"})
    assert response.status_code == 401
    assert "失败次数过多" in response.get_data(as_text=True)


def test_logout_ends_the_session_even_for_a_copied_cookie(app, db):
    factories.user(username="carol")
    client = login(app.test_client(), "carol")
    stolen = app.test_client()
    stolen.set_cookie("session", client.get_cookie("session").value)
    assert stolen.get("/home").status_code in (200, 302)
    client.post("/logout")
    assert stolen.get("/home").headers["Location"].startswith("/login")


def test_disabling_an_account_ends_its_open_sessions(app, db, admin_client):
    user = factories.user(username="dave", role="agent")
    dave = login(app.test_client(), "dave")
    admin_client.post(f"/admin/users/{user.id}", data={"display_name": "Dave", "role": "agent", "locale": ""})
    assert db.session.get(User, user.id).active is False
    assert dave.get("/home").headers["Location"].startswith("/login")


def test_every_role_is_refused_the_admin_pages(make_client):
    for role in ("agent", "technician", "manager"):
        assert make_client(role).get("/admin/users").status_code == 403


def test_an_admin_creates_a_user_who_can_log_in(app, admin_client, db):
    response = admin_client.post("/admin/users/new", data={
        "username": "newbie", "display_name": "新人", "role": "agent", "locale": "zh_CN", "password": "long-password"})
    assert response.status_code == 302
    login(app.test_client(), "newbie", "long-password")


def test_a_duplicate_username_gets_a_clear_message(admin_client, db):
    factories.user(username="taken")
    response = admin_client.post("/admin/users/new", data={
        "username": "taken", "display_name": "x", "role": "agent", "locale": "", "password": "long-password"},
        follow_redirects=True)
    assert "已被占用" in response.get_data(as_text=True)


def test_a_password_reset_ends_the_users_sessions(app, db, admin_client):
    user = factories.user(username="erin")
    erin = login(app.test_client(), "erin")
    admin_client.post(f"/admin/users/{user.id}/password", data={"password": "another-pass", "confirm": "another-pass"})
    assert erin.get("/home").headers["Location"].startswith("/login")
    login(app.test_client(), "erin", "another-pass")


def test_the_language_switch_is_remembered_for_the_user(app, db, agent_client):
    agent_client.post("/language", data={"locale": "en"})
    assert db.session.get(User, agent_client.user.id).locale == "en"
    assert "Log out" in agent_client.get("/home", follow_redirects=True).get_data(as_text=True)


def test_security_headers_are_sent(client):
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_unknown_page_gets_a_friendly_404_in_chinese(agent_client):
    response = agent_client.get("/no-such-page")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


def test_an_open_redirect_after_login_is_refused(client, db):
    factories.user(username="frank")
    response = client.post("/login?next=//evil.example/", data={"username": "frank", "password": "secret-pass"})
    assert response.headers["Location"] == "/home"
