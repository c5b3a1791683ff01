"""Forms of the booking and dispatch pages: input shape only; the services decide what is allowed."""
from __future__ import annotations

from datetime import datetime, timezone

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..i18n import lazy_gettext as _l
from ..validators import max_length

REASON_MAX = 500
PICKED = "picked"


def encode_choice(technician_id: int, start: datetime) -> str:
    """A window offered on a page: "technician@POSIX seconds" (compact, no time zone to get wrong)."""
    return f"{technician_id}@{int(start.timestamp())}"


def decode_choice(value: str | None) -> tuple[int, datetime] | None:
    tech, sep, seconds = (value or "").partition("@")
    # isdecimal, not isdigit: int() cannot read "²".
    if not sep or not tech.isdecimal() or not seconds.isdecimal() or len(seconds) > 11 or len(tech) > 9:
        return None
    return int(tech), datetime.fromtimestamp(int(seconds), timezone.utc)


class BookForm(FlaskForm):
    """One form for the whole booking page: each suggestion's button submits `choice`; the "any free
    window" picker sets `picked` and submits choice=picked. The late reason is shared."""

    choice = StringField()
    picked = StringField()
    late_reason = StringField(_l("Customer's reason for a later visit"), validators=[Length(max=REASON_MAX)])
    # Only on the reschedule page: why the appointment moves (required there by the service).
    reason = StringField(_l("Why the appointment moves"), validators=[Length(max=REASON_MAX)])

    def validate_choice(self, field):
        value = self.picked.data if field.data == PICKED else field.data
        if decode_choice(value) is None:
            raise ValidationError(_l("Pick a window first.") if field.data == PICKED else
                                  _l("This window could not be read. Reload the page and try again."))

    def selected(self) -> tuple[int, datetime]:
        return decode_choice(self.picked.data if self.choice.data == PICKED else self.choice.data)


class ReasonForm(FlaskForm):
    """Cancel an appointment."""

    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Please give a reason.")), Length(max=REASON_MAX)])


class ReassignForm(FlaskForm):
    """Give the same window to another technician."""

    technician_id = SelectField(_l("Technician"), coerce=int, validate_choice=False,
                                validators=[DataRequired(_l("Choose a technician."))])
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Please give a reason.")), Length(max=REASON_MAX)])


class ForwardForm(FlaskForm):
    partner_id = SelectField(_l("Partner"), coerce=int, validate_choice=False,
                             validators=[DataRequired(_l("Choose a partner."))])
    note = TextAreaField(_l("Note for the partner"), validators=[Optional(), max_length(REASON_MAX)])


class PlanForm(FlaskForm):
    """Propose a plan for tomorrow, or apply one. Applying a plan with late visits needs the reason for
    them (required there by the service, which knows whether the plan has any)."""

    late_reason = StringField(_l("Reason for the late visits"), validators=[Length(max=REASON_MAX)])
