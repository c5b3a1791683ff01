"""The warranty-expiry list (保修产品到期一览表) in SQL, fast enough for a million units.

A unit's coverage end is a last covered day: purchase date + months (month-end clamped) − 1 day,
where the months are the model's, or a contract customer's longer contract months capped at 36
(12 for accessories), exactly as warranty.services builds the facts; an active service agreement
that runs past that day makes the agreement's end date the unit's coverage end instead. Clearance
sales have no free coverage, and units without a purchase date have no known end.

Computing that end for every unit would scan the whole table. Instead, for each distinct number of
months, the pure `purchase_window` turns the date range into the purchase dates that end inside
it, and each months group becomes one branch of a UNION ALL with an indexed range condition on
unit.purchase_date. The end date itself is then computed in SQL only for the rows found, so the
list can be ordered and paged by it (`last_covered_day_sql`, checked against the Python rule).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (Date, Integer, String, and_, any_, bindparam, case, exists, false, func, literal,
                        literal_column, or_, select, union_all)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..agreements.models import AgreementStatus, ServiceAgreement, agreement_unit
from ..catalog.models import ProductModel
from ..customers.models import Customer, CustomerType, SaleType, Unit
from ..customers.rules import mask_phone
from ..extensions import db
from ..followups.models import FollowUp
from ..followups.rules import FollowUpKind, FollowUpStatus
from ..intake.models import ServiceRequest
from ..intake.rules import RequestKind, RequestStatus
from ..scheduling.models import Technician
from ..warranty.rules import ACCESSORY_CONTRACT_CAP_MONTHS, UNIT_CONTRACT_CAP_MONTHS, last_covered_day
from .models import SalesOffer
from .rules import CoverageChoice, CoverageKind, area_box, days_left, effective_months, purchase_window

COMPLETED = (RequestStatus.COMPLETED.value, RequestStatus.CLOSED.value)
STREAM_BATCH = 2000


class last_covered_day_sql(FunctionElement):
    """SQL for warranty.rules.last_covered_day(date, months): add months clamping to the month's end,
    then one day back. `months` is an int or an integer SQL expression."""

    type = Date()
    name = "last_covered_day"
    inherit_cache = True


def _months_sql(months) -> object:
    return literal_column(str(int(months))) if isinstance(months, int) else months


def last_covered_day_expr(day, months):
    return last_covered_day_sql(day, _months_sql(months))


@compiles(last_covered_day_sql, "postgresql")
def _last_covered_day_pg(element, compiler, **kw):
    day, months = (compiler.process(c, **kw) for c in element.clauses)
    # PostgreSQL's month arithmetic already clamps (31 Jan + 1 month = 28/29 Feb).
    return f"(CAST({day} + make_interval(months => {months}) AS DATE) - 1)"


@compiles(last_covered_day_sql, "sqlite")
def _last_covered_day_sqlite(element, compiler, **kw):
    day, months = (compiler.process(c, **kw) for c in element.clauses)
    shifted = f"date({day}, '+' || ({months}) || ' months')"
    # SQLite rolls an overflowing day into the next month (31 Jan + 1 month = 3 Mar): when the day of
    # the month changed, the clamped answer is the last day of the month before.
    return (f"date(CASE WHEN strftime('%d', {shifted}) = strftime('%d', {day}) THEN {shifted} "
            f"ELSE date({shifted}, 'start of month', '-1 day') END, '-1 day')")


@dataclass(frozen=True)
class ExpiryFilters:
    start: date
    end: date
    coverage: CoverageChoice = CoverageChoice.UNIT
    product_line: str | None = None
    model_id: int | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    customer_type: str | None = None
    technician_id: int | None = None


@dataclass(slots=True)  # not frozen: a frozen init costs twice as much, and a month is 20,000 rows
class ExpiryRow:
    unit_id: int
    customer_id: int
    customer_name: str
    phone: str  # masked
    address: str
    model_code: str
    model_name: str
    serial: str
    purchase_date: date | None
    kind: CoverageKind
    coverage_end: date
    days_left: int
    repairs: int
    offer_due: date | None  # the open sales call for this unit (or its agreement), if any
    draft_agreement: bool


@dataclass(frozen=True)
class _Months:
    """Where a coverage kind's months come from."""

    kind: CoverageKind
    model_months: object  # ProductModel column
    contract_months: object  # Customer column
    cap: int


UNIT_MONTHS = _Months(CoverageKind.UNIT, ProductModel.unit_warranty_months, Customer.contract_warranty_months,
                      UNIT_CONTRACT_CAP_MONTHS)
