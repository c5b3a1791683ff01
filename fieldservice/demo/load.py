"""The demo data set, built in idempotent sections: each creates only what is missing.

Accounts, stock locations, catalogue and technicians are matched by their natural keys (username, code,
name). Customers, units and the requests made on them form one block, identified by the first demo serial:
it is created whole or not at all, so a second run changes nothing. Randomness is seeded per section, and
dates are relative to the day of loading, so the warranty situations hold whenever the demo is loaded.
"""
from __future__ import annotations

import hashlib
import io
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from PIL import Image, ImageDraw
from sqlalchemy import func, insert, select
from werkzeug.security import generate_password_hash

from ..admin.services import van_code, van_name
from ..audit.models import AuditEvent
from ..audit.services import record
from ..auth.models import Role, User
from ..billing.rules import Coverage, LabourLine, PartLine, compute_charges, next_receipt_number
from ..catalog.models import FaultCode, LabourItem, Part, Partner, ProductModel
from ..customers.models import Customer, CustomerType, SaleType, Unit
from ..customers.rules import has_proof_of_purchase
from ..database import utcnow, write_transaction
from ..extensions import db
from ..followups.models import FollowUp, FollowUpKind, FollowUpStatus
from ..geo import geocode, haversine_km
from ..i18n import local_today, service_tz
from ..intake.models import ServiceRequest
from ..intake.rules import Channel, RequestKind, RequestStatus, request_number
from ..intake.services import allocate_sequence
from ..parts.models import LocationKind, MovementKind, StockLevel, StockLocation, StockMovement
from ..scheduling.models import Appointment, AppointmentSlot, AppointmentStatus, Technician
from ..scheduling.rules import slot_starts
from ..settings import get_setting
from ..visits.models import LineKind, ReportLine, ServiceReport, Verdict, VisitOutcome
from ..visits.pdf import render_service_report
from ..visits.services import report_document
from ..warranty.rules import Component, WarrantyFacts, decide_warranty
from . import data

DEFAULT_SEED = 2026
CUSTOMERS = 2000
UNITS = 3000
CONTRACT_SHARE = 0.08


def load_demo(*, seed: int = DEFAULT_SEED, customers: int = CUSTOMERS, units: int = UNITS) -> Counter:
    """Create whatever part of the demo is missing; returns what was created, by kind."""
    created: Counter = Counter()
    with write_transaction():
        users = _ensure_users(created)
        warehouse = _ensure_location(data.WAREHOUSE[0], data.WAREHOUSE[1], LocationKind.WAREHOUSE, created)
        catalogue = _ensure_catalogue(created)
        technicians = _ensure_technicians(users, created)
        _ensure_stock(catalogue.parts, warehouse, technicians, created)
        if not _installed_base_present():
            base = _create_installed_base(random.Random(f"{seed}:base"), customers, units, catalogue, created)
            record(BASE_LOADED, object_type="demo", customers=len(base.customers), units=len(base.units))
            _Activity(random.Random(f"{seed}:activity"), base, catalogue, technicians, users, warehouse,
                      created).create()
        if created:
            record("demo_data_loaded", object_type="demo", **{k: v for k, v in sorted(created.items())})
    return created


def demo_serial(prefix: str, made: date, seq: int) -> str:
    return f"{prefix}{made:%y%m}{seq:07d}"


BASE_LOADED = "demo_installed_base_created"


def _installed_base_present() -> bool:
    # The audit log is append-only, so its record of the load is a reliable marker.
    return db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == BASE_LOADED).limit(1)) is not None


# --- accounts, locations, catalogue, technicians -----------------------------------------------------------

