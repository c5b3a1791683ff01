from datetime import timedelta

from sqlalchemy import select

from fieldservice.database import utcnow

from fieldservice.models import Appointment
from tests import factories
from tests.e2e.conftest import log_in
from tests.factories_dispatch import HUANGPU, PUDONG, at, request_at, technician


def test_an_agent_books_the_best_suggestion_in_one_click_and_reads_the_confirmation(page, db):
    agent = factories.user(role="agent", display_name="客服小李")
    technician("远处师傅", base=(31.35, 121.30), phone="13900000001")
    technician("王师傅", base=PUDONG, phone="13911112222")
    request = request_at(PUDONG, due=at(1, 18))
    log_in(page, agent.username)
    page.goto(f"/requests/{request.id}/book")
    assert page.inner_text("[data-testid=suggestion-name] >> nth=0") == "王师傅"
    page.click("[data-testid=book-suggestion] >> nth=0")
    page.wait_for_selector("[data-testid=confirmation-text]")
    text = page.inner_text("[data-testid=confirmation-text]")
    assert request.number in text and "王师傅" in text and "13911112222" in text and "发票" in text
    assert "王师傅" in page.inner_text("[data-testid=booked-banner]")


def test_a_window_after_the_promise_asks_for_the_customers_reason_before_booking(page, db):
    agent = factories.user(role="agent")
    technician("王师傅", base=HUANGPU)
    # Already past its promise, so every offer is late at any time of day ("tomorrow 07:00" was not after
    # 00:00 Shanghai time, when the rest of today's windows come first).
    request = request_at(PUDONG, due=utcnow() - timedelta(hours=1))
    log_in(page, agent.username)
    page.goto(f"/requests/{request.id}/book")
    page.click("[data-testid=book-suggestion] >> nth=0")
    # Stopped in the browser: still on the booking page, the reason field asked for.
    page.wait_for_selector(".late-reason.needed")
    # ...and said in words, in the agent's language, next to the field.
    message = page.locator("[data-testid=late-reason-needed]")
    assert message.is_visible() and "请填写客户要求推迟上门的原因" in message.inner_text()
    assert "/book" in page.url
    assert db.session.scalar(select(Appointment)) is None
    page.fill("[data-testid=late-reason]", "客户要求明天下午")
    assert not message.is_visible()
    page.click("[data-testid=book-suggestion] >> nth=0")
    page.wait_for_selector("[data-testid=confirmation-text]")
    db.session.rollback()
    assert db.session.scalar(select(Appointment.late_reason)) == "客户要求明天下午"


def test_moving_a_visit_without_saying_why_is_stopped_with_the_message_on_that_field(page, db):
    agent = factories.user(role="agent")
    tech = technician("王师傅", base=HUANGPU)
    from fieldservice.scheduling import services
    appointment = services.book_appointment(request_at(PUDONG, due=at(2, 18)).id, tech.id, at(1, 10))
    log_in(page, agent.username)
    page.goto(f"/appointments/{appointment.id}/reschedule")
    page.click("[data-testid=book-suggestion] >> nth=0")
    page.wait_for_selector("#move-reason.needed")
    assert "请填写改约原因" in page.inner_text("#move-reason")
    assert not page.locator("[data-testid=late-reason-needed]").is_visible()
    db.session.rollback()
    assert db.session.get(Appointment, appointment.id).status == "booked"
