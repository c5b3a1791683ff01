"""Pure rules for service requests: statuses, the one transition table, numbers, the promise."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from ..transitions import check_in_table


class RequestStatus(StrEnum):
    NEW = "new"
    SCHEDULED = "scheduled"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    COMPLETED = "completed"
    CLOSED = "closed"
    AWAITING_PARTS = "awaiting_parts"
    DEPOT_REPAIR = "depot_repair"
    FORWARDED = "forwarded"
    CANCELLED = "cancelled"


class Channel(StrEnum):
    PHONE = "phone"
    ONLINE = "online"
    WECHAT = "wechat"
    EMAIL = "email"
    WALK_IN = "walk_in"


class RequestKind(StrEnum):
    REPAIR = "repair"
    INSTALL = "install"
    MAINTENANCE = "maintenance"


S = RequestStatus
TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    S.NEW: frozenset({S.SCHEDULED, S.FORWARDED, S.CANCELLED}),
    S.SCHEDULED: frozenset({S.EN_ROUTE, S.ON_SITE, S.NEW, S.CANCELLED}),
    S.EN_ROUTE: frozenset({S.ON_SITE, S.SCHEDULED, S.NEW, S.CANCELLED}),
    S.ON_SITE: frozenset({S.COMPLETED, S.AWAITING_PARTS, S.DEPOT_REPAIR}),
    S.AWAITING_PARTS: frozenset({S.SCHEDULED, S.CANCELLED}),
    S.DEPOT_REPAIR: frozenset({S.COMPLETED, S.SCHEDULED}),
    S.FORWARDED: frozenset({S.CLOSED, S.NEW, S.CANCELLED}),
    S.COMPLETED: frozenset({S.CLOSED, S.SCHEDULED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}
OPEN_STATUSES = frozenset(set(RequestStatus) - {S.COMPLETED, S.CLOSED, S.CANCELLED})


def can_transition(current: RequestStatus | str, target: RequestStatus | str) -> bool:
    return RequestStatus(target) in TRANSITIONS[RequestStatus(current)]


def check_transition(current: RequestStatus | str, target: RequestStatus | str) -> RequestStatus:
    """The one place a request's status change is allowed or refused."""
    return check_in_table(TRANSITIONS, current, target)


def request_number(day: date, sequence: int) -> str:
    return f"SR-{day:%Y%m%d}-{sequence:04d}"


def promise_deadline(reported_at: datetime, sla_hours: int) -> datetime:
    return reported_at + timedelta(hours=sla_hours)
