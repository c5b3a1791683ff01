from datetime import date
from decimal import Decimal

import pytest

from fieldservice.parts.rules import QuantityError
from fieldservice.scheduling.models import AppointmentStatus as A
from fieldservice.transitions import TransitionNotAllowed
from fieldservice.visits.rules import (CODE_ALPHABET, Completion, LabourInput, PartInput, WorkInput,
                                       add_working_days, check_identity, check_visit_step, coverage_from_decisions,
                                       new_verification_code, normalise_verification_code, parse_labour_qty,
                                       Shortfall, stock_shortfalls)
from fieldservice.warranty.rules import Component, WarrantyFacts, decide_warranty


@pytest.mark.parametrize("current, target", [(A.BOOKED, A.EN_ROUTE), (A.EN_ROUTE, A.ON_SITE), (A.BOOKED, A.ON_SITE),
                                             (A.ON_SITE, A.DONE)])
def test_a_visit_moves_on_the_way_then_arrived_then_done(current, target):
    assert check_visit_step(current, target) == target


@pytest.mark.parametrize("current, target", [(A.CANCELLED, A.ON_SITE), (A.CANCELLED, A.DONE), (A.DONE, A.ON_SITE),
                                             (A.BOOKED, A.DONE), (A.EN_ROUTE, A.DONE), (A.ON_SITE, A.EN_ROUTE)])
def test_a_visit_cannot_skip_arrival_or_leave_done_or_cancelled(current, target):
    with pytest.raises(TransitionNotAllowed):
        check_visit_step(current, target)


@pytest.mark.parametrize("start, expected", [
    (date(2026, 11, 16), date(2026, 11, 23)),  # Monday -> next Monday
    (date(2026, 11, 20), date(2026, 11, 27)),  # Friday -> next Friday
    (date(2026, 11, 21), date(2026, 11, 27)),  # Saturday -> Friday
    (date(2026, 11, 22), date(2026, 11, 27)),  # Sunday -> Friday
])
def test_depot_repairs_are_due_five_working_days_later(start, expected):
    assert add_working_days(start, 5) == expected


def test_the_same_serial_and_model_raise_no_flag_even_when_typed_loosely():
    check = check_identity("LX-55U8", "LX55U8-2402-00831", "lx-55u8 ", " ｌｘ55u8-2402-00831 ", False)
    assert not check.model_mismatch and not check.serial_mismatch and check.exclusions == ()


def test_a_serial_that_differs_from_the_record_counts_as_altered():
    check = check_identity("LX-55U8", "LX55U8-2402-00831", "LX-55U8", "LX55U8-2402-00999", False)
    assert check.serial_mismatch and check.serial_altered
    assert [e.value for e in check.exclusions] == ["serial_altered"]


def test_another_model_and_an_altered_plate_are_both_exclusions():
    check = check_identity("LX-55U8", "SN1", "LX-65U8", "SN1", True)
    assert check.model_mismatch and check.serial_altered and not check.serial_mismatch
    assert [e.value for e in check.exclusions] == ["model_mismatch", "serial_altered"]


def test_an_empty_model_field_means_the_model_was_not_checked():
    assert not check_identity("LX-55U8", "SN1", "", "SN1", False).model_mismatch


def test_coverage_follows_the_unit_and_accessory_decisions():
    facts = WarrantyFacts(purchase_date=date(2026, 2, 14), has_proof=True)
    on = date(2026, 11, 22)
    coverage = coverage_from_decisions(decide_warranty(facts, on), decide_warranty(facts, on, Component.ACCESSORY))
    assert coverage.unit_covered and not coverage.accessory_covered
    assert "2027" in coverage.reason_zh and "2027" in coverage.reason_en


def test_an_exclusion_makes_the_unit_chargeable():
    facts = WarrantyFacts(purchase_date=date(2026, 2, 14), has_proof=True)
    on = date(2026, 11, 22)
    coverage = coverage_from_decisions(decide_warranty(facts, on, exclusions=["serial_altered"]),
                                       decide_warranty(facts, on, Component.ACCESSORY, ["serial_altered"]))
    assert not coverage.unit_covered and not coverage.accessory_covered
    assert "涂改" in coverage.reason_zh


def test_verification_codes_are_eight_unambiguous_characters():
    codes = {new_verification_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 9 and code[4] == "-"
        assert all(c in CODE_ALPHABET for c in code.replace("-", ""))


@pytest.mark.parametrize("typed, expected", [("7q4k-m2xd", "7Q4K-M2XD"), (" 7Q4K M2XD ", "7Q4K-M2XD"),
                                             ("７Ｑ４ＫＭ２ＸＤ", "7Q4K-M2XD"), ("7Q4K-M2X", None),
                                             ("7Q4K-M2X0", None), ("", None)])
def test_verification_codes_are_read_back_the_way_people_type_them(typed, expected):
    assert normalise_verification_code(typed) == expected


@pytest.mark.parametrize("value, expected", [("1.5", Decimal("1.5")), ("2", Decimal("2")), (0.25, Decimal("0.25"))])
def test_labour_may_be_counted_in_fractions(value, expected):
    assert parse_labour_qty(value) == expected


@pytest.mark.parametrize("value, code", [("-1", "not_positive"), ("0", "not_positive"), ("1.555", "too_precise"),
                                         ("x", "not_a_number"), ("100", "too_large"), ("", "required")])
def test_bad_labour_quantities_are_refused(value, code):
    with pytest.raises(QuantityError) as error:
        parse_labour_qty(value)
    assert error.value.code == code


def test_a_completion_is_fingerprinted_by_its_visit_and_what_moves_stock_and_money():
    work = WorkInput(labour=(LabourInput(3, Decimal("1.5")),), parts=(PartInput(7, 2), PartInput(5, 1)))
    a = Completion(work=work, exclusion_note="", fault_code_id=1, diagnosis="x", resolution="y", outcome="fixed",
                   loaner_serial="", verdict="satisfied", customer_comment="", signer_name="A", signature_png=b"1")
    b = Completion(work=WorkInput(labour=work.labour, parts=tuple(reversed(work.parts))), exclusion_note="",
                   fault_code_id=1, diagnosis="changed", resolution="y", outcome="fixed", loaner_serial="",
                   verdict="satisfied", customer_comment="", signer_name="A", signature_png=b"2")
    assert a.fingerprint(9) == b.fingerprint(9)
    assert a.fingerprint(9) != a.fingerprint(10)


def test_parts_the_van_holds_enough_of_have_no_shortfall():
    assert stock_shortfalls([PartInput(7, 1), PartInput(8, 3)], {7: 1, 8: 5}) == []


def test_more_of_a_part_than_the_van_holds_is_a_shortfall_naming_what_is_there():
    assert stock_shortfalls([PartInput(7, 5)], {7: 1}) == [Shortfall(7, wanted=5, have=1)]


def test_the_lines_of_one_part_are_added_up_against_the_van():
    assert stock_shortfalls([PartInput(7, 1), PartInput(8, 1), PartInput(7, 1)], {7: 1, 8: 1}) == [
        Shortfall(7, wanted=2, have=1)]


def test_a_part_the_van_does_not_hold_is_short_of_everything_entered():
    assert stock_shortfalls([PartInput(9, 2)], {}) == [Shortfall(9, wanted=2, have=0)]
