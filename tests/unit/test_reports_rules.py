from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from fieldservice.geo.distance import haversine_km
from fieldservice.reports.rules import (
    CoverageChoice,
    CoverageKind,
    PromiseOutcome,
    PromiseTally,
    ReplyOutcome,
    ReplyTally,
    SatisfactionTally,
    VisitFacts,
    area_box,
    classify_promise,
    classify_reply,
    days_left,
    effective_months,
    first_time_fixed,
    month_range,
    purchase_window,
    ranked,
    share,
    utc_bounds,
    utilisation,
    week_range,
    working_minutes,
)
from fieldservice.warranty.rules import last_covered_day

DAY = timedelta(days=1)
UTC = timezone.utc
DUE = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def brute_force_window(start: date, end: date, months: int):
    """Every purchase date in a wide band whose last covered day lands in [start, end]."""
    first = start - timedelta(days=31 * months + 40)
    hits = [first + n * DAY for n in range((end - first).days + 40)
            if start <= last_covered_day(first + n * DAY, months) <= end]
    return (hits[0], hits[-1]) if hits else None


# --- the purchase-date window that the expiry list queries with ---


@pytest.mark.parametrize("months", [0, 1, 6, 11, 12, 13, 24, 36])
@pytest.mark.parametrize(("start", "end"), [
    (date(2026, 12, 1), date(2026, 12, 31)),   # a whole month
    (date(2025, 2, 1), date(2025, 2, 28)),     # February, non-leap
    (date(2024, 2, 1), date(2024, 2, 29)),     # February, leap
    (date(2025, 2, 28), date(2025, 2, 28)),    # one month-end day: several purchase dates end there
    (date(2024, 3, 1), date(2024, 3, 31)),     # after a leap February
    (date(2025, 3, 30), date(2025, 3, 30)),    # a day that may have no purchase date at all
    (date(2026, 1, 15), date(2026, 3, 14)),    # across a year end and a short month
])
def test_purchase_window_holds_exactly_the_purchase_dates_whose_coverage_ends_in_the_range(start, end, months):
    assert purchase_window(start, end, months) == brute_force_window(start, end, months)


def test_a_unit_bought_on_31_january_with_one_month_of_cover_is_listed_as_ending_on_27_february():
    # 31 Jan + 1 month clamps to 28 Feb (non-leap), so the last covered day is 27 Feb.
    assert purchase_window(date(2025, 2, 27), date(2025, 2, 27), 1) == (date(2025, 1, 28), date(2025, 1, 31))


def test_twelve_months_of_cover_ending_in_december_means_bought_in_december_a_year_earlier_shifted_by_a_day():
    assert purchase_window(date(2026, 12, 1), date(2026, 12, 31), 12) == (date(2025, 12, 2), date(2026, 1, 1))


def test_a_range_that_ends_before_it_starts_has_no_purchase_window():
    assert purchase_window(date(2026, 12, 2), date(2026, 12, 1), 12) is None


def test_no_purchase_date_ends_one_month_of_cover_on_30_march():
    assert purchase_window(date(2025, 3, 30), date(2025, 3, 30), 1) is None


def test_a_contract_lengthens_the_model_warranty_only_up_to_its_cap():
    assert effective_months(12, None, 36) == 12
    assert effective_months(12, 24, 36) == 24
    assert effective_months(12, 48, 36) == 36
    assert effective_months(12, 6, 36) == 12
    assert effective_months(6, 18, 12) == 12


def test_the_default_expiry_list_shows_the_units_own_coverage_and_agreements_that_outlast_it():
    assert CoverageChoice.UNIT.kinds == (CoverageKind.UNIT, CoverageKind.AGREEMENT)
    assert CoverageChoice.ACCESSORY.kinds == (CoverageKind.ACCESSORY,)
    assert set(CoverageChoice.ALL.kinds) == set(CoverageKind)


# --- dates ---


