from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (Boolean, CheckConstraint, Column, Date, ForeignKey, Index, Integer, Numeric, String, Table,
                        Text, UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, enum_check, utcnow
from ..extensions import db
from .rules import AgreementStatus, PlannedKind, PlannedStatus

__all__ = ["AgreementStatus", "PlannedKind", "PlannedStatus", "PlannedVisit", "ServiceAgreement", "agreement_unit"]


agreement_unit = Table(
    "agreement_unit",
    db.metadata,
    Column("agreement_id", ForeignKey("service_agreement.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id"), primary_key=True),
    # Every warranty check asks "which agreement covers this unit?".
    Index("ix_agreement_unit_unit_id", "unit_id"),
)


class ServiceAgreement(db.Model):
    """服务协议: extra coverage, waivers and a visit plan for a customer's units."""

    __tablename__ = "service_agreement"
    __table_args__ = (
        CheckConstraint("end_date > start_date", name="end_after_start"),
        CheckConstraint("parts_waiver_pct BETWEEN 0 AND 100", name="parts_pct_range"),
        CheckConstraint("labour_waiver_pct BETWEEN 0 AND 100", name="labour_pct_range"),
        CheckConstraint("contract_warranty_months BETWEEN 0 AND 36", name="contract_months_at_most_36"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint(enum_check("status", AgreementStatus), name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0.00"))
    parts_waiver_pct: Mapped[int] = mapped_column(Integer, default=0)
    labour_waiver_pct: Mapped[int] = mapped_column(Integer, default=0)
    contract_warranty_months: Mapped[int] = mapped_column(Integer, default=0)
    monthly_callback: Mapped[bool] = mapped_column(Boolean, default=False)
    quarterly_maintenance: Mapped[bool] = mapped_column(Boolean, default=False)
    yearly_servicing: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=AgreementStatus.DRAFT)
    # The account manager: plan callbacks and renewal calls land on their list.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The plan starts here: nothing is planned for days before the agreement was activated.
    activated_on: Mapped[date | None] = mapped_column(Date)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped["Customer"] = relationship()  # noqa: F821
    owner: Mapped["User | None"] = relationship()  # noqa: F821
    units: Mapped[list["Unit"]] = relationship(secondary=agreement_unit)  # noqa: F821
    planned_visits: Mapped[list["PlannedVisit"]] = relationship(back_populates="agreement",
                                                                order_by="PlannedVisit.due_date")


class PlannedVisit(db.Model):
    """主动服务计划: one planned callback or maintenance; the unique key makes generation idempotent."""

    __tablename__ = "planned_visit"
    __table_args__ = (
        UniqueConstraint("agreement_id", "unit_id", "kind", "due_date", name="uq_planned_visit_item"),
        # Callbacks are for the whole agreement (no unit), and NULLs never collide in a unique key.
        Index("uq_planned_visit_agreement_item", "agreement_id", "kind", "due_date", unique=True,
              sqlite_where=text("unit_id IS NULL"), postgresql_where=text("unit_id IS NULL")),
        CheckConstraint(enum_check("kind", PlannedKind), name="kind_valid"),
        CheckConstraint(enum_check("status", PlannedStatus), name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("service_agreement.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[str] = mapped_column(String(24))
    due_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(10), default=PlannedStatus.PLANNED)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("service_request.id"), index=True)

    agreement: Mapped[ServiceAgreement] = relationship(back_populates="planned_visits")
    unit: Mapped["Unit | None"] = relationship()  # noqa: F821
    request: Mapped["ServiceRequest | None"] = relationship()  # noqa: F821
