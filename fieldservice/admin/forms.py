"""Admin forms: technicians, the catalogue and runtime settings. Input shape and validation only."""
from __future__ import annotations

from datetime import time
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DecimalField, FloatField, IntegerField, PasswordField, SelectField, StringField,
                     TimeField)
from wtforms.validators import (DataRequired, InputRequired, Length, NumberRange, Optional, Regexp,
                                ValidationError)

from ..auth.forms import LOCALE_CHOICES
from ..catalog.services import product_line_choices
from ..choices import CheckboxesField, select_choices
from ..customers.rules import normalise_phone
from ..i18n import lazy_gettext as _l
from ..settings import get_setting
from ..validators import STRIP
from .services import TechnicianProfile, parse_regions

PRODUCT_LINES = product_line_choices()
WEEKDAYS = [("1", _l("Mon")), ("2", _l("Tue")), ("3", _l("Wed")), ("4", _l("Thu")), ("5", _l("Fri")),
            ("6", _l("Sat")), ("7", _l("Sun"))]
CODE = [DataRequired(), Length(max=40),
        Regexp(r"^[A-Za-z0-9][A-Za-z0-9_./-]*$", message=_l("Use letters, digits, dot, dash, slash or underscore."))]


def _phone(_form, field) -> None:
    if field.data and normalise_phone(field.data) is None:
        raise ValidationError(_l("Enter a mobile number (11 digits) or a landline with its area code."))


def _blank(field) -> bool:
    return not field.raw_data or not field.raw_data[0].strip()


