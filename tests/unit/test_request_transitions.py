import pytest

from fieldservice.transitions import TransitionNotAllowed
from fieldservice.intake.rules import (OPEN_STATUSES, TRANSITIONS, RequestStatus,
                                       check_transition, request_number)

S = RequestStatus


def test_every_status_has_a_row_in_the_transition_table():
    assert set(TRANSITIONS) == set(RequestStatus)


def test_a_new_request_can_be_scheduled_forwarded_or_cancelled():
    assert TRANSITIONS[S.NEW] == {S.SCHEDULED, S.FORWARDED, S.CANCELLED}


@pytest.mark.parametrize("current,target", [
    (S.NEW, S.SCHEDULED), (S.SCHEDULED, S.EN_ROUTE), (S.EN_ROUTE, S.ON_SITE), (S.ON_SITE, S.COMPLETED),
    (S.COMPLETED, S.CLOSED), (S.ON_SITE, S.AWAITING_PARTS), (S.AWAITING_PARTS, S.SCHEDULED),
    (S.ON_SITE, S.DEPOT_REPAIR), (S.DEPOT_REPAIR, S.COMPLETED), (S.NEW, S.FORWARDED),
])
def test_the_normal_path_and_side_states_are_allowed(current, target):
    assert check_transition(current, target) == target


@pytest.mark.parametrize("current,target", [
    (S.NEW, S.COMPLETED), (S.CLOSED, S.NEW), (S.CANCELLED, S.SCHEDULED), (S.COMPLETED, S.CANCELLED),
    (S.NEW, S.ON_SITE),
])
def test_skipping_steps_or_reopening_a_finished_request_is_refused(current, target):
    with pytest.raises(TransitionNotAllowed):
        check_transition(current, target)


def test_closed_and_cancelled_requests_are_final():
    assert TRANSITIONS[S.CLOSED] == set() and TRANSITIONS[S.CANCELLED] == set()


def test_open_statuses_exclude_finished_ones():
    assert S.COMPLETED not in OPEN_STATUSES and S.CANCELLED not in OPEN_STATUSES and S.NEW in OPEN_STATUSES


def test_request_numbers_carry_the_day_and_a_four_digit_sequence():
    from datetime import date

    assert request_number(date(2026, 11, 22), 7) == "SR-20261122-0007"