def _ensure_users(created: Counter) -> dict[str, User]:
    wanted = [(u, name, role) for u, name, role in data.STAFF]
    wanted += [(t[0], t[1], Role.TECHNICIAN.value) for t in data.TECHNICIANS]
    existing = {u.username: u for u in db.session.scalars(
        select(User).where(User.username.in_([w[0] for w in wanted])))}
    # One hash for the shared, published demo password: hashing is deliberately slow (scrypt).
    password_hash = None
    for username, name, role in wanted:
        if username in existing:
            continue
        password_hash = password_hash or generate_password_hash(data.PASSWORD)
        user = User(username=username, display_name=name, role=role, password_hash=password_hash, active=True,
                    session_version=1, phone=None)
        db.session.add(user)
        existing[username] = user
        created["users"] += 1
    db.session.flush()
    return existing


def _ensure_location(code: str, name: str, kind: LocationKind, created: Counter) -> StockLocation:
    location = db.session.scalar(select(StockLocation).where(StockLocation.code == code))
    if location is None:
        location = StockLocation(code=code, name=name, kind=kind.value)
        db.session.add(location)
        db.session.flush()
        created["stock_locations"] += 1
    return location


@dataclass
class Catalogue:
    models: list[ProductModel]
    parts: dict[str, Part]
    labour: dict[str, LabourItem]
    faults: dict[str, FaultCode]
    partners: list[Partner]


def _ensure_rows(model, key: str, rows: list[dict], created: Counter, label: str) -> dict:
    column = getattr(model, key)
    found = {getattr(o, key): o for o in db.session.scalars(select(model).where(column.in_([r[key] for r in rows])))}
    for row in rows:
        if row[key] not in found:
            found[row[key]] = model(**row)
            db.session.add(found[row[key]])
            created[label] += 1
    db.session.flush()
    return found


def _ensure_catalogue(created: Counter) -> Catalogue:
    models = _ensure_rows(ProductModel, "code", [
        dict(code=code, name=name, product_line=line, unit_warranty_months=12, accessory_warranty_months=6,
             available=available) for code, name, line, available, _prefix in data.PRODUCT_MODELS],
        created, "product_models")
    parts = _ensure_rows(Part, "code", [
        dict(code=code, name=name, product_line=line, is_accessory=accessory, unit_price=Decimal(price),
             low_stock_threshold=threshold, active=True)
        for code, name, line, accessory, price, threshold, _wh, _van in data.PARTS], created, "parts")
    labour = _ensure_rows(LabourItem, "code", [
        dict(code=code, name=name, price=Decimal(price), minutes=minutes, active=True)
        for code, name, price, minutes in data.LABOUR_ITEMS], created, "labour_items")
    faults = _ensure_rows(FaultCode, "code", [
        dict(code=code, name_zh=zh, name_en=en, product_line=line, active=True)
        for code, zh, en, line in data.FAULT_CODES], created, "fault_codes")
    partners = _ensure_rows(Partner, "name", [
        dict(name=name, phone=phone, regions=regions, active=True) for name, phone, regions in data.PARTNERS],
        created, "partners")
    return Catalogue([models[m[0]] for m in data.PRODUCT_MODELS], parts, labour, faults, list(partners.values()))


def _ensure_technicians(users: dict[str, User], created: Counter) -> list[Technician]:
    rng = random.Random("technician-phones")
    technicians = []
    for username, name, address, skills, radius, regions, start, end, days in data.TECHNICIANS:
        user = users[username]
        phone = _mobile(rng)
        tech = db.session.scalar(select(Technician).where(Technician.user_id == user.id))
        if tech is None:
            van = _ensure_location(van_code(username), van_name(name), LocationKind.VAN, created)
            place = geocode(address)
            user.phone = user.phone or phone
            tech = Technician(user_id=user.id, phone=phone, base_address=address, base_lat=place.lat,
                              base_lon=place.lon, skills=list(skills), area_radius_km=float(radius),
                              regions=list(regions), work_start=start, work_end=end, working_days=days,
                              van_location_id=van.id, active=True)
            db.session.add(tech)
            created["technicians"] += 1
        technicians.append(tech)
    db.session.flush()
    return technicians


