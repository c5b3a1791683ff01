from datetime import timedelta

from fieldservice.database import utcnow
from fieldservice.models import Appointment, ServiceRequest
from fieldservice.scheduling import services
from tests.factories_dispatch import JIADING, MINHANG, PUDONG, at, request_at, technician


def _section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start:html.index("</section>", start)]


def test_the_board_is_for_managers(agent_client, technician_client, db):
    assert agent_client.get("/dispatch").status_code == 403
    assert technician_client.get("/dispatch").status_code == 403


def test_promises_at_risk_come_first_in_red_with_a_button_to_book(manager_client, db):
    technician()
    urgent = request_at(due=utcnow() + timedelta(hours=2), customer_name="急单客户")
    calm = request_at(due=utcnow() + timedelta(hours=20), customer_name="普通客户")
    html = manager_client.get("/dispatch").get_data(as_text=True)
    risk = _section(html, "at-risk")
    assert urgent.number in risk and calm.number not in risk
    assert 'class="row-danger"' in risk and f"/requests/{urgent.id}/book" in risk
    assert html.index('data-testid="at-risk"') < html.index('data-testid="lanes"')
    waiting = _section(html, "unscheduled")
    assert calm.number in waiting and urgent.number not in waiting


def test_a_request_with_a_visit_before_its_deadline_is_not_at_risk_but_one_booked_after_it_is(manager_client, db):
    tech = technician()
    kept = request_at(due=at(1, 11), customer_name="准时客户")
    services.book_appointment(kept.id, tech.id, at(1, 10))
    # Booked after the deadline by the planner (no customer reason): still the dispatcher's problem.
    late = request_at(due=utcnow() + timedelta(hours=3), customer_name="超时客户")
    services.book_appointment(late.id, tech.id, at(1, 14), accept_late=True)
    # Later at the customer's wish: not a risk.
    agreed = request_at(due=utcnow() + timedelta(hours=3), customer_name="改约客户")
    services.book_appointment(agreed.id, tech.id, at(1, 16), reason="客户要求明天下午")
    html = manager_client.get("/dispatch").get_data(as_text=True)
    risk = _section(html, "at-risk")
    assert late.number in risk and kept.number not in risk and agreed.number not in risk
    assert "/reschedule" in risk


def test_tomorrows_lanes_show_each_technicians_windows_travel_load_and_the_map(manager_client, db):
    wang = technician("王师傅")
    technician("李师傅", base=MINHANG)
    services.book_appointment(request_at(PUDONG).id, wang.id, at(1, 10))
    services.book_appointment(request_at(JIADING, district="嘉定区").id, wang.id, at(1, 14))
    html = manager_client.get("/dispatch?day=tomorrow").get_data(as_text=True)
    lanes = html[html.index('data-testid="lanes"'):]
    wang_lane = lanes[lanes.index("王师傅"):lanes.index("李师傅")]  # lanes are in name order: 王 after 李
    if not wang_lane:
        wang_lane = lanes[lanes.index("王师傅"):]
    assert wang_lane.count('data-testid="visit"') == 2
    assert "10:00–12:00" in wang_lane and "14:00–16:00" in wang_lane and "嘉定区" in wang_lane
    assert "2 / 6 个时段" in wang_lane
    assert wang_lane.count(" km · ") == 2 and "分钟" in wang_lane  # the drive to each stop
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert svg.count('class="marker marker-technician"') == 2 and svg.count('class="marker marker-visit"') == 2
    assert "浦东新区" in svg and "<polyline" in svg
    assert 'href="http' not in svg  # no tiles, nothing fetched


def test_a_manager_cancels_and_reassigns_from_the_board_with_reasons(manager_client, db):
    wang, li = technician("王师傅"), technician("李师傅")
    first = services.book_appointment(request_at().id, wang.id, at(1, 10))
    second = services.book_appointment(request_at().id, wang.id, at(1, 14))
    referer = {"Referer": "http://localhost/dispatch?day=tomorrow"}
    response = manager_client.post(f"/appointments/{first.id}/reassign", data={"technician_id": li.id,
                                                                                "reason": "王师傅请假"}, headers=referer)
    assert response.headers["Location"].endswith("/dispatch?day=tomorrow")
    moved = db.session.query(Appointment).filter_by(technician_id=li.id).one()
    assert moved.window_start == at(1, 10) and db.session.get(Appointment, first.id).status == "cancelled"
    manager_client.post(f"/appointments/{second.id}/cancel", data={"reason": ""}, headers=referer)
    assert db.session.get(Appointment, second.id).status == "booked"
    manager_client.post(f"/appointments/{second.id}/cancel", data={"reason": "客户取消"}, headers=referer)
    assert db.session.get(Appointment, second.id).status == "cancelled"
    assert db.session.get(ServiceRequest, second.request_id).status == "new"


def test_the_board_speaks_english_too(make_client, db):
    client = make_client("manager", locale="en")
    technician("Wang")
    html = client.get("/dispatch").get_data(as_text=True)
    assert "Promises at risk" in html and "technician base" in html and "No promise at risk." in html
