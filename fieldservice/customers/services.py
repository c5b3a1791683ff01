"""Use cases for customers and their installed base: search, history, register, reveal, import."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import and_, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..audit.services import record
from ..catalog.models import ProductModel
from ..complaints.models import Complaint
from ..database import write_transaction
from ..errors import Conflict, DomainError, NotFound
from ..extensions import db
from ..followups.models import FollowUp
from ..geo import geocode
from ..i18n import lazy_gettext as _l, local_today
from ..intake.models import ServiceRequest
from ..scheduling.models import Appointment
from ..visits.models import ServiceReport
from .models import CoordSource, Customer, CustomerType, SaleType, Unit
from .rules import (IMPORT_COLUMNS, MAX_ADDRESS, MAX_CONTRACT_MONTHS, MAX_INVOICE, MAX_NAME, MODEL_CODE, BadRow,
                    RowProblem, UnitRow, clean_line, normalise_phone, normalise_serial, parse_unit_row,
                    phone_search_digits, purchase_date_problem, search_text, serial_problem, to_ascii)

SEARCH_LIMIT = 25
_REQUEST_NUMBER = re.compile(r"SR-?(\d{8})-?(\d{1,5})")

# Messages for the problem codes of rules.py, worded for the person who typed the value.
PROBLEMS: dict[str, Callable[[object], object]] = {
    "serial_missing": lambda value: _l("Enter the serial number."),
    "serial_malformed": lambda value: _l(
        "“%(value)s” is not a serial number: use 3 to 64 letters, digits, dashes or slashes.", value=value),
    "model_missing": lambda value: _l("Choose the product model."),
    "unknown_model": lambda value: _l("There is no product model with code %(value)s.", value=value),
    "name_missing": lambda value: _l("Enter the customer's name."),
    "name_too_long": lambda value: _l("The name may have at most %(value)s characters.", value=value),
    "phone_invalid": lambda value: _l("“%(value)s” is not a Chinese mobile or landline number.", value=value),
    "address_too_long": lambda value: _l("The address may have at most %(value)s characters.", value=value),
    "purchase_date_invalid": lambda value: _l("“%(value)s” is not a date; write it as YYYY-MM-DD.", value=value),
    "purchase_date_in_future": lambda value: _l("The purchase date cannot be in the future."),
    "purchase_date_too_early": lambda value: _l("The purchase date cannot be before the year 2000."),
    "invoice_too_long": lambda value: _l("The invoice number may have at most %(value)s characters.", value=value),
    "sale_type_invalid": lambda value: _l(
        "The sale type must be normal or clearance, not “%(value)s”.", value=value),
    "customer_type_invalid": lambda value: _l(
        "The customer type must be consumer or contract, not “%(value)s”.", value=value),
    "contract_months_invalid": lambda value: _l(
        "Contract warranty months must be a whole number from 0 to 36, not “%(value)s”.", value=value),
    "channel_too_long": lambda value: _l(
        "The purchase channel may have at most %(value)s characters.", value=value),
    "coordinates_invalid": lambda value: _l(
        "Latitude must be between -90 and 90 and longitude between -180 and 180."),
    "serial_in_file_twice": lambda value: _l("Serial %(value)s already appears earlier in this file.", value=value),
    "unreadable_row": lambda value: _l("This line cannot be read as CSV."),
}


def problem(code: str, value: object = "") -> DomainError:
    return DomainError(code, PROBLEMS[code](value))


def problem_message(code: str, value: object = "") -> str:
    return str(PROBLEMS[code](value))


# --- Search ------------------------------------------------------------------------------------

@dataclass
class SearchHit:
    customer: Customer
    matched_by: str  # request | serial | phone | name
    detail: str = ""


def search_customers(query: str, limit: int = SEARCH_LIMIT) -> list[SearchHit]:
    """Customers for one search box: request number, serial, phone (any format, or 4+ digits of it), name."""
    text = search_text(query)
    if not text:
        return []
    hits: dict[int, SearchHit] = {}

    def add(customers: Iterable[Customer], matched_by: str, detail: str = "") -> None:
        for customer in customers:
            if len(hits) < limit:
                hits.setdefault(customer.id, SearchHit(customer, matched_by, detail))

    base = select(Customer).options(selectinload(Customer.units).joinedload(Unit.model))
    number = _REQUEST_NUMBER.fullmatch(text.upper().replace(" ", ""))
    if number:
        full = f"SR-{number[1]}-{int(number[2]):04d}"
        add(db.session.scalars(base.join(ServiceRequest, ServiceRequest.customer_id == Customer.id)
                               .where(ServiceRequest.number == full)), "request", full)
    serial = normalise_serial(text)
    if not serial_problem(serial):
        add(db.session.scalars(base.join(Unit, Unit.customer_id == Customer.id).where(Unit.serial == serial)),
            "serial", serial)
    digits = phone_search_digits(text)
    if digits:
        if normalise_phone(text):
            condition = Customer.phone == digits
        else:
            condition = Customer.phone.contains(digits, autoescape=True)
        add(db.session.scalars(base.where(condition).order_by(Customer.name, Customer.id).limit(limit)), "phone")
    if not digits and len(text) <= MAX_NAME:
        add(db.session.scalars(base.where(_starts_with(Customer.name, text))
                               .order_by(Customer.name, Customer.id).limit(limit)), "name")
        if len(hits) == 0 and len(serial) >= 4 and not serial_problem(serial):
            # A partly typed serial: its start is enough to find the unit.
            add(db.session.scalars(base.join(Unit, Unit.customer_id == Customer.id)
                                   .where(_starts_with(Unit.serial, serial)).limit(limit)), "serial")
    return list(hits.values())


def _starts_with(column, text: str):
    """A "starts with" condition that an index answers (ix_customer_name_pattern, ix_unit_serial_pattern)."""
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite only uses an index for LIKE with a case-insensitive collation. Its default collation
        # compares UTF-8 bytes, so [text, text + U+10FFFF) holds exactly the strings starting with text.
        return and_(column >= text, column < text + "\U0010ffff")
    return column.startswith(text, autoescape=True)


def customers_with_phone(phone: str) -> list[Customer]:
    normalised = normalise_phone(phone or "")
    if not normalised:
        return []
    return list(db.session.scalars(select(Customer).options(selectinload(Customer.units).joinedload(Unit.model))
                                   .where(Customer.phone == normalised).order_by(Customer.id)))


def possible_callers(phone: str | None, customer_id: int | None = None) -> list[Customer]:
    """Who the caller may be: the customer already chosen, then everyone with this phone."""
    found = customers_with_phone(phone or "")
    if customer_id is not None and customer_id not in {c.id for c in found}:
        chosen = db.session.get(Customer, customer_id)
        found = ([chosen] if chosen else []) + found
    return found


def get_customer(customer_id: int) -> Customer:
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("unknown_customer", _l("This customer does not exist."))
    return customer


# --- History -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: str  # request | visit | report | follow_up | complaint
    item: object


def customer_history(customer_id: int) -> list[HistoryEntry]:
    """Everything that happened with this customer, newest first."""
    requests = db.session.scalars(select(ServiceRequest).options(selectinload(ServiceRequest.unit))
                                  .where(ServiceRequest.customer_id == customer_id)).all()
    appointments = db.session.scalars(
        select(Appointment).join(ServiceRequest).options(selectinload(Appointment.technician))
        .where(ServiceRequest.customer_id == customer_id)).all()
    reports = db.session.scalars(
        select(ServiceReport).join(Appointment).join(ServiceRequest)
        .where(ServiceRequest.customer_id == customer_id, ServiceReport.signed_at.is_not(None))).all()
    follow_ups = db.session.scalars(select(FollowUp).where(FollowUp.customer_id == customer_id)).all()
    complaints = db.session.scalars(select(Complaint).where(Complaint.customer_id == customer_id)).all()
    entries = ([HistoryEntry(r.reported_at, "request", r) for r in requests]
               + [HistoryEntry(a.window_start, "visit", a) for a in appointments]
               + [HistoryEntry(r.signed_at, "report", r) for r in reports]
               + [HistoryEntry(f.completed_at or f.created_at, "follow_up", f) for f in follow_ups]
               + [HistoryEntry(c.received_at, "complaint", c) for c in complaints])
    return sorted(entries, key=lambda e: e.at, reverse=True)


# --- Changes -----------------------------------------------------------------------------------

def reveal_phone(customer_id: int) -> str:
    """The customer's full phone number; every reveal is audited."""
    with write_transaction():
        customer = get_customer(customer_id)
        record("phone_revealed", customer)
    return customer.phone