def _ensure_stock(parts: dict[str, Part], warehouse: StockLocation, technicians: list[Technician],
                  created: Counter) -> None:
    """Opening stock where a part has none at a location, with the ledger entries that explain it."""
    have = {tuple(row) for row in db.session.execute(select(StockLevel.part_id, StockLevel.location_id))}
    opened = utcnow() - timedelta(days=30)
    vans = [t for t in technicians if t.van_location_id]
    for code, _name, line, _acc, _price, _threshold, wh_qty, van_qty in data.PARTS:
        part = parts[code]
        van_qtys = {t.van_location_id: van_qty for t in vans
                    if line in t.skills and van_qty and (part.id, t.van_location_id) not in have}
        if (part.id, warehouse.id) not in have:
            received = wh_qty + sum(van_qtys.values())
            db.session.add(StockLevel(part_id=part.id, location_id=warehouse.id, qty=wh_qty))
            db.session.add(StockMovement(at=opened, kind=MovementKind.RECEIPT.value, part_id=part.id, qty=received,
                                         to_location_id=warehouse.id, note="期初入库"))
            created["stock_levels"] += 1
        else:
            van_qtys = {}  # the warehouse was stocked earlier: vans keep what they have
        for location_id, qty in van_qtys.items():
            db.session.add(StockLevel(part_id=part.id, location_id=location_id, qty=qty))
            db.session.add(StockMovement(at=opened + timedelta(hours=2), kind=MovementKind.TRANSFER.value,
                                         part_id=part.id, qty=qty, from_location_id=warehouse.id,
                                         to_location_id=location_id, note="期初领用"))
            created["stock_levels"] += 1
    db.session.flush()


# --- customers and units --------------------------------------------------------------------------------------

@dataclass
class InstalledBase:
    customers: dict[int, dict]
    units: list[dict]