def test_next_month_runs_from_its_first_to_its_last_day_across_a_year_end():
    assert month_range(date(2026, 12, 15), 1) == (date(2027, 1, 1), date(2027, 1, 31))
    assert month_range(date(2027, 1, 31), 1) == (date(2027, 2, 1), date(2027, 2, 28))


def test_a_week_runs_monday_to_sunday():
    assert week_range(date(2026, 11, 22)) == (date(2026, 11, 16), date(2026, 11, 22))  # a Sunday
    assert week_range(date(2026, 11, 23)) == (date(2026, 11, 23), date(2026, 11, 29))


def test_local_days_become_a_half_open_utc_interval():
    start, end = utc_bounds(date(2026, 11, 1), date(2026, 11, 30), ZoneInfo("Asia/Shanghai"))
    assert start == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


def test_days_left_counts_to_the_last_covered_day():
    assert days_left(date(2026, 12, 31), date(2026, 12, 1)) == 30
    assert days_left(date(2026, 12, 1), date(2026, 12, 1)) == 0
    assert days_left(date(2026, 11, 30), date(2026, 12, 1)) == -1


# --- shares ---


def test_a_share_of_nothing_is_unknown_rather_than_zero():
    assert share(3, 4) == 0.75
    assert share(0, 4) == 0
    assert share(0, 0) is None


def test_ranked_counts_come_largest_first_with_their_share_of_the_total():
    rows = ranked([("F2", "B", 2), ("F1", "A", 1), ("F3", "C", 7)], limit=2)
    assert [(r.key, r.count, r.share) for r in rows] == [("F3", 7, 0.7), ("F2", 2, 0.2)]


def test_ties_are_ranked_by_code_so_both_languages_list_the_same_causes():
    chinese = ranked([("F2", "漏水", 2), ("F1", "不制冷", 2), ("", "未记录原因", 2)])
    english = ranked([("F2", "Leaking", 2), ("F1", "Not cooling", 2), ("", "No cause recorded", 2)])
    assert [r.key for r in chinese] == [r.key for r in english] == ["F1", "F2", ""]


# --- the 24-hour promise ---


def test_a_technician_on_site_at_the_deadline_meets_the_promise():
    visits = [VisitFacts(DUE - timedelta(hours=2), arrived_at=DUE)]
    assert classify_promise(DUE, visits, now=DUE + DAY) is PromiseOutcome.MET


def test_a_late_arrival_without_a_customer_request_is_the_companys_miss():
    visits = [VisitFacts(DUE - timedelta(hours=1), arrived_at=DUE + timedelta(minutes=1))]
    assert classify_promise(DUE, visits, now=DUE + DAY) is PromiseOutcome.MISSED_COMPANY


def test_a_late_visit_the_customer_asked_for_is_the_customers_miss():
    visits = [VisitFacts(DUE + DAY, arrived_at=DUE + DAY, customer_asked_later=True)]
    assert classify_promise(DUE, visits, now=DUE + 2 * DAY) is PromiseOutcome.MISSED_CUSTOMER


def test_the_first_arrival_decides_even_when_a_later_visit_was_booked_at_the_customers_wish():
    visits = [VisitFacts(DUE, arrived_at=DUE + timedelta(hours=3)),
              VisitFacts(DUE + 3 * DAY, arrived_at=DUE + 3 * DAY, customer_asked_later=True)]
    assert classify_promise(DUE, visits, now=DUE + 4 * DAY) is PromiseOutcome.MISSED_COMPANY


def test_no_arrival_before_the_deadline_is_pending_and_after_it_a_miss():
    booked = [VisitFacts(DUE - timedelta(hours=1))]
    assert classify_promise(DUE, booked, now=DUE - timedelta(minutes=5)) is PromiseOutcome.PENDING
    assert classify_promise(DUE, booked, now=DUE + timedelta(minutes=5)) is PromiseOutcome.MISSED_COMPANY
    assert classify_promise(DUE, [], now=DUE + timedelta(minutes=5)) is PromiseOutcome.MISSED_COMPANY


