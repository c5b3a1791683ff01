from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Optional

from ..choices import select_choices
from ..i18n import lazy_gettext as _l
from ..validators import max_length
from .rules import CallOutcome, FollowUpKind, FollowUpStatus

KIND_LABELS = {
    FollowUpKind.SERVICE_CALLBACK: _l("Service callback"),
    FollowUpKind.COMPLAINT_CALLBACK: _l("Complaint callback"),
    FollowUpKind.AGREEMENT_CALLBACK: _l("Agreement callback"),
    FollowUpKind.PARTNER_CHECK: _l("Partner check"),
    FollowUpKind.SALES_OFFER: _l("Renewal offer"),
    FollowUpKind.SURVEY: _l("Survey"),
}
STATUS_LABELS = {
    FollowUpStatus.PENDING: _l("To call"),
    FollowUpStatus.DONE: _l("Done"),
    FollowUpStatus.UNREACHABLE: _l("Unreachable"),
}
SCORES = [(str(n), str(n)) for n in range(1, 6)]
YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]


class CallFilterForm(FlaskForm):
    """The call list's filters: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"), default="",
                       choices=select_choices([("", _l("All kinds"))] + [(k.value, label) for k, label in
                                                                          KIND_LABELS.items()]))
    assignee = SelectField(_l("Assigned to"), default="")
    district = SelectField(_l("District"), default="")
    status = SelectField(_l("Status"), choices=select_choices([(s.value, label) for s, label in STATUS_LABELS.items()]),
                         default=FollowUpStatus.PENDING.value)


class CallOutcomeForm(FlaskForm):
    reached = RadioField(_l("Did you reach the customer?"),
                         choices=select_choices([("yes", _l("Reached")), ("no", _l("Not reached"))]),
                         validators=[InputRequired(message=_l("Say whether the customer was reached."))])
    satisfaction = RadioField(_l("Overall satisfaction (1 = very unhappy, 5 = very happy)"),
                              choices=select_choices(SCORES), validators=[Optional()])
    on_time = RadioField(_l("Was the technician on time?"), choices=select_choices(YES_NO), validators=[Optional()])
    solved = RadioField(_l("Was the problem solved?"), choices=select_choices(YES_NO), validators=[Optional()])
    attitude = RadioField(_l("The technician's attitude (1 to 5)"), choices=select_choices(SCORES),
                          validators=[Optional()])
    comment = TextAreaField(_l("What the customer said"), validators=[Optional(), max_length(2000)])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Optional() stops a field's own validators when it is empty, so the cross-field rule lives here.
        if self.reached.data == "yes" and not self.satisfaction.data:
            self.satisfaction.errors = [*self.satisfaction.errors,
                                        _l("Please record the customer's satisfaction (1 to 5).")]
            return False
        return valid

    def outcome(self) -> CallOutcome:
        if self.reached.data != "yes":
            return CallOutcome(reached=False, comment=self.comment.data or "")
        return CallOutcome(reached=True, satisfaction=_score(self.satisfaction.data),
                           on_time=_yes_no(self.on_time.data), solved=_yes_no(self.solved.data),
                           attitude=_score(self.attitude.data), comment=(self.comment.data or "").strip())


def _score(value: str | None) -> int | None:
    return int(value) if value else None


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class ReassignForm(FlaskForm):
    assignee = SelectField(_l("Assign to"), default="")
