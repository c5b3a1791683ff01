from datetime import datetime

import pytest
from sqlalchemy import func, select

from fieldservice.errors import Conflict, DomainError
from fieldservice.dispatch import services as dispatch
from fieldservice.models import Appointment, AuditEvent, ServiceRequest
from fieldservice.scheduling.models import DayPlan
from fieldservice.scheduling import services as booking
from tests.factories_dispatch import HUANGPU, JIADING, MINHANG, PUDONG, SUZHOU, at, local_day, request_at, technician

PLACES = [(PUDONG, "浦东新区"), (MINHANG, "闵行区"), (JIADING, "嘉定区"), (HUANGPU, "黄浦区")]


@pytest.fixture(autouse=True)
def quick_planner(app, monkeypatch):
    monkeypatch.setitem(app.config, "PLAN_TIME_LIMIT", 0.5)


def _waiting_requests(n: int):
    return [request_at(PLACES[i % 4][0], district=PLACES[i % 4][1], due=at(1, 18), customer_name=f"客户{i}")
            for i in range(n)]


def test_plan_tomorrow_proposes_routes_for_every_waiting_request_and_keeps_the_proposal(db):
    east, west = technician("东区师傅", base=PUDONG), technician("西区师傅", base=MINHANG)
    requests = _waiting_requests(6)
    proposal = dispatch.propose_plan(local_day(1))
    db.session.rollback()
    stored = db.session.get(DayPlan, proposal.id)
    visits = [v for t in stored.payload["technicians"] for v in t["visits"]]
    assert sorted(v["request_id"] for v in visits) == sorted(r.id for r in requests)
    assert all(v["promise_kept"] for v in visits) and stored.payload["unassigned"] == []
    assert {t["technician_id"] for t in stored.payload["technicians"]} <= {east.id, west.id}
    assert stored.total_km <= stored.baseline_km + 0.01
    assert stored.applied_at is None
    # Nothing is booked by a preview.
    assert db.session.scalar(select(Appointment)) is None


def test_applying_a_plan_books_every_visit_through_the_booking_service_once(db):
    technician("东区师傅", base=PUDONG)
    technician("西区师傅", base=MINHANG)
    requests = _waiting_requests(5)
    proposal = dispatch.propose_plan(local_day(1))
    applied = dispatch.apply_plan(proposal.id)
    assert len(applied.result["booked"]) == 5 and applied.result["conflicts"] == []
    db.session.rollback()
    assert {db.session.get(ServiceRequest, r.id).status for r in requests} == {"scheduled"}
    assert all(a.slots for a in db.session.scalars(select(Appointment)))
    with pytest.raises(Conflict) as again:
        dispatch.apply_plan(proposal.id)
    assert again.value.code == "plan_applied"
    assert len(db.session.scalars(select(Appointment)).all()) == 5


def test_a_window_taken_between_preview_and_apply_is_reported_and_the_rest_is_booked(db):
    tech = technician("王师傅", base=PUDONG)
    _waiting_requests(3)
    proposal = dispatch.propose_plan(local_day(1))
    planned = proposal.payload["technicians"][0]["visits"][0]
    walk_in = request_at(PUDONG, due=at(1, 20), customer_name="插队客户")
    booking.book_appointment(walk_in.id, tech.id, datetime.fromisoformat(planned["window_start"]))
    applied = dispatch.apply_plan(proposal.id)
    assert [c["code"] for c in applied.result["conflicts"]] == ["slot_taken"]
    assert applied.result["conflicts"][0]["number"] == planned["number"]
    assert "刚刚被其他预约占用" in applied.result["conflicts"][0]["zh"]
    assert len(applied.result["booked"]) == 2


def test_requests_nobody_can_take_are_left_unassigned_with_the_reason(db):
    technician(base=PUDONG)
    far = request_at(SUZHOU, city="苏州市", district="姑苏区")
    no_unit = request_at()
    no_unit.unit_id = None
    db.session.commit()
    proposal = dispatch.propose_plan(local_day(1))
    reasons = {u["request_id"]: u for u in proposal.payload["unassigned"]}
    assert reasons[far.id]["code"] == "out_of_area" and reasons[far.id]["zh"] == "不在服务区域内"
    assert reasons[no_unit.id]["code"] == "no_product" and "unit" in reasons[no_unit.id]["en"]


