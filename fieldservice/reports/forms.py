"""Report filters (GET forms: bookmarkable, no CSRF token) and the offer button (a POST)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..auth.models import User
from ..catalog.models import ProductModel
from ..catalog.services import product_line_label
from ..choices import select_choices
from ..customers.models import CustomerType
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..scheduling.models import Technician
from ..validators import IdField
from .rules import CoverageChoice

MAX_RANGE_DAYS = 366

COVERAGE_LABELS = {
    CoverageChoice.UNIT: _l("Whole unit (and agreements)"),
    CoverageChoice.ACCESSORY: _l("Accessories"),
    CoverageChoice.ALL: _l("Whole unit and accessories"),
}
CUSTOMER_TYPE_LABELS = {CustomerType.CONSUMER: _l("Consumer"), CustomerType.CONTRACT: _l("Contract customer")}


class _PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[DataRequired(_l("Choose the first day."))])
    end = DateField(_l("To"), validators=[DataRequired(_l("Choose the last day."))])

    def validate_end(self, field):
        if self.start.data and field.data:
            if field.data < self.start.data:
                raise ValidationError(_l("The last day cannot be before the first day."))
            if (field.data - self.start.data).days >= MAX_RANGE_DAYS:
                raise ValidationError(_l("Choose at most a year."))

    def optional_int(self, name: str) -> int | None:
        value = getattr(self, name).data
        return int(value) if value else None

    def optional_text(self, name: str) -> str | None:
        return (getattr(self, name).data or "").strip() or None


def _empty(label) -> list[tuple[str, str]]:
    return [("", label)]


def product_line_choices() -> list[tuple[str, str]]:
    lines = db.session.scalars(select(ProductModel.product_line).distinct().order_by(ProductModel.product_line))
    return _empty(_l("All product lines")) + [(line, product_line_label(line)) for line in lines]


def model_choices() -> list[tuple[str, str]]:
    models = db.session.execute(select(ProductModel.id, ProductModel.code, ProductModel.name)
                                .order_by(ProductModel.code))
    return _empty(_l("All models")) + [(str(i), f"{code} {name}") for i, code, name in models]


def technician_choices(label) -> list[tuple[str, str]]:
    rows = db.session.execute(select(Technician.id, User.display_name).join(User, User.id == Technician.user_id)
                              .where(Technician.active.is_(True)).order_by(User.display_name))
    return _empty(label) + [(str(i), name) for i, name in rows]


class ExpiryForm(_PeriodForm):
    start = DateField(_l("Coverage ends from"), validators=[DataRequired(_l("Choose the first day."))])
    end = DateField(_l("to"), validators=[DataRequired(_l("Choose the last day."))])
    coverage = SelectField(_l("Coverage"), default=CoverageChoice.UNIT.value,
                           choices=select_choices((c.value, label) for c, label in COVERAGE_LABELS.items()))
    product_line = SelectField(_l("Product line"), default="")
    model_id = SelectField(_l("Model"), default="")
    province = StringField(_l("Province"), validators=[Optional(), Length(max=40)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=40)])
    district = StringField(_l("District"), validators=[Optional(), Length(max=40)])
    customer_type = SelectField(_l("Customer type"), default="",
                                choices=select_choices(_empty(_l("All customers")) + [(t.value, label) for t, label in
                                                                                      CUSTOMER_TYPE_LABELS.items()]))
    technician_id = SelectField(_l("Technician's area"), default="")

    def load_choices(self) -> ExpiryForm:
        self.product_line.choices = product_line_choices()
        self.model_id.choices = model_choices()
        self.technician_id.choices = technician_choices(_l("Any area"))
        return self


class ReportForm(_PeriodForm):
    product_line = SelectField(_l("Product line"), default="")
    model_id = SelectField(_l("Model"), default="")
    district = StringField(_l("District"), validators=[Optional(), Length(max=40)])
    technician_id = SelectField(_l("Technician"), default="")

    def load_choices(self) -> ReportForm:
        self.product_line.choices = product_line_choices()
        self.model_id.choices = model_choices()
        self.technician_id.choices = technician_choices(_l("All technicians"))
        return self


class OfferForm(FlaskForm):
    unit_id = IdField(validators=[InputRequired()])
    next = HiddenField()
