"""The shortcuts the busy pages take (catalogue per request, menu per language, numeric dates, the session
user read without the ORM) give the same pages as the long way round."""
from datetime import date, datetime, timezone

from flask import render_template_string, session
from flask_babel import force_locale, gettext
from flask_login import login_user

from fieldservice.i18n import fmt_date, fmt_datetime, fmt_time, lazy_gettext
from fieldservice.navigation import nav_links
from tests import factories


def test_messages_follow_force_locale_inside_a_request_and_return_after_it(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert gettext("Log out") == "退出"
        assert render_template_string("{{ _('Log out') }}") == "退出"
        with force_locale("en"):
            assert gettext("Log out") == "Log out"
            assert render_template_string("{{ _('Log out') }}") == "Log out"
        assert gettext("Log out") == "退出"
        assert render_template_string("{{ _('Log out') }}") == "退出"


def test_template_messages_escape_their_variables_but_not_their_own_text(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        html = render_template_string("{{ _('until %(day)s', day=value) }}", value="<b>2026</b>")
        assert html == "until &lt;b&gt;2026&lt;/b&gt;"
        html = render_template_string("{{ ngettext('%(num)s major complaint needs attention', "
                                      "'%(num)s major complaints need attention', 2) }}")
        assert html == "2 major complaints need attention"


def test_dates_and_times_are_shown_in_the_service_time_zone_in_both_languages(app):
    late_evening_utc = datetime(2026, 1, 31, 16, 30, tzinfo=timezone.utc)  # 00:30 on 1 February in Shanghai
    with app.test_request_context():
        for locale in ("zh_CN", "en"):
            with force_locale(locale):
                assert fmt_datetime(late_evening_utc) == "2026-02-01 00:30"
                assert fmt_time(late_evening_utc) == "00:30"
                assert fmt_date(late_evening_utc) == "2026-02-01"
                assert fmt_date(date(2024, 2, 29)) == "2024-02-29"
        # A naive time is taken as UTC, as Flask-Babel did.
        assert fmt_datetime(late_evening_utc.replace(tzinfo=None)) == "2026-02-01 00:30"
        assert (fmt_date(None), fmt_datetime(None), fmt_time(None)) == ("", "", "")


def test_the_menu_is_built_per_role_and_language(app, db):
    with app.test_request_context():
        zh = {link.endpoint: link for link in nav_links("agent", "zh_Hans_CN")}
        with force_locale("en"):
            en = {link.endpoint: link for link in nav_links("agent", "en")}
        manager = {link.endpoint for link in nav_links("manager", "en")}
    assert zh["intake.new_request"].label == "新建服务请求" and en["intake.new_request"].label == "New request"
    assert zh["warranty.check"].url == en["warranty.check"].url == "/warranty"
    assert "reports.dashboard" not in zh and "reports.dashboard" in manager


def _menu(page: str) -> str:
    return page.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]


def test_the_rendered_menu_marks_the_current_page_and_follows_the_language(app, db, agent_client):
    warranty, requests = _menu(agent_client.get("/warranty").get_data(as_text=True)), \
        _menu(agent_client.get("/requests").get_data(as_text=True))
    assert '<a href="/warranty" class="active">保修查询</a>' in warranty
    assert '<a href="/warranty" class="">保修查询</a>' in requests and 'class="active">服务请求</a>' in requests
    assert warranty.count('class="active"') == requests.count('class="active"') == 1
    user = db.session.get(type(agent_client.user), agent_client.user.id)
    user.locale = "en"
    db.session.commit()
    assert '<a href="/warranty" class="active">Warranty check</a>' in \
        _menu(agent_client.get("/warranty").get_data(as_text=True))


def test_the_browser_language_decides_for_a_visitor_without_a_choice(client):
    for header, title in (("zh-CN,zh;q=0.9", "登录"), ("en-US,en;q=0.9", "Log in"), ("de-DE", "登录"),
                          ("en;q=0.1, zh;q=0.8", "登录"), ("", "登录"), ("fr, en;q=0.5", "Log in")):
        page = client.get("/login", headers={"Accept-Language": header} if header else {}).get_data(as_text=True)
        assert f"<h1>{title}</h1>" in page, header


def test_a_page_shows_the_users_current_name_and_language_not_a_cached_copy(app, db, agent_client):
    assert agent_client.user.display_name in agent_client.get("/warranty").get_data(as_text=True)
    user = db.session.get(type(agent_client.user), agent_client.user.id)
    user.display_name, user.locale = "改名后的坐席", "en"
    db.session.commit()
    page = agent_client.get("/warranty").get_data(as_text=True)
    assert "改名后的坐席" in page and "Log out" in page


def test_the_session_user_answers_what_flask_login_and_the_services_ask(app, db):
    from fieldservice.web import load_user

    created = factories.user(role="manager", username="lena")
    with app.test_request_context():
        login_user(created)
        session["sv"] = created.session_version  # as the login page records it
        user = load_user(str(created.id))
        assert (user.id, user.username, user.role, user.is_authenticated, user.is_active) == \
            (created.id, "lena", "manager", True, True)
        assert user.get_id() == str(created.id) and user.has_role("manager") and not user.has_role("agent")
        session["sv"] = created.session_version + 1  # a session from before "log out everywhere"
        assert load_user(str(created.id)) is None
        assert load_user("not-a-number") is None


def test_template_urls_follow_the_mount_point_and_their_arguments(app):
    page = "{{ url_for('static', filename='css/app.css') }} {{ url_for('warranty.check') }} " \
           "{{ url_for('customers.detail', customer_id=7) }} {{ url_for('warranty.check', serial='A 1') }}"
    for mount in ("", "/fs", ""):
        with app.test_request_context(base_url=f"http://localhost{mount}/"):
            assert render_template_string(page) == (f"{mount}/static/css/app.css {mount}/warranty "
                                                    f"{mount}/customers/7 {mount}/warranty?serial=A+1")
    # ".index" names a page of the request's blueprint: the home page under main, the reports list under reports.
    home, reports = (app.url_map.bind("localhost").build(endpoint) for endpoint in ("main.index", "reports.index"))
    for path, expected in ((home, home), (reports, reports), (home, home)):
        with app.test_request_context(path):
            assert render_template_string("{{ url_for('.index') }}") == expected


def test_lazy_messages_escape_their_variables_on_a_page_but_not_their_own_text(app):
    typed = "<script>alert(1)</script>"
    message = lazy_gettext("Serial %(value)s already appears earlier in this file.", value=typed)
    label = lazy_gettext("Serial number")
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert render_template_string("{{ message }}", message=message) == \
            "序列号 &lt;script&gt;alert(1)&lt;/script&gt; 在本文件前面已出现过。"
        assert str(message) == f"序列号 {typed} 在本文件前面已出现过。"  # as flashed, which escapes it itself
        assert render_template_string("{{ label }}", label=label) == "序列号"
