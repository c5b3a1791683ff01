from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, enum_check, utcnow
from ..extensions import db
from .rules import ComplaintCategory, ComplaintStatus, Severity

__all__ = ["Complaint", "ComplaintCategory", "ComplaintNote", "ComplaintStatus", "Severity"]


class Complaint(db.Model):
    __tablename__ = "complaint"
    __table_args__ = (
        CheckConstraint(enum_check("category", ComplaintCategory), name="category_valid"),
        CheckConstraint(enum_check("severity", Severity), name="severity_valid"),
        CheckConstraint(enum_check("status", ComplaintStatus), name="status_valid"),
        CheckConstraint("reply_due_at > received_at", name="reply_due_after_receipt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_request.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(8), default=Severity.GENERAL)
    description: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reply_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(10), default=ComplaintStatus.OPEN, index=True)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_text: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped["Customer"] = relationship()  # noqa: F821
    request: Mapped["ServiceRequest | None"] = relationship()  # noqa: F821
    owner: Mapped["User | None"] = relationship(foreign_keys=[owner_id])  # noqa: F821
    replied_by: Mapped["User | None"] = relationship(foreign_keys=[replied_by_id])  # noqa: F821
    notes: Mapped[list["ComplaintNote"]] = relationship(order_by="ComplaintNote.created_at")


class ComplaintNote(db.Model):
    __tablename__ = "complaint_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped["User | None"] = relationship()  # noqa: F821
