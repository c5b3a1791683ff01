from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, enum_check, utcnow
from ..extensions import db
from .rules import LocationKind, MovementKind, RequisitionStatus


class StockLocation(db.Model):
    __tablename__ = "stock_location"
    __table_args__ = (CheckConstraint(enum_check("kind", LocationKind), name="kind_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))


class StockLevel(db.Model):
    __tablename__ = "stock_level"
    # The database, not the code, guarantees stock never goes negative.
    __table_args__ = (CheckConstraint("qty >= 0", name="qty_not_negative"),)

    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_location.id"), primary_key=True)
    qty: Mapped[int] = mapped_column(Integer, default=0)

    part: Mapped["Part"] = relationship()  # noqa: F821
    location: Mapped[StockLocation] = relationship()


class StockMovement(db.Model):
    """Append-only ledger of every stock change."""

    __tablename__ = "stock_movement"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint(enum_check("kind", MovementKind), name="kind_valid"),
        CheckConstraint("from_location_id IS NOT NULL OR to_location_id IS NOT NULL", name="has_a_location"),
        # Only a transfer (领用: warehouse to van) fulfils a requisition.
        CheckConstraint(f"requisition_id IS NULL OR kind = '{MovementKind.TRANSFER.value}'",
                        name="requisition_only_on_a_transfer"),
        Index("ix_stock_movement_part_at", "part_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(12))
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"))
    qty: Mapped[int] = mapped_column(Integer)
    from_location_id: Mapped[int | None] = mapped_column(ForeignKey("stock_location.id"))
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("stock_location.id"))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The requisition this transfer fulfilled; unique: the database, too, moves a requisition's parts once.
    requisition_id: Mapped[int | None] = mapped_column(ForeignKey("requisition.id"), unique=True)
    note: Mapped[str | None] = mapped_column(Text)

    part: Mapped["Part"] = relationship()  # noqa: F821
    from_location: Mapped[StockLocation | None] = relationship(foreign_keys=[from_location_id])
    to_location: Mapped[StockLocation | None] = relationship(foreign_keys=[to_location_id])
    requisition: Mapped[Requisition | None] = relationship()


class Requisition(db.Model):
    """领用: a technician asks for parts from a warehouse into their van."""

    __tablename__ = "requisition"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint(enum_check("status", RequisitionStatus), name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("technician.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"))
    qty: Mapped[int] = mapped_column(Integer)
    from_location_id: Mapped[int] = mapped_column(ForeignKey("stock_location.id"))
    to_location_id: Mapped[int] = mapped_column(ForeignKey("stock_location.id"))
    status: Mapped[str] = mapped_column(String(10), default=RequisitionStatus.PENDING)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)

    part: Mapped["Part"] = relationship()  # noqa: F821
    technician: Mapped["Technician"] = relationship()  # noqa: F821
