from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, enum_check, utcnow
from ..extensions import db
from .rules import FollowUpKind, FollowUpStatus

__all__ = ["FollowUp", "FollowUpKind", "FollowUpStatus"]


class FollowUp(db.Model):
    """回访: a call to make. Unique keys make creation idempotent per visit/complaint/plan item."""

    __tablename__ = "follow_up"
    __table_args__ = (
        CheckConstraint(enum_check("kind", FollowUpKind), name="kind_valid"),
        CheckConstraint(enum_check("status", FollowUpStatus), name="status_valid"),
        CheckConstraint("satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="satisfaction_range"),
        CheckConstraint("attitude IS NULL OR attitude BETWEEN 1 AND 5", name="attitude_range"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        UniqueConstraint("kind", "appointment_id", name="uq_follow_up_kind_appointment"),
        UniqueConstraint("kind", "complaint_id", name="uq_follow_up_kind_complaint"),
        UniqueConstraint("planned_visit_id", name="uq_follow_up_planned_visit"),
        Index("ix_follow_up_status_due", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_request.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"))
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("service_agreement.id"))
    planned_visit_id: Mapped[int | None] = mapped_column(ForeignKey("planned_visit.id"))
    due_date: Mapped[date] = mapped_column(Date)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12), default=FollowUpStatus.PENDING)
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    solved: Mapped[bool | None] = mapped_column(Boolean)
    attitude: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "Not solved": the repair request opened from this call (one, however often the button is pressed).
    new_request_id: Mapped[int | None] = mapped_column(ForeignKey("service_request.id"))
    # Low satisfaction: the complaint draft raised from this call, for a person to review.
    raised_complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped["Customer"] = relationship()  # noqa: F821
    request: Mapped["ServiceRequest | None"] = relationship(foreign_keys=[request_id])  # noqa: F821
    new_request: Mapped["ServiceRequest | None"] = relationship(foreign_keys=[new_request_id])  # noqa: F821
    appointment: Mapped["Appointment | None"] = relationship()  # noqa: F821
    complaint: Mapped["Complaint | None"] = relationship(foreign_keys=[complaint_id])  # noqa: F821
    raised_complaint: Mapped["Complaint | None"] = relationship(foreign_keys=[raised_complaint_id])  # noqa: F821
    agreement: Mapped["ServiceAgreement | None"] = relationship()  # noqa: F821
    planned_visit: Mapped["PlannedVisit | None"] = relationship()  # noqa: F821
    assignee: Mapped["User | None"] = relationship()  # noqa: F821
