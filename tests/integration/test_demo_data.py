"""The demo data set. It is loaded once for the read-only tests at the top; the tests at the bottom start from
an empty database (the `db` fixture), so they come last."""
import hashlib
import re
from collections import Counter
from datetime import timedelta

import pytest
from flask import has_app_context
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from fieldservice.auth.models import User
from fieldservice.database import utcnow
from fieldservice.demo import data
from fieldservice.demo.load import demo_counts
from fieldservice.extensions import db as _db
from fieldservice.i18n import local_today, service_tz
from fieldservice.models import (Appointment, AppointmentSlot, AuditEvent, Customer, FollowUp, Part, ProductModel,
                                 ServiceReport, ServiceRequest, StockLevel, StockLocation, StockMovement, Technician,
                                 Unit)
from fieldservice.visits.pdf import render_service_report
from fieldservice.visits.services import report_document
from fieldservice.warranty.rules import Component, WarrantyFacts, decide_warranty
from tests.conftest import _empty_all_tables, login

DEMO_USERS = ["agent", "agent2", "manager", "admin"] + [f"tech{n:02d}" for n in range(1, 13)]


@pytest.fixture(scope="module")
def demo(app):
    with app.app_context():
        _empty_all_tables()
        result = app.test_cli_runner().invoke(args=["demo-data"])
        assert result.exit_code == 0, result.output
        yield result.output
        _db.session.remove()


@pytest.fixture(autouse=True)
def _end_reads():
    """End each test's read transaction: on PostgreSQL an open one would block the next test's TRUNCATE."""
    yield
    if has_app_context():
        _db.session.rollback()


def test_the_demo_is_a_service_centre_of_realistic_size(demo):
    counts = demo_counts()
    assert counts["user_account"] == 16 and counts["technician"] == 12
    assert counts["customer"] == 2000 and counts["unit"] == 3000
    assert 8 <= counts["product_model"] <= 12 and counts["part"] >= 20
    assert counts["labour_item"] >= 10 and counts["fault_code"] >= 15 and counts["partner"] >= 3
    lines = Counter(_db.session.scalars(select(ProductModel.product_line)))
    assert set(lines) == {"aircon", "water_heater", "purifier"}
    assert {True, False} == set(_db.session.scalars(select(Part.is_accessory)))
    assert {(m.unit_warranty_months, m.accessory_warranty_months) for m in _db.session.scalars(
        select(ProductModel))} == {(12, 6)}
    assert "demo logins (password: demo)" in demo


def test_customers_look_real(demo):
    customers = _db.session.scalars(select(Customer)).all()
    assert all(re.fullmatch(r"1[3-9]\d{9}", c.phone) for c in customers)
    assert all(c.district and c.lat and c.lon and c.coord_source == "district" for c in customers)
    assert all(c.address.startswith((c.province, c.city)) for c in customers)
    cities = Counter(c.city for c in customers)
    assert {"上海市", "苏州市", "嘉兴市", "杭州市"} <= set(cities) and cities.most_common(1)[0][0] == "上海市"
    contract = [c for c in customers if c.customer_type == "contract"]
    assert 0.04 < len(contract) / len(customers) < 0.15
    assert all(12 < c.contract_warranty_months <= 36 for c in contract)


def test_technicians_have_skills_bases_hours_and_vans(demo):
    technicians = _db.session.scalars(select(Technician)).all()
    assert {s for t in technicians for s in t.skills} == {"aircon", "water_heater", "purifier"}
    assert len({(round(t.base_lat, 2), round(t.base_lon, 2)) for t in technicians}) == 12
    assert len({(t.work_start, t.work_end, t.working_days) for t in technicians}) > 3
    assert all(t.van.kind == "van" and t.phone for t in technicians)
    assert _db.session.scalar(select(func.count()).select_from(StockLocation).where(
        StockLocation.kind == "warehouse")) == 1
    van_stock = _db.session.scalar(select(func.count()).select_from(StockLevel).join(StockLocation).where(
        StockLocation.kind == "van", StockLevel.qty > 0))
    assert van_stock > 12 * 5


