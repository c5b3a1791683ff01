from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..choices import CheckboxesField, select_choices
from ..customers.forms import valid_serial
from ..i18n import lazy_gettext as _l, local_today
from .rules import Component, Exclusion
from .services import COMPONENT_LABELS, EXCLUSION_LABELS


class WarrantyCheckForm(FlaskForm):
    """Serial → decision. A lookup changes nothing, so it also works as a GET link (?serial=…)."""

    class Meta:
        csrf = False

    serial = StringField(_l("Serial number"), validators=[
        DataRequired(message=_l("Enter the serial number from the product label.")), Length(max=64), valid_serial])
    on = DateField(_l("Date of the failure"),
                   validators=[DataRequired(message=_l("Enter the date of the failure as YYYY-MM-DD."))])
    component = RadioField(_l("What failed"), default=Component.UNIT.value,
                           choices=select_choices((c.value, COMPONENT_LABELS[c]) for c in Component))
    exclusions = CheckboxesField(_l("Found on site or reported"),
                                 choices=select_choices([(e.value, EXCLUSION_LABELS[e]) for e in Exclusion]))

    def validate_on(self, field) -> None:
        if field.data and field.data.year < 2000:
            raise ValidationError(_l("The date cannot be before the year 2000."))
        # A mistyped year would give the customer a wrong "chargeable" answer.
        if field.data and field.data > local_today():
            raise ValidationError(_l("The failure cannot be in the future: check the date."))
