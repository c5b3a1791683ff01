from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from ..choices import CheckboxesField, select_choices
from ..i18n import lazy_gettext as _l
from ..warranty.rules import UNIT_CONTRACT_CAP_MONTHS
from .services import STATUS_LABELS


class AgreementForm(FlaskForm):
    units = CheckboxesField(_l("Units covered"), coerce=int,
                            validators=[DataRequired(message=_l("Choose at least one of the customer's units."))])
    start_date = DateField(_l("Starts on"), validators=[InputRequired(message=_l("Enter a date."))])
    end_date = DateField(_l("Ends on"), validators=[InputRequired(message=_l("Enter a date."))])
    amount = DecimalField(_l("Amount (CNY)"), places=2, default=0,
                          validators=[InputRequired(message=_l("Enter an amount.")),
                                      NumberRange(min=0, message=_l("The amount cannot be negative."))])
    parts_waiver_pct = IntegerField(_l("Parts waiver %"), default=0, validators=[
        InputRequired(message=_l("Enter a percentage.")),
        NumberRange(min=0, max=100, message=_l("A waiver is a percentage from 0 to 100."))])
    labour_waiver_pct = IntegerField(_l("Labour waiver %"), default=0, validators=[
        InputRequired(message=_l("Enter a percentage.")),
        NumberRange(min=0, max=100, message=_l("A waiver is a percentage from 0 to 100."))])
    contract_warranty_months = IntegerField(_l("Contract warranty (months)"), default=0, validators=[
        InputRequired(message=_l("Enter the number of months.")),
        NumberRange(min=0, max=UNIT_CONTRACT_CAP_MONTHS, message=_l("Contract warranty can be at most 36 months."))])
    monthly_callback = BooleanField(_l("Monthly callback"))
    quarterly_maintenance = BooleanField(_l("Quarterly maintenance"))
    yearly_servicing = BooleanField(_l("Yearly servicing"))
    owner = SelectField(_l("Account manager"), default="")

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data <= self.start_date.data:
            raise ValidationError(_l("The agreement must end after it starts."))


class CancelForm(FlaskForm):
    reason = StringField(_l("Reason for cancelling"),
                         validators=[DataRequired(message=_l("Say why the agreement is cancelled.")), Length(max=500)])


class AgreementFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default="",
                         choices=select_choices([("", _l("Draft and active")), ("all", _l("All"))] +
                                                [(s.value, label) for s, label in STATUS_LABELS.items()]))
