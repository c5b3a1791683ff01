from datetime import timedelta

from sqlalchemy import select

from fieldservice.database import utcnow
from fieldservice.models import FollowUp, ServiceRequest
from tests import factories_aftercare
from tests.e2e.conftest import log_in


def test_an_agent_reveals_the_number_in_place_and_records_a_not_solved_call(page, db):
    agent = factories_aftercare.user(role="agent", display_name="陈静")
    factories_aftercare.completed_visit(owner=agent, finished_at=utcnow() - timedelta(days=3))
    follow_up = db.session.scalar(select(FollowUp))
    log_in(page, agent.username)
    page.goto("/followups/")
    row = page.locator(f"[data-testid=due-now] tr[data-follow-up='{follow_up.id}']")
    row.locator(f"[data-testid=reveal-phone-{follow_up.id}]").click()
    assert row.locator("a.phone-full").inner_text() == follow_up.customer.phone  # no page reload
    row.locator("text=记录回访").click()
    page.check("input[name=reached][value=yes]")
    page.check("input[name=satisfaction][value='3']")
    page.check("input[name=solved][value=no]")
    page.click("[data-testid=save-call]")
    page.click("button:has-text('新建维修请求')")
    page.wait_for_url("**/requests/SR-*")  # straight to the new request, to book it
    db.session.rollback()
    new = db.session.scalar(select(ServiceRequest).where(ServiceRequest.parent_request_id == follow_up.request_id))
    assert new is not None and new.number in page.content()
