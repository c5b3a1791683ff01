import re

from sqlalchemy import select

from fieldservice.models import Appointment, ServiceRequest
from fieldservice.scheduling import services
from fieldservice.scheduling.forms import encode_choice
from tests.factories_dispatch import SUZHOU, at, partner, request_at, technician


def _book(client, request_id, choice, **fields):
    return client.post(f"/requests/{request_id}/book", data={"choice": choice, **fields})


def test_an_agent_sees_the_best_technicians_with_the_reasons_and_books_the_first_in_one_click(agent_client, db):
    technician("远一点师傅", base=(31.30, 121.30))
    technician("附近师傅", base=(31.2200, 121.5400))
    request = request_at(due=at(1, 18))
    page = agent_client.get(f"/requests/{request.id}/book")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.index("附近师傅") < html.index("远一点师傅")
    assert "最近：" in html and "可在承诺时限内上门" in html and "最佳技术员" in html
    first_choice = re.search(r'name="choice" value="([^"]+)"', html).group(1)
    response = _book(agent_client, request.id, first_choice)
    assert response.status_code == 302 and "/confirmation" in response.headers["Location"]
    confirmation = agent_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "附近师傅" in confirmation and "请向客户宣读" in confirmation and request.number in confirmation
    assert db.session.get(ServiceRequest, request.id).status == "scheduled"


def test_the_booking_page_speaks_english_to_an_english_speaking_agent(make_client, db):
    client = make_client("agent", locale="en")
    technician("Wang")
    request = request_at()
    html = client.get(f"/requests/{request.id}/book").get_data(as_text=True)
    assert "Best technicians" in html and "from the technician" in html and "Any free window" in html


def _field_block(html: str, testid: str) -> str:
    """The form field (label, input, hint, messages) holding the input with this data-testid."""
    at_input = html.index(f'data-testid="{testid}"')
    start = html.rindex('<div class="field ', 0, at_input)
    ends = [html.find(marker, at_input) for marker in ('<div class="field ', "</section>", "data-late-message",
                                                        "data-move-message")]
    return html[start:min(e for e in ends if e > 0)]


def test_a_window_after_the_promise_is_not_booked_without_the_customers_reason(agent_client, db):
    tech = technician()
    request = request_at(due=at(1, 9))
    response = _book(agent_client, request.id, encode_choice(tech.id, at(1, 14)))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # Said at the top and on the field itself, in the agent's language; nothing booked.
    message = "该时段晚于承诺上门时间"
    assert message in html[:html.index('data-testid="suggestions"')]
    late_field = _field_block(html, "late-reason")
    assert "has-error" in late_field and message in late_field and "客户" in late_field
    assert db.session.scalar(select(Appointment)) is None
    response = _book(agent_client, request.id, encode_choice(tech.id, at(1, 14)), late_reason="客户要求下午")
    assert "/confirmation" in response.headers["Location"]
    assert db.session.scalar(select(Appointment.late_reason)) == "客户要求下午"


def test_an_orange_window_picked_without_a_reason_keeps_the_pick_and_says_what_is_missing(agent_client, db):
    tech = technician()
    request = request_at(due=at(1, 9))
    page = agent_client.get(f"/requests/{request.id}/book").get_data(as_text=True)
    # The message the page shows at once (dispatch.js) is there, in Chinese, waiting.
    assert 'data-testid="late-reason-needed"' in page and "请填写客户要求推迟上门的原因" in page
    wanted = encode_choice(tech.id, at(1, 14))
    response = _book(agent_client, request.id, "picked", picked=wanted)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and f'value="{wanted}" data-late="1" checked' in html
    assert "has-error" in _field_block(html, "late-reason")
    assert db.session.scalar(select(Appointment)) is None


def test_any_free_window_of_any_qualified_technician_can_be_picked(agent_client, db):
    tech = technician()
    request = request_at(due=at(2, 18))
    html = agent_client.get(f"/requests/{request.id}/book").get_data(as_text=True)
    wanted = encode_choice(tech.id, at(2, 16))
    assert f'name="picked" value="{wanted}"' in html
    response = _book(agent_client, request.id, "picked", picked=wanted)
    assert "/confirmation" in response.headers["Location"]
    assert db.session.scalar(select(Appointment.window_start)) == at(2, 16)


