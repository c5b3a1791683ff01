import pytest
from sqlalchemy import func, select

from fieldservice.models import Appointment
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