@dataclass(frozen=True)
class NewCustomer:
    name: str
    phone: str
    address: str = ""
    customer_type: str = CustomerType.CONSUMER
    contract_warranty_months: int | None = None
    lat: float | None = None
    lon: float | None = None


def check_customer(data: NewCustomer) -> tuple[str, str, str]:
    name = clean_line(data.name)
    if not name:
        raise problem("name_missing")
    if len(name) > MAX_NAME:
        raise problem("name_too_long", MAX_NAME)
    phone = normalise_phone(data.phone or "")
    if phone is None:
        raise problem("phone_invalid", clean_line(data.phone)[:40])
    address = clean_line(data.address)
    if len(address) > MAX_ADDRESS:
        raise problem("address_too_long", MAX_ADDRESS)
    if data.customer_type not in tuple(CustomerType):
        raise problem("customer_type_invalid", data.customer_type)
    months = data.contract_warranty_months
    if months is not None and not 0 <= months <= MAX_CONTRACT_MONTHS:
        raise problem("contract_months_invalid", months)
    if (data.lat is None) != (data.lon is None) or (
            data.lat is not None and not (-90 <= data.lat <= 90 and -180 <= data.lon <= 180)):
        raise problem("coordinates_invalid")
    return name, phone, address


def _locate(customer: Customer, address: str, lat: float | None, lon: float | None) -> None:
    """Coordinates typed by the agent win; otherwise the address's district or city centre, offline."""
    if lat is not None:
        customer.lat, customer.lon, customer.coord_source = lat, lon, CoordSource.MANUAL.value
        found = geocode(address)
    else:
        found = geocode(address)
        if found is not None:
            customer.lat, customer.lon, customer.coord_source = found.lat, found.lon, found.coord_source
    if found is not None:
        customer.province, customer.city, customer.district = found.province, found.city, found.district