def test_every_demo_login_works_with_the_password_demo(app, demo):
    users = {u.username: u for u in _db.session.scalars(select(User).where(User.username.in_(DEMO_USERS)))}
    assert sorted(users) == sorted(DEMO_USERS)
    assert all(u.active for u in users.values())
    # Checked once per distinct hash: each check costs a deliberately slow scrypt.
    assert all(check_password_hash(h, "demo") for h in {u.password_hash for u in users.values()})
    assert {u.role for u in users.values()} == {"agent", "technician", "manager", "admin"}
    client = app.test_client()
    login(client, "tech07", "demo")
    assert client.get("/home").status_code in (200, 302)


def test_units_cover_every_warranty_situation(demo):
    today = local_today()
    seen = Counter()
    for unit, customer, model in _db.session.execute(
            select(Unit, Customer, ProductModel).join(Unit.customer).join(Unit.model)):
        facts = WarrantyFacts(purchase_date=unit.purchase_date, has_proof=unit.has_proof, sale_type=unit.sale_type,
                              unit_months=model.unit_warranty_months,
                              accessory_months=model.accessory_warranty_months,
                              contract_unit_months=customer.contract_warranty_months,
                              contract_accessory_months=customer.contract_accessory_months)
        decision = decide_warranty(facts, today)
        seen[decision.status.value] += 1
        seen.update(reason.code for reason in decision.reasons)
        if decision.status == "in_warranty":
            if unit.purchase_date < today - timedelta(days=366):
                seen["covered_by_contract_after_a_year"] += 1
            if decide_warranty(facts, today, Component.ACCESSORY).status == "expired":
                seen["accessories_expired_unit_covered"] += 1
    for situation in ("in_warranty", "expired", "excluded", "unverified", "clearance_sale", "no_purchase_date",
                      "no_proof_of_purchase", "covered_by_contract_after_a_year",
                      "accessories_expired_unit_covered"):
        assert seen[situation] >= 10, situation
    # A realistic mix: most units are out of warranty, a large minority is covered.
    assert 0.3 < seen["in_warranty"] / 3000 < 0.6 and seen["expired"] > seen["excluded"] + seen["unverified"]


def test_requests_visits_and_reports_are_consistent(demo):
    requests = _db.session.scalars(select(ServiceRequest)).all()
    statuses = Counter(r.status for r in requests)
    assert {"new", "scheduled", "en_route", "on_site", "awaiting_parts", "completed", "closed", "forwarded",
            "cancelled"} <= set(statuses)
    assert len({r.number for r in requests}) == len(requests)
    for r in requests:
        assert re.fullmatch(rf"SR-{r.reported_at.astimezone(service_tz()):%Y%m%d}-\d{{4}}", r.number)
        assert r.warranty_snapshot["status"] in ("in_warranty", "expired", "excluded", "unverified")
        assert r.sla_due_at == r.reported_at + timedelta(hours=24)
        visits = {a.status for a in r.appointments}
        expected = {"new": set(), "forwarded": set(), "cancelled": set(), "scheduled": {"booked"},
                    "en_route": {"en_route"}, "on_site": {"on_site"}, "awaiting_parts": {"done"},
                    "completed": {"done"}, "closed": {"done"}}[r.status]
        assert visits == expected, (r.number, r.status, visits)
        assert (r.partner_id is not None) == (r.status == "forwarded")
        assert (r.closed_at is not None) == (r.status in ("closed", "cancelled"))
    for appointment in _db.session.scalars(select(Appointment)):
        slots = _db.session.scalar(select(func.count()).select_from(AppointmentSlot).where(
            AppointmentSlot.appointment_id == appointment.id))
        assert slots == (0 if appointment.status == "done" else 4)
        if appointment.status == "done":
            report = _db.session.scalar(select(ServiceReport).where(ServiceReport.appointment_id == appointment.id))
            assert report.is_signed and report.fault_code_id
            # Rendered as the visits area renders reports: the stored bytes can be reproduced and compared.
            assert render_service_report(report_document(report)) == report.pdf
            assert hashlib.sha256(report.pdf).hexdigest() == report.pdf_sha256
            assert report.total_due == sum(line.net for line in report.lines)
            assert (report.receipt_no is not None) == (report.total_due > 0)
    assert _db.session.scalar(select(func.count()).select_from(FollowUp)) == statuses["completed"] + statuses["closed"]


