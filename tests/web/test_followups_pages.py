import csv
import io
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from fieldservice.catalog.models import Partner
from fieldservice.complaints.services import resolve_complaint
from fieldservice.database import write_transaction
from fieldservice.models import AuditEvent, Complaint, FollowUp, ServiceRequest
from fieldservice.signals import request_forwarded
from tests import factories, factories_aftercare

FINISHED = datetime(2026, 11, 22, 17, 0, tzinfo=timezone.utc)  # 01:00 on 23 November in Shanghai


@pytest.fixture()
def clock(monkeypatch):
    return factories_aftercare.hold_clock(monkeypatch, FINISHED)


def _section(html: str, testid: str) -> str:
    return html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]


def _callback(db, owner, **kwargs):
    factories_aftercare.completed_visit(owner=owner, finished_at=FINISHED, **kwargs)
    return db.session.scalar(select(FollowUp))


def test_a_completed_visits_callback_is_on_the_call_list_three_days_later(make_client, db, clock):
    agent = make_client("agent", locale="en")
    follow_up = _callback(db, agent.user)
    clock.day(date(2026, 11, 23))
    html = agent.get("/followups/").get_data(as_text=True)
    assert f'data-follow-up="{follow_up.id}"' in _section(html, "upcoming")
    assert f'data-follow-up="{follow_up.id}"' not in _section(html, "due-now")
    clock.day(date(2026, 11, 26))
    html = agent.get("/followups/").get_data(as_text=True)
    row = _section(html, "due-now")
    assert f'data-follow-up="{follow_up.id}"' in row
    assert follow_up.customer.name in row and "138****" in row and follow_up.customer.phone not in row
    assert "更换压缩机电容" in row  # what was done: the report's resolution
    assert "Did the technician arrive at the agreed time?" in row  # the call script, in English


def test_the_call_list_and_script_speak_chinese(make_client, db, clock):
    agent = make_client("agent", locale="zh_CN")
    _callback(db, agent.user)
    clock.day(date(2026, 11, 27))
    html = agent.get("/followups/").get_data(as_text=True)
    assert "回访" in html and "今天到期和已逾期" in html
    assert "技术员是否按约定时间上门？" in html
    assert "1 天逾期" in html or "逾期 1 天" in html


def test_technicians_cannot_see_the_call_list(technician_client):
    assert technician_client.get("/followups/").status_code == 403


def test_recording_a_reached_call_finishes_it(make_client, db, clock):
    agent = make_client("agent", locale="en")
    follow_up = _callback(db, agent.user)
    response = agent.post(f"/followups/{follow_up.id}", data={
        "reached": "yes", "satisfaction": "5", "on_time": "yes", "solved": "yes", "attitude": "5", "comment": "满意"})
    assert response.status_code == 302
    db.session.refresh(follow_up)
    assert (follow_up.status, follow_up.satisfaction, follow_up.comment) == ("done", 5, "满意")


def test_a_reached_call_without_satisfaction_gets_a_clear_message_and_changes_nothing(make_client, db, clock):
    agent = make_client("agent", locale="en")
    follow_up = _callback(db, agent.user)
    response = agent.post(f"/followups/{follow_up.id}", data={"reached": "yes"})
    assert response.status_code == 422
    assert "Please record the customer" in response.get_data(as_text=True)
    db.session.refresh(follow_up)
    assert follow_up.status == "pending" and follow_up.attempts == 0


def test_three_missed_calls_mark_the_customer_unreachable(make_client, db, clock):
    agent = make_client("agent", locale="en")
    follow_up = _callback(db, agent.user)
    for _ in range(3):
        agent.post(f"/followups/{follow_up.id}", data={"reached": "no"})
    db.session.refresh(follow_up)
    assert follow_up.status == "unreachable" and follow_up.attempts == 3
    response = agent.post(f"/followups/{follow_up.id}", data={"reached": "no"}, follow_redirects=True)
    assert "This call has already been recorded." in response.get_data(as_text=True)


def test_not_solved_offers_a_one_click_linked_repair_request(make_client, db, clock):
    agent = make_client("agent", locale="en")
    follow_up = _callback(db, agent.user)
    response = agent.post(f"/followups/{follow_up.id}", data={"reached": "yes", "satisfaction": "3", "solved": "no"},
                          follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Open repair request" in html
    response = agent.post(f"/followups/{follow_up.id}/repair-request", follow_redirects=True)
    new = db.session.scalar(select(ServiceRequest).where(ServiceRequest.parent_request_id == follow_up.request_id))
    assert new is not None and new.owner_id == agent.user.id
    assert new.number in response.get_data(as_text=True)


def test_a_low_score_links_to_the_complaint_draft(make_client, db, clock):
    agent = make_client("agent", locale="en")
    follow_up = _callback(db, agent.user)
    html = agent.post(f"/followups/{follow_up.id}", data={"reached": "yes", "satisfaction": "1"},
                      follow_redirects=True).get_data(as_text=True)
    complaint = db.session.scalar(select(Complaint))
    assert complaint.status == "draft"
    assert f"/complaints/{complaint.id}" in html and "raised a complaint draft" in html
    # Stored for every colleague in the centre's language, though this agent works in English.
    assert complaint.description.startswith("由回访生成：满意度 1/5。")


def test_the_full_number_is_one_tap_away_and_each_look_is_audited(make_client, db, clock):
    agent = make_client("agent", locale="en")
    follow_up = _callback(db, agent.user)
    response = agent.post(f"/followups/{follow_up.id}/phone", headers={"Accept": "application/json"})
    assert response.get_json() == {"phone": follow_up.customer.phone}
    response = agent.post(f"/followups/{follow_up.id}/phone", follow_redirects=True)
    assert follow_up.customer.phone in response.get_data(as_text=True)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "phone_revealed")).all()
    assert len(events) == 2 and {e.actor_id for e in events} == {agent.user.id}


