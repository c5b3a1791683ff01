from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from fieldservice.complaints import services
from fieldservice.errors import Conflict, DomainError, NotFound
from fieldservice.models import AuditEvent, Complaint, FollowUp
from tests import factories, factories_aftercare

RECEIVED = datetime(2026, 11, 22, 1, 30, tzinfo=timezone.utc)  # 09:30 in Shanghai


@pytest.fixture()
def clock(monkeypatch):
    return factories_aftercare.hold_clock(monkeypatch, RECEIVED)


def _log(customer, **kwargs):
    data = dict(customer_id=customer.id, request_id=None, channel="phone", category="lateness", severity="general",
                description="技术员迟到两小时，也没有提前打电话")
    data.update(kwargs)
    return services.log_complaint(**data)


def test_a_complaint_is_logged_with_its_reply_due_24_hours_later(db, clock):
    complaint = _log(factories.customer())
    assert complaint.status == "open" and complaint.received_at == RECEIVED
    assert complaint.reply_due_at == RECEIVED + timedelta(hours=24)
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "complaint")) == \
        "complaint_logged"


def test_a_complaint_from_a_request_takes_the_requests_customer(db, clock):
    request = factories.service_request()
    complaint = services.log_complaint(customer_id=None, request_id=request.id, channel="wechat",
                                       category="repair_quality", severity="major", description="修完第二天又坏了")
    assert complaint.customer_id == request.customer_id and complaint.request_id == request.id


def test_a_request_of_another_customer_is_refused(db, clock):
    request = factories.service_request()
    with pytest.raises(DomainError):
        _log(factories.customer(), request_id=request.id)
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


@pytest.mark.parametrize("field, value", [("channel", "fax"), ("category", "weather"), ("severity", "huge"),
                                          ("description", "  ")])
def test_bad_input_is_refused_and_logs_nothing(db, clock, field, value):
    with pytest.raises(DomainError):
        _log(factories.customer(), **{field: value})
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_an_unknown_customer_is_not_found(db, clock):
    with pytest.raises(NotFound):
        services.log_complaint(customer_id=999, request_id=None, channel="phone", category="fees",
                               severity="general", description="收费太高")


def test_a_complaint_logged_replied_and_resolved_inside_24_hours_gets_its_callback(db, clock):
    owner = factories_aftercare.user(role="agent")
    complaint = _log(factories.customer(), owner_id=owner.id)
    clock.now = RECEIVED + timedelta(hours=3)
    services.add_note(complaint.id, "已联系技术员了解情况")
    services.record_reply(complaint.id, "已致歉，并安排主管今天回电")
    clock.now = RECEIVED + timedelta(hours=20)
    services.resolve_complaint(complaint.id, "技术员已受到批评教育，赠送一次免费保养")
    complaint = db.session.get(Complaint, complaint.id)
    assert complaint.status == "resolved"
    assert complaint.replied_at == RECEIVED + timedelta(hours=3) <= complaint.reply_due_at
    assert complaint.resolved_at == RECEIVED + timedelta(hours=20)
    assert [n.text for n in complaint.notes] == ["已联系技术员了解情况"]
    callback = db.session.scalar(select(FollowUp).where(FollowUp.complaint_id == complaint.id))
    assert callback.kind == "complaint_callback" and callback.assignee_id == owner.id
    # Resolved at 05:30 on the 23rd in Shanghai: the callback is due the next local day.
    assert callback.due_date.isoformat() == "2026-11-24"


def test_resolving_without_a_separate_reply_counts_the_resolution_as_the_reply(db, clock):
    complaint = _log(factories.customer())
    clock.now = RECEIVED + timedelta(hours=2)
    services.resolve_complaint(complaint.id, "已退还上门费")
    complaint = db.session.get(Complaint, complaint.id)
    assert complaint.replied_at == RECEIVED + timedelta(hours=2) and complaint.reply_text == "已退还上门费"


def test_a_reply_after_the_24_hours_is_recorded_as_late(db, clock):
    complaint = _log(factories.customer())
    clock.now = RECEIVED + timedelta(hours=25)
    services.record_reply(complaint.id, "抱歉回复晚了")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "complaint_replied"))
    assert event.detail["in_time"] is False


def test_a_resolved_complaint_cannot_be_resolved_again_and_keeps_one_callback(db, clock):
    complaint = _log(factories.customer())
    services.resolve_complaint(complaint.id, "已处理")
    with pytest.raises(Conflict):
        services.resolve_complaint(complaint.id, "再处理一次")
    with pytest.raises(Conflict):
        services.record_reply(complaint.id, "再回复")
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 1


def test_empty_texts_are_refused(db, clock):
    complaint = _log(factories.customer())
    for action in (services.add_note, services.record_reply, services.resolve_complaint):
        with pytest.raises(DomainError):
            action(complaint.id, " ")
    assert db.session.get(Complaint, complaint.id).status == "open"


def test_a_draft_is_confirmed_as_a_complaint_or_dismissed(db, clock):
    draft = factories_aftercare.complaint(status="draft", category="other")
    services.confirm_draft(draft.id, category="attitude", severity="major")
    draft = db.session.get(Complaint, draft.id)
    assert (draft.status, draft.category, draft.severity) == ("open", "attitude", "major")

    other = factories_aftercare.complaint(status="draft")
    services.dismiss_draft(other.id, "客户只是随口一说，已确认无投诉意愿")
    assert db.session.get(Complaint, other.id).status == "dismissed"
    with pytest.raises(Conflict):
        services.confirm_draft(other.id)


def test_the_owner_must_be_an_active_agent_or_manager(db, clock):
    complaint = _log(factories.customer())
    tech = factories_aftercare.technician()
    with pytest.raises(DomainError):
        services.assign_owner(complaint.id, tech.user_id)
    manager = factories_aftercare.user(role="manager")
    assert services.assign_owner(complaint.id, manager.id).owner_id == manager.id


def test_unresolved_major_complaints_are_the_managers_alerts(db, clock):
    major = _log(factories.customer(), severity="major")
    _log(factories.customer(), severity="general")
    assert [c.id for c in services.open_major_complaints()] == [major.id]
    services.resolve_complaint(major.id, "总经理亲自上门致歉")
    assert services.open_major_complaints() == []


def test_the_list_shows_overdue_complaints_first(db, clock):
    old = _log(factories.customer(name="王芳"))
    clock.now = RECEIVED + timedelta(hours=20)
    new = _log(factories.customer(name="赵磊"))
    clock.now = RECEIVED + timedelta(hours=30)
    replied = _log(factories.customer(name="孙丽"))
    services.record_reply(replied.id, "已回复")
    assert [c.id for c in services.complaint_list(None)] == [old.id, new.id, replied.id]


def test_customers_are_found_by_phone_in_any_format_or_by_name(db):
    customer = factories.customer(name="周杰", phone="13912345678")
    assert services.find_customers("139 1234 5678") == [customer]
    assert services.find_customers("5678") == [customer]
    assert services.find_customers("周") == [customer]
    assert services.find_customers("") == []
