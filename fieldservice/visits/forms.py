from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, RadioField, SelectField, StringField,
                     TextAreaField)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..choices import CheckboxesField, select_choices
from ..i18n import lazy_gettext as _l
from ..validators import max_length
from ..parts.forms import WholeQuantity, optional_int
from ..parts.rules import QuantityError, parse_quantity
from .rules import (ON_SITE_EXCLUSIONS, Completion, LabourInput, PartInput, Verdict, VisitOutcome, WorkInput,
                    parse_labour_qty)
from ..warranty.services import EXCLUSION_LABELS
from .services import OUTCOME_LABELS, VERDICT_LABELS, labour_quantity_message


class LabourQuantity:
    def __call__(self, form, field):
        try:
            parse_labour_qty(field.data)
        except QuantityError as error:
            raise ValidationError(labour_quantity_message(error)) from None


def _when_chosen(validator, chooser: str):
    """Check a row's quantity only when the row's item is chosen: empty rows are simply unused."""

    def check(form, field):
        if form[chooser].data is not None:
            validator(form, field)

    return check


class LabourRow(Form):
    item = SelectField(_l("Labour"), coerce=optional_int, validate_choice=True)
    qty = StringField(_l("Qty"), default="1", validators=[_when_chosen(LabourQuantity(), "item")],
                      render_kw={"inputmode": "decimal", "autocomplete": "off"})


class PartRow(Form):
    part = SelectField(_l("Part from my van"), coerce=optional_int, validate_choice=True,
                       invalid_choice_message=_l("This part is not in your van stock."))
    qty = StringField(_l("Qty"), default="1", validators=[_when_chosen(WholeQuantity(), "part")],
                      render_kw={"inputmode": "numeric", "autocomplete": "off"})