def _mobile(rng: random.Random) -> str:
    return rng.choice(data.MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"


def person_name(rng: random.Random) -> str:
    return rng.choice(data.SURNAMES) + rng.choice(data.GIVEN_NAMES)


def company_name(rng: random.Random) -> str:
    return rng.choice(data.COMPANY_PLACES) + rng.choice(data.COMPANY_WORDS) + rng.choice(data.COMPANY_KINDS)


def street_address(rng: random.Random, prefix: str, streets: tuple[str, ...]) -> str:
    street = rng.choice(streets)
    if rng.random() < 0.6:
        estate = rng.choice(data.RESIDENCE_WORDS) + rng.choice(data.RESIDENCES)
        return (f"{prefix}{street}{rng.randint(1, 2999)}弄{estate}{rng.randint(1, 40)}号"
                f"{rng.randint(1, 32)}{rng.randint(1, 6):02d}室")
    return f"{prefix}{street}{rng.randint(1, 1999)}号"


def _create_installed_base(rng: random.Random, n_customers: int, n_units: int, catalogue: Catalogue,
                           created: Counter) -> InstalledBase:
    weights = [w for _p, _s, w in data.DISTRICTS]
    phones: set[str] = set()
    customer_rows = []
    for i in range(n_customers):
        prefix, streets, _w = rng.choices(data.DISTRICTS, weights)[0]
        address = street_address(rng, prefix, streets)
        place = geocode(address)
        phone = _mobile(rng)
        while phone in phones:
            phone = _mobile(rng)
        phones.add(phone)
        contract = rng.random() < CONTRACT_SHARE
        foreign = not contract and rng.random() < 0.01
        customer_rows.append(dict(
            name=company_name(rng) if contract else rng.choice(data.FOREIGN_NAMES) if foreign else person_name(rng),
            phone=phone, address=address, province=place.province, city=place.city, district=place.district,
            lat=place.lat, lon=place.lon, coord_source=place.coord_source,
            customer_type=(CustomerType.CONTRACT if contract else CustomerType.CONSUMER).value,
            contract_warranty_months=rng.choice((18, 24, 36)) if contract else None,
            contract_accessory_months=rng.choice((None, 12)) if contract else None,
            locale="en" if foreign else "zh_CN"))
    ids = db.session.scalars(insert(Customer).returning(Customer.id, sort_by_parameter_order=True),
                             customer_rows).all()
    customers = {cid: dict(row, id=cid) for cid, row in zip(ids, customer_rows)}
    created["customers"] += len(ids)

    # Every customer owns a unit; contract customers (hotels, schools…) take most of the rest.
    owners = list(ids)
    contract_ids = [c for c in ids if customers[c]["customer_type"] == CustomerType.CONTRACT]
    while len(owners) < n_units:
        pool = contract_ids if contract_ids and rng.random() < 0.8 else ids
        owners.append(rng.choice(pool))
    owners = owners[:n_units]

    today = local_today()
    line_weights = {"aircon": 5, "water_heater": 3, "purifier": 2}
    models = catalogue.models
    model_weights = [line_weights[m.product_line] * (2 if m.available else 1) for m in models]
    prefixes = {code: prefix for code, _n, _l, _a, prefix in data.PRODUCT_MODELS}
    unit_rows = []
    for seq, owner_id in enumerate(owners, start=1):
        owner = customers[owner_id]
        model = rng.choices(models, model_weights)[0]
        contract = owner["customer_type"] == CustomerType.CONTRACT
        purchase, invoice, sale = _purchase(rng, today, contract)
        made = (purchase or today - timedelta(days=rng.randint(30, 1500))) - timedelta(days=rng.randint(10, 90))
        other_place = not contract and rng.random() < 0.04
        unit_rows.append(dict(
            serial=demo_serial(prefixes[model.code], made, seq), model_id=model.id, customer_id=owner_id,
            purchase_date=purchase, invoice_no=invoice, sale_type=sale,
            purchase_channel=data.PROJECT_CHANNEL if contract else rng.choice(data.PURCHASE_CHANNELS),
            install_address=street_address(rng, *rng.choice(data.DISTRICTS)[:2]) if other_place else None))
    unit_ids = db.session.scalars(insert(Unit).returning(Unit.id, sort_by_parameter_order=True), unit_rows).all()
    created["units"] += len(unit_ids)
    return InstalledBase(customers, [dict(row, id=uid) for uid, row in zip(unit_ids, unit_rows)])


def _purchase(rng: random.Random, today: date, contract: bool) -> tuple[date | None, str | None, str]:
    """Purchase date, invoice number and sale type: recent purchases are more common (sales grow), and a
    share has no date, no invoice or a clearance price, so every warranty situation is present."""
    r = rng.random()
    if not contract and r < 0.03:
        return None, None, SaleType.NORMAL.value
    purchase = today - timedelta(days=int(rng.triangular(0, 1461, 0)))
    invoice = f"{rng.randrange(10 ** 8):08d}"
    if not contract and r < 0.11:
        invoice = None
    sale = SaleType.CLEARANCE.value if not contract and 0.11 <= r < 0.15 else SaleType.NORMAL.value
    return purchase, invoice, sale


# --- requests, visits and reports -------------------------------------------------------------------------------

# (status, how many, hours since reported)
REQUEST_PLAN = [
    (RequestStatus.NEW, 5, (1, 22)),
    (RequestStatus.SCHEDULED, 5, (2, 20)),
    (RequestStatus.EN_ROUTE, 1, (3, 6)),
    (RequestStatus.ON_SITE, 1, (4, 8)),
    (RequestStatus.FORWARDED, 2, (5, 30)),
    (RequestStatus.AWAITING_PARTS, 1, (30, 40)),
    (RequestStatus.COMPLETED, 5, (40, 96)),
    (RequestStatus.CLOSED, 4, (150, 500)),
    (RequestStatus.CANCELLED, 1, (24, 48)),
]
# Most requests come by phone.
CHANNELS = [Channel.PHONE.value] * 5 + [Channel.ONLINE.value, Channel.WECHAT.value, Channel.WALK_IN.value]
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class _Activity:
    """A few requests in every status, with the appointments, reports, stock issues and callbacks they imply."""

    def __init__(self, rng, base, catalogue, technicians, users, warehouse, created):
        self.rng, self.base, self.catalogue, self.created = rng, base, catalogue, created
        self.technicians, self.warehouse = technicians, warehouse
        self.agents = [users["agent"], users["agent2"]]
        self.models = {m.id: m for m in catalogue.models}
        self.tz = service_tz()
        self.now = utcnow().replace(second=0, microsecond=0)
        self.busy: set[tuple[int, datetime]] = set()
        self.used_units: set[int] = set()
        self.sla = timedelta(hours=get_setting("SLA_HOURS"))
        self.call_out_fee = Decimal(get_setting("CALL_OUT_FEE"))
        self.callback_days = get_setting("CALLBACK_DAYS")
        self.van_stock = {(s.part_id, s.location_id): s for s in db.session.scalars(select(StockLevel))}

    def create(self) -> None:
        plans = []
        for status, count, (low, high) in REQUEST_PLAN:
            for _ in range(count):
                plans.append((self.now - timedelta(minutes=self.rng.randint(low * 60, high * 60)), status))
        # Numbers follow the order requests came in.
        for reported_at, status in sorted(plans, key=lambda p: p[0]):
            self._request(reported_at, status)

    # -- choosing units and technicians

    def _covering(self, customer: dict, line: str) -> list[Technician]:
        def covers(t: Technician) -> bool:
            return (customer["city"] in t.regions or customer["district"] in t.regions
                    or haversine_km(t.base_lat, t.base_lon, customer["lat"], customer["lon"]) <= t.area_radius_km)
        return sorted((t for t in self.technicians if line in t.skills and covers(t)),
                      key=lambda t: haversine_km(t.base_lat, t.base_lon, customer["lat"], customer["lon"]))

    def _pick_unit(self, status: RequestStatus) -> tuple[dict, dict] | None:
        """A random unit not used yet whose place suits the status (forwarded: outside every area), or None."""
        unit = self.rng.choice(self.base.units)
        customer = self.base.customers[unit["customer_id"]]
        line = self.models[unit["model_id"]].product_line
        forwarded = status is RequestStatus.FORWARDED
        if unit["id"] in self.used_units or bool(self._covering(customer, line)) == forwarded:
            return None
        if forwarded and not self._partner_for(customer):
            return None
        return unit, customer

    def _partner_for(self, customer: dict):
        return next((p for p in self.catalogue.partners
                     if {customer["city"], customer["district"]} & set(p.regions.split(","))), None)

    def _book(self, customer: dict, line: str, start: datetime, minutes: int,
              in_hours: bool) -> Technician | None:
        end = start + timedelta(minutes=minutes)
        local_start, local_end = start.astimezone(self.tz), end.astimezone(self.tz)
        for tech in self._covering(customer, line):
            if in_hours and (str(local_start.isoweekday()) not in tech.working_days
                             or local_start.time() < tech.work_start or local_end.time() > tech.work_end
                             or local_end.date() != local_start.date()):
                continue
            slots = slot_starts(start, end)
            if any((tech.id, s) in self.busy for s in slots):
                continue
            self.busy.update((tech.id, s) for s in slots)
            return tech
        return None

    def _local(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), self.tz).astimezone(self.now.tzinfo)

    def _half_hour(self, moment: datetime) -> datetime:
        return moment.replace(minute=moment.minute - moment.minute % 30)

    # -- one request

    def _request(self, reported_at: datetime, status: RequestStatus) -> None:
        rng = self.rng
        for _attempt in range(500):
            picked = self._pick_unit(status)
            if picked is None:
                continue
            unit, customer = picked
            line = self.models[unit["model_id"]].product_line
            visit = self._plan_visit(status, reported_at, customer, line)
            if visit is not False:
                break
        else:
            return  # a small demo may have no unit that fits (e.g. none outside every area)
        self.used_units.add(unit["id"])
        day = reported_at.astimezone(self.tz).date()
        facts = self._facts(unit, customer)
        request = ServiceRequest(
            number=request_number(day, allocate_sequence("request", day)), customer_id=customer["id"],
            unit_id=unit["id"], channel=rng.choice(CHANNELS),
            kind=RequestKind.REPAIR.value, fault_description=rng.choice(data.FAULT_DESCRIPTIONS[line]),
            owner_id=rng.choice(self.agents).id, reported_at=reported_at, sla_due_at=reported_at + self.sla,
            warranty_snapshot=decide_warranty(facts, day).to_snapshot(), status=status.value)
        if status is RequestStatus.FORWARDED:
            request.partner_id = self._partner_for(customer).id
        if status is RequestStatus.CANCELLED:
            request.cancel_reason = "客户来电告知已自行恢复，取消报修"
            request.closed_at = reported_at + timedelta(hours=3)
        db.session.add(request)
        db.session.flush()
        self.created["requests"] += 1
        if visit:
            self._visit(request, unit, customer, line, facts, *visit)

    def _plan_visit(self, status, reported_at, customer, line):
        """(technician, window start, appointment status) for statuses that have a visit; None when there is
        none; False when no technician can take this customer at that time (pick another unit)."""
        s = RequestStatus
        if status in (s.NEW, s.FORWARDED, s.CANCELLED):
            return None
        window = timedelta(minutes=get_setting("WINDOW_MINUTES"))
        minutes = int(window.total_seconds() // 60)
        if status is s.SCHEDULED:
            tomorrow = (self.now + timedelta(days=1)).astimezone(self.tz).date()
            candidates = [self._local(tomorrow, h) for h in (9, 11, 14, 16)]
            appointment_status = AppointmentStatus.BOOKED
        elif status is s.EN_ROUTE:
            candidates = [self._half_hour(self.now) + timedelta(minutes=30)]
            appointment_status = AppointmentStatus.EN_ROUTE
        elif status is s.ON_SITE:
            candidates = [self._half_hour(self.now) - timedelta(minutes=30)]
            appointment_status = AppointmentStatus.ON_SITE
        else:
            # Finished visits: a window about 20 hours after the call that was over before now.
            aim = reported_at + timedelta(hours=20)
            days = [aim.astimezone(self.tz).date() + timedelta(days=d) for d in (-1, 0, 1)]
            candidates = sorted((start for day in days for start in (self._local(day, h) for h in (9, 11, 14, 16))
                                 if reported_at + timedelta(hours=1) <= start and start + window <= self.now),
                                key=lambda start: abs(start - aim))
            appointment_status = AppointmentStatus.DONE
        in_hours = status not in (s.EN_ROUTE, s.ON_SITE)
        for start in candidates:
            tech = self._book(customer, line, start, minutes, in_hours)
            if tech is not None:
                return tech, start, appointment_status
        return False

    def _facts(self, unit: dict, customer: dict) -> WarrantyFacts:
        model = self.models[unit["model_id"]]
        return WarrantyFacts(
            purchase_date=unit["purchase_date"], has_proof=has_proof_of_purchase(unit["invoice_no"]), sale_type=unit["sale_type"],
            unit_months=model.unit_warranty_months, accessory_months=model.accessory_warranty_months,
            contract_unit_months=customer["contract_warranty_months"],
            contract_accessory_months=customer["contract_accessory_months"], model_available=model.available)

    def _visit(self, request, unit, customer, line, facts, tech, start, appointment_status) -> None:
        window = timedelta(minutes=get_setting("WINDOW_MINUTES"))
        appointment = Appointment(request_id=request.id, technician_id=tech.id, window_start=start,
                                  window_end=start + window, status=appointment_status.value,
                                  travel_km=round(haversine_km(tech.base_lat, tech.base_lon, customer["lat"],
                                                               customer["lon"]) * 1.3, 1),
                                  created_by_id=request.owner_id,
                                  created_at=request.reported_at + timedelta(minutes=self.rng.randint(5, 40)))
        done = appointment_status is AppointmentStatus.DONE
        # Visits under way started around now: none of their moments may lie ahead of it.
        if appointment_status is not AppointmentStatus.BOOKED:
            appointment.en_route_at = min(start - timedelta(minutes=self.rng.randint(15, 40)), self.now)
        if appointment_status in (AppointmentStatus.ON_SITE, AppointmentStatus.DONE):
            appointment.arrived_at = min(start + timedelta(minutes=self.rng.randint(5, 40)), self.now)
            appointment.arrival_lat, appointment.arrival_lon = customer["lat"], customer["lon"]
        if done:
            appointment.finished_at = min(appointment.arrived_at + timedelta(minutes=self.rng.randint(40, 100)),
                                          self.now)
        db.session.add(appointment)
        db.session.flush()
        if not done:
            # Active appointments hold their slots: the database refuses a second booking on top of them.
            db.session.add_all(AppointmentSlot(appointment_id=appointment.id, technician_id=tech.id, slot_start=s)
                               for s in slot_starts(appointment.window_start, appointment.window_end))
            self.created["appointments"] += 1
            return
        self.created["appointments"] += 1
        status = RequestStatus(request.status)
        outcome = VisitOutcome.AWAITING_PARTS if status is RequestStatus.AWAITING_PARTS else VisitOutcome.FIXED
        self._report(appointment, unit, customer, line, facts, tech, outcome)
        if status in (RequestStatus.COMPLETED, RequestStatus.CLOSED):
            self._callback(request, appointment, closed=status is RequestStatus.CLOSED)

    def _report(self, appointment, unit, customer, line, facts, tech, outcome) -> None:
        rng = self.rng
        fault, diagnosis, resolution, labour_codes, part_lines = rng.choice(data.REPAIRS[line])
        if outcome is VisitOutcome.AWAITING_PARTS:
            resolution, labour_codes, part_lines = "配件需从中心仓库调拨，到货后预约二次上门", ("L-DIAG",), ()
        visit_day = appointment.finished_at.astimezone(self.tz).date()
        decision = decide_warranty(facts, visit_day)
        accessory = decide_warranty(facts, visit_day, Component.ACCESSORY)
        labour = [self.catalogue.labour[c] for c in labour_codes]
        parts = [(self.catalogue.parts[c], qty) for c, qty in part_lines]
        charges = compute_charges(
            call_out_fee=self.call_out_fee,
            labour=[LabourLine(i.code, i.name, Decimal(1), i.price) for i in labour],
            parts=[PartLine(p.code, p.name, qty, p.unit_price, p.is_accessory) for p, qty in parts],
            coverage=Coverage(unit_covered=not decision.chargeable, accessory_covered=not accessory.chargeable,
                              reason_zh=decision.reasons[0].zh, reason_en=decision.reasons[0].en),
            agreement=None)
        receipt = None
        if charges.money_due:
            receipt = next_receipt_number(visit_day, allocate_sequence("receipt", visit_day))
        model = self.models[unit["model_id"]]
        report = ServiceReport(
            appointment_id=appointment.id, revision=1, model_found=model.code, serial_found=unit["serial"],
            exclusions=[], fault_code_id=self.catalogue.faults[fault].id, diagnosis=diagnosis,
            resolution=resolution, outcome=outcome.value, warranty_snapshot=decision.to_snapshot(),
            charges=charges.to_dict(), total_due=charges.total_due, receipt_no=receipt,
            verdict=Verdict.SATISFIED.value, signer_name=customer["name"], signature_png=_signature(rng),
            signed_at=appointment.finished_at, technician_id=tech.id,
            verification_code="".join(rng.choice(CODE_ALPHABET) for _ in range(8)), locale=customer["locale"],
            created_at=appointment.finished_at)
        by_code = {i.code: i for i in labour} | {p.code: p for p, _q in parts}
        for line_ in charges.lines:
            item = by_code.get(line_.code)
            report.lines.append(ReportLine(
                kind=LineKind(line_.kind.value).value, description=line_.description, qty=line_.qty,
                labour_item_id=item.id if isinstance(item, LabourItem) else None,
                part_id=item.id if isinstance(item, Part) else None, unit_price=line_.unit_price,
                gross=line_.gross, warranty_waiver=line_.warranty_waiver,
                agreement_waiver=line_.agreement_waiver, net=line_.net))
        # Rendered by the visits area, so a demo report reads (and re-renders) like a real one. A signed report
        # cannot change once stored, so the PDF is made before the report joins the session.
        report.appointment, report.technician = appointment, tech
        report.fault_code = self.catalogue.faults[fault]
        report.pdf = render_service_report(report_document(report))
        report.pdf_sha256 = hashlib.sha256(report.pdf).hexdigest()
        db.session.add(report)
        db.session.flush()
        self.created["service_reports"] += 1
        for part, qty in parts:
            self._issue(part, qty, tech, appointment)

    def _issue(self, part: Part, qty: int, tech: Technician, appointment: Appointment) -> None:
        """Parts used on the visit leave the van; a van short of them was first restocked from the warehouse."""
        key = (part.id, tech.van_location_id)
        level = self.van_stock.get(key)
        if level is None:
            level = StockLevel(part_id=part.id, location_id=tech.van_location_id, qty=0)
            db.session.add(level)
            self.van_stock[key] = level
        if level.qty < qty:
            top_up = qty - level.qty
            store = self.van_stock[(part.id, self.warehouse.id)]
            store.qty -= top_up
            level.qty += top_up
            db.session.add(StockMovement(at=appointment.window_start - timedelta(days=1),
                                         kind=MovementKind.TRANSFER.value, part_id=part.id, qty=top_up,
                                         from_location_id=self.warehouse.id, to_location_id=tech.van_location_id,
                                         actor_id=tech.user_id, note="领用"))
        level.qty -= qty
        db.session.add(StockMovement(at=appointment.finished_at, kind=MovementKind.ISSUE.value, part_id=part.id,
                                     qty=qty, from_location_id=tech.van_location_id, appointment_id=appointment.id,
                                     actor_id=tech.user_id))
        self.created["stock_movements"] += 1

    def _callback(self, request, appointment, closed: bool) -> None:
        finished_day = appointment.finished_at.astimezone(self.tz).date()
        follow_up = FollowUp(kind=FollowUpKind.SERVICE_CALLBACK.value, customer_id=request.customer_id,
                             request_id=request.id, appointment_id=appointment.id,
                             due_date=finished_day + timedelta(days=self.callback_days),
                             assignee_id=request.owner_id, status=FollowUpStatus.PENDING.value)
        if closed:
            follow_up.status = FollowUpStatus.DONE.value
            follow_up.attempts = 1
            follow_up.satisfaction = self.rng.choice((4, 5, 5))
            follow_up.on_time, follow_up.solved, follow_up.attitude = True, True, 5
            follow_up.comment = self.rng.choice(("师傅很专业，准时上门", "维修及时，态度好", "已正常使用"))
            called = self._local(finished_day + timedelta(days=self.callback_days), 10)
            follow_up.completed_at = min(called, self.now)
            request.closed_at = follow_up.completed_at
        db.session.add(follow_up)
        self.created["follow_ups"] += 1


def _signature(rng: random.Random) -> bytes:
    """A handwritten-looking stroke, as the tablet's signature pad would send it."""
    image = Image.new("L", (360, 120), 255)
    draw = ImageDraw.Draw(image)
    x, y, points = 20, 70, []
    while x < 330:
        points.append((x, y))
        x += rng.randint(8, 22)
        y = max(20, min(100, y + rng.randint(-28, 28)))
    draw.line(points, fill=20, width=3, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def demo_counts() -> dict[str, int]:
    """Row counts of the tables the demo fills (the idempotence check compares these)."""
    tables = (User, StockLocation, ProductModel, Part, LabourItem, FaultCode, Partner, Technician, StockLevel,
              StockMovement, Customer, Unit, ServiceRequest, Appointment, AppointmentSlot, ServiceReport,
              ReportLine, FollowUp)
    return {t.__tablename__: db.session.scalar(select(func.count()).select_from(t)) for t in tables}
