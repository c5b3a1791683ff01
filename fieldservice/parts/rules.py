"""Pure rules for stock: what a quantity is, which movements go where, when stock runs low."""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from enum import StrEnum


class LocationKind(StrEnum):
    WAREHOUSE = "warehouse"
    VAN = "van"


class MovementKind(StrEnum):
    RECEIPT = "receipt"
    TRANSFER = "transfer"  # 领用: warehouse to van
    ISSUE = "issue"  # van to a visit
    RETURN = "return"  # van back to a warehouse
    ADJUSTMENT = "adjustment"


class RequisitionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


MAX_QUANTITY = 9999
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


class QuantityError(ValueError):
    """code: required | not_a_number | fractional | not_positive | too_large."""

    def __init__(self, code: str, value: object = None):
        super().__init__(code)
        self.code = code
        self.value = value


def parse_quantity(value: object) -> int:
    """A count of parts: a whole number from 1 to MAX_QUANTITY, from a form's text or a JSON number.

    "2", "２" (full-width) and 2.0 are 2; "1.5", -1, 0, "abc" and True are refused with a code that
    names the problem, so the user is told what to fix rather than "invalid".
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise QuantityError("required", value)
    if isinstance(value, bool):
        raise QuantityError("not_a_number", value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if not _NUMBER.fullmatch(text):
            raise QuantityError("not_a_number", value)
        number = Decimal(text)
    elif isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, float):
        try:
            number = Decimal(repr(value))
        except InvalidOperation:
            raise QuantityError("not_a_number", value) from None
    else:
        raise QuantityError("not_a_number", value)
    if not number.is_finite():
        raise QuantityError("not_a_number", value)
    if number != number.to_integral_value():
        raise QuantityError("fractional", value)
    if number <= 0:
        raise QuantityError("not_positive", value)
    if number > MAX_QUANTITY:
        raise QuantityError("too_large", value)
    return int(number)


class MovementError(ValueError):
    """A movement between the wrong kinds of location; code names which."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# Where each movement may come from and go to (None: outside the stock, e.g. a supplier or a visit).
_ROUTES: dict[MovementKind, tuple[LocationKind | None, LocationKind | None]] = {
    MovementKind.RECEIPT: (None, LocationKind.WAREHOUSE),
    MovementKind.TRANSFER: (LocationKind.WAREHOUSE, LocationKind.VAN),
    MovementKind.ISSUE: (LocationKind.VAN, None),
    MovementKind.RETURN: (LocationKind.VAN, LocationKind.WAREHOUSE),
}


def check_movement(kind: MovementKind | str, source: LocationKind | str | None,
                   target: LocationKind | str | None) -> None:
    """Refuse e.g. a receipt into a van or an issue from a warehouse; raises MovementError."""
    expected = _ROUTES.get(MovementKind(kind))
    if expected is None:
        raise MovementError("unsupported_movement")
    want_source, want_target = expected
    if (source and LocationKind(source)) != want_source:
        raise MovementError("wrong_source")
    if (target and LocationKind(target)) != want_target:
        raise MovementError("wrong_target")


# A van is not a warehouse: it carries one or two of each part it was given for the day's visits, so the
# part's threshold (a reorder point for the warehouses, e.g. 5) would mark every van row. A van row is low
# only when it is empty: the technician cannot fit that part until they requisition more.
VAN_LOW_AT = 0


def low_threshold(kind: LocationKind | str, part_threshold: int) -> int:
    """The quantity at or below which a stock row is low: the part's threshold in a warehouse, 0 in a van."""
    return VAN_LOW_AT if LocationKind(kind) == LocationKind.VAN else part_threshold


def is_low(qty: int, threshold: int, kind: LocationKind | str = LocationKind.WAREHOUSE) -> bool:
    """Low stock: at or below the location's threshold (a warehouse threshold of 2 marks 2, 1 and 0;
    a van row only at 0)."""
    return qty <= low_threshold(kind, threshold)