class SamePhone(Conflict):
    """The phone of a new customer already belongs to customers: maybe the same person, maybe a relative."""

    def __init__(self, customers: list[Customer]):
        super().__init__("phone_taken", _l("This phone number already belongs to a customer."),
                         customer_ids=[c.id for c in customers])
        self.customers = customers


def create_customer(data: NewCustomer, allow_same_phone: bool = True) -> Customer:
    """A new customer; with allow_same_phone=False, raises SamePhone (saving nothing) when the phone is taken."""
    with write_transaction():
        name, phone, address = check_customer(data)
        if not allow_same_phone:
            same = customers_with_phone(phone)
            if same:
                raise SamePhone(same)
        customer = Customer(name=name, phone=phone, address=address, customer_type=data.customer_type,
                            contract_warranty_months=data.contract_warranty_months)
        _locate(customer, address, data.lat, data.lon)
        db.session.add(customer)
        db.session.flush()
        record("customer_created", customer)
    return customer


def find_or_create_customer(name: str, phone: str, address: str = "") -> Customer:
    """The customer with this phone and name (the same key the import uses), created when missing."""
    with write_transaction():
        checked_name, checked_phone, _ = check_customer(NewCustomer(name, phone, address))
        existing = db.session.scalar(select(Customer).where(Customer.phone == checked_phone,
                                                            Customer.name == checked_name).order_by(Customer.id))
        return existing or create_customer(NewCustomer(name, phone, address))


