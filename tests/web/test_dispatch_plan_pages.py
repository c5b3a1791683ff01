from datetime import datetime

import pytest
from sqlalchemy import func, select

from fieldservice.models import Appointment, AuditEvent, DayPlan
from fieldservice.scheduling.services import book_appointment
from tests.factories_dispatch import MINHANG, PUDONG, SUZHOU, at, request_at, technician


@pytest.fixture(autouse=True)
def quick_planner(app, monkeypatch):
    monkeypatch.setitem(app.config, "PLAN_TIME_LIMIT", 0.5)


def test_a_manager_previews_tomorrows_plan_and_applies_it_in_one_step(manager_client, db):
    technician("东区师傅", base=PUDONG)
    technician("西区师傅", base=MINHANG)
    for i in range(4):
        request_at(PUDONG if i % 2 else MINHANG, due=at(1, 18), customer_name=f"客户{i}")
    stranded = request_at(SUZHOU, city="苏州市", district="姑苏区", customer_name="外地客户")
    start = manager_client.get("/dispatch/plan").get_data(as_text=True)
    assert 'data-testid="propose-plan"' in start
    response = manager_client.post("/dispatch/plan")
    assert response.status_code == 302 and "/dispatch/plan/" in response.headers["Location"]
    preview = manager_client.get(response.headers["Location"]).get_data(as_text=True)
    assert preview.count('data-testid="plan-technician"') >= 1 and "准时" in preview
    unassigned = preview[preview.index('data-testid="plan-unassigned"'):]
    assert stranded.number in unassigned and "不在服务区域内" in unassigned
    assert "人工就近派单" in preview and "<svg" in preview
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 0
    applied = manager_client.post(response.headers["Location"] + "/apply")
    assert applied.status_code == 302
    after = manager_client.get(applied.headers["Location"]).get_data(as_text=True)
    assert "方案已执行：全部 4 个已预约" in after and 'data-testid="apply-plan"' not in after
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 4


def test_the_plan_pages_are_for_managers_and_speak_english(agent_client, make_client, db):
    assert agent_client.get("/dispatch/plan").status_code == 403
    assert agent_client.post("/dispatch/plan").status_code == 403
    manager = make_client("manager", locale="en")
    technician()
    request_at(due=at(1, 18))
    preview = manager.get(manager.post("/dispatch/plan").headers["Location"]).get_data(as_text=True)
    assert "Apply: book them all (1)" in preview and "promises kept" in preview


def _three_oclock_this_morning(monkeypatch):
    """The review's situation: the manager plans tomorrow at 03:00, today's technicians still free."""
    from fieldservice.dispatch import services as dispatch
    monkeypatch.setattr(dispatch, "utcnow", lambda: at(0, 3))


def test_requests_that_can_still_be_booked_today_are_listed_apart_with_links_to_book_them(manager_client, db,
                                                                                         monkeypatch):
    _three_oclock_this_morning(monkeypatch)
    technician("东区师傅", base=PUDONG)
    due_today = request_at(PUDONG, due=at(0, 14), customer_name="今天到期")
    tomorrow = request_at(PUDONG, due=at(1, 18), customer_name="明天到期")
    preview = manager_client.get(manager_client.post("/dispatch/plan").headers["Location"]).get_data(as_text=True)
    note = preview[preview.index('data-testid="book-today"'):preview.index('data-testid="plan-figures"')]
    assert "今天仍可在承诺时限内上门的请求：1 个" in note and due_today.number in note
    assert f'href="/requests/{due_today.id}/book"' in note and 'href="/dispatch"' in note and "东区师傅" in note
    routes = preview[preview.index('data-testid="plan-routes"'):]
    assert tomorrow.number in routes[:routes.index('data-testid="plan-unassigned"')]
    assert due_today.number not in routes
    assert 'data-testid="plan-late-reason"' not in preview  # nothing late: no reason asked


def test_a_request_booked_since_the_plan_was_made_shows_its_visit_instead_of_a_second_booking_link(
        manager_client, db, monkeypatch):
    _three_oclock_this_morning(monkeypatch)
    tech = technician("东区师傅", base=PUDONG)
    booked_since = request_at(PUDONG, due=at(0, 14), customer_name="已约")
    still_waiting = request_at(PUDONG, due=at(0, 14), customer_name="仍待约")
    location = manager_client.post("/dispatch/plan").headers["Location"]
    plan_id = int(location.rsplit("/", 1)[1])
    row = next(t for t in db.session.get(DayPlan, plan_id).payload["book_today"] if t["request_id"] == booked_since.id)
    book_appointment(booked_since.id, tech.id, datetime.fromisoformat(row["window_start"]), now=at(0, 3))
    note = _book_today_note(manager_client.get(location).get_data(as_text=True))
    assert "今天仍可在承诺时限内上门的请求：1 个" in note
    assert f'href="/requests/{still_waiting.id}/book"' in note
    assert f'href="/requests/{booked_since.id}/book"' not in note
    assert 'data-testid="book-today-booked"' in note and "已预约：东区师傅" in note
    book_appointment(still_waiting.id, tech.id, at(0, 12), now=at(0, 3))
    preview = manager_client.get(location).get_data(as_text=True)
    note = _book_today_note(preview)
    assert "生成本方案时列为今天预约的请求：2 个" in note and 'href="/requests/' not in note
    assert 'class="flash flash-info book-today"' in preview  # nothing left to do: no longer a warning


def _book_today_note(preview: str) -> str:
    return preview[preview.index('data-testid="book-today"'):preview.index('data-testid="plan-figures"')]


def test_applying_a_plan_with_late_visits_asks_the_manager_for_the_reason_in_their_language(make_client, db,
                                                                                           monkeypatch):
    _three_oclock_this_morning(monkeypatch)
    manager = make_client("manager", locale="en")
    technician("East", base=PUDONG)
    overdue = request_at(PUDONG, due=at(0, 2), customer_name="Overdue")
    location = manager.post("/dispatch/plan").headers["Location"]
    preview = manager.get(location).get_data(as_text=True)
    assert 'data-testid="plan-late-reason"' in preview and "Visits after the promised time (orange): 1." in preview
    refused = manager.post(location + "/apply", data={"late_reason": ""})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Visits of this plan after the promised time: 1. Give the reason" in html
    assert 'class="field  has-error"' in html and 'data-testid="apply-plan"' in html
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 0
    applied = manager.post(location + "/apply", data={"late_reason": "no technician free earlier"})
    assert applied.status_code == 302
    assert db.session.scalar(select(Appointment.late_reason).where(Appointment.request_id == overdue.id)) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "day_plan_applied"))
    assert event.detail["late_reason"] == "no technician free earlier"


def test_the_reason_for_late_visits_is_asked_in_chinese_too(manager_client, db, monkeypatch):
    _three_oclock_this_morning(monkeypatch)
    technician("东区师傅", base=PUDONG)
    request_at(PUDONG, due=at(0, 2), customer_name="已超时")
    location = manager_client.post("/dispatch/plan").headers["Location"]
    html = manager_client.post(location + "/apply", data={}).get_data(as_text=True)
    assert "本方案中晚于承诺时间的上门：1 次。请填写迟到原因" in html and "迟于承诺上门的原因" in html
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 0
