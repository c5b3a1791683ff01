from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from fieldservice import i18n
from fieldservice.catalog.models import Partner, Setting
from fieldservice.database import write_transaction
from fieldservice.errors import Conflict, DomainError
from fieldservice.followups import services
from fieldservice.followups.rules import CallOutcome
from fieldservice.models import AuditEvent, Complaint, FollowUp, ServiceRequest
from fieldservice.signals import request_forwarded, visit_completed
from tests import factories, factories_aftercare

# 17:00 UTC is 01:00 the next day in Shanghai: the callback counts from the local day.
FINISHED = datetime(2026, 11, 22, 17, 0, tzinfo=timezone.utc)


def test_a_completed_visit_gets_a_callback_three_local_days_later_on_the_request_owners_list(db):
    owner = factories_aftercare.user(role="agent")
    appointment = factories_aftercare.completed_visit(owner=owner, finished_at=FINISHED)
    follow_up = db.session.scalar(select(FollowUp))
    assert follow_up.kind == "service_callback" and follow_up.status == "pending"
    assert follow_up.due_date == date(2026, 11, 26)
    assert follow_up.assignee_id == owner.id and follow_up.appointment_id == appointment.id
    assert follow_up.customer_id == appointment.request.customer_id


def test_the_same_visit_completed_twice_still_has_one_callback(db):
    appointment = factories_aftercare.completed_visit(finished_at=FINISHED)
    with write_transaction():
        visit_completed.send(appointment, report=None)
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 1


def test_the_callback_days_setting_moves_the_due_date(db):
    db.session.add(Setting(key="CALLBACK_DAYS", value="5"))
    db.session.commit()
    factories_aftercare.completed_visit(finished_at=FINISHED)
    assert db.session.scalar(select(FollowUp.due_date)) == date(2026, 11, 28)


def test_a_callback_is_not_created_when_the_visit_completion_rolls_back(db):
    appointment = factories_aftercare.completed_visit(send_signal=False)
    with pytest.raises(RuntimeError):
        with write_transaction():
            visit_completed.send(appointment, report=None)
            raise RuntimeError("the report failed to save")
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 0


def test_a_forwarded_request_puts_one_partner_check_on_the_owners_list(db, monkeypatch):
    monkeypatch.setattr(i18n, "local_today", lambda: date(2026, 11, 22))
    owner = factories_aftercare.user(role="agent")
    request = factories.service_request(status="forwarded", owner_id=owner.id)
    partner = Partner(name="远郊服务站", phone="021-5555")
    db.session.add(partner)
    db.session.commit()
    for _ in range(2):
        with write_transaction():
            request_forwarded.send(request, partner=partner)
    checks = db.session.scalars(select(FollowUp)).all()
    assert [(f.kind, f.assignee_id, f.due_date) for f in checks] == [("partner_check", owner.id, date(2026, 11, 23))]


def _callback(db):
    # Bought some months before this fixed visit, so the unit is in warranty on the tests' fixed days.
    unit = factories.unit(purchase_date=FINISHED.date() - timedelta(days=120))
    factories_aftercare.completed_visit(finished_at=FINISHED, owner_unit=unit)
    return db.session.scalar(select(FollowUp))


def test_three_unanswered_calls_make_the_customer_unreachable(db):
    follow_up = _callback(db)
    for expected in ("pending", "pending", "unreachable"):
        assert services.record_call(follow_up.id, CallOutcome(reached=False)).follow_up.status == expected
    db.session.refresh(follow_up)
    assert follow_up.attempts == 3 and follow_up.completed_at is not None
    with pytest.raises(Conflict):
        services.record_call(follow_up.id, CallOutcome(reached=False))


