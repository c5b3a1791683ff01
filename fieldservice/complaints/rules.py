"""Pure rules for complaints (投诉): the 24-hour reply clock, the status steps, the list order."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from ..transitions import check_in_table


class ComplaintCategory(StrEnum):
    LATENESS = "lateness"
    ATTITUDE = "attitude"
    REPAIR_QUALITY = "repair_quality"
    FEES = "fees"
    PARTS = "parts"
    OTHER = "other"


class Severity(StrEnum):
    GENERAL = "general"
    MAJOR = "major"


class ComplaintStatus(StrEnum):
    DRAFT = "draft"  # raised by a low satisfaction score on a callback: a person decides
    OPEN = "open"
    REPLIED = "replied"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"  # a draft that was not a complaint after all


C = ComplaintStatus
TRANSITIONS: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    C.DRAFT: frozenset({C.OPEN, C.DISMISSED}),
    C.OPEN: frozenset({C.REPLIED, C.RESOLVED}),
    # Resolving straight from open also counts as the reply (the resolution is told to the customer).
    C.REPLIED: frozenset({C.RESOLVED}),
    C.RESOLVED: frozenset(),
    C.DISMISSED: frozenset(),
}
# Still waiting for someone: shown on the list by default and counted against the reply clock.
UNRESOLVED = frozenset({C.DRAFT, C.OPEN, C.REPLIED})
AWAITING_REPLY = frozenset({C.DRAFT, C.OPEN})


def check_transition(current: ComplaintStatus | str, target: ComplaintStatus | str) -> ComplaintStatus:
    return check_in_table(TRANSITIONS, current, target)


def reply_due(received_at: datetime, hours: int) -> datetime:
    """The promise: a reply within `hours` (24) of receiving the complaint."""
    if hours <= 0:
        raise ValueError("the reply time must be positive")
    return received_at + timedelta(hours=hours)


def reply_overdue(status: ComplaintStatus | str, reply_due_at: datetime, now: datetime) -> bool:
    return ComplaintStatus(status) in AWAITING_REPLY and now > reply_due_at


def replied_in_time(replied_at: datetime | None, reply_due_at: datetime) -> bool | None:
    """None while no reply has been given."""
    return None if replied_at is None else replied_at <= reply_due_at


def alerts_managers(severity: Severity | str, status: ComplaintStatus | str) -> bool:
    """A major complaint is in front of every manager until it is resolved."""
    return Severity(severity) is Severity.MAJOR and ComplaintStatus(status) in (C.OPEN, C.REPLIED)


def list_order(complaints: Iterable, now: datetime) -> list:
    """Overdue replies first (longest overdue first), then awaiting a reply by deadline, then the rest, newest first."""
    def key(c):
        status = ComplaintStatus(c.status)
        if reply_overdue(status, c.reply_due_at, now):
            return (0, c.reply_due_at.timestamp())
        if status in AWAITING_REPLY:
            return (1, c.reply_due_at.timestamp())
        if status is C.REPLIED:
            return (2, c.reply_due_at.timestamp())
        return (3, -c.received_at.timestamp())
    return sorted(complaints, key=key)
