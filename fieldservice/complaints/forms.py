from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..choices import select_choices
from ..i18n import lazy_gettext as _l
from ..validators import IdField, max_length
from .services import CATEGORY_LABELS, CHANNEL_LABELS, SEVERITY_LABELS, STATUS_LABELS

CATEGORY_CHOICES = [(c.value, label) for c, label in CATEGORY_LABELS.items()]
SEVERITY_CHOICES = [(s.value, label) for s, label in SEVERITY_LABELS.items()]


class ComplaintForm(FlaskForm):
    customer_id = IdField(validators=[DataRequired(message=_l("Choose the customer who complains."))])
    request_id = IdField(validators=[Optional()])
    channel = SelectField(_l("Channel"),
                          choices=select_choices((c.value, label) for c, label in CHANNEL_LABELS.items()))
    category = SelectField(_l("Category"), choices=select_choices(CATEGORY_CHOICES))
    severity = RadioField(_l("Severity"), choices=select_choices(SEVERITY_CHOICES), default="general")
    description = TextAreaField(_l("What the customer complains about"),
                                validators=[DataRequired(message=_l("Describe what the customer complains about.")),
                                            max_length(4000)])


class CustomerSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Customer name or phone"), validators=[Optional(), Length(max=100)])


class ComplaintFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default="",
                         choices=select_choices([("", _l("Unresolved")), ("all", _l("All"))] +
                                                [(s.value, label) for s, label in STATUS_LABELS.items()]))
    severity = SelectField(_l("Severity"), default="", choices=select_choices([("", _l("All"))] + SEVERITY_CHOICES))


class NoteForm(FlaskForm):
    text = TextAreaField(_l("Note"), validators=[DataRequired(message=_l("The note is empty.")), max_length(4000)])


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("What the customer was told"),
                         validators=[DataRequired(message=_l("Write down what the customer was told.")),
                                     max_length(4000)])


class ResolveForm(FlaskForm):
    resolution = TextAreaField(_l("Resolution"),
                               validators=[DataRequired(message=_l("Describe how the complaint was resolved.")),
                                           max_length(4000)])


class OwnerForm(FlaskForm):
    owner = SelectField(_l("Owner"), default="")


class ConfirmDraftForm(FlaskForm):
    category = SelectField(_l("Category"), choices=select_choices(CATEGORY_CHOICES))
    severity = RadioField(_l("Severity"), choices=select_choices(SEVERITY_CHOICES), default="general")


class DismissForm(FlaskForm):
    reason = StringField(_l("Why this is not a complaint"),
                         validators=[DataRequired(message=_l("Say why this is not a complaint.")), Length(max=500)])
