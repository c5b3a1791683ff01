"""Factories for report tests: finished visits with signed reports, stock issues, callbacks, complaints,
agreements, all at chosen local times so fixtures can be counted by hand."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from fieldservice.extensions import db
from fieldservice.models import (Appointment, Complaint, FollowUp, ReportLine, ServiceAgreement, ServiceReport,
                                 StockMovement, agreement_unit)
from tests import factories

TZ = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """Local wall-clock time on `day`, as aware UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=TZ).astimezone(UTC)


def _save(obj):
    db.session.add(obj)
    db.session.commit()
    return obj


def request(unit, reported: datetime, *, status: str = "new", kind: str = "repair", **kwargs):
    return factories.service_request(owner_unit=unit, status=status, kind=kind, reported_at=reported,
                                     sla_due_at=kwargs.pop("sla_due_at", reported + timedelta(hours=24)), **kwargs)


def visit(req, tech, start: datetime, *, arrived: datetime | None = None, finished: datetime | None = None,
          status: str | None = None, hours: int = 2, **kwargs) -> Appointment:
    status = status or ("done" if finished else "on_site" if arrived else "booked")
    return factories.appointment(request=req, tech=tech, start=start, hours=hours, status=status, arrived_at=arrived,
                                 finished_at=finished, **kwargs)


def signed_report(appointment: Appointment, signed: datetime, *, outcome: str = "fixed", fault=None,
                  lines: tuple = (), receipt_no: str | None = None, supersedes: ServiceReport | None = None,
                  revision: int = 1) -> ServiceReport:
    """A signed report; `lines` are (kind, item, qty, unit_price, warranty_waiver, agreement_waiver) with item a
    LabourItem, a Part or None (call-out)."""
    report = ServiceReport(appointment_id=appointment.id, technician_id=appointment.technician_id, outcome=outcome,
                           fault_code_id=fault.id if fault else None, signed_at=signed, receipt_no=receipt_no,
                           revision=revision, supersedes_id=supersedes.id if supersedes else None,
                           exclusions=[], charges={}, signer_name="客户")
    total = Decimal("0.00")
    for kind, item, qty, price, warranty, agreement in lines:
        qty, price = Decimal(str(qty)), Decimal(price)
        gross = (qty * price).quantize(Decimal("0.01"))
        net = gross - Decimal(warranty) - Decimal(agreement)
        total += net
        report.lines.append(ReportLine(
            kind=kind, labour_item_id=item.id if kind == "labour" else None,
            part_id=item.id if kind == "part" else None, description=item.name if item else "上门费", qty=qty,
            unit_price=price, gross=gross, warranty_waiver=Decimal(warranty), agreement_waiver=Decimal(agreement),
            net=net))
    report.total_due = total
    return _save(report)


def completed_repair(unit, tech, day: date, *, fault=None, outcome: str = "fixed", lines: tuple = (),
                     receipt_no: str | None = None, status: str = "completed", kind: str = "repair",
                     parent=None):
    """A request reported at 09:00 on `day`, visited 10:00-11:00 the same day, report signed at 11:00."""
    req = request(unit, at(day, 9), status=status, kind=kind,
                  parent_request_id=parent.id if parent is not None else None)
    appointment = visit(req, tech, at(day, 10), arrived=at(day, 10), finished=at(day, 11))
    report = signed_report(appointment, at(day, 11), outcome=outcome, fault=fault, lines=lines,
                           receipt_no=receipt_no)
    return req, appointment, report


def agreement(owner, units, start: date, end: date, *, status: str = "active", number: str | None = None):
    a = _save(ServiceAgreement(number=number or f"SA-{factories.next_id():06d}", customer_id=owner.id,
                               start_date=start, end_date=end, status=status))
    for u in units:
        db.session.execute(agreement_unit.insert().values(agreement_id=a.id, unit_id=u.id))
    db.session.commit()
    return a