class CompletionForm(FlaskForm):
    """The whole visit, submitted once (with a key made when the form loaded) after the customer signs."""

    idempotency_key = HiddenField(validators=[DataRequired(_l("The form is incomplete; reload the page.")),
                                              Length(max=100)])
    model_found = StringField(_l("Model on the unit"), validators=[Optional(), Length(max=40)])
    serial_found = StringField(_l("Serial number on the unit"), validators=[DataRequired(), Length(max=64)],
                               render_kw={"autocomplete": "off", "autocapitalize": "characters"})
    serial_altered = BooleanField(_l("The serial plate is altered, damaged or unreadable"))
    exclusions = CheckboxesField(_l("Seen on site"),
                                 choices=select_choices([(e.value, EXCLUSION_LABELS[e]) for e in ON_SITE_EXCLUSIONS]))
    exclusion_note = TextAreaField(_l("What you saw"), validators=[Optional(), max_length(4000)])
    photos = MultipleFileField(_l("Photos (JPEG or PNG)"), render_kw={"accept": "image/jpeg,image/png"})
    fault_code = SelectField(_l("Fault cause"), coerce=optional_int, validate_choice=True)
    diagnosis = TextAreaField(_l("Diagnosis"), validators=[DataRequired(), max_length(4000)])
    resolution = TextAreaField(_l("Work done"), validators=[DataRequired(), max_length(4000)])
    labour = FieldList(FormField(LabourRow), min_entries=2, max_entries=20)
    parts = FieldList(FormField(PartRow), min_entries=2, max_entries=20)
    outcome = RadioField(_l("Outcome"), default=VisitOutcome.FIXED.value,
                         choices=select_choices([(o.value, OUTCOME_LABELS[o]) for o in VisitOutcome]))
    loaner_serial = StringField(_l("Loaner unit serial number"), validators=[Optional(), Length(max=64)])
    verdict = RadioField(_l("Are you satisfied with the service?"),
                         choices=select_choices([(v.value, VERDICT_LABELS[v]) for v in Verdict]),
                         validators=[DataRequired(_l("Please choose one."))])
    customer_comment = TextAreaField(_l("Your comments"), validators=[Optional(), max_length(1000)])
    signer_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100)])
    signature = FileField(_l("Signature"))

    def set_choices(self, fault_codes, labour_items, van_stock, locale: str) -> None:
        self.fault_code.choices = [("", _l("— choose —"))] + [
            (f.id, f"{f.code} {f.name_for(locale)}") for f in fault_codes]
        labour_choices = [("", "—")] + [(i.id, f"{i.code} {i.name} · ¥{i.price}") for i in labour_items]
        # Each option says how many the van holds (data-van-qty): visit.js refuses more on the parts step,
        # before the customer sees the fees and signs.
        part_choices = [("", "—")] + [
            SelectChoice(level.part.id, f"{level.part.code} {level.part.name} · ¥{level.part.unit_price}"
                                        f" · {_l('%(n)s in the van', n=level.qty)}",
                         render_kw={"data-van-qty": level.qty, "data-part": f"{level.part.code} {level.part.name}"})
            for level in van_stock]
        for row in self.labour:
            row.form.item.choices = labour_choices
        for row in self.parts:
            row.form.part.choices = part_choices

    def validate_loaner_serial(self, field):
        if self.outcome.data == VisitOutcome.DEPOT_REPAIR and not (field.data or "").strip():
            raise ValidationError(_l("Record the serial number of the loaner unit left with the customer."))

    def validate_exclusion_note(self, field):
        if self.exclusions.data and not (field.data or "").strip():
            raise ValidationError(_l("Describe what you saw when you record misuse or force majeure."))

    def work(self) -> WorkInput:
        return WorkInput(
            model_found=(self.model_found.data or "").strip(),
            serial_found=(self.serial_found.data or "").strip(),
            serial_altered=bool(self.serial_altered.data),
            exclusions=tuple(self.exclusions.data or ()),
            labour=tuple(LabourInput(row.item.data, parse_labour_qty(row.qty.data))
                         for row in (entry.form for entry in self.labour) if row.item.data is not None),
            parts=tuple(PartInput(row.part.data, parse_quantity(row.qty.data))
                        for row in (entry.form for entry in self.parts) if row.part.data is not None),
        )

    def completion(self, signature_png: bytes, photos: list[bytes]) -> Completion:
        return Completion(
            work=self.work(),
            exclusion_note=self.exclusion_note.data or "",
            fault_code_id=self.fault_code.data,
            diagnosis=self.diagnosis.data or "",
            resolution=self.resolution.data or "",
            outcome=self.outcome.data,
            loaner_serial=self.loaner_serial.data or "",
            verdict=self.verdict.data or "",
            customer_comment=self.customer_comment.data or "",
            signer_name=self.signer_name.data or "",
            signature_png=signature_png,
            photos=tuple(photos),
        )

    def work_errors(self) -> list[str]:
        """Validate only what the fee preview needs (lines and identity), returning the messages."""
        fields = (self.labour, self.parts, self.exclusions)
        return [str(message) for field in fields if not field.validate(self)
                for message in _flatten(field.errors)]


class CorrectionForm(FlaskForm):
    fault_code = SelectField(_l("Fault cause"), coerce=optional_int, validate_choice=True)
    diagnosis = TextAreaField(_l("Diagnosis"), validators=[DataRequired(), max_length(4000)])
    resolution = TextAreaField(_l("Work done"), validators=[DataRequired(), max_length(4000)])
    note = TextAreaField(_l("Reason for the correction"), validators=[DataRequired(), max_length(1000)])


class TravelForm(FlaskForm):
    """The status buttons: CSRF only."""


class ArriveForm(FlaskForm):
    lat = HiddenField()
    lon = HiddenField()

    def position(self) -> tuple[float | None, float | None]:
        try:
            return float(self.lat.data), float(self.lon.data)
        except (TypeError, ValueError):
            return None, None


class VerifyForm(FlaskForm):
    pdf = FileField(_l("Report PDF file"), render_kw={"accept": "application/pdf"})
    number = StringField(_l("Request number"), validators=[Optional(), Length(max=20)])
    code = StringField(_l("Verification code"), validators=[Optional(), Length(max=20)])


def _flatten(errors) -> list:
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _flatten(value)]
    if isinstance(errors, (list, tuple)):
        return [m for value in errors for m in _flatten(value)]
    return [errors]