def test_pressing_book_the_selected_window_with_nothing_selected_says_so(agent_client, db):
    technician()
    request = request_at()
    response = _book(agent_client, request.id, "picked")
    assert response.status_code == 302
    assert "请先选择一个时段" in agent_client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_window_someone_just_took_gets_a_clear_message_and_books_nothing(agent_client, db):
    tech = technician("王师傅")
    services.book_appointment(request_at().id, tech.id, at(1, 10))
    request = request_at(customer_name="李娜")
    response = agent_client.post(f"/requests/{request.id}/book", data={"choice": encode_choice(tech.id, at(1, 10))},
                                 headers={"Referer": f"http://localhost/requests/{request.id}/book"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/requests/{request.id}/book")
    html = agent_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "刚刚被其他预约占用" in html
    assert db.session.get(ServiceRequest, request.id).status == "new"


def test_a_request_nobody_covers_is_forwarded_to_a_partner_from_the_booking_page(agent_client, db):
    technician()
    company = partner()
    request = request_at(SUZHOU, city="苏州市", district="姑苏区")
    html = agent_client.get(f"/requests/{request.id}/book").get_data(as_text=True)
    assert 'data-testid="needs-partner"' in html and company.name in html and "不在服务区域内" in html
    response = agent_client.post(f"/requests/{request.id}/forward", data={"partner_id": company.id, "note": "已告知客户"})
    assert response.status_code == 302
    request = db.session.get(ServiceRequest, request.id)
    assert (request.status, request.partner_id) == ("forwarded", company.id)


def test_a_request_without_a_location_explains_what_to_do(agent_client, db):
    technician()
    request = request_at()
    request.customer.lat = None
    db.session.commit()
    html = agent_client.get(f"/requests/{request.id}/book").get_data(as_text=True)
    assert 'data-testid="booking-problem"' in html and "客户地址还没有位置" in html


def test_rescheduling_from_the_confirmation_needs_a_reason_and_moves_the_visit(agent_client, db):
    tech = technician()
    request = request_at()
    old = services.book_appointment(request.id, tech.id, at(1, 10))
    page = agent_client.get(f"/appointments/{old.id}/reschedule").get_data(as_text=True)
    assert 'data-testid="current-appointment"' in page and 'name="reason"' in page
    choice = encode_choice(tech.id, at(1, 14))
    refused = agent_client.post(f"/appointments/{old.id}/reschedule", data={"choice": choice, "reason": ""})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    # The message sits on the field it concerns (why the visit moves), not on the late reason.
    move_field = _field_block(html, "reschedule-reason")
    assert "has-error" in move_field and "请填写改约原因" in move_field
    assert "has-error" not in _field_block(html, "late-reason")
    assert db.session.get(Appointment, old.id).status == "booked"
    response = agent_client.post(f"/appointments/{old.id}/reschedule", data={"choice": choice, "reason": "客户改约"})
    new_id = int(response.headers["Location"].split("/")[-2])
    assert db.session.get(Appointment, new_id).window_start == at(1, 14)
    assert db.session.get(Appointment, old.id).status == "cancelled"


def test_moving_a_visit_after_the_promise_asks_for_the_customers_reason_on_its_own_field(make_client, db):
    client = make_client("agent", locale="en")
    tech = technician()
    request = request_at(due=at(1, 12))
    old = services.book_appointment(request.id, tech.id, at(1, 10))
    refused = client.post(f"/appointments/{old.id}/reschedule",
                          data={"choice": encode_choice(tech.id, at(1, 14)), "reason": "technician ill"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    late_field = _field_block(html, "late-reason")
    assert "has-error" in late_field and "starts after the promised time" in late_field and "+08:00" in late_field
    move_field = _field_block(html, "reschedule-reason")
    assert "has-error" not in move_field and 'value="technician ill"' in move_field
    assert db.session.get(Appointment, old.id).status == "booked"


def test_cancelling_from_the_confirmation_page_puts_the_request_back_in_the_queue(agent_client, db):
    tech = technician()
    request = request_at()
    appointment = services.book_appointment(request.id, tech.id, at(1, 10))
    assert 'data-testid="cancel-submit"' in agent_client.get(f"/appointments/{appointment.id}/confirmation").get_data(
        as_text=True)
    response = agent_client.post(f"/appointments/{appointment.id}/cancel", data={"reason": "客户已自行修好"})
    assert response.headers["Location"].endswith(f"/requests/{request.id}/book")
    assert db.session.get(ServiceRequest, request.id).status == "new"
    page = agent_client.get(f"/appointments/{appointment.id}/confirmation").get_data(as_text=True)
    assert "此预约已取消" in page and 'data-testid="confirmation-text"' not in page


def test_technicians_may_not_book_and_unknown_requests_are_404(technician_client, agent_client, db):
    request = request_at()
    assert technician_client.get(f"/requests/{request.id}/book").status_code == 403
    assert agent_client.get("/requests/999999/book").status_code == 404
    assert agent_client.get("/requests/99999999999999999999/book").status_code == 404
    assert agent_client.get("/appointments/999999/confirmation").status_code == 404


def test_the_booking_page_of_a_request_already_booked_leads_to_moving_that_visit(agent_client, db):
    tech = technician()
    request = request_at()
    appointment = services.book_appointment(request.id, tech.id, at(1, 10))
    response = agent_client.get(f"/requests/{request.id}/book")
    assert response.headers["Location"].endswith(f"/appointments/{appointment.id}/reschedule")


def test_a_closed_request_cannot_be_booked_and_the_page_says_why(agent_client, db):
    technician()
    request = request_at(status="closed")
    html = agent_client.get(f"/requests/{request.id}/book").get_data(as_text=True)
    assert 'data-testid="booking-problem"' in html and 'data-testid="book-suggestion"' not in html
