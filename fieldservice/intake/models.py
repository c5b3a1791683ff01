from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, enum_check, utcnow
from ..extensions import db
from .rules import Channel, RequestKind, RequestStatus


class DailyCounter(db.Model):
    """Per-day sequence (request and receipt numbers), incremented inside the writing transaction."""

    __tablename__ = "daily_counter"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class ServiceRequest(db.Model):
    __tablename__ = "service_request"
    __table_args__ = (
        CheckConstraint(enum_check("status", RequestStatus), name="status_valid"),
        CheckConstraint(enum_check("channel", Channel), name="channel_valid"),
        CheckConstraint(enum_check("kind", RequestKind), name="kind_valid"),
        CheckConstraint("sla_due_at > reported_at", name="sla_after_report"),
        Index("ix_service_request_status_sla", "status", "sla_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(12), default=RequestKind.REPAIR)
    fault_description: Mapped[str] = mapped_column(Text)
    # 首问负责: the agent who took the request owns it until it is closed.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sla_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    warranty_snapshot: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.NEW, index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    parent_request_id: Mapped[int | None] = mapped_column(ForeignKey("service_request.id"))
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("service_agreement.id"))
    confirmation_text: Mapped[str | None] = mapped_column(Text)
    # Depot repair: unit taken to the service centre, a loaner left with the customer.
    loaner_serial: Mapped[str | None] = mapped_column(String(64))
    depot_due_date: Mapped[date | None] = mapped_column(Date)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer: Mapped["Customer"] = relationship()  # noqa: F821
    unit: Mapped["Unit | None"] = relationship()  # noqa: F821
    owner: Mapped["User | None"] = relationship()  # noqa: F821
    partner: Mapped["Partner | None"] = relationship()  # noqa: F821
    parent: Mapped["ServiceRequest | None"] = relationship(remote_side=[id])
    appointments: Mapped[list["Appointment"]] = relationship(  # noqa: F821
        back_populates="request", order_by="Appointment.window_start")
    notes: Mapped[list["RequestNote"]] = relationship(
        back_populates="request", order_by="RequestNote.created_at.desc()")

    @property
    def first_arrival_at(self) -> datetime | None:
        """When a technician first arrived: the moment that decided the on-site promise."""
        return min((a.arrived_at for a in self.appointments if a.arrived_at is not None), default=None)


class RequestNote(db.Model):
    __tablename__ = "request_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[ServiceRequest] = relationship(back_populates="notes")
    author: Mapped["User | None"] = relationship()  # noqa: F821
