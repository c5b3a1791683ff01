"""Factories for aftercare tests: completed visits (as the technician's completion would leave them), complaints,
agreements."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache

from werkzeug.security import generate_password_hash

from fieldservice.database import utcnow, write_transaction
from fieldservice.extensions import db
from fieldservice.models import Appointment, Complaint, ServiceAgreement, ServiceReport, Technician, User
from fieldservice.signals import visit_completed
from tests import factories


@cache
def _password_hash() -> str:
    return generate_password_hash("secret-pass")


def user(role: str = "agent", **kwargs) -> User:
    """Like factories.user, with the password hash computed once per run (hashing costs 0.25 s each time)."""
    n = factories.next_id()
    u = User(username=kwargs.pop("username", f"{role}{n}"), display_name=kwargs.pop("display_name", f"用户{n}"),
             role=role, active=True, session_version=1, password_hash=_password_hash(), **kwargs)
    db.session.add(u)
    db.session.commit()
    return u


def technician(display_name: str | None = None) -> Technician:
    n = factories.next_id()
    u = user(role="technician", display_name=display_name or f"技术员{n}")
    van = factories.stock_location(code=f"VAN{n}", kind="van", name=f"车辆{n}")
    t = Technician(user_id=u.id, phone=f"139{n:08d}", base_address="上海市黄浦区", base_lat=31.23, base_lon=121.47,
                   skills=["aircon"], area_radius_km=40.0, regions=[], work_start=time(8), work_end=time(20),
                   working_days="1234567", van_location_id=van.id)
    db.session.add(t)
    db.session.commit()
    return t


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


def move_clock(monkeypatch, now) -> None:
    """Make `now()` the current time: database.utcnow (and so i18n.local_today everywhere), plus intake's
    services, which bind utcnow at import and stamp the requests aftercare opens through create_request."""
    from fieldservice import database
    from fieldservice.intake import services as intake_services

    monkeypatch.setattr(database, "utcnow", now)
    monkeypatch.setattr(intake_services, "utcnow", now)
