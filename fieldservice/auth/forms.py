from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, Optional, Regexp

from ..choices import select_choices
from ..i18n import lazy_gettext as _l
from ..validators import STRIP
from .models import Role

ROLE_CHOICES = [
    (Role.AGENT.value, _l("Call-centre agent")),
    (Role.TECHNICIAN.value, _l("Technician")),
    (Role.MANAGER.value, _l("Manager")),
    (Role.ADMIN.value, _l("Administrator")),
]
LOCALE_CHOICES = [("", _l("Browser default")), ("zh_CN", "简体中文"), ("en", "English")]


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])


class LanguageForm(FlaskForm):
    locale = HiddenField(validators=[AnyOf(["zh_CN", "en"])])


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[
        DataRequired(), Length(min=2, max=64),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, dot, dash or underscore."))])
    display_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    role = SelectField(_l("Role"), choices=select_choices(ROLE_CHOICES))
    locale = SelectField(_l("Language"), choices=select_choices(LOCALE_CHOICES))
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=8, max=128)])


class EditUserForm(FlaskForm):
    display_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    role = SelectField(_l("Role"), choices=select_choices(ROLE_CHOICES))
    locale = SelectField(_l("Language"), choices=select_choices(LOCALE_CHOICES))
    active = BooleanField(_l("Active"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=128)])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))])


class ApiTokenForm(FlaskForm):
    label = StringField(_l("What the token is for"), filters=STRIP, validators=[Optional(), Length(max=100)],
                        description=_l("e.g. telephony, WeChat front end"))
