"""Pure rules for follow-up calls (回访): due dates, recording a call, the call list order, safe CSV."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class FollowUpKind(StrEnum):
    SERVICE_CALLBACK = "service_callback"
    COMPLAINT_CALLBACK = "complaint_callback"
    AGREEMENT_CALLBACK = "agreement_callback"
    PARTNER_CHECK = "partner_check"
    SALES_OFFER = "sales_offer"
    SURVEY = "survey"


class FollowUpStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    UNREACHABLE = "unreachable"


MAX_ATTEMPTS = 3  # the manual: three failed attempts and the customer counts as unreachable
LOW_SATISFACTION = 2  # this score or lower raises a complaint draft
SCORE_RANGE = range(1, 6)
# A complaint callback checks the customer is content with the resolution: the next day, while it is fresh.
COMPLAINT_CALLBACK_DAYS = 1
# A request forwarded to a partner: check the next day that the partner has been in touch.
PARTNER_CHECK_DAYS = 1


def callback_due(completed_on: date, days: int) -> date:
    """The service callback's due date: `days` after the local day the visit was completed."""
    if days < 0:
        raise ValueError("callback days cannot be negative")
    return completed_on + timedelta(days=days)


@dataclass(frozen=True)
class CallOutcome:
    reached: bool
    satisfaction: int | None = None
    on_time: bool | None = None
    solved: bool | None = None
    attitude: int | None = None
    comment: str = ""


@dataclass(frozen=True)
class CallResult:
    status: FollowUpStatus
    attempts: int
    offer_new_request: bool  # the problem is not solved: offer a repair request linked to the old one
    raise_complaint: bool  # the customer is unhappy: a complaint draft for a person to review


class InvalidOutcome(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def apply_call(status: FollowUpStatus | str, attempts: int, outcome: CallOutcome) -> CallResult:
    """What one call does to a pending follow-up.

    Not reached: one more attempt; the third failed attempt makes it unreachable. Reached: done, with
    the answers; satisfaction is required (it is the one question every callback asks).
    """
    if FollowUpStatus(status) is not FollowUpStatus.PENDING:
        raise InvalidOutcome("not_pending")
    if not outcome.reached:
        attempts += 1
        final = FollowUpStatus.UNREACHABLE if attempts >= MAX_ATTEMPTS else FollowUpStatus.PENDING
        return CallResult(final, attempts, offer_new_request=False, raise_complaint=False)
    if outcome.satisfaction is None:
        raise InvalidOutcome("satisfaction_required")
    for score in (outcome.satisfaction, outcome.attitude):
        if score is not None and score not in SCORE_RANGE:
            raise InvalidOutcome("score_out_of_range")
    return CallResult(
        FollowUpStatus.DONE,
        attempts + 1,
        offer_new_request=outcome.solved is False,
        raise_complaint=outcome.satisfaction <= LOW_SATISFACTION
        or (outcome.attitude is not None and outcome.attitude <= LOW_SATISFACTION),
    )


def is_due(due_date: date, today: date) -> bool:
    """Due today or overdue: the top of the call list."""
    return due_date <= today


def split_call_list(items: Iterable, today: date, due_of=lambda item: item.due_date) -> tuple[list, list]:
    """(due today and overdue, upcoming), each oldest due date first, so the most overdue leads."""
    ordered = sorted(items, key=due_of)
    return [i for i in ordered if is_due(due_of(i), today)], [i for i in ordered if not is_due(due_of(i), today)]


# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value) -> str:
    """A CSV cell Excel and LibreOffice show as text: formula-like cells get a leading apostrophe."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_bytes(header: Sequence, rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads Chinese correctly), CRLF rows, every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([excel_safe(h) for h in header])
    for row in rows:
        writer.writerow([excel_safe(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