def test_an_overdue_request_booked_later_at_the_customers_wish_is_the_customers_miss():
    visits = [VisitFacts(DUE - timedelta(hours=3), cancelled=True),
              VisitFacts(DUE + DAY, customer_asked_later=True)]
    assert classify_promise(DUE, visits, now=DUE + timedelta(hours=1)) is PromiseOutcome.MISSED_CUSTOMER


def test_attainment_counts_only_decided_requests_and_can_leave_out_the_customers_misses():
    tally = PromiseTally()
    for outcome in ["met", "met", "met", "missed_company", "missed_customer", "pending"]:
        tally.add(PromiseOutcome(outcome))
    assert tally.decided == 5
    assert tally.attainment == 3 / 5
    assert tally.company_attainment == 3 / 4
    assert PromiseTally().attainment is None


# --- complaint replies ---


def test_complaint_replies_are_on_time_late_overdue_or_still_pending():
    assert classify_reply(DUE, DUE, now=DUE + DAY) is ReplyOutcome.ON_TIME
    assert classify_reply(DUE, DUE + timedelta(seconds=1), now=DUE + DAY) is ReplyOutcome.LATE
    assert classify_reply(DUE, None, now=DUE + timedelta(seconds=1)) is ReplyOutcome.OVERDUE
    assert classify_reply(DUE, None, now=DUE) is ReplyOutcome.PENDING


def test_reply_attainment_leaves_out_complaints_not_yet_due():
    tally = ReplyTally()
    for outcome, major in [("on_time", True), ("late", False), ("overdue", False), ("pending", True)]:
        tally.add(ReplyOutcome(outcome), major)
    assert (tally.count, tally.major) == (4, 2)
    assert tally.attainment == 1 / 3


# --- first-time fix, satisfaction, utilisation ---


def test_only_a_single_fixing_visit_without_a_return_request_is_a_first_time_fix():
    assert first_time_fixed(["fixed"], has_return_request=False)
    assert not first_time_fixed(["fixed"], has_return_request=True)
    assert not first_time_fixed(["awaiting_parts", "fixed"], has_return_request=False)
    assert not first_time_fixed(["depot_repair"], has_return_request=False)


def test_callback_satisfaction_averages_the_scores_given_and_counts_four_and_five_as_satisfied():
    tally = SatisfactionTally()
    tally.add("done", 5, True, True)
    tally.add("done", 4, False, True)
    tally.add("done", 2, True, False)
    tally.add("done", None, None, None)
    tally.add("unreachable", None, None, None)
    assert tally.done == 4 and tally.unreachable == 1
    assert tally.average == pytest.approx(11 / 3)
    assert tally.satisfied_share == pytest.approx(2 / 3)
    assert tally.on_time_share == pytest.approx(2 / 3)
    assert tally.solved_share == pytest.approx(2 / 3)
    assert tally.reach_share == pytest.approx(4 / 5)
    assert tally.distribution() == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}


def test_working_minutes_count_only_the_technicians_working_days():
    # 16-22 Nov 2026 is Monday to Sunday; Monday to Friday at 08:00-17:30 is 5 x 570 minutes.
    assert working_minutes(date(2026, 11, 16), date(2026, 11, 22), "12345", time(8), time(17, 30)) == 2850
    assert utilisation(1425, 2850) == 0.5
    assert utilisation(10, 0) is None


# --- technician area ---


@pytest.mark.parametrize(("lat", "lon"), [(31.23, 121.47), (31.50, 121.47), (31.23, 121.85), (31.0, 121.2)])
def test_the_area_test_a_database_can_run_agrees_with_the_great_circle(lat, lon):
    box = area_box(31.2304, 121.4737, 30.0)
    assert box.contains(lat, lon) == (haversine_km(31.2304, 121.4737, lat, lon) <= 30.0)
    if box.contains(lat, lon):
        assert box.lat_min <= lat <= box.lat_max and box.lon_min <= lon <= box.lon_max
