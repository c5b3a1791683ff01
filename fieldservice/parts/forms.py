from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..choices import select_choices
from ..i18n import lazy_gettext as _l
from ..validators import max_length
from .rules import MovementKind, QuantityError, parse_quantity
from .services import quantity_message


class WholeQuantity:
    """A part count: whole, positive, with a message saying what is wrong (e.g. "1.5 is not a whole number")."""

    def __call__(self, form, field):
        try:
            parse_quantity(field.data)
        except QuantityError as error:
            raise ValidationError(quantity_message(error)) from None


def optional_int(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(_l("Not a valid choice.")) from None


class _StockForm(FlaskForm):
    part = SelectField(_l("Part"), coerce=optional_int, validators=[DataRequired(_l("Choose a part."))])
    location = SelectField(_l("Warehouse"), coerce=optional_int, validators=[DataRequired(_l("Choose a warehouse."))])
    qty = StringField(_l("Quantity"), default="1", validators=[WholeQuantity()],
                      render_kw={"inputmode": "numeric", "autocomplete": "off"})
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class RequisitionForm(_StockForm):
    """领用: parts from a warehouse into my van."""


class ReturnForm(_StockForm):
    """Unused parts from my van back to a warehouse."""


class ReceiptForm(_StockForm):
    """Goods received into a warehouse."""


class RejectForm(FlaskForm):
    note = TextAreaField(_l("Reason"), validators=[Optional(), max_length(500)])


KIND_LABELS = {
    MovementKind.RECEIPT: _l("Receipt"),
    MovementKind.TRANSFER: _l("Requisition to van"),
    MovementKind.ISSUE: _l("Issued to visit"),
    MovementKind.RETURN: _l("Return to warehouse"),
    MovementKind.ADJUSTMENT: _l("Adjustment"),
}


class LevelFilterForm(FlaskForm):
    class Meta:
        csrf = False

    location = SelectField(_l("Location"), coerce=optional_int, validators=[Optional()])
    q = StringField(_l("Part"), validators=[Optional(), Length(max=60)])
    low = BooleanField(_l("Low stock only"))


class MovementFilterForm(FlaskForm):
    class Meta:
        csrf = False

    location = SelectField(_l("Location"), coerce=optional_int, validators=[Optional()])
    q = StringField(_l("Part"), validators=[Optional(), Length(max=60)])
    kind = SelectField(_l("Movement"), validators=[Optional()],
                       choices=select_choices([("", _l("All"))] + [(k.value, v) for k, v in KIND_LABELS.items()]))
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
