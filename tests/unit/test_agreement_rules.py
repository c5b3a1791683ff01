from datetime import date

import pytest

from fieldservice.agreements.rules import (AgreementError, PlannedKind, Terms, check_terms, check_transition,
                                           expires_soon, has_ended, is_overdue, is_stale, plan_items, planned_dates,
                                           within_horizon)

YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def test_a_one_year_agreement_has_twelve_monthly_callbacks_on_each_months_last_day():
    assert planned_dates(PlannedKind.MONTHLY_CALLBACK, *YEAR) == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31),
        date(2026, 6, 30), date(2026, 7, 31), date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31),
        date(2026, 11, 30), date(2026, 12, 31)]


def test_quarterly_maintenance_falls_in_the_middle_of_each_quarter():
    assert planned_dates(PlannedKind.QUARTERLY_MAINTENANCE, *YEAR) == [
        date(2026, 2, 14), date(2026, 5, 16), date(2026, 8, 15), date(2026, 11, 15)]


def test_yearly_servicing_falls_in_the_middle_of_the_agreement_year():
    assert planned_dates(PlannedKind.YEARLY_SERVICING, *YEAR) == [date(2026, 7, 2)]


def test_months_are_counted_from_the_start_date_and_clamped_to_month_ends():
    # From 31 January: each month runs to the day before the (clamped) monthly anniversary, without drifting.
    dates = planned_dates(PlannedKind.MONTHLY_CALLBACK, date(2026, 1, 31), date(2027, 1, 30))
    assert dates[:3] == [date(2026, 2, 27), date(2026, 3, 30), date(2026, 4, 29)]
    assert dates[-1] == date(2027, 1, 30) and len(dates) == 12


def test_a_leap_february_is_clamped_to_the_29th():
    dates = planned_dates(PlannedKind.MONTHLY_CALLBACK, date(2028, 1, 30), date(2028, 12, 31))
    assert dates[0] == date(2028, 2, 28)  # the day before 29 Feb, the clamped anniversary of 30 Jan
    assert dates[1] == date(2028, 3, 29)


def test_a_short_last_period_gets_an_item_only_if_its_day_falls_inside_the_agreement():
    # 14 months: the second servicing year would be due in the middle of months 13-24, after the end.
    assert planned_dates(PlannedKind.YEARLY_SERVICING, date(2026, 1, 1), date(2027, 2, 28)) == [date(2026, 7, 2)]
    assert len(planned_dates(PlannedKind.MONTHLY_CALLBACK, date(2026, 1, 1), date(2027, 2, 28))) == 14


def test_nothing_is_planned_before_the_plan_starts():
    dates = planned_dates(PlannedKind.MONTHLY_CALLBACK, *YEAR, plan_from=date(2026, 6, 10))
    assert dates[0] == date(2026, 6, 30) and len(dates) == 7


def test_maintenance_is_planned_per_unit_and_callbacks_once_per_agreement():
    items = plan_items(*YEAR, {PlannedKind.MONTHLY_CALLBACK, PlannedKind.QUARTERLY_MAINTENANCE,
                               PlannedKind.YEARLY_SERVICING}, [7, 9])
    assert len(items) == 12 + 4 * 2 + 1 * 2
    assert {i.unit_id for i in items if i.kind is PlannedKind.MONTHLY_CALLBACK} == {None}
    assert [i.due_date for i in items] == sorted(i.due_date for i in items)


def test_a_plan_with_everything_off_is_empty():
    assert plan_items(*YEAR, set(), [1]) == []


@pytest.mark.parametrize("terms, code", [
    (Terms(date(2026, 1, 1), date(2026, 1, 1), 0, 0, 12), "end_before_start"),
    (Terms(date(2026, 1, 1), date(2026, 12, 31), 101, 0, 12), "pct_out_of_range"),
    (Terms(date(2026, 1, 1), date(2026, 12, 31), 0, -1, 12), "pct_out_of_range"),
    (Terms(date(2026, 1, 1), date(2026, 12, 31), 0, 0, 37), "contract_months_too_long"),
])
def test_terms_outside_the_limits_are_refused(terms, code):
    with pytest.raises(AgreementError) as error:
        check_terms(terms)
    assert error.value.code == code


def test_thirty_six_contract_months_are_allowed():
    check_terms(Terms(date(2026, 1, 1), date(2028, 12, 31), 100, 50, 36))


def test_an_agreement_goes_draft_active_then_ended_or_cancelled():
    assert check_transition("draft", "active") == "active"
    assert check_transition("active", "ended") == "ended"
    assert check_transition("draft", "cancelled") == "cancelled"
    for current, target in (("ended", "active"), ("cancelled", "active"), ("draft", "ended")):
        with pytest.raises(AgreementError):
            check_transition(current, target)


def test_items_due_within_thirty_days_or_overdue_are_created_now():
    today = date(2026, 3, 1)
    assert within_horizon(date(2026, 3, 31), today)
    assert within_horizon(date(2026, 2, 1), today)
    assert not within_horizon(date(2026, 4, 1), today)


def test_an_item_not_done_after_its_day_is_overdue():
    today = date(2026, 3, 1)
    assert is_overdue("created", date(2026, 2, 28), today) and is_overdue("planned", date(2026, 2, 28), today)
    assert not is_overdue("done", date(2026, 2, 28), today)
    assert not is_overdue("created", date(2026, 3, 1), today)


def test_active_agreements_ending_within_sixty_days_are_due_for_renewal():
    today = date(2026, 11, 1)
    assert expires_soon("active", date(2026, 12, 31), today)
    assert not expires_soon("active", date(2027, 1, 1), today)
    assert not expires_soon("cancelled", date(2026, 12, 1), today)
    assert has_ended("active", date(2026, 10, 31), today) and not has_ended("active", today, today)


def test_a_callback_more_than_thirty_days_past_its_day_is_stale_but_a_visit_never_is():
    today = date(2026, 5, 1)
    assert is_stale("monthly_callback", date(2026, 3, 31), today)
    assert not is_stale("monthly_callback", date(2026, 4, 1), today)
    assert not is_stale("quarterly_maintenance", date(2026, 1, 1), today)