def stock_issue(appointment: Appointment, part, qty: int, when: datetime, location) -> StockMovement:
    return _save(StockMovement(kind="issue", part_id=part.id, qty=qty, from_location_id=location.id,
                               appointment_id=appointment.id, at=when))


def callback(appointment: Appointment, called: datetime, *, status: str = "done", satisfaction: int | None = None,
             on_time: bool | None = None, solved: bool | None = None) -> FollowUp:
    req = appointment.request
    return _save(FollowUp(kind="service_callback", customer_id=req.customer_id, request_id=req.id,
                          appointment_id=appointment.id, due_date=called.astimezone(TZ).date(), status=status,
                          satisfaction=satisfaction, on_time=on_time, solved=solved, attempts=1,
                          completed_at=called, last_attempt_at=called))


def complaint(owner, received: datetime, *, category: str = "lateness", severity: str = "general",
              replied: datetime | None = None, status: str | None = None, hours: int = 24) -> Complaint:
    status = status or ("replied" if replied else "open")
    return _save(Complaint(customer_id=owner.id, channel="phone", category=category, severity=severity,
                           description="投诉", received_at=received, reply_due_at=received + timedelta(hours=hours),
                           replied_at=replied, status=status))


def d(day: int) -> date:
    return date(2026, 10, day)