def test_only_days_from_tomorrow_can_be_planned(db):
    with pytest.raises(DomainError) as refused:
        dispatch.propose_plan(local_day(0))
    assert refused.value.code == "plan_future_only"


def test_requests_a_free_window_today_still_keeps_are_left_out_of_tomorrows_plan_and_listed_to_book_today(db):
    technician("东区师傅", base=PUDONG)
    due_today = request_at(PUDONG, due=at(0, 14), customer_name="今天到期")
    due_early = request_at(PUDONG, due=at(1, 7), customer_name="明早七点到期")  # before tomorrow's first window
    due_tomorrow = request_at(PUDONG, due=at(1, 18), customer_name="明天到期")
    proposal = dispatch.propose_plan(local_day(1), now=at(0, 3))
    planned = [v["request_id"] for t in proposal.payload["technicians"] for v in t["visits"]]
    assert planned == [due_tomorrow.id]
    today = {t["request_id"]: t for t in proposal.payload["book_today"]}
    assert set(today) == {due_today.id, due_early.id}
    assert today[due_today.id]["number"] == due_today.number and today[due_today.id]["technician"] == "东区师傅"
    starts = {datetime.fromisoformat(t["window_start"]) for t in today.values()}
    assert len(starts) == 2 and max(starts) <= at(0, 14)  # a different window each, within the promise
    assert proposal.payload["requests"] == 1 and proposal.payload["promises_missed"] == 0


def test_a_request_no_window_today_can_keep_stays_in_the_plan_as_a_late_visit(db):
    technician("东区师傅", base=PUDONG)
    overdue = request_at(PUDONG, due=at(0, 2), customer_name="已超时")
    proposal = dispatch.propose_plan(local_day(1), now=at(0, 3))
    assert proposal.payload["book_today"] == []
    [visit] = proposal.payload["technicians"][0]["visits"]
    assert visit["request_id"] == overdue.id and visit["promise_kept"] is False


def test_applying_a_plan_with_late_visits_needs_a_reason_and_books_nothing_without_one(db):
    technician("东区师傅", base=PUDONG)
    overdue = request_at(PUDONG, due=at(0, 2), customer_name="已超时")
    on_time = request_at(PUDONG, due=at(1, 18), customer_name="明天到期")
    proposal = dispatch.propose_plan(local_day(1), now=at(0, 3))
    assert dispatch.late_visits(proposal) == 1
    for blank in (None, "   "):
        with pytest.raises(DomainError) as refused:
            dispatch.apply_plan(proposal.id, late_reason=blank)
        assert refused.value.code == "plan_late_needs_reason"
    db.session.rollback()
    assert db.session.scalar(select(Appointment)) is None
    assert db.session.get(DayPlan, proposal.id).applied_at is None
    applied = dispatch.apply_plan(proposal.id, late_reason="今天已无空闲技术员")
    assert len(applied.result["booked"]) == 2 and applied.result["conflicts"] == []
    db.session.rollback()
    reasons = {a.request_id: (a.after_promise, a.late_reason) for a in db.session.scalars(select(Appointment))}
    # The manager's reason stays with the plan: a late_reason would make the miss the customer's wish.
    assert reasons == {overdue.id: (True, None), on_time.id: (False, None)}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "day_plan_applied"))
    assert event.detail["late_reason"] == "今天已无空闲技术员"


def test_the_plan_tomorrow_command_proposes_the_plan_for_a_manager_to_apply(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "PLAN_TIME_LIMIT", 0.5)
    technician("东区师傅", base=PUDONG)
    request_at(PUDONG, due=at(1, 18), customer_name="明天到期")
    result = app.test_cli_runner().invoke(args=["plan-tomorrow"])
    assert result.exit_code == 0, result.output
    [proposal] = db.session.scalars(select(DayPlan)).all()
    assert proposal.day == local_day(1) and proposal.applied_at is None
    assert f"plan {proposal.id} for {local_day(1)}: 1 of 1 request(s) planned, 0 after the promise" in result.output
    assert f"/dispatch/plan/{proposal.id}" in result.output
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 0