class TechnicianForm(FlaskForm):
    display_name = StringField(_l("Full name"), filters=STRIP, validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Phone"), filters=STRIP, validators=[DataRequired(), Length(max=32), _phone],
                        description=_l("Read to customers in the booking confirmation."))
    base_address = StringField(_l("Base address"), filters=STRIP, validators=[DataRequired(), Length(max=255)],
                               description=_l("Where the technician starts the day, e.g. 上海市浦东新区张江路188号."))
    base_lat = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(-90, 90)])
    base_lon = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180)])
    skills = CheckboxesField(_l("Skills"), choices=select_choices(PRODUCT_LINES))
    area_radius_km = FloatField(_l("Service radius (km)"), default=30,
                                validators=[InputRequired(), NumberRange(1, 300)])
    regions = StringField(_l("Regions also covered"), filters=STRIP, validators=[Optional(), Length(max=500)],
                          description=_l("City or district names, separated by commas, e.g. 苏州市, 昆山市."))
    working_days = CheckboxesField(_l("Working days"), choices=select_choices(WEEKDAYS), default=list("123456"))
    # New technicians start with the centre's working day (runtime settings).
    work_start = TimeField(_l("Work starts"), validators=[InputRequired()],
                           default=lambda: time.fromisoformat(get_setting("WORK_START")))
    work_end = TimeField(_l("Work ends"), validators=[InputRequired()],
                         default=lambda: time.fromisoformat(get_setting("WORK_END")))
    active = BooleanField(_l("Active: can be booked"), default=True)

    def validate_skills(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one product line."))

    def validate_working_days(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one working day."))

    def validate_work_end(self, field) -> None:
        if self.work_start.data and field.data and field.data <= self.work_start.data:
            raise ValidationError(_l("The working day must end after it starts."))

    # Optional() ends validation of an empty field, so each check runs on the coordinate that was given.
    def validate_base_lat(self, field) -> None:
        if _blank(self.base_lon):
            raise ValidationError(_l("Enter both latitude and longitude, or neither."))

    def validate_base_lon(self, field) -> None:
        if _blank(self.base_lat):
            raise ValidationError(_l("Enter both latitude and longitude, or neither."))

    def profile(self) -> TechnicianProfile:
        return TechnicianProfile(
            display_name=self.display_name.data, phone=normalise_phone(self.phone.data),
            base_address=self.base_address.data, base_lat=self.base_lat.data, base_lon=self.base_lon.data,
            skills=[code for code, _label in PRODUCT_LINES if code in self.skills.data],
            area_radius_km=self.area_radius_km.data, regions=parse_regions(self.regions.data or ""),
            working_days="".join(sorted(set(self.working_days.data))), work_start=self.work_start.data,
            work_end=self.work_end.data, active=self.active.data)

    @staticmethod
    def data_from(technician) -> dict:
        return dict(display_name=technician.user.display_name, phone=technician.phone,
                    base_address=technician.base_address, base_lat=technician.base_lat,
                    base_lon=technician.base_lon, skills=list(technician.skills),
                    area_radius_km=technician.area_radius_km, regions=", ".join(technician.regions),
                    working_days=list(technician.working_days), work_start=technician.work_start,
                    work_end=technician.work_end, active=technician.active)


class NewTechnicianForm(TechnicianForm):
    username = StringField(_l("Username"), filters=STRIP, validators=[
        DataRequired(), Length(min=2, max=64),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, dot, dash or underscore."))])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=8, max=128)])
    locale = SelectField(_l("Language"), choices=select_choices(LOCALE_CHOICES))


# --- catalogue -------------------------------------------------------------------------------------------------

class ProductModelForm(FlaskForm):
    code = StringField(_l("Model code"), filters=STRIP, validators=CODE)
    name = StringField(_l("Name"), filters=STRIP, validators=[DataRequired(), Length(max=120)])
    product_line = SelectField(_l("Product line"), choices=select_choices(PRODUCT_LINES))
    unit_warranty_months = IntegerField(_l("Unit warranty (months)"), default=12,
                                        validators=[InputRequired(), NumberRange(0, 120)])
    accessory_warranty_months = IntegerField(_l("Accessory warranty (months)"), default=6,
                                             validators=[InputRequired(), NumberRange(0, 120)])
    available = BooleanField(_l("Still available (free replacement with the same model possible)"), default=True)

    def validate_accessory_warranty_months(self, field) -> None:
        if self.unit_warranty_months.data is not None and field.data is not None \
                and field.data > self.unit_warranty_months.data:
            raise ValidationError(_l("Accessories cannot be covered longer than the unit."))

    def values(self) -> dict:
        return dict(code=self.code.data, name=self.name.data, product_line=self.product_line.data,
                             unit_warranty_months=self.unit_warranty_months.data,
                             accessory_warranty_months=self.accessory_warranty_months.data,
                             available=self.available.data)


LINE_OR_ANY = [("", _l("Any product line"))] + PRODUCT_LINES


class PartForm(FlaskForm):
    code = StringField(_l("Part code"), filters=STRIP, validators=CODE)
    name = StringField(_l("Name"), filters=STRIP, validators=[DataRequired(), Length(max=120)])
    product_line = SelectField(_l("Product line"), choices=select_choices(LINE_OR_ANY))
    is_accessory = BooleanField(_l("Accessory (remote control, cable, filter…): covered for the accessory period"))
    unit_price = DecimalField(_l("Price (yuan)"), places=2, validators=[InputRequired(), NumberRange(0, 1000000)])
    low_stock_threshold = IntegerField(_l("Low-stock threshold"), default=2,
                                       validators=[InputRequired(), NumberRange(0, 100000)],
                                       description=_l("Stock at or below this is reported as low."))
    active = BooleanField(_l("Active"), default=True)

    def values(self) -> dict:
        return dict(code=self.code.data, name=self.name.data,
                             product_line=self.product_line.data or None, is_accessory=self.is_accessory.data,
                             unit_price=_money(self.unit_price.data),
                             low_stock_threshold=self.low_stock_threshold.data, active=self.active.data)


class LabourItemForm(FlaskForm):
    code = StringField(_l("Code"), filters=STRIP, validators=CODE)
    name = StringField(_l("Name"), filters=STRIP, validators=[DataRequired(), Length(max=120)])
    price = DecimalField(_l("Price (yuan)"), places=2, validators=[InputRequired(), NumberRange(0, 1000000)])
    minutes = IntegerField(_l("Standard time (minutes)"), default=30,
                           validators=[InputRequired(), NumberRange(1, 1440)])
    active = BooleanField(_l("Active"), default=True)

    def values(self) -> dict:
        return dict(code=self.code.data, name=self.name.data, price=_money(self.price.data),
                             minutes=self.minutes.data, active=self.active.data)


class FaultCodeForm(FlaskForm):
    code = StringField(_l("Code"), filters=STRIP, validators=[DataRequired(), Length(max=20), *CODE[2:]])
    name_zh = StringField(_l("Name in Chinese"), filters=STRIP, validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("Name in English"), filters=STRIP, validators=[DataRequired(), Length(max=120)])
    product_line = SelectField(_l("Product line"), choices=select_choices(LINE_OR_ANY))
    active = BooleanField(_l("Active"), default=True)

    def values(self) -> dict:
        return dict(code=self.code.data, name_zh=self.name_zh.data,
                             name_en=self.name_en.data, product_line=self.product_line.data or None,
                             active=self.active.data)


class PartnerForm(FlaskForm):
    name = StringField(_l("Company name"), filters=STRIP, validators=[DataRequired(), Length(max=120)])
    phone = StringField(_l("Phone"), filters=STRIP, validators=[DataRequired(), Length(max=32), _phone])
    regions = StringField(_l("Regions served"), filters=STRIP, validators=[DataRequired(), Length(max=1000)],
                          description=_l("City or district names, separated by commas, e.g. 常熟市, 张家港市."))
    active = BooleanField(_l("Active"), default=True)

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, obj=obj, **kwargs)
        if obj is not None and not self.is_submitted():
            # Stored as "a,b"; shown the way people type it.
            self.regions.data = ", ".join(parse_regions(obj.regions))

    def values(self) -> dict:
        return dict(name=self.name.data, phone=normalise_phone(self.phone.data),
                             regions=",".join(parse_regions(self.regions.data)), active=self.active.data)


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


# --- settings --------------------------------------------------------------------------------------------------

# "1 h", "1.5 h": a unit symbol reads right for every number, where "hours" would need plural forms.
WINDOW_CHOICES = [(m, _l("%(hours)s h", hours=m / 60 if m % 60 else m // 60)) for m in (60, 90, 120, 180, 240)]


class SettingsForm(FlaskForm):
    SLA_HOURS = IntegerField(_l("On-site promise (hours after the request)"),
                             validators=[InputRequired(), NumberRange(1, 168)])
    CALLBACK_DAYS = IntegerField(_l("Service callback due (days after the visit)"),
                                 validators=[InputRequired(), NumberRange(0, 60)])
    CALL_OUT_FEE = DecimalField(_l("Call-out fee (yuan)"), places=2,
                                validators=[InputRequired(), NumberRange(0, 10000)])
    WORK_START = TimeField(_l("Default working day starts"), validators=[InputRequired()])
    WORK_END = TimeField(_l("Default working day ends"), validators=[InputRequired()])
    WINDOW_MINUTES = SelectField(_l("Appointment window"), choices=select_choices(WINDOW_CHOICES), coerce=int)
    ROAD_FACTOR = FloatField(_l("Road factor (road distance ÷ straight-line distance)"),
                             validators=[InputRequired(), NumberRange(1, 3)])
    SPEED_KMH = FloatField(_l("Average travel speed (km/h)"), validators=[InputRequired(), NumberRange(5, 120)])
    REQUISITION_NEEDS_APPROVAL = BooleanField(_l("Parts requisitions need a manager's approval"))

    def validate_WORK_END(self, field) -> None:  # noqa: N802 (field names are the setting keys)
        if self.WORK_START.data and field.data and field.data <= self.WORK_START.data:
            raise ValidationError(_l("The working day must end after it starts."))

    def setting_values(self) -> dict:
        return {name: self[name].data for name in self.setting_names()}

    def setting_names(self) -> list[str]:
        return [f.name for f in self if f.name != "csrf_token"]
