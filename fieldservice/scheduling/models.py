from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text, Time,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, enum_check, utcnow
from ..extensions import db


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    DONE = "done"
    CANCELLED = "cancelled"


ACTIVE_APPOINTMENT_STATUSES = frozenset({AppointmentStatus.BOOKED, AppointmentStatus.EN_ROUTE,
                                         AppointmentStatus.ON_SITE})


class Technician(db.Model):
    __tablename__ = "technician"
    __table_args__ = (
        CheckConstraint("area_radius_km > 0", name="radius_positive"),
        CheckConstraint("work_end > work_start", name="work_end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    phone: Mapped[str] = mapped_column(String(20))
    base_address: Mapped[str] = mapped_column(String(255), default="")
    base_lat: Mapped[float] = mapped_column(Float)
    base_lon: Mapped[float] = mapped_column(Float)
    # Product lines this technician is trained for.
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    area_radius_km: Mapped[float] = mapped_column(Float, default=30.0)
    # City or district names covered besides the radius.
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    work_start: Mapped[time] = mapped_column(Time, default=time(8, 0))
    work_end: Mapped[time] = mapped_column(Time, default=time(20, 0))
    # ISO weekdays as digits, "12345" = Monday to Friday.
    working_days: Mapped[str] = mapped_column(String(7), default="123456")
    van_location_id: Mapped[int | None] = mapped_column(ForeignKey("stock_location.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    user: Mapped["User"] = relationship(back_populates="technician")  # noqa: F821
    van: Mapped["StockLocation | None"] = relationship(foreign_keys=[van_location_id])  # noqa: F821

    @property
    def name(self) -> str:
        return self.user.display_name


class Appointment(db.Model):
    """A booked visit of one technician to one request, for one time window."""

    __tablename__ = "appointment"
    __table_args__ = (
        CheckConstraint("window_end > window_start", name="end_after_start"),
        CheckConstraint(enum_check("status", AppointmentStatus), name="status_valid"),
        Index("ix_appointment_technician_window", "technician_id", "window_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), index=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("technician.id"))
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default=AppointmentStatus.BOOKED)
    travel_km: Mapped[float | None] = mapped_column(Float)
    # Set when the window starts after the promise deadline at the customer's wish.
    late_reason: Mapped[str | None] = mapped_column(Text)
    after_promise: Mapped[bool] = mapped_column(Boolean, default=False)
    en_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    arrival_lat: Mapped[float | None] = mapped_column(Float)
    arrival_lon: Mapped[float | None] = mapped_column(Float)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped["ServiceRequest"] = relationship(back_populates="appointments")  # noqa: F821
    technician: Mapped[Technician] = relationship()
    slots: Mapped[list["AppointmentSlot"]] = relationship(back_populates="appointment",
                                                          cascade="all, delete-orphan")


class AppointmentSlot(db.Model):
    """The slots an active appointment holds: the unique key makes the database refuse overlaps."""

    __tablename__ = "appointment_slot"
    __table_args__ = (UniqueConstraint("technician_id", "slot_start", name="uq_appointment_slot_technician_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id", ondelete="CASCADE"), index=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("technician.id"))
    slot_start: Mapped[datetime] = mapped_column(UTCDateTime)

    appointment: Mapped[Appointment] = relationship(back_populates="slots")


class DayPlan(db.Model):
    """A proposed plan for one day, kept between the manager's preview and apply.

    PyVRP stops on a time limit, so solving again would not give the same plan: the preview the
    manager approved is stored and applied as shown. `payload` holds the planned visits per
    technician and the unassigned requests with their reasons; `result` what applying it booked.
    """

    __tablename__ = "day_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    solver: Mapped[str] = mapped_column(String(20))
    seconds: Mapped[float] = mapped_column(Float)
    total_km: Mapped[float] = mapped_column(Float)
    baseline_km: Mapped[float | None] = mapped_column(Float)
    payload: Mapped[dict] = mapped_column(JSON)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    result: Mapped[dict | None] = mapped_column(JSON)

    created_by: Mapped["User | None"] = relationship(foreign_keys=[created_by_id])  # noqa: F821
