"""Factories for booking and dispatch tests: requests at a place, partners, local window times."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from fieldservice.extensions import db
from fieldservice.auth.services import issue_api_token
from fieldservice.models import Partner, ServiceRequest, Technician, User
from tests import factories

TZ = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc
# Places in Shanghai (district centres, as the offline geocoder gives them).
PUDONG = (31.2215, 121.5441)
HUANGPU = (31.2317, 121.4846)
MINHANG = (31.1129, 121.3817)
JIADING = (31.3747, 121.2654)
SUZHOU = (31.2990, 120.5853)  # outside every Shanghai technician's 40 km


def local_day(days_ahead: int = 1) -> date:
    return datetime.now(TZ).date() + timedelta(days=days_ahead)


def at(days_ahead: int, hour: int, minute: int = 0) -> datetime:
    """A local wall-clock time `days_ahead` days from today, as aware UTC."""
    return datetime.combine(local_day(days_ahead), time(hour, minute), tzinfo=TZ).astimezone(UTC)


def request_at(place=PUDONG, *, product_line: str = "aircon", due: datetime | None = None, kind: str = "repair",
               locale: str = "zh_CN", invoice_no: str | None = "INV-1", district: str = "浦东新区",
               city: str = "上海市", customer_name: str = "张伟", status: str = "new") -> ServiceRequest:
    """A new request of a customer at `place`, due at `due` (default: tomorrow 18:00 local)."""
    due = due or at(1, 18)
    model = factories.product_model(product_line=product_line)
    customer = factories.customer(name=customer_name, lat=place[0], lon=place[1], district=district, city=city,
                                  locale=locale)
    unit = factories.unit(model=model, owner=customer, invoice_no=invoice_no)
    return factories.service_request(owner_unit=unit, kind=kind, status=status, reported_at=due - timedelta(hours=24),
                                     sla_due_at=due)


def technician(name: str = "王师傅", base=HUANGPU, skills=("aircon",), **kwargs) -> Technician:
    return factories.technician(display_name=name, base=base, skills=skills, **kwargs)


def api_tokens(n: int, role: str = "agent") -> list[str]:
    """Bearer tokens of `n` new users. They never log in with a password, so none is hashed (hashing
    is most of the cost of creating a user)."""
    first = factories.next_id()
    db.session.add_all(User(username=f"{role}{first}-{k}", display_name=f"{role} {k}", role=role, active=True,
                            session_version=1, password_hash="!no-password") for k in range(n))
    db.session.commit()
    return [issue_api_token(f"{role}{first}-{k}") for k in range(n)]


def partner(name: str = "苏州安装服务公司", phone: str = "0512-66668888", regions: str = "苏州市") -> Partner:
    p = Partner(name=name, phone=phone, regions=regions, active=True)
    db.session.add(p)
    db.session.commit()
    return p