ACCESSORY_MONTHS = _Months(CoverageKind.ACCESSORY, ProductModel.accessory_warranty_months,
                           Customer.contract_accessory_months, ACCESSORY_CONTRACT_CAP_MONTHS)


def _branch(kind: CoverageKind, coverage_end, conditions: list):
    """Unit-level columns only: the customer and model columns are joined once the rows are chosen."""
    return (select(Unit.id.label("unit_id"), literal(kind.value, String(10)).label("kind"),
                   coverage_end.label("coverage_end"))
            .where(Unit.sale_type != SaleType.CLEARANCE.value, *conditions))


def _is_contract():
    return Customer.customer_type == CustomerType.CONTRACT.value


def _customers(*conditions):
    return select(Customer.id).where(*conditions)


def _models(*conditions):
    return select(ProductModel.id).where(*conditions)


# `column + 0` keeps a planner from driving a branch by the model or customer index (SQLite would scan every
# unit of a model): the purchase-date range is the selective condition, the others filter what it finds.
UNIT_MODEL = Unit.model_id + 0
UNIT_CUSTOMER = Unit.customer_id + 0


def _agreement_outlasts(coverage_end):
    """An active agreement of the unit ends after `coverage_end`: the agreement's end is the unit's."""
    return exists().where(agreement_unit.c.unit_id == Unit.id, agreement_unit.c.agreement_id == ServiceAgreement.id,
                          ServiceAgreement.status == AgreementStatus.ACTIVE.value,
                          ServiceAgreement.end_date > coverage_end)


def _purchase_branches(spec: _Months, f: ExpiryFilters, conditions: list) -> list:
    """One branch per effective months value, each with its own purchase-date range.

    A unit's months are its model's unless its customer is a contract customer with longer (capped)
    contract months; contract customers are few, so both cases are IN / NOT IN lists of them.
    """
    model_months = sorted(set(db.session.scalars(select(spec.model_months).distinct())))
    contract_values = db.session.scalars(
        select(spec.contract_months).where(_is_contract(), spec.contract_months.is_not(None)).distinct()).all()
    by_capped: dict[int, list[int]] = {}
    for raw in contract_values:
        by_capped.setdefault(min(raw, spec.cap), []).append(raw)

    branches = []

    def add(months: int, group_conditions: list) -> None:
        window = purchase_window(f.start, f.end, months)
        if window is None:
            return
        coverage_end = last_covered_day_expr(Unit.purchase_date, months)
        extra = [~_agreement_outlasts(coverage_end)] if spec.kind is CoverageKind.UNIT else []
        branches.append(_branch(spec.kind, coverage_end,
                                [Unit.purchase_date.between(*window), *group_conditions, *extra, *conditions]))

    for months in model_months:
        group = [UNIT_MODEL.in_(_models(spec.model_months == months))]
        # Units of contract customers with longer months belong to the contract branches.
        longer = [raw for capped, raws in by_capped.items() if capped > months for raw in raws]
        if longer:
            group.append(UNIT_CUSTOMER.not_in(_customers(_is_contract(), spec.contract_months.in_(longer))))
        add(months, group)
    for capped, raws in sorted(by_capped.items()):
        add(capped, [UNIT_CUSTOMER.in_(_customers(_is_contract(), spec.contract_months.in_(raws))),
                     UNIT_MODEL.in_(_models(spec.model_months < capped))])
    return branches


def _capped(column, cap: int):
    cap_sql = literal_column(str(cap))
    return case((column > cap_sql, cap_sql), else_=column)


def _effective_unit_months():
    """The unit months as an SQL expression, for the few rows the agreement branch finds."""
    contract = _capped(Customer.contract_warranty_months, UNIT_CONTRACT_CAP_MONTHS)
    return case((and_(_is_contract(), contract > ProductModel.unit_warranty_months), contract),
                else_=ProductModel.unit_warranty_months)


