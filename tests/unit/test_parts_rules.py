from decimal import Decimal

import pytest

from fieldservice.parts.rules import (LocationKind, MovementError, MovementKind, QuantityError, check_movement, is_low,
                                      low_threshold, parse_quantity)


@pytest.mark.parametrize("value, expected", [("2", 2), (" 3 ", 3), ("２", 2), (5, 5), (2.0, 2), ("4.0", 4),
                                             (Decimal("7"), 7), ("9999", 9999)])
def test_whole_positive_quantities_are_accepted(value, expected):
    assert parse_quantity(value) == expected


@pytest.mark.parametrize("value, code", [
    ("1.5", "fractional"), (0.5, "fractional"), (Decimal("2.25"), "fractional"),
    ("-1", "not_positive"), (-3, "not_positive"), ("0", "not_positive"), (0, "not_positive"),
    ("abc", "not_a_number"), ("1e3", "not_a_number"), (True, "not_a_number"), ([1], "not_a_number"),
    (float("nan"), "not_a_number"), (float("inf"), "not_a_number"),
    ("", "required"), ("  ", "required"), (None, "required"),
    ("10000", "too_large"),
])
def test_other_quantities_are_refused_with_a_code_that_names_the_problem(value, code):
    with pytest.raises(QuantityError) as error:
        parse_quantity(value)
    assert error.value.code == code


@pytest.mark.parametrize("kind, source, target", [
    (MovementKind.RECEIPT, None, LocationKind.WAREHOUSE),
    (MovementKind.TRANSFER, LocationKind.WAREHOUSE, LocationKind.VAN),
    (MovementKind.ISSUE, LocationKind.VAN, None),
    (MovementKind.RETURN, LocationKind.VAN, LocationKind.WAREHOUSE),
])
def test_each_movement_goes_its_one_way(kind, source, target):
    check_movement(kind, source, target)


@pytest.mark.parametrize("kind, source, target, code", [
    (MovementKind.RECEIPT, None, LocationKind.VAN, "wrong_target"),
    (MovementKind.ISSUE, LocationKind.WAREHOUSE, None, "wrong_source"),
    (MovementKind.TRANSFER, LocationKind.VAN, LocationKind.VAN, "wrong_source"),
    (MovementKind.RETURN, LocationKind.VAN, LocationKind.VAN, "wrong_target"),
    (MovementKind.ADJUSTMENT, None, LocationKind.VAN, "unsupported_movement"),
])
def test_movements_between_the_wrong_kinds_of_location_are_refused(kind, source, target, code):
    with pytest.raises(MovementError) as error:
        check_movement(kind, source, target)
    assert error.value.code == code


def test_stock_is_low_at_or_below_the_threshold():
    assert is_low(2, 2) and is_low(0, 2)
    assert not is_low(3, 2)


def test_a_warehouse_is_low_at_or_below_the_parts_threshold():
    assert is_low(5, 5, LocationKind.WAREHOUSE) and is_low(0, 5, "warehouse")
    assert not is_low(6, 5, LocationKind.WAREHOUSE)
    assert low_threshold(LocationKind.WAREHOUSE, 5) == 5


def test_a_van_row_is_low_only_when_it_is_empty_whatever_the_parts_threshold():
    assert not is_low(4, 5, LocationKind.VAN) and not is_low(1, 6, "van")
    assert is_low(0, 5, LocationKind.VAN)
    assert low_threshold(LocationKind.VAN, 5) == 0