@dataclass(frozen=True)
class NewUnit:
    serial: str
    model_code: str
    purchase_date: date | None = None
    invoice_no: str | None = None
    sale_type: str = SaleType.NORMAL
    purchase_channel: str | None = None
    install_address: str | None = None


MAX_CHANNEL = 60


def model_by_code(code: str) -> ProductModel:
    code = clean_line(to_ascii(code or "")).upper()
    if not code:
        raise problem("model_missing")
    if not MODEL_CODE.fullmatch(code):
        raise problem("unknown_model", code[:40])
    model = db.session.scalar(select(ProductModel).where(func.upper(ProductModel.code) == code))
    if model is None:
        raise problem("unknown_model", code[:40])
    return model


def register_unit(customer_id: int, data: NewUnit) -> Unit:
    """A new unit at a customer; the serial is normalised and must not be registered yet."""
    with write_transaction():
        customer = get_customer(customer_id)
        serial = normalise_serial(data.serial or "")
        code = serial_problem(serial)
        if code:
            raise problem(code, serial[:64]) if code == "serial_malformed" else problem(code)
        model = model_by_code(data.model_code)
        code = purchase_date_problem(data.purchase_date, local_today())
        if code:
            raise problem(code)
        invoice_no = clean_line(data.invoice_no) or None
        if invoice_no and len(invoice_no) > MAX_INVOICE:
            raise problem("invoice_too_long", MAX_INVOICE)
        if data.sale_type not in tuple(SaleType):
            raise problem("sale_type_invalid", data.sale_type)
        channel = clean_line(data.purchase_channel) or None
        if channel and len(channel) > MAX_CHANNEL:
            raise problem("channel_too_long", MAX_CHANNEL)
        _refuse_taken_serial(serial)
        unit = Unit(serial=serial, model_id=model.id, customer_id=customer.id, purchase_date=data.purchase_date,
                    invoice_no=invoice_no, sale_type=data.sale_type, purchase_channel=channel,
                    install_address=clean_line(data.install_address) or None)
        try:
            with db.session.begin_nested():
                db.session.add(unit)
        except IntegrityError:
            # Registered by someone else between our check and our insert.
            _refuse_taken_serial(serial)
            raise
        record("unit_registered", unit, serial=serial, customer_id=customer.id)
    return unit


def _refuse_taken_serial(serial: str) -> None:
    owner = db.session.execute(select(Customer.name).join(Unit).where(Unit.serial == serial)).scalar()
    if owner is not None:
        raise Conflict("serial_taken", _l("Serial %(serial)s is already registered (customer %(name)s).",
                                          serial=serial, name=owner))


# --- Import ------------------------------------------------------------------------------------

class RowErrors(NamedTuple):
    """A bad row of an import file: its line number and every reason it was skipped, in the user's language."""

    line: int
    reasons: list[str]


@dataclass
class ImportReport:
    rows: int = 0
    units_created: int = 0
    customers_created: int = 0
    already_registered: int = 0
    errors: list[RowErrors] = field(default_factory=list)


class ImportFileError(DomainError):
    pass


IMPORT_BATCH = 1000