def _agreement_branch(f: ExpiryFilters, conditions: list):
    """Units whose latest active agreement ends in the range and outlasts their purchase coverage."""
    ends = (select(agreement_unit.c.unit_id.label("unit_id"), func.max(ServiceAgreement.end_date).label("end_date"))
            .join(ServiceAgreement, ServiceAgreement.id == agreement_unit.c.agreement_id)
            .where(ServiceAgreement.status == AgreementStatus.ACTIVE.value)
            .group_by(agreement_unit.c.unit_id)
            .having(func.max(ServiceAgreement.end_date).between(f.start, f.end))
            .subquery("agreement_end"))
    purchase_end = last_covered_day_expr(Unit.purchase_date, _effective_unit_months())
    return (_branch(CoverageKind.AGREEMENT, ends.c.end_date,
                    [or_(Unit.purchase_date.is_(None), purchase_end < ends.c.end_date), *conditions])
            .join(ends, ends.c.unit_id == Unit.id)
            .join(Customer, Customer.id == Unit.customer_id)
            .join(ProductModel, ProductModel.id == Unit.model_id))


def _filter_conditions(f: ExpiryFilters) -> list:
    """Conditions on the unit: model filters and customer filters as IN lists (an indexed district, or
    the technician's area, narrows the customers first)."""
    conditions = []
    if f.product_line:
        conditions.append(UNIT_MODEL.in_(_models(ProductModel.product_line == f.product_line)))
    if f.model_id:
        conditions.append(UNIT_MODEL == f.model_id)
    customer = [column == value for column, value in ((Customer.province, f.province), (Customer.city, f.city),
                                                      (Customer.district, f.district)) if value]
    if f.customer_type:
        customer.append(Customer.customer_type == f.customer_type)
    if f.technician_id:
        customer.append(technician_area_condition(f.technician_id))
    if customer:
        conditions.append(UNIT_CUSTOMER.in_(_customers(*customer)))
    return conditions


def technician_area_condition(technician_id: int):
    """The customer lives in the technician's area: one of their regions (city or district), or
    within their radius of the base (plain arithmetic, so both databases evaluate it per row)."""
    tech = db.session.get(Technician, technician_id)
    if tech is None:
        return false()
    regions = list(tech.regions or [])
    box = area_box(tech.base_lat, tech.base_lon, tech.area_radius_km)
    dy = (Customer.lat - box.lat) * box.km_per_deg_lat
    dx = (Customer.lon - box.lon) * box.km_per_deg_lon
    in_radius = and_(Customer.lat.between(box.lat_min, box.lat_max), Customer.lon.between(box.lon_min, box.lon_max),
                     dy * dy + dx * dx <= box.radius_km * box.radius_km)
    if not regions:
        return in_radius
    return or_(Customer.city.in_(regions), Customer.district.in_(regions), in_radius)


class ExpiryQuery:
    """The list for one set of filters; build once, then count, page or stream it."""

    def __init__(self, filters: ExpiryFilters):
        self.filters = filters
        conditions = _filter_conditions(filters)
        branches = []
        kinds = filters.coverage.kinds
        if CoverageKind.UNIT in kinds:
            branches += _purchase_branches(UNIT_MONTHS, filters, conditions)
        if CoverageKind.ACCESSORY in kinds:
            branches += _purchase_branches(ACCESSORY_MONTHS, filters, conditions)
        if CoverageKind.AGREEMENT in kinds:
            branches.append(_agreement_branch(filters, conditions))
        self.expiring = union_all(*branches).subquery("expiring") if branches else None

    def count(self) -> int:
        if self.expiring is None:
            return 0
        return db.session.scalar(select(func.count()).select_from(self.expiring))

    def _chosen(self):
        """The rows in list order: unit, kind and end only, so sorting 20,000 of them is cheap."""
        u = self.expiring
        return select(u).order_by(u.c.coverage_end, u.c.unit_id, u.c.kind)

    def page(self, page: int, per_page: int, today: date) -> list[ExpiryRow]:
        if self.expiring is None:
            return []
        chosen = db.session.execute(self._chosen().limit(per_page).offset((page - 1) * per_page)).all()
        return list(_with_details(chosen, today))

    def stream(self, today: date) -> Iterator[ExpiryRow]:
        """Every row: the ordered keys through a server-side cursor, the details fetched by primary key
        for each batch. Memory stays flat at any size, and each query keeps a plan that uses the indexes."""
        if self.expiring is None:
            return
        result = db.session.execute(self._chosen().execution_options(yield_per=STREAM_BATCH))
        try:
            for batch in result.partitions():
                yield from _with_details(batch, today)
        finally:
            result.close()


