from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (DDL, JSON, Boolean, CheckConstraint, ForeignKey, Integer, LargeBinary, Numeric, String, Text,
                        UniqueConstraint, event, inspect)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, enum_check, utcnow
from ..errors import Conflict
from ..extensions import db
from ..i18n import lazy_gettext as _l
from .rules import LineKind, Verdict, VisitOutcome


class ServiceReport(db.Model):
    """The signed record of a visit. Immutable once signed: a correction is a new revision."""

    __tablename__ = "service_report"
    __table_args__ = (
        UniqueConstraint("appointment_id", "revision", name="uq_service_report_appointment_revision"),
        CheckConstraint(enum_check("outcome", VisitOutcome), name="outcome_valid"),
        CheckConstraint(f"verdict IS NULL OR {enum_check('verdict', Verdict)}", name="verdict_valid"),
        CheckConstraint("revision >= 1", name="revision_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("service_report.id"))
    model_found: Mapped[str | None] = mapped_column(String(40))
    serial_found: Mapped[str | None] = mapped_column(String(64))
    model_mismatch: Mapped[bool] = mapped_column(Boolean, default=False)
    serial_altered: Mapped[bool] = mapped_column(Boolean, default=False)
    exclusions: Mapped[list[str]] = mapped_column(JSON, default=list)
    exclusion_note: Mapped[str | None] = mapped_column(Text)
    fault_code_id: Mapped[int | None] = mapped_column(ForeignKey("fault_code.id"))
    diagnosis: Mapped[str] = mapped_column(Text, default="")
    resolution: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(16), default=VisitOutcome.FIXED)
    loaner_serial: Mapped[str | None] = mapped_column(String(64))
    warranty_snapshot: Mapped[dict | None] = mapped_column(JSON)
    charges: Mapped[dict] = mapped_column(JSON, default=dict)
    total_due: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0.00"))
    receipt_no: Mapped[str | None] = mapped_column(String(24), unique=True)
    verdict: Mapped[str | None] = mapped_column(String(12))
    customer_comment: Mapped[str | None] = mapped_column(Text)
    signer_name: Mapped[str | None] = mapped_column(String(100))
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    verification_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("technician.id"))
    # The customer's language when the report was produced: its revisions are printed in the same one.
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    # Why a revision corrects the one it supersedes (a manager's note; printed nowhere, audited).
    correction_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    appointment: Mapped["Appointment"] = relationship()  # noqa: F821
    fault_code: Mapped["FaultCode | None"] = relationship()  # noqa: F821
    technician: Mapped["Technician"] = relationship()  # noqa: F821
    lines: Mapped[list["ReportLine"]] = relationship(back_populates="report", order_by="ReportLine.id",
                                                     cascade="all, delete-orphan")

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class ReportLine(db.Model):
    __tablename__ = "report_line"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint(enum_check("kind", LineKind), name="kind_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("service_report.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    labour_item_id: Mapped[int | None] = mapped_column(ForeignKey("labour_item.id"))
    part_id: Mapped[int | None] = mapped_column(ForeignKey("part.id"))
    description: Mapped[str] = mapped_column(String(200))
    qty: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    gross: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    warranty_waiver: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0.00"))
    agreement_waiver: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0.00"))
    net: Mapped[Decimal] = mapped_column(Numeric(10, 2))

    report: Mapped[ServiceReport] = relationship(back_populates="lines")
    labour_item: Mapped["LabourItem | None"] = relationship()  # noqa: F821
    part: Mapped["Part | None"] = relationship()  # noqa: F821


class VisitPhoto(db.Model):
    """Evidence of an exclusion seen on site (re-encoded, metadata stripped)."""

    __tablename__ = "visit_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# -- A signed report never changes -----------------------------------------------------------------
# The ORM refuses first (a clear Conflict for the user); the trigger also stops raw SQL. Deleting is
# refused by the ORM only: the test suite empties tables with plain DELETE between tests.

def _refuse_signed_change(report: ServiceReport | None) -> None:
    if report is None:
        return
    history = inspect(report).attrs.signed_at.load_history()
    # The value the database holds now: unchanged, or being replaced in this flush.
    stored = [*(history.unchanged or ()), *(history.deleted or ())]
    if any(value is not None for value in stored):
        raise Conflict("report_signed", _l("A signed service report cannot be changed; issue a corrected "
                                           "revision instead."))


@event.listens_for(ServiceReport, "before_update")
@event.listens_for(ServiceReport, "before_delete")
def _guard_report(_mapper, _connection, report: ServiceReport) -> None:
    _refuse_signed_change(report)


@event.listens_for(ReportLine, "before_update")
@event.listens_for(ReportLine, "before_delete")
def _guard_report_line(_mapper, _connection, line: ReportLine) -> None:
    _refuse_signed_change(line.report)


_SIGNED_MESSAGE = "signed service reports cannot be changed"
# Also needed in the migration (op.execute), which autogenerate does not write.
SIGNED_REPORT_TRIGGER_SQL = {
    "sqlite": "CREATE TRIGGER service_report_signed_is_final BEFORE UPDATE ON service_report "
              f"WHEN OLD.signed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, '{_SIGNED_MESSAGE}'); END",
    "postgresql": "CREATE OR REPLACE FUNCTION service_report_signed_is_final() RETURNS trigger AS $$ "
                  f"BEGIN IF OLD.signed_at IS NOT NULL THEN RAISE EXCEPTION '{_SIGNED_MESSAGE}'; END IF; RETURN NEW; "
                  "END $$ LANGUAGE plpgsql; "
                  "CREATE TRIGGER service_report_signed_is_final BEFORE UPDATE ON service_report "
                  "FOR EACH ROW EXECUTE FUNCTION service_report_signed_is_final()",
}
for _dialect, _sql in SIGNED_REPORT_TRIGGER_SQL.items():
    event.listen(ServiceReport.__table__, "after_create", DDL(_sql).execute_if(dialect=_dialect))
