from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from fieldservice.transitions import TransitionNotAllowed
from fieldservice.complaints.rules import (ComplaintStatus, alerts_managers, check_transition,
                                           list_order, replied_in_time, reply_due, reply_overdue)

T0 = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)


def test_the_reply_is_due_24_hours_after_receipt():
    assert reply_due(T0, 24) == T0 + timedelta(hours=24)


def test_a_reply_time_of_zero_hours_is_refused():
    with pytest.raises(ValueError):
        reply_due(T0, 0)


def test_an_open_complaint_is_overdue_only_after_its_deadline():
    due = reply_due(T0, 24)
    assert not reply_overdue("open", due, due)
    assert reply_overdue("open", due, due + timedelta(seconds=1))
    assert reply_overdue("draft", due, due + timedelta(hours=1))


def test_a_replied_or_resolved_complaint_is_never_overdue():
    due = reply_due(T0, 24)
    for status in ("replied", "resolved", "dismissed"):
        assert not reply_overdue(status, due, due + timedelta(days=3))


def test_a_reply_inside_the_24_hours_counts_as_in_time():
    due = reply_due(T0, 24)
    assert replied_in_time(due, due) is True
    assert replied_in_time(due + timedelta(minutes=1), due) is False
    assert replied_in_time(None, due) is None


@pytest.mark.parametrize("current, target", [("draft", "open"), ("draft", "dismissed"), ("open", "replied"),
                                             ("open", "resolved"), ("replied", "resolved")])
def test_the_allowed_complaint_steps(current, target):
    assert check_transition(current, target) is ComplaintStatus(target)


@pytest.mark.parametrize("current, target", [("resolved", "open"), ("dismissed", "open"), ("draft", "resolved"),
                                             ("replied", "open"), ("open", "dismissed")])
def test_steps_outside_the_table_are_refused(current, target):
    with pytest.raises(TransitionNotAllowed):
        check_transition(current, target)


def test_major_complaints_alert_managers_until_resolved():
    assert alerts_managers("major", "open") and alerts_managers("major", "replied")
    assert not alerts_managers("major", "resolved")
    assert not alerts_managers("general", "open")


@dataclass
class C:
    name: str
    status: str
    received_at: datetime
    reply_due_at: datetime


def test_the_list_shows_overdue_replies_first_then_by_deadline():
    now = T0 + timedelta(hours=30)
    complaints = [
        C("resolved", "resolved", T0, T0 + timedelta(hours=24)),
        C("fresh", "open", now - timedelta(hours=1), now + timedelta(hours=23)),
        C("overdue", "open", T0, T0 + timedelta(hours=24)),
        C("replied", "replied", T0 + timedelta(hours=2), T0 + timedelta(hours=26)),
        C("older-due-soon", "open", now - timedelta(hours=20), now + timedelta(hours=4)),
    ]
    assert [c.name for c in list_order(complaints, now)] == ["overdue", "older-due-soon", "fresh", "replied",
                                                              "resolved"]