def _one_of(column, ids: list[int]):
    """`column IN ids`; on PostgreSQL as one array parameter, so a 2,000-id batch is not 2,000 placeholders
    for the driver to parse on every batch."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
    return column.in_(ids)


@dataclass(frozen=True)
class _Details:
    """What the list shows about a batch of units, one indexed query each (not a subquery per row)."""

    units: dict
    repairs: dict[int, int]
    offers: dict[int, date]
    renewals: dict[int, date]
    drafts: set[int]


def _details(unit_ids: list[int]) -> _Details:
    session = db.session
    units = {d.id: d for d in session.execute(
        select(Unit.id, Customer.id.label("customer_id"), Customer.name.label("customer_name"), Customer.phone,
               func.coalesce(Unit.install_address, Customer.address).label("address"),
               ProductModel.code.label("model_code"), ProductModel.name.label("model_name"), Unit.serial,
               Unit.purchase_date)
        .join(Customer, Customer.id == Unit.customer_id).join(ProductModel, ProductModel.id == Unit.model_id)
        .where(_one_of(Unit.id, unit_ids)))}
    repairs = dict(session.execute(
        select(ServiceRequest.unit_id, func.count())
        .where(_one_of(ServiceRequest.unit_id, unit_ids), ServiceRequest.kind == RequestKind.REPAIR.value,
               ServiceRequest.status.in_(COMPLETED))
        .group_by(ServiceRequest.unit_id)).all())
    # The open sales call: one started here for the unit, or a renewal call for one of its agreements.
    pending = and_(FollowUp.kind == FollowUpKind.SALES_OFFER.value, FollowUp.status == FollowUpStatus.PENDING.value)
    offers = dict(session.execute(
        select(SalesOffer.unit_id, func.min(FollowUp.due_date)).join(FollowUp, FollowUp.id == SalesOffer.follow_up_id)
        .where(_one_of(SalesOffer.unit_id, unit_ids), pending).group_by(SalesOffer.unit_id)).all())
    renewals = dict(session.execute(
        select(agreement_unit.c.unit_id, func.min(FollowUp.due_date))
        .join(FollowUp, FollowUp.agreement_id == agreement_unit.c.agreement_id)
        .where(_one_of(agreement_unit.c.unit_id, unit_ids), pending).group_by(agreement_unit.c.unit_id)).all())
    drafts = set(session.scalars(
        select(agreement_unit.c.unit_id).join(ServiceAgreement, ServiceAgreement.id == agreement_unit.c.agreement_id)
        .where(_one_of(agreement_unit.c.unit_id, unit_ids), ServiceAgreement.status == AgreementStatus.DRAFT.value)))
    return _Details(units, repairs, offers, renewals, drafts)


def _with_details(chosen, today: date) -> Iterator[ExpiryRow]:
    details = _details([c.unit_id for c in chosen])
    for c in chosen:
        yield _row(c, details, today)


def _row(chosen, details: _Details, today: date) -> ExpiryRow:
    unit_id = chosen.unit_id
    d = details.units[unit_id]
    offers = (details.offers.get(unit_id), details.renewals.get(unit_id))
    return ExpiryRow(unit_id=unit_id, customer_id=d.customer_id, customer_name=d.customer_name,
                     phone=mask_phone(d.phone), address=d.address or "", model_code=d.model_code,
                     model_name=d.model_name, serial=d.serial, purchase_date=d.purchase_date,
                     kind=CoverageKind(chosen.kind), coverage_end=chosen.coverage_end,
                     days_left=days_left(chosen.coverage_end, today), repairs=details.repairs.get(unit_id, 0),
                     offer_due=min(filter(None, offers), default=None), draft_agreement=unit_id in details.drafts)


def coverage_end_for_unit(unit: Unit) -> tuple[CoverageKind, date] | None:
    """The unit's own coverage end as the list computes it, for one unit (in Python)."""
    if unit.sale_type == SaleType.CLEARANCE.value:
        return None
    customer = unit.customer
    contract = customer.contract_warranty_months if customer.customer_type == CustomerType.CONTRACT.value else None
    months = effective_months(unit.model.unit_warranty_months, contract, UNIT_CONTRACT_CAP_MONTHS)
    purchase_end = last_covered_day(unit.purchase_date, months) if unit.purchase_date else None
    agreement_end = db.session.scalar(
        select(func.max(ServiceAgreement.end_date))
        .join(agreement_unit, agreement_unit.c.agreement_id == ServiceAgreement.id)
        .where(agreement_unit.c.unit_id == unit.id, ServiceAgreement.status == AgreementStatus.ACTIVE.value))
    if agreement_end is not None and (purchase_end is None or agreement_end > purchase_end):
        return CoverageKind.AGREEMENT, agreement_end
    if purchase_end is None:
        return None
    return CoverageKind.UNIT, purchase_end
