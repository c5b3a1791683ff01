from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, enum_check, utcnow
from ..extensions import db
from .rules import CoverageKind


class SalesOffer(db.Model):
    """An agreement (extended-warranty) offer started from the warranty-expiry list, worked as a
    sales follow-up call.

    `open_unit_id` holds the unit while the offer may still be open; its unique constraint makes the
    database refuse a second open offer for one unit, even from two managers at the same moment.
    Whether the offer is still open is the follow-up's status (the call list owns it), so the next
    offer for the unit releases `open_unit_id` once that call is no longer pending.
    """

    __tablename__ = "sales_offer"
    __table_args__ = (CheckConstraint(enum_check("coverage_kind", CoverageKind), name="coverage_kind_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    open_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), unique=True)
    follow_up_id: Mapped[int] = mapped_column(ForeignKey("follow_up.id"), unique=True)
    coverage_kind: Mapped[str] = mapped_column(String(10))
    coverage_end: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
