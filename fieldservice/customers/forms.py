"""Forms for customers and units: input shape only; the services check the rules again."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, FloatField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..choices import select_choices
from ..i18n import lazy_gettext as _l, local_today
from ..validators import STRIP
from .rules import (MAX_ADDRESS, MAX_CONTRACT_MONTHS, MAX_INVOICE, MAX_NAME, normalise_phone, normalise_serial,
                    parse_date, purchase_date_problem, serial_problem)

CUSTOMER_TYPE_CHOICES = [("consumer", _l("Consumer")), ("contract", _l("Contract (project purchase)"))]
SALE_TYPE_CHOICES = [("normal", _l("Normal sale")), ("clearance", _l("Clearance sale"))]


def valid_phone(_form, field) -> None:
    if field.data and normalise_phone(field.data) is None:
        raise ValidationError(_l("This is not a Chinese mobile or landline number (e.g. 138 0013 8000 or "
                                 "021 6888 1234)."))


def valid_serial(_form, field) -> None:
    if field.data and serial_problem(normalise_serial(field.data)):
        raise ValidationError(_l("Use 3 to 64 letters, digits, dashes or slashes, as on the product label."))


class TypedDateField(StringField):
    """A date typed as people write it (rules.parse_date): an agent keys 20261001 faster than the browser's
    date picker allows, whose parts also change order with the browser's language."""

    def process_formdata(self, valuelist):
        try:
            self.data = parse_date(valuelist[0] if valuelist else "")
        except ValueError:
            self.data = None
            raise ValueError(_l("Write the date as 2026-10-01 (or 20261001).")) from None

    def _value(self) -> str:
        if self.process_errors and self.raw_data:
            return self.raw_data[0]  # a refused date stays as typed, to be corrected
        return self.data.isoformat() if self.data else ""


def valid_purchase_date(_form, field) -> None:
    code = purchase_date_problem(field.data, local_today())
    if code == "purchase_date_in_future":
        raise ValidationError(_l("The purchase date cannot be in the future."))
    if code == "purchase_date_too_early":
        raise ValidationError(_l("The purchase date cannot be before the year 2000."))


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Phone, name, serial or request number"), filters=STRIP,
                    validators=[Optional(), Length(max=100)])


class CustomerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter the customer's name.")),
                                               Length(max=MAX_NAME)])
    phone = StringField(_l("Phone"), validators=[DataRequired(message=_l("Enter a phone number.")),
                                                 Length(max=40), valid_phone])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=MAX_ADDRESS)])
    customer_type = SelectField(_l("Customer type"), choices=select_choices(CUSTOMER_TYPE_CHOICES), default="consumer")
    contract_warranty_months = IntegerField(
        _l("Contract warranty months"), validators=[Optional(), NumberRange(0, MAX_CONTRACT_MONTHS)])
    lat = FloatField(_l("Latitude (optional)"), validators=[Optional(), NumberRange(-90, 90)])
    lon = FloatField(_l("Longitude (optional)"), validators=[Optional(), NumberRange(-180, 180)])

    # The explicit choice to save a customer whose phone already belongs to another one.
    create_anyway = BooleanField(_l("Create a new customer anyway"), default=False)

    def validate_lon(self, field) -> None:
        if (self.lat.data is None) != (field.data is None):
            raise ValidationError(_l("Give both latitude and longitude, or neither."))


class UnitFields:
    """The fields of a unit, shared by the unit form and the new-request form."""

    serial = StringField(_l("Serial number"), validators=[Optional(), Length(max=64), valid_serial])
    model_code = SelectField(_l("Model"), choices=[], validate_choice=False)
    purchase_date = TypedDateField(_l("Purchase date"), validators=[Optional(), valid_purchase_date],
                                   render_kw={"placeholder": "2026-10-01", "autocomplete": "off"})
    invoice_no = StringField(_l("Invoice number"), validators=[Optional(), Length(max=MAX_INVOICE)])
    sale_type = SelectField(_l("Sale type"), choices=select_choices(SALE_TYPE_CHOICES), default="normal")
    purchase_channel = StringField(_l("Bought at"), validators=[Optional(), Length(max=60)])


class UnitForm(UnitFields, FlaskForm):
    serial = StringField(_l("Serial number"), validators=[DataRequired(message=_l("Enter the serial number.")),
                                                          Length(max=64), valid_serial])
    install_address = StringField(_l("Install address, if different"),
                                  validators=[Optional(), Length(max=MAX_ADDRESS)])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file."))])


# Which field a service's error code belongs to, so the message shows next to what the user typed.
ERROR_FIELDS = {
    "serial_taken": "serial", "serial_malformed": "serial", "serial_missing": "serial",
    "unknown_model": "model_code", "model_missing": "model_code",
    "purchase_date_in_future": "purchase_date", "purchase_date_too_early": "purchase_date",
    "invoice_too_long": "invoice_no", "sale_type_invalid": "sale_type", "channel_too_long": "purchase_channel",
    "phone_invalid": "phone", "name_missing": "name", "name_too_long": "name", "address_too_long": "address",
    "customer_type_invalid": "customer_type", "contract_months_invalid": "contract_warranty_months",
    "coordinates_invalid": "lat", "description_missing": "fault_description",
    "description_too_long": "fault_description", "invalid_channel": "channel", "invalid_kind": "kind",
    # Shown at the "log anyway" box of the duplicate warning, which then gets the focus.
    "duplicate_open_request": "allow_duplicate",
}


def attach_error(form: FlaskForm, error) -> bool:
    """Put a DomainError's message on the form field it concerns; False when no field fits."""
    field = getattr(form, ERROR_FIELDS.get(error.code, ""), None)
    if field is None:
        return False
    field.errors = [*field.errors, str(error.message)]
    return True