def october() -> dict:
    """Two models, three fault codes, two technicians (T2 works Monday to Friday), five units.

    Completed repairs in October (kind repair): r1 u1 T1 F1, r2 u1 T1 F1, r3 u2 T2 F2 (a second revision
    corrected F3 to F2), r4 u3 T2 F3 (two visits), r5 u4 T1 F1 (followed by a return request r6),
    r7 u5 T1 no cause. Also r8, an install on u2; r9, a repair of u1 in September; r10, a repair still
    waiting for parts. p1 and p2 are maintenance visits: p1 late, p2 booked later at the customer's wish.
    """
    a = factories.product_model(code="KFR-35GW", name="挂机", product_line="aircon")
    b = factories.product_model(code="JSQ25-13", name="热水器", product_line="water_heater")
    f1 = factories.fault_code(code="F1", name_zh="不制冷", name_en="Not cooling")
    f2 = factories.fault_code(code="F2", name_zh="漏水", name_en="Leaking")
    f3 = factories.fault_code(code="F3", name_zh="噪音", name_en="Noise")
    t1 = factories.technician(display_name="王师傅")
    t2 = factories.technician(display_name="李师傅", working_days="12345")
    l1 = factories.labour_item(code="L1", name="更换压缩机", price="200.00")
    l2 = factories.labour_item(code="L2", name="清洗", price="80.00")
    p1 = factories.part(code="P1", name="遥控器", price="60.00", is_accessory=True)
    p2 = factories.part(code="P2", name="压缩机", price="900.00")
    jiading = factories.customer(name="赵六", district="嘉定区")
    u1 = factories.unit(serial="SN-U1", model=a, owner=factories.customer(name="张三"))
    u2 = factories.unit(serial="SN-U2", model=a, owner=factories.customer(name="李四"))
    u3 = factories.unit(serial="SN-U3", model=b, owner=factories.customer(name="王五"))
    u4 = factories.unit(serial="SN-U4", model=b, owner=jiading)
    u5 = factories.unit(serial="SN-U5", model=a, owner=factories.customer(name="钱七"))

    call_out = ("call_out", None, 1, "50.00", "0", "0")
    r1, a1, _ = completed_repair(u1, t1, d(3), fault=f1, lines=(
        ("call_out", None, 1, "50.00", "50.00", "0"), ("labour", l1, 1, "200.00", "200.00", "0"),
        ("part", p2, 1, "900.00", "900.00", "0")))
    r2, a2, _ = completed_repair(u1, t1, d(10), fault=f1, receipt_no="R-1002", lines=(
        call_out, ("labour", l2, 1, "80.00", "0", "0"), ("part", p1, 1, "60.00", "0", "30.00")))
    r3 = request(u2, at(d(12), 9), status="completed")
    a3 = visit(r3, t2, at(d(12), 10), arrived=at(d(12), 10), finished=at(d(12), 11))
    first = signed_report(a3, at(d(12), 11), fault=f3, lines=(("labour", l2, 2, "80.00", "0", "0"),))
    signed_report(a3, at(d(12), 12), fault=f2, receipt_no="R-1003", supersedes=first, revision=2,
                     lines=(("labour", l2, 2, "80.00", "0", "0"),))
    r4 = request(u3, at(d(15), 9), status="completed")
    a41 = visit(r4, t2, at(d(15), 10), arrived=at(d(15), 10), finished=at(d(15), 11))
    signed_report(a41, at(d(15), 11), outcome="awaiting_parts", fault=f3,
                     lines=(("labour", l2, 1, "80.00", "80.00", "0"),))
    a42 = visit(r4, t2, at(d(18), 10), arrived=at(d(18), 10), finished=at(d(18), 11))
    signed_report(a42, at(d(18), 11), fault=f3, lines=(("part", p2, 1, "900.00", "900.00", "0"),))
    r5, a5, _ = completed_repair(u4, t1, d(20), fault=f1, receipt_no="R-1005", lines=(call_out,))
    request(u4, at(d(25), 9), parent_request_id=r5.id)  # r6: the fault came back, nobody went yet
    r7, a7, _ = completed_repair(u5, t1, d(28))
    r8, a8, _ = completed_repair(u2, t2, d(5), kind="install", receipt_no="R-1008",
                                    lines=(("labour", l2, 1, "80.00", "0", "0"),))
    r9, a9, _ = completed_repair(u1, t1, date(2026, 9, 20), fault=f2)
    r10 = request(u3, at(d(30), 9), status="awaiting_parts")
    a10 = visit(r10, t2, at(d(30), 10), arrived=at(d(30), 10), status="on_site")
    signed_report(a10, at(d(30), 11), outcome="awaiting_parts", fault=f2,
                     lines=(("labour", l2, 1, "80.00", "0", "0"),))
    late = request(u2, at(d(7), 9), status="completed", kind="maintenance")  # p1: on site 26 hours later
    visit(late, t2, at(d(8), 10), arrived=at(d(8), 11), finished=at(d(8), 12))
    wished = request(u2, at(d(7), 14), status="completed", kind="maintenance")  # p2: the customer asked for the 9th
    visit(wished, t2, at(d(9), 10), arrived=at(d(9), 10), finished=at(d(9), 11), after_promise=True,
             late_reason="客户要求周五上门")
    request(u2, at(d(7), 15), status="cancelled")
    request(u2, at(d(7), 16), status="forwarded")
    visit(request(u5, at(d(27), 9), status="cancelled"), t1, at(d(27), 10), status="cancelled")

    van1 = factories.stock_location(code="VAN-T1", kind="van", name="王师傅的车")
    van2 = factories.stock_location(code="VAN-T2", kind="van", name="李师傅的车")
    stock_issue(a1, p2, 1, at(d(3), 10, 30), van1)
    stock_issue(a2, p1, 1, at(d(10), 10, 30), van1)
    stock_issue(a2, p1, 2, at(d(10), 10, 45), van1)
    stock_issue(a42, p2, 1, at(d(18), 10, 30), van2)
    stock_issue(a9, p1, 1, at(date(2026, 9, 20), 10, 30), van1)

    callback(a1, at(d(6)), satisfaction=5, on_time=True, solved=True)
    callback(a2, at(d(13)), satisfaction=4, on_time=True, solved=True)
    callback(a3, at(d(15)), satisfaction=2, on_time=False, solved=False)
    callback(a5, at(d(23)), status="unreachable")
    callback(a7, at(d(31)))  # reached, the customer gave no score
    callback(a8, at(date(2026, 11, 2)), satisfaction=5, on_time=True, solved=True)

    owner = u1.customer
    complaint(owner, at(d(5), 10), replied=at(d(5), 15))
    complaint(owner, at(d(6), 10), severity="major", replied=at(d(8), 10))
    complaint(owner, at(d(20), 10), category="fees")
    complaint(owner, at(d(21), 10), category="attitude", replied=at(d(21), 12), status="resolved")
    complaint(owner, at(d(22), 10), status="draft")
    complaint(owner, at(d(23), 10), status="dismissed")
    complaint(owner, at(date(2026, 9, 30), 10))
    return {"t1": t1, "t2": t2, "a": a, "b": b}