def test_the_csv_export_opens_in_excel_and_neutralises_formulas(make_client, db, clock):
    agent = make_client("agent", locale="zh_CN")
    _callback(db, agent.user, owner_unit=factories.unit(owner=factories.customer(name="=HYPERLINK(\"x\")")))
    response = agent.get("/followups/export.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["到期日", "类型", "客户"]
    assert rows[1][2] == "'=HYPERLINK(\"x\")"
    assert "****" in rows[1][3]


def test_the_print_view_is_an_a4_table_with_a_repeating_header(make_client, db, clock):
    agent = make_client("agent", locale="en")
    follow_up = _callback(db, agent.user)
    html = agent.get("/followups/print?kind=service_callback").get_data(as_text=True)
    assert 'class="print-table"' in html and "<thead>" in html and "css/print.css" in html
    assert follow_up.customer.name in html and "Service callback" in html


def test_filters_narrow_the_list_and_stale_values_are_reset(make_client, db, clock):
    manager = make_client("manager", locale="en")
    follow_up = _callback(db, factories_aftercare.user())
    clock.day(date(2026, 11, 26))
    assert f'data-follow-up="{follow_up.id}"' in manager.get("/followups/").get_data(as_text=True)
    html = manager.get("/followups/?kind=partner_check").get_data(as_text=True)
    assert f'data-follow-up="{follow_up.id}"' not in html
    html = manager.get(f"/followups/?district={follow_up.customer.district}").get_data(as_text=True)
    assert f'data-follow-up="{follow_up.id}"' in html
    html = manager.get("/followups/?assignee=99999").get_data(as_text=True)
    assert "Some filters no longer apply" in html and f'data-follow-up="{follow_up.id}"' in html


def test_every_kind_of_call_renders_with_its_own_script_in_both_languages(make_client, db, clock):
    agent = make_client("agent", locale="en")
    _callback(db, agent.user)
    resolve_complaint(factories_aftercare.complaint(owner_id=agent.user.id).id, "退还上门费")
    partner = Partner(name="远郊服务站", phone="021-5555")
    db.session.add(partner)
    db.session.commit()
    forwarded = factories.service_request(status="forwarded", owner_id=agent.user.id, partner_id=partner.id)
    with write_transaction():
        request_forwarded.send(forwarded, partner=partner)
    agreement = factories_aftercare.agreement(status="active", end=date(2026, 12, 31))
    db.session.add_all([
        FollowUp(kind="agreement_callback", customer_id=agreement.customer_id, agreement_id=agreement.id,
                 due_date=date(2026, 11, 30), status="pending", attempts=0),
        FollowUp(kind="sales_offer", customer_id=agreement.customer_id, agreement_id=agreement.id,
                 due_date=date(2026, 11, 23), status="pending", attempts=0),
        FollowUp(kind="sales_offer", customer_id=factories.customer(name="邵峰").id, due_date=date(2026, 11, 23),
                 status="pending", attempts=0)])
    db.session.commit()
    clock.day(date(2026, 11, 30))
    html = agent.get("/followups/").get_data(as_text=True)
    assert html.count("data-follow-up=") == 6
    for text in ("Did the technician arrive at the agreed time?", "We resolved it as follows: 退还上门费",
                 "passed to our partner 远郊服务站", "we call every month", "May I tell you about renewing it?",
                 "The warranty on your equipment ends soon."):
        assert text in html, text
    assert "None" not in _section(html, "due-now")
    zh = make_client("agent", locale="zh_CN")
    rows = _section(zh.get("/followups/?assignee=").get_data(as_text=True), "due-now")  # everyone's calls
    for text in ("投诉回访", "合作商回访", "协议回访", "续约回访", "服务协议月回访", "推荐服务协议", "技术员是否按约定时间上门？"):
        assert text in rows, text
    assert zh.get("/followups/print?assignee=").status_code == 200
    assert len(zh.get("/followups/export.csv?assignee=").get_data().decode("utf-8-sig").strip().splitlines()) == 7


def test_a_call_handed_to_somebody_who_is_no_longer_staff_gets_a_message_and_changes_nothing(make_client, db, clock):
    manager = make_client("manager", locale="zh_CN")
    follow_up = _callback(db, manager.user)
    technician = factories.user(role="technician")
    response = manager.post(f"/followups/{follow_up.id}/assign", data={"assignee": str(technician.id)},
                            follow_redirects=True)
    assert response.status_code == 200 and "分配给: 不是有效的选择。" in response.get_data(as_text=True)
    db.session.refresh(follow_up)
    assert follow_up.assignee_id == manager.user.id
    assert manager.post(f"/followups/{follow_up.id}/assign", data={"assignee": ""}).status_code == 302
    db.session.refresh(follow_up)
    assert follow_up.assignee_id is None