def read_units_csv(data: bytes) -> Iterator[tuple[int, dict | None]]:
    """(line number, row) pairs of a UTF-8 CSV file with or without BOM; None for a line CSV cannot parse.

    The whole file is decoded first, so a file in another encoding is refused before anything is saved.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("not_utf8", _l("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [to_ascii(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        raise ImportFileError("missing_columns", _l("The file lacks the columns: %(columns)s.",
                                                    columns=", ".join(missing)))
    reader.fieldnames = header
    return _rows(reader)


def _rows(reader: csv.DictReader) -> Iterator[tuple[int, dict | None]]:
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield reader.line_num, None
            continue
        yield reader.line_num, row


def import_units(rows: Iterable[tuple[int, dict]], progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import the installed base; bad rows are reported and skipped, good rows are saved in batches.

    Idempotent: customers are matched by phone and name, units by serial, so a second run of the
    same file creates nothing.
    """
    report = ImportReport()
    today = local_today()
    models = {code.upper(): model_id for code, model_id in db.session.execute(
        select(ProductModel.code, ProductModel.id))}
    seen_serials: set[str] = set()
    batch: list[UnitRow] = []
    for line, raw in rows:
        report.rows += 1
        try:
            if raw is None:
                raise BadRow(line, [RowProblem("unreadable_row")])
            row = parse_unit_row(line, raw, today, known_models=models, serials_before=seen_serials)
            seen_serials.add(row.serial)
            batch.append(row)
        except BadRow as bad:
            report.errors.append(RowErrors(line, [problem_message(p.code, p.value) for p in bad.problems]))
        if len(batch) >= IMPORT_BATCH:
            _import_batch(batch, models, report)
            batch = []
        if progress:
            progress(1)
    if batch:
        _import_batch(batch, models, report)
    return report


def _import_batch(batch: list[UnitRow], models: dict[str, int], report: ImportReport) -> None:
    """Save one batch with a few bulk statements (ORM objects one by one would take minutes for 50,000 rows)."""
    with write_transaction():
        taken = set(db.session.scalars(select(Unit.serial).where(Unit.serial.in_([r.serial for r in batch]))))
        customer_ids = _customer_ids({r.phone for r in batch})
        fresh = [r for r in batch if r.serial not in taken]
        report.already_registered += len(batch) - len(fresh)
        new_customers: dict[tuple[str, str], dict] = {}
        for row in fresh:
            key = (row.phone, row.customer_name)
            if key not in customer_ids and key not in new_customers:
                new_customers[key] = _customer_values(row)
        if new_customers:
            # Read the ids back rather than INSERT … RETURNING: SQLite would then insert row by row.
            db.session.execute(insert(Customer), list(new_customers.values()))
            customer_ids.update(_customer_ids({phone for phone, _ in new_customers}))
        if fresh:
            db.session.execute(insert(Unit), [{
                "serial": r.serial, "model_id": models[r.model_code],
                "customer_id": customer_ids[(r.phone, r.customer_name)], "purchase_date": r.purchase_date,
                "invoice_no": r.invoice_no, "sale_type": r.sale_type} for r in fresh])
            # One audit event per batch: the import is one act, and 50,000 events would bury the log.
            record("units_imported", object_type="unit", units=len(fresh), customers=len(new_customers),
                   first_line=batch[0].line, last_line=batch[-1].line)
        report.units_created += len(fresh)
        report.customers_created += len(new_customers)


def _customer_ids(phones: set[str]) -> dict[tuple[str, str], int]:
    """Customer ids by (phone, name); the oldest wins when a pair was entered twice by hand."""
    rows = db.session.execute(select(Customer.id, Customer.phone, Customer.name)
                              .where(Customer.phone.in_(phones)).order_by(Customer.id.desc()))
    return {(phone, name): customer_id for customer_id, phone, name in rows}


def _customer_values(row: UnitRow) -> dict:
    found = geocode(row.address)
    return {"name": row.customer_name, "phone": row.phone, "address": row.address,
            "customer_type": row.customer_type, "contract_warranty_months": row.contract_warranty_months,
            "province": found.province if found else None, "city": found.city if found else None,
            "district": found.district if found else None, "lat": found.lat if found else None,
            "lon": found.lon if found else None, "coord_source": found.coord_source if found else None}
