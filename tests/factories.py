"""Small factories for tests: each builds a valid object with sensible defaults and commits it."""
from __future__ import annotations

import itertools
from datetime import date, time, timedelta
from decimal import Decimal

from fieldservice.extensions import db
from fieldservice.models import (Customer, FaultCode, LabourItem, Part, ProductModel, StockLevel, StockLocation,
                                 Technician, Unit, User)

_ids = itertools.count(1)
# Bought four months before the run, so a unit is in warranty whenever the tests run (a fixed date would
# expire); tests about particular dates give their own.
RECENT_PURCHASE = date.today() - timedelta(days=120)


def next_id() -> int:
    return next(_ids)


def _save(obj):
    db.session.add(obj)
    db.session.commit()
    return obj


def user(role: str = "agent", username: str | None = None, password: str = "secret-pass", **kwargs) -> User:
    n = next_id()
    u = User(username=username or f"user{n}", display_name=kwargs.pop("display_name", f"用户{n}"), role=role,
             active=kwargs.pop("active", True), session_version=1, **kwargs)
    u.set_password(password)
    return _save(u)


def product_model(code: str | None = None, product_line: str = "aircon", **kwargs) -> ProductModel:
    n = next_id()
    return _save(ProductModel(code=code or f"M{n}", name=kwargs.pop("name", f"型号{n}"), product_line=product_line,
                              unit_warranty_months=kwargs.pop("unit_warranty_months", 12),
                              accessory_warranty_months=kwargs.pop("accessory_warranty_months", 6), **kwargs))


def customer(name: str = "张伟", phone: str | None = None, **kwargs) -> Customer:
    n = next_id()
    defaults = dict(address="上海市浦东新区张江路100号", province="上海市", city="上海市", district="浦东新区",
                    lat=31.2036, lon=121.5914, coord_source="district", customer_type="consumer")
    defaults.update(kwargs)
    return _save(Customer(name=name, phone=phone or f"138{n:08d}", **defaults))


def unit(serial: str | None = None, model: ProductModel | None = None, owner: Customer | None = None,
         purchase_date: date | None = RECENT_PURCHASE, invoice_no: str | None = "INV-1", **kwargs) -> Unit:
    n = next_id()
    model = model or product_model()
    owner = owner or customer()
    return _save(Unit(serial=serial or f"SN{n:08d}", model_id=model.id, customer_id=owner.id,
                      purchase_date=purchase_date, invoice_no=invoice_no, **kwargs))


def stock_location(code: str | None = None, kind: str = "warehouse", name: str | None = None) -> StockLocation:
    n = next_id()
    return _save(StockLocation(code=code or f"LOC{n}", name=name or f"仓库{n}", kind=kind))


def technician(username: str | None = None, skills=("aircon",), base=(31.2304, 121.4737), **kwargs) -> Technician:
    n = next_id()
    u = user(role="technician", username=username or f"tech{n}", display_name=kwargs.pop("display_name", f"技术员{n}"))
    van = stock_location(code=f"VAN{n}", kind="van", name=f"车辆{n}")
    t = Technician(user_id=u.id, phone=kwargs.pop("phone", f"139{n:08d}"), base_address="上海市黄浦区",
                   base_lat=base[0], base_lon=base[1], skills=list(skills),
                   area_radius_km=kwargs.pop("area_radius_km", 40.0), regions=kwargs.pop("regions", []),
                   work_start=kwargs.pop("work_start", time(8)), work_end=kwargs.pop("work_end", time(20)),
                   working_days=kwargs.pop("working_days", "1234567"), van_location_id=van.id, **kwargs)
    return _save(t)


def part(code: str | None = None, price: str = "100.00", is_accessory: bool = False, **kwargs) -> Part:
    n = next_id()
    return _save(Part(code=code or f"P{n}", name=kwargs.pop("name", f"配件{n}"), unit_price=Decimal(price),
                      is_accessory=is_accessory, **kwargs))


def stock(part_obj: Part, location: StockLocation, qty: int) -> StockLevel:
    return _save(StockLevel(part_id=part_obj.id, location_id=location.id, qty=qty))


def labour_item(code: str | None = None, price: str = "80.00", **kwargs) -> LabourItem:
    n = next_id()
    return _save(LabourItem(code=code or f"L{n}", name=kwargs.pop("name", f"工时{n}"), price=Decimal(price), **kwargs))


def fault_code(code: str | None = None, **kwargs) -> FaultCode:
    n = next_id()
    return _save(FaultCode(code=code or f"F{n}", name_zh=kwargs.pop("name_zh", f"故障{n}"),
                           name_en=kwargs.pop("name_en", f"Fault {n}"), **kwargs))


def service_request(owner_unit: Unit | None = None, status: str = "new", kind: str = "repair", **kwargs):
    """A request for a unit (a new unit and customer by default), reported now, due in 24 h."""
    from datetime import timedelta

    from fieldservice.database import utcnow
    from fieldservice.models import ServiceRequest

    unit_obj = owner_unit or unit()
    reported = kwargs.pop("reported_at", utcnow())
    n = next_id()
    return _save(ServiceRequest(number=kwargs.pop("number", f"SR-20261122-{n:04d}"), customer_id=unit_obj.customer_id,
                                unit_id=unit_obj.id, channel=kwargs.pop("channel", "phone"), kind=kind,
                                fault_description=kwargs.pop("fault_description", "不制冷"),
                                reported_at=reported, sla_due_at=kwargs.pop("sla_due_at", reported + timedelta(hours=24)),
                                status=status, **kwargs))


def appointment(request=None, tech: Technician | None = None, start=None, hours: int = 2, status: str = "booked",
                **kwargs):
    """An appointment row (without slot rows: use the booking service to test overlaps)."""
    from datetime import timedelta

    from fieldservice.database import utcnow
    from fieldservice.models import Appointment

    request = request or service_request(status="scheduled")
    tech = tech or technician()
    start = start or utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return _save(Appointment(request_id=request.id, technician_id=tech.id, window_start=start,
                             window_end=start + timedelta(hours=hours), status=status, **kwargs))
