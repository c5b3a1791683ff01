"""Factories for aftercare tests: completed visits (as the technician's completion would leave them), complaints,
agreements."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo
from decimal import Decimal

from fieldservice.database import utcnow, write_transaction
from fieldservice.extensions import db
from fieldservice.models import Appointment, Complaint, ServiceAgreement, ServiceReport
from fieldservice.signals import visit_completed
from tests import factories


# Kept as names of this module so the aftercare tests read as before; the shared factories are cheap now
# that tests hash passwords with PASSWORD_HASH_METHOD.
user = factories.user
technician = factories.technician


def completed_visit(owner=None, finished_at: datetime | None = None, resolution: str = "更换压缩机电容，试机正常",
                    fault=None, send_signal: bool = True, **request_kwargs) -> Appointment:
    """A done appointment with its signed report; by default visit_completed is sent in a write transaction,
    as the technician's completion does."""
    owner = owner or user(role="agent")
    finished = finished_at or utcnow()
    request = factories.service_request(status="completed", owner_id=owner.id, **request_kwargs)
    tech = technician()
    appointment = factories.appointment(request=request, tech=tech, start=finished - timedelta(hours=2),
                                        status="done", arrived_at=finished - timedelta(hours=1),
                                        finished_at=finished)
    report = ServiceReport(appointment_id=appointment.id, revision=1, diagnosis="电容老化", resolution=resolution,
                           outcome="fixed", technician_id=tech.id, signed_at=finished, signer_name="张伟",
                           fault_code_id=fault.id if fault else None, charges={}, exclusions=[])
    db.session.add(report)
    db.session.commit()
    if send_signal:
        with write_transaction():
            visit_completed.send(appointment, report=report)
    return appointment


def complaint(customer=None, status: str = "open", severity: str = "general", received_at: datetime | None = None,
              **kwargs) -> Complaint:
    customer = customer or factories.customer()
    received = received_at or utcnow()
    c = Complaint(customer_id=customer.id, channel=kwargs.pop("channel", "phone"),
                  category=kwargs.pop("category", "lateness"), severity=severity,
                  description=kwargs.pop("description", "技术员迟到两小时"), received_at=received,
                  reply_due_at=received + timedelta(hours=24), status=status, **kwargs)
    db.session.add(c)
    db.session.commit()
    return c


def agreement(customer=None, units=None, start: date = date(2026, 1, 1), end: date = date(2026, 12, 31),
              status: str = "draft", **kwargs) -> ServiceAgreement:
    customer = customer or factories.customer(customer_type="contract")
    units = units if units is not None else [factories.unit(owner=customer)]
    a = ServiceAgreement(number=kwargs.pop("number", f"AG-20260101-{factories.next_id():04d}"),
                         customer_id=customer.id, start_date=start, end_date=end, status=status,
                         amount=kwargs.pop("amount", Decimal("3600.00")),
                         parts_waiver_pct=kwargs.pop("parts_waiver_pct", 50),
                         labour_waiver_pct=kwargs.pop("labour_waiver_pct", 100),
                         contract_warranty_months=kwargs.pop("contract_warranty_months", 24), units=units, **kwargs)
    db.session.add(a)
    db.session.commit()
    return a


class HeldClock:
    """The current time, held still for a test: set `now`, or `day(d)` for 10:00 in Shanghai that day."""

    def __init__(self, now: datetime):
        self.now = now

    def day(self, d: date) -> None:
        self.now = datetime.combine(d, time(10), tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(timezone.utc)


def hold_clock(monkeypatch, now: datetime) -> HeldClock:
    clock = HeldClock(now)
    move_clock(monkeypatch, lambda: clock.now)
    return clock


def move_clock(monkeypatch, now) -> None:
    """Make `now()` the current time: database.utcnow (and so i18n.local_today everywhere), plus intake's
    services, which bind utcnow at import and stamp the requests aftercare opens through create_request."""
    from fieldservice import database
    from fieldservice.intake import services as intake_services

    monkeypatch.setattr(database, "utcnow", now)
    monkeypatch.setattr(intake_services, "utcnow", now)