def test_a_reached_call_records_the_answers(db):
    follow_up = _callback(db)
    recorded = services.record_call(follow_up.id, CallOutcome(reached=True, satisfaction=5, on_time=True,
                                                              solved=True, attitude=4, comment="很好"))
    db.session.refresh(follow_up)
    assert (follow_up.status, follow_up.satisfaction, follow_up.on_time, follow_up.solved, follow_up.attitude,
            follow_up.comment) == ("done", 5, True, True, 4, "很好")
    assert recorded.complaint is None and not recorded.offer_new_request
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "follow_up_call_recorded")) is not None


def test_a_call_without_a_satisfaction_score_is_refused_and_changes_nothing(db):
    follow_up = _callback(db)
    with pytest.raises(DomainError):
        services.record_call(follow_up.id, CallOutcome(reached=True))
    db.session.refresh(follow_up)
    assert follow_up.status == "pending" and follow_up.attempts == 0


def test_low_satisfaction_raises_a_complaint_draft_to_review(db):
    follow_up = _callback(db)
    recorded = services.record_call(follow_up.id, CallOutcome(reached=True, satisfaction=2, solved=True,
                                                              attitude=1, comment="态度很差"))
    complaint = db.session.get(Complaint, recorded.complaint.id)
    assert complaint.status == "draft" and complaint.category == "attitude"
    assert complaint.customer_id == follow_up.customer_id and complaint.request_id == follow_up.request_id
    assert "态度很差" in complaint.description
    assert complaint.reply_due_at - complaint.received_at == timedelta(hours=24)
    db.session.refresh(follow_up)
    assert follow_up.raised_complaint_id == complaint.id


def test_not_solved_opens_one_linked_repair_request_however_often_it_is_pressed(db, monkeypatch):
    factories_aftercare.move_clock(monkeypatch, lambda: datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc))
    follow_up = _callback(db)
    recorded = services.record_call(follow_up.id, CallOutcome(reached=True, satisfaction=3, solved=False))
    assert recorded.offer_new_request
    old = db.session.get(ServiceRequest, follow_up.request_id)
    first = services.open_repair_request(follow_up.id)
    second = services.open_repair_request(follow_up.id)
    assert first.id == second.id
    new = db.session.get(ServiceRequest, first.id)
    assert new.parent_request_id == old.id and new.unit_id == old.unit_id and new.customer_id == old.customer_id
    assert new.kind == "repair" and new.status == "new" and new.number == "SR-20261125-0001"
    assert old.number in new.fault_description and old.fault_description in new.fault_description
    assert new.sla_due_at - new.reported_at == timedelta(hours=24)
    assert new.warranty_snapshot["status"] == "in_warranty"


def test_revealing_a_phone_number_is_audited(db):
    follow_up = _callback(db)
    phone = services.reveal_phone(follow_up.id)
    assert phone == follow_up.customer.phone
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "phone_revealed"))
    assert event.object_type == "customer" and event.detail["follow_up"] == follow_up.id


def test_the_call_list_filters_by_kind_assignee_and_district(db):
    me = factories_aftercare.user(role="agent")
    other = factories_aftercare.user(role="agent")
    mine = factories_aftercare.completed_visit(owner=me, finished_at=FINISHED)
    factories_aftercare.completed_visit(
        owner=other, finished_at=FINISHED,
        owner_unit=factories.unit(owner=factories.customer(name="李娜", district="徐汇区")))
    today = date(2026, 11, 26)

    def ids(**filters):
        return [f.request_id for f in services.call_list(today, services.CallFilter(**filters), me.id)]

    assert len(ids()) == 2
    assert ids(assignee=services.MINE) == [mine.request_id]
    assert len(ids(district="徐汇区")) == 1 and ids(district="徐汇区") != [mine.request_id]
    assert ids(kind="partner_check") == []
    assert ids(assignee=str(other.id)) != [mine.request_id]


def test_the_call_list_leaves_out_calls_due_more_than_thirty_days_ahead(db):
    factories_aftercare.completed_visit(finished_at=FINISHED)
    assert services.call_list(date(2026, 10, 20), services.CallFilter(), None) == []
    assert len(services.call_list(date(2026, 10, 27), services.CallFilter(), None)) == 1
