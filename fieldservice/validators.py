"""Validators, filters and converters shared by the areas' forms and views."""
from __future__ import annotations

from datetime import date

from wtforms import IntegerField
from wtforms.validators import Length

from .i18n import lazy_gettext as _l

# WTForms fills in the numbers. Text areas carry no maxlength (the browser would cut a long paste silently:
# templates/_macros/forms.html), so this message is what tells the user the text was not saved.
TOO_LONG = _l("This text has %(length)d characters; at most %(max)d are allowed.")


def max_length(limit: int) -> Length:
    """At most `limit` characters, refused with a message that gives the length and the limit."""
    return Length(max=limit, message=TOO_LONG)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


# Field filters: surrounding spaces of a typed or pasted value are never meant.
STRIP = [_strip]


# Ids, counts and page numbers meet INTEGER columns: PostgreSQL refuses a larger number with an error (and
# SQLite one beyond 2**63), where the user should hear that nothing matches.
DB_INT_MAX = 2**31 - 1
# Dates from a link or an API call: the day after, the day before and the UTC bounds of a local day must exist.
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2999, 12, 31)


def db_int(value) -> int:
    """An integer an INTEGER column can hold, else ValueError: `request.args.get(name, default, type=db_int)`
    then gives the default, as it does for text that is not a number."""
    number = int(value)
    if abs(number) > DB_INT_MAX:
        raise ValueError("out of range")
    return number


def is_row_id(number: int) -> bool:
    """Whether a row could have this id: services check ids from JSON or forms before the driver sees them."""
    return 0 < number <= DB_INT_MAX


def parse_id(value) -> int | None:
    """The id in a form's or a link's text (a radio value, ?customer_id=): None unless a row could have it."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if is_row_id(number) else None


def iso_date(value: str) -> date:
    """A YYYY-MM-DD date between EARLIEST_DATE and LATEST_DATE, else ValueError."""
    day = date.fromisoformat(value)
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError("out of range")
    return day


def has_nul(value) -> bool:
    """Whether a string, or any string in these nested lists, tuples and dict values, holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return has_nul(list(value.values()))
    if isinstance(value, (list, tuple)):
        return any(has_nul(item) for item in value)
    return False


class IdField(IntegerField):
    """The id of a row, sent by the page: a number no row can have is refused like text that is not a number."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and abs(self.data) > DB_INT_MAX:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
