from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..choices import select_choices
from ..customers.forms import UnitFields, valid_phone
from ..customers.rules import MAX_ADDRESS, MAX_NAME
from ..i18n import lazy_gettext as _l
from ..validators import max_length, parse_id
from .rules import Channel, RequestKind, RequestStatus
from .services import MAX_DESCRIPTION, MAX_NOTE, STATUS_LABELS

CHANNEL_CHOICES = [
    (Channel.PHONE.value, _l("Phone")),
    (Channel.ONLINE.value, _l("Online")),
    (Channel.WECHAT.value, _l("WeChat")),
    (Channel.EMAIL.value, _l("Email")),
    (Channel.WALK_IN.value, _l("Walk-in")),
]
KIND_CHOICES = [
    (RequestKind.REPAIR.value, _l("Repair")),
    (RequestKind.INSTALL.value, _l("Installation")),
    (RequestKind.MAINTENANCE.value, _l("Maintenance")),
]
NEW = "new"
NO_UNIT = "none"


class NewRequestForm(UnitFields, FlaskForm):
    """One screen: the caller (found by phone or new), the unit (theirs, new or not known yet), the fault."""

    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40), valid_phone])
    customer = RadioField(_l("Customer"), choices=[], validate_choice=False, default=NEW)
    name = StringField(_l("Name"), validators=[Optional(), Length(max=MAX_NAME)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=MAX_ADDRESS)])
    unit = RadioField(_l("Unit"), choices=[], validate_choice=False, default=NEW)
    channel = SelectField(_l("Contact channel"), choices=select_choices(CHANNEL_CHOICES), default=Channel.PHONE.value)
    kind = SelectField(_l("Kind of request"), choices=select_choices(KIND_CHOICES), default=RequestKind.REPAIR.value)
    fault_description = TextAreaField(_l("Fault description"), validators=[
        DataRequired(message=_l("Describe the fault in the customer's words.")),
        max_length(MAX_DESCRIPTION)])
    allow_duplicate = BooleanField(_l("This is a different fault: log a new request anyway"))
    allow_same_phone = BooleanField(_l("Someone else with this number: save a new customer anyway"))
    add_note_to = HiddenField()

    @property
    def new_customer(self) -> bool:
        return self.customer.data in (None, "", NEW)

    @property
    def new_unit(self) -> bool:
        return self.unit.data == NEW

    def validate_customer(self, field) -> None:
        if not self.new_customer and parse_id(field.data) is None:
            raise ValidationError(_l("Choose one of the customers found, or a new customer."))

    def validate_unit(self, field) -> None:
        if field.data not in (NEW, NO_UNIT) and parse_id(field.data) is None:
            raise ValidationError(_l("Choose a unit, register a new one, or say the serial is not known yet."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Required only for the option chosen: Optional() on these fields would stop inline validators.
        required = []
        if self.new_customer:
            required += [(self.name, _l("Enter the customer's name.")),
                         (self.phone, _l("Enter the caller's phone number."))]
        if self.new_unit:
            required += [(self.serial, _l("Enter the serial number, or choose “serial not known yet”.")),
                         (self.model_code, _l("Choose the product model."))]
        for field, message in required:
            if not (field.data or "").strip():
                field.errors = [*field.errors, message]
                valid = False
        return valid


class NoteForm(FlaskForm):
    text = TextAreaField(_l("Note"), validators=[
        DataRequired(message=_l("Write the note first.")),
        max_length(MAX_NOTE)])


class RequestFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default="", validate_choice=True,
                         choices=select_choices([("", _l("All")), ("open", _l("Open"))]
                                                + [(s.value, STATUS_LABELS[s]) for s in RequestStatus]))
    mine = BooleanField(_l("Mine only"))
    at_risk = BooleanField(_l("Promise at risk"))
