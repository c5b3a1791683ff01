from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from fieldservice.models import Complaint, FollowUp
from tests import factories, factories_aftercare

RECEIVED = datetime(2026, 11, 22, 1, 30, tzinfo=timezone.utc)


@pytest.fixture()
def clock(monkeypatch):
    return factories_aftercare.hold_clock(monkeypatch, RECEIVED)


def test_the_new_complaint_form_is_prefilled_from_a_request(make_client, db):
    agent = make_client("agent", locale="en")
    request = factories.service_request()
    html = agent.get(f"/complaints/new?request_id={request.id}").get_data(as_text=True)
    assert request.number in html and request.customer.name in html
    assert f'name="request_id" value="{request.id}"' in html


def test_without_a_customer_the_form_asks_who_is_complaining(make_client, db):
    agent = make_client("agent", locale="en")
    customer = factories.customer(name="钱多多", phone="13611112222")
    html = agent.get("/complaints/new?q=1111").get_data(as_text=True)
    assert "Who is complaining?" in html and f"/complaints/new?customer_id={customer.id}" in html


def test_log_reply_and_resolve_a_complaint_inside_its_24_hours_in_chinese(make_client, db, clock):
    agent = make_client("agent", locale="zh_CN")
    customer = factories.customer(name="王芳")
    response = agent.post("/complaints/new", data={"customer_id": customer.id, "channel": "phone",
                                                   "category": "attitude", "severity": "general",
                                                   "description": "技术员态度生硬"})
    assert response.status_code == 302
    complaint = db.session.scalar(select(Complaint))
    assert complaint.reply_due_at == RECEIVED + timedelta(hours=24) and complaint.owner_id == agent.user.id
    html = agent.get("/complaints/").get_data(as_text=True)
    assert "投诉" in html and f'class="countdown" data-deadline="{complaint.reply_due_at.isoformat()}"' in html
    clock.now = RECEIVED + timedelta(hours=4)
    agent.post(f"/complaints/{complaint.id}/reply", data={"text": "已致歉并说明改进措施"})
    clock.now = RECEIVED + timedelta(hours=23)
    html = agent.post(f"/complaints/{complaint.id}/resolve", data={"resolution": "技术员已培训，赠送一次保养"},
                      follow_redirects=True).get_data(as_text=True)
    assert "投诉已解决" in html and "按时答复" in html
    db.session.refresh(complaint)
    assert complaint.status == "resolved"
    assert db.session.scalar(select(FollowUp.kind).where(FollowUp.complaint_id == complaint.id)) == \
        "complaint_callback"


def test_a_complaint_without_a_description_is_refused_with_a_message(make_client, db):
    agent = make_client("agent", locale="en")
    customer = factories.customer()
    response = agent.post("/complaints/new", data={"customer_id": customer.id, "channel": "phone",
                                                   "category": "fees", "severity": "general", "description": ""})
    assert response.status_code == 422
    assert "Describe what the customer complains about." in response.get_data(as_text=True)
    assert db.session.scalar(select(Complaint)) is None


def test_overdue_complaints_are_at_the_top_of_the_list(make_client, db, clock):
    agent = make_client("agent", locale="en")
    fresh = factories_aftercare.complaint(received_at=RECEIVED + timedelta(hours=20))
    late = factories_aftercare.complaint(received_at=RECEIVED - timedelta(hours=30))
    html = agent.get("/complaints/").get_data(as_text=True)
    assert html.index(f'data-complaint="{late.id}"') < html.index(f'data-complaint="{fresh.id}"')
    assert 'class="row-danger" data-complaint="{}"'.format(late.id) in html
    assert 'class="" data-complaint="{}"'.format(fresh.id) in html


def test_a_major_complaint_is_in_front_of_every_manager_at_once(make_client, db):
    managers = [make_client("manager", locale="en"), make_client("manager", locale="zh_CN")]
    agent = make_client("agent", locale="en")
    customer = factories.customer(name="赵总")
    agent.post("/complaints/new", data={"customer_id": customer.id, "channel": "wechat", "category": "repair_quality",
                                        "severity": "major", "description": "第三次上门仍未修好"})
    complaint = db.session.scalar(select(Complaint))
    for manager in managers:
        html = manager.get("/complaints/").get_data(as_text=True)
        assert 'data-testid="major-complaints"' in html and f"/complaints/{complaint.id}" in html
    assert "重大投诉待处理" in managers[1].get("/complaints/").get_data(as_text=True)
    assert 'data-testid="major-complaints"' not in agent.get("/complaints/").get_data(as_text=True)


def test_a_draft_from_a_callback_is_reviewed_then_worked(make_client, db):
    agent = make_client("agent", locale="en")
    draft = factories_aftercare.complaint(status="draft", category="other")
    html = agent.get(f"/complaints/{draft.id}").get_data(as_text=True)
    assert "Review the draft" in html
    agent.post(f"/complaints/{draft.id}/confirm", data={"category": "lateness", "severity": "general"})
    db.session.refresh(draft)
    assert (draft.status, draft.category) == ("open", "lateness")
    response = agent.post(f"/complaints/{draft.id}/dismiss", data={"reason": "x"}, follow_redirects=True)
    assert "cannot become" in response.get_data(as_text=True)


def test_notes_and_owner_are_recorded(make_client, db):
    agent = make_client("agent", locale="en")
    manager = factories_aftercare.user(role="manager", display_name="刘主管")
    complaint = factories_aftercare.complaint()
    agent.post(f"/complaints/{complaint.id}/notes", data={"text": "客户要求主管回电"})
    agent.post(f"/complaints/{complaint.id}/owner", data={"owner": str(manager.id)})
    html = agent.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    assert "客户要求主管回电" in html
    db.session.refresh(complaint)
    assert complaint.owner_id == manager.id
    response = agent.post(f"/complaints/{complaint.id}/notes", data={"text": ""}, follow_redirects=True)
    assert "The note is empty." in response.get_data(as_text=True)


def test_an_unknown_complaint_is_404_and_technicians_are_kept_out(make_client, technician_client, db):
    assert make_client("agent").get("/complaints/999").status_code == 404
    assert technician_client.get("/complaints/").status_code == 403
