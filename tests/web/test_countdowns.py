"""Promise and reply countdowns: the page's language from the first render, the same text app.js keeps up to date."""
from datetime import datetime, timedelta, timezone

import pytest

from tests import factories, factories_aftercare
from tests import factories_visits as fv

NOW = datetime(2026, 11, 22, 1, 30, tzinfo=timezone.utc)


@pytest.fixture()
def clock(monkeypatch):
    return factories_aftercare.hold_clock(monkeypatch, NOW)


def _countdown(html: str) -> str:
    return html.split('class="countdown"', 1)[1].split(">", 1)[1].split("</span>", 1)[0].strip()


def test_the_complaint_reply_clock_reads_in_chinese_before_the_script_runs(make_client, db, clock):
    agent = make_client("agent", locale="zh_CN")
    complaint = factories_aftercare.complaint(received_at=NOW)
    clock.now = NOW + timedelta(minutes=30)
    html = agent.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    assert _countdown(html) == "23小时30分"
    # app.js renders later minutes from the same translated message.
    assert 'data-countdown="{h}小时{m}分"' in html
    assert "h 0m" not in html


def test_an_overdue_reply_clock_says_so_in_each_language(make_client, db, clock):
    complaint = factories_aftercare.complaint(received_at=NOW)
    clock.now = NOW + timedelta(hours=25, minutes=5)
    zh = make_client("agent", locale="zh_CN").get(f"/complaints/{complaint.id}").get_data(as_text=True)
    assert _countdown(zh) == "已逾期 1小时5分"
    en = make_client("agent", locale="en").get(f"/complaints/{complaint.id}").get_data(as_text=True)
    assert _countdown(en) == "Overdue 1 h 5 min" and 'data-countdown="{h} h {m} min"' in en


def test_the_technicians_visit_page_shows_the_promise_countdown_in_chinese(technician_client, db, clock):
    visit = fv.visit(technician_client.technician, status="booked")
    clock.now = visit.request.sla_due_at - timedelta(hours=5, minutes=20)
    html = technician_client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert _countdown(html) == "5小时20分"


def test_the_request_list_and_page_show_the_promise_countdown_in_chinese(make_client, db, clock):
    request = factories.service_request(sla_due_at=NOW + timedelta(hours=24))
    clock.now = NOW + timedelta(hours=2, minutes=15)
    agent = make_client("agent", locale="zh_CN")
    assert _countdown(agent.get("/requests").get_data(as_text=True)) == "21小时45分"
    assert _countdown(agent.get(f"/requests/{request.number}").get_data(as_text=True)) == "21小时45分"


def test_a_countdown_without_a_deadline_is_empty(app):
    from fieldservice.i18n import fmt_countdown

    with app.test_request_context():
        assert fmt_countdown(None) == ""


def test_once_a_technician_arrived_the_request_shows_the_arrival_not_a_countdown(make_client, db, clock):
    request = factories.service_request(sla_due_at=NOW + timedelta(hours=24), status="awaiting_parts")
    factories.appointment(request=request, start=NOW + timedelta(hours=1), status="done",
                          arrived_at=NOW + timedelta(hours=1, minutes=10))
    clock.now = NOW + timedelta(hours=5)
    agent = make_client("agent", locale="zh_CN")
    for page in (agent.get("/requests").get_data(as_text=True),
                 agent.get(f"/requests/{request.number}").get_data(as_text=True)):
        assert "2026-11-22 10:40 已上门" in page and 'class="countdown"' not in page