def december() -> dict:
    """Units counted by hand against December 2026 (model A: 12/6 months, model B: 24/6 months)."""
    a = factories.product_model(code="KFR-35GW", product_line="aircon")
    b = factories.product_model(code="JSQ25-13", product_line="water_heater", unit_warranty_months=24)
    pudong = dict(province="上海市", city="上海市", district="浦东新区", lat=31.2215, lon=121.5441)
    jiading = dict(province="上海市", city="上海市", district="嘉定区", lat=31.3747, lon=121.2654)
    contract = factories.customer(name="华东建设", customer_type="contract", contract_warranty_months=24, **pudong)
    consumer_with_months = factories.customer(name="李娜", contract_warranty_months=24, **jiading)

    def unit(name, purchased, model=a, owner=None, **kwargs):
        return factories.unit(serial=name, model=model, owner=owner or factories.customer(name=f"客户{name}", **pudong),
                              purchase_date=purchased, **kwargs)

    u = {
        "first_day": unit("U01", date(2025, 12, 2)),           # ends 1 Dec
        "last_day": unit("U02", date(2026, 1, 1)),             # ends 31 Dec
        "day_before": unit("U03", date(2025, 12, 1)),          # ends 30 Nov: out
        "day_after": unit("U04", date(2026, 1, 2)),            # ends 1 Jan: out
        "two_years": unit("U05", date(2024, 12, 15), model=b),  # 24 months, ends 14 Dec
        "contract": unit("U06", date(2024, 12, 20), owner=contract),  # contract 24 months, ends 19 Dec
        "contract_later": unit("U07", date(2025, 12, 20), owner=contract),  # contract: ends Dec 2027, out
        "consumer_months": unit("U08", date(2025, 12, 10), owner=consumer_with_months),  # consumer: 12, ends 9 Dec
        "clearance": unit("U09", date(2025, 12, 10), sale_type="clearance"),  # no free cover: out
        "no_date": unit("U10", None),                          # no known end: out
        "agreement_longer": unit("U11", date(2025, 12, 10)),  # agreement to mid-2027 outlasts: out
        "agreement_ends": unit("U12", date(2024, 5, 1)),      # warranty ended 2025, agreement ends 20 Dec
        "cancelled_agreement": unit("U13", date(2025, 12, 15)),  # cancelled agreement ignored: ends 14 Dec
        "agreement_shorter": unit("U14", date(2025, 12, 15)),  # agreement ends before warranty: 14 Dec
        "accessory": unit("U15", date(2026, 6, 5)),            # accessories (6 months) end 4 Dec
    }
    agreement(u["agreement_longer"].customer, [u["agreement_longer"]], date(2026, 6, 1), date(2027, 6, 30))
    agreement(u["agreement_ends"].customer, [u["agreement_ends"]], date(2025, 12, 21), date(2026, 12, 20))
    agreement(u["cancelled_agreement"].customer, [u["cancelled_agreement"]], date(2026, 1, 1), date(2027, 12, 31),
                 status="cancelled")
    agreement(u["agreement_shorter"].customer, [u["agreement_shorter"]], date(2026, 1, 1), date(2026, 12, 5))
    tech = factories.technician()
    for day in (date(2026, 3, 1), date(2026, 5, 1)):
        completed_repair(u["first_day"], tech, day)
    completed_repair(u["last_day"], tech, date(2026, 4, 1), status="cancelled")  # not a repair done
    return u
