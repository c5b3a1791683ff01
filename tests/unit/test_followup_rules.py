import csv
import io
from datetime import date

import pytest

from fieldservice.followups.rules import (CallOutcome, FollowUpStatus, InvalidOutcome, apply_call, callback_due,
                                          csv_bytes, excel_safe, split_call_list)


def test_a_service_callback_is_due_three_days_after_the_visit_day():
    assert callback_due(date(2026, 11, 22), 3) == date(2026, 11, 25)
    assert callback_due(date(2026, 12, 30), 3) == date(2027, 1, 2)


def test_negative_callback_days_are_refused():
    with pytest.raises(ValueError):
        callback_due(date(2026, 11, 22), -1)


def test_a_missed_call_counts_an_attempt_and_stays_on_the_list():
    result = apply_call("pending", 0, CallOutcome(reached=False))
    assert result.status is FollowUpStatus.PENDING and result.attempts == 1
    assert not result.offer_new_request and not result.raise_complaint


def test_the_third_failed_attempt_makes_the_customer_unreachable():
    assert apply_call("pending", 1, CallOutcome(reached=False)).status is FollowUpStatus.PENDING
    assert apply_call("pending", 2, CallOutcome(reached=False)).status is FollowUpStatus.UNREACHABLE


def test_a_reached_customer_finishes_the_call_with_the_answers():
    result = apply_call("pending", 1, CallOutcome(reached=True, satisfaction=5, on_time=True, solved=True, attitude=5))
    assert result.status is FollowUpStatus.DONE and result.attempts == 2
    assert not result.offer_new_request and not result.raise_complaint


def test_not_solved_offers_a_new_repair_request():
    assert apply_call("pending", 0, CallOutcome(reached=True, satisfaction=3, solved=False)).offer_new_request


@pytest.mark.parametrize("satisfaction, attitude, raises", [(2, None, True), (1, 5, True), (3, 2, True),
                                                            (3, 3, False), (5, None, False)])
def test_a_score_of_two_or_less_raises_a_complaint_draft(satisfaction, attitude, raises):
    result = apply_call("pending", 0, CallOutcome(reached=True, satisfaction=satisfaction, attitude=attitude))
    assert result.raise_complaint is raises


def test_a_reached_call_needs_the_satisfaction_score():
    with pytest.raises(InvalidOutcome) as error:
        apply_call("pending", 0, CallOutcome(reached=True))
    assert error.value.code == "satisfaction_required"


@pytest.mark.parametrize("score", [0, 6, -1])
def test_scores_outside_one_to_five_are_refused(score):
    with pytest.raises(InvalidOutcome):
        apply_call("pending", 0, CallOutcome(reached=True, satisfaction=score))
    with pytest.raises(InvalidOutcome):
        apply_call("pending", 0, CallOutcome(reached=True, satisfaction=3, attitude=score))


def test_a_finished_call_cannot_be_recorded_again():
    for status in ("done", "unreachable"):
        with pytest.raises(InvalidOutcome) as error:
            apply_call(status, 1, CallOutcome(reached=False))
        assert error.value.code == "not_pending"


class Row:
    def __init__(self, due):
        self.due_date = due


def test_the_call_list_puts_overdue_and_today_first_then_upcoming():
    today = date(2026, 11, 25)
    rows = [Row(date(2026, 11, 27)), Row(date(2026, 11, 25)), Row(date(2026, 11, 20)), Row(date(2026, 11, 26))]
    due_now, upcoming = split_call_list(rows, today)
    assert [r.due_date.day for r in due_now] == [20, 25]
    assert [r.due_date.day for r in upcoming] == [26, 27]


@pytest.mark.parametrize("value, expected", [
    ("=SUM(A1:A2)", "'=SUM(A1:A2)"), ("+8613800138000", "'+8613800138000"), ("-1", "'-1"),
    ("@cmd", "'@cmd"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("张伟", "张伟"), ("a=b", "a=b"), (None, ""), (3, "3"),
])
def test_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(value, expected):
    assert excel_safe(value) == expected


def test_the_csv_starts_with_a_byte_order_mark_and_keeps_chinese_and_commas():
    data = csv_bytes(["客户", "备注"], [["张伟", '=HYPERLINK("x"), ok']])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["客户", "备注"], ["张伟", '\'=HYPERLINK("x"), ok']]
    assert b"\r\n" in data