def test_nothing_in_the_demo_has_happened_after_now(demo):
    """Visits under way are placed around the moment the demo is loaded; none of their moments lies ahead."""
    now = utcnow()
    past = [r.reported_at for r in _db.session.scalars(select(ServiceRequest))]
    past += [r.closed_at for r in _db.session.scalars(select(ServiceRequest)) if r.closed_at]
    for a in _db.session.scalars(select(Appointment)):
        past += [a.created_at] + [m for m in (a.en_route_at, a.arrived_at, a.finished_at) if m]
        if a.status == "done":
            assert a.window_end <= now, a.id
    past += [r.signed_at for r in _db.session.scalars(select(ServiceReport))]
    past += [m.at for m in _db.session.scalars(select(StockMovement))]
    past += [f.completed_at for f in _db.session.scalars(select(FollowUp)) if f.completed_at]
    assert past and max(past) <= now


def test_stock_levels_are_explained_by_the_ledger(demo):
    balance = Counter()
    for m in _db.session.scalars(select(StockMovement)):
        if m.to_location_id:
            balance[(m.part_id, m.to_location_id)] += m.qty
        if m.from_location_id:
            balance[(m.part_id, m.from_location_id)] -= m.qty
    levels = {(s.part_id, s.location_id): s.qty for s in _db.session.scalars(select(StockLevel))}
    assert levels == {key: qty for key, qty in balance.items() if key in levels}
    assert all(qty >= 0 for qty in levels.values())
    assert any(m.kind == "issue" and m.appointment_id for m in _db.session.scalars(select(StockMovement)))


def test_running_the_command_again_changes_nothing(app, demo):
    before = demo_counts() | {"audit_event": _db.session.scalar(select(func.count()).select_from(AuditEvent))}
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0 and "nothing to do" in result.output
    _db.session.rollback()
    assert demo_counts() | {"audit_event": _db.session.scalar(select(func.count()).select_from(AuditEvent))} == before


# --- from an empty database -------------------------------------------------------------------------------------

def test_if_empty_leaves_a_database_with_users_alone(app, db):
    from tests import factories

    factories.user(username="someone")
    result = app.test_cli_runner().invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0 and "already has users" in result.output
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0


def test_scale_adds_a_large_installed_base_and_resumes(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo-data", "--scale", "2500"])
    assert result.exit_code == 0, result.output
    assert re.search(r"created 2,500 units in [\d.]+ s", result.output)
    scale_units = select(Unit).where(Unit.serial.like("Z%"))
    db.session.rollback()
    units = db.session.scalars(scale_units).all()
    assert len(units) == 2500
    today = local_today()
    dates = [u.purchase_date for u in units if u.purchase_date]
    assert min(dates) >= today - timedelta(days=4 * 365 + 1) and max(dates) <= today
    # Spread evenly: roughly a quarter of the dated units are still in their first year.
    assert 0.18 < sum(d > today - timedelta(days=365) for d in dates) / len(dates) < 0.32
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 2000 + 1500
    assert runner.invoke(args=["demo-data", "--scale", "3000"]).exit_code == 0
    assert "nothing to do" in runner.invoke(args=["demo-data", "--scale", "3000"]).output
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(scale_units.subquery())) == 3000
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 3000 + 3000


def test_demo_reference_data_is_consistent():
    codes = {p[0] for p in data.PARTS}
    for repairs in data.REPAIRS.values():
        for fault, _diagnosis, _resolution, labour, parts in repairs:
            assert fault in {f[0] for f in data.FAULT_CODES}
            assert set(labour) <= {item[0] for item in data.LABOUR_ITEMS}
            assert {code for code, _qty in parts} <= codes
