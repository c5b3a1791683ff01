"""Validators and filters shared by the areas' forms."""
from __future__ import annotations

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
