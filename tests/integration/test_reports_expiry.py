"""The warranty-expiry list in SQL against hand-counted units, on SQLite and PostgreSQL."""
from datetime import date, timedelta

import pytest
from sqlalchemy import literal, select

from fieldservice.database import utcnow
from fieldservice.errors import Conflict, DomainError
from fieldservice.extensions import db
from fieldservice.models import AuditEvent, FollowUp
from fieldservice.reports.expiry import (ExpiryFilters, ExpiryQuery, coverage_end_for_unit, last_covered_day_expr)
from fieldservice.reports.models import SalesOffer
from fieldservice.reports.rules import CoverageChoice, CoverageKind
from fieldservice.reports.services import start_agreement_offer
from fieldservice.warranty.rules import last_covered_day
from tests import factories
from tests import factories_reports as fr

DECEMBER = (date(2026, 12, 1), date(2026, 12, 31))
TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(("purchased", "months"), [
    (date(2025, 1, 31), 1), (date(2024, 1, 31), 1), (date(2025, 1, 28), 1), (date(2024, 2, 29), 12),
    (date(2025, 12, 2), 12), (date(2026, 1, 1), 12), (date(2025, 8, 31), 6), (date(2024, 3, 31), 11),
    (date(2023, 12, 31), 36), (date(2025, 5, 15), 0),
])
def test_the_database_computes_the_same_last_covered_day_as_the_warranty_rules(db, purchased, months):
    assert db.session.scalar(select(last_covered_day_expr(literal(purchased), months))) == \
        last_covered_day(purchased, months)


@pytest.fixture()
def december(db):
    return fr.december()


def listed(filters: ExpiryFilters) -> list[tuple[str, str, date]]:
    return [(r.serial, r.kind.value, r.coverage_end) for r in ExpiryQuery(filters).stream(TODAY)]


def test_the_list_holds_every_unit_whose_own_coverage_ends_in_the_range_ordered_by_end(december):
    assert listed(ExpiryFilters(*DECEMBER)) == [
        ("U01", "unit", date(2026, 12, 1)),
        ("U08", "unit", date(2026, 12, 9)),
        ("U05", "unit", date(2026, 12, 14)),
        ("U13", "unit", date(2026, 12, 14)),
        ("U14", "unit", date(2026, 12, 14)),
        ("U06", "unit", date(2026, 12, 19)),
        ("U12", "agreement", date(2026, 12, 20)),
        ("U02", "unit", date(2026, 12, 31)),
    ]


def test_accessory_coverage_ends_are_listed_on_request(december):
    assert listed(ExpiryFilters(*DECEMBER, coverage=CoverageChoice.ACCESSORY)) == [
        ("U15", "accessory", date(2026, 12, 4))]
    assert len(listed(ExpiryFilters(*DECEMBER, coverage=CoverageChoice.ALL))) == 9


def test_a_one_day_range_catches_exactly_the_units_ending_that_day(december):
    assert [s for s, _k, _e in listed(ExpiryFilters(date(2026, 12, 14), date(2026, 12, 14)))] == \
        ["U05", "U13", "U14"]


def test_rows_carry_the_days_left_repairs_and_masked_phone(december):
    rows = {r.serial: r for r in ExpiryQuery(ExpiryFilters(*DECEMBER)).stream(TODAY)}
    first = rows["U01"]
    assert first.days_left == 9
    assert first.repairs == 2
    assert rows["U02"].repairs == 0  # a cancelled request is no repair
    assert first.phone.count("*") == 4 and first.phone != december["first_day"].customer.phone
    assert first.customer_name == "客户U01"
    assert first.model_code == "KFR-35GW"


@pytest.mark.parametrize(("filters", "expected"), [
    ({"product_line": "water_heater"}, ["U05"]),
    ({"customer_type": "contract"}, ["U06"]),
    ({"district": "嘉定区"}, ["U08"]),
    ({"district": "嘉定区", "city": "上海市", "province": "上海市"}, ["U08"]),
    ({"city": "北京市"}, []),
])
def test_filters_narrow_the_list(december, filters, expected):
    assert [s for s, _k, _e in listed(ExpiryFilters(*DECEMBER, **filters))] == expected


def test_the_model_filter_keeps_that_models_units(december):
    model_id = december["two_years"].model_id
    assert [s for s, _k, _e in listed(ExpiryFilters(*DECEMBER, model_id=model_id))] == ["U05"]


def test_a_technicians_area_is_their_radius_or_their_regions(december):
    # Based in Jiading with 10 km: only the Jiading customer; adding 浦东新区 as a region brings Pudong back.
    near = factories.technician(base=(31.3747, 121.2654), area_radius_km=10.0)
    assert [s for s, _k, _e in listed(ExpiryFilters(*DECEMBER, technician_id=near.id))] == ["U08"]
    regions = factories.technician(base=(31.3747, 121.2654), area_radius_km=10.0, regions=["浦东新区"])
    assert len(listed(ExpiryFilters(*DECEMBER, technician_id=regions.id))) == 8


def test_pages_split_the_same_ordered_rows_and_the_count_matches(december):
    query = ExpiryQuery(ExpiryFilters(*DECEMBER))
    assert query.count() == 8
    pages = [r.serial for p in (1, 2, 3) for r in query.page(p, 3, TODAY)]
    assert pages == [r.serial for r in query.stream(TODAY)]


def test_the_python_coverage_end_of_one_unit_matches_the_list(december):
    for row in ExpiryQuery(ExpiryFilters(*DECEMBER)).stream(TODAY):
        unit = db.session.get(type(december["first_day"]), row.unit_id)
        assert coverage_end_for_unit(unit) == (row.kind, row.coverage_end)
    assert coverage_end_for_unit(december["clearance"]) is None
    assert coverage_end_for_unit(december["no_date"]) is None
    assert coverage_end_for_unit(december["agreement_longer"]) == (CoverageKind.AGREEMENT, date(2027, 6, 30))


# --- starting an agreement offer ---


def test_an_offer_call_is_due_today_on_the_managers_list_and_shows_in_the_list(december, app):
    manager = factories.user(role="manager")
    with app.test_request_context():
        from flask_login import login_user

        login_user(manager)
        offer = start_agreement_offer(december["last_day"].id)
    call = db.session.get(FollowUp, offer.follow_up_id)
    assert (call.kind, call.status, call.assignee_id) == ("sales_offer", "pending", manager.id)
    assert call.customer_id == december["last_day"].customer_id
    assert call.due_date == utcnow().astimezone(fr.TZ).date()
    assert (offer.coverage_kind, offer.coverage_end) == ("unit", date(2026, 12, 31))
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"sales_offer_started", "follow_up_created"} <= actions
    rows = {r.serial: r for r in ExpiryQuery(ExpiryFilters(*DECEMBER)).stream(TODAY)}
    assert rows["U02"].offer_due == call.due_date
    assert rows["U01"].offer_due is None


def test_a_second_offer_for_the_same_unit_is_refused_while_the_first_is_open(december, app):
    with app.test_request_context():
        start_agreement_offer(december["first_day"].id)
        with pytest.raises(Conflict):
            start_agreement_offer(december["first_day"].id)
    assert db.session.scalar(select(db.func.count()).select_from(FollowUp)) == 1


def test_once_the_call_is_done_a_new_offer_can_be_started(december, app):
    with app.test_request_context():
        first = start_agreement_offer(december["first_day"].id)
        call = db.session.get(FollowUp, first.follow_up_id)
        call.status = "done"
        db.session.commit()
        second = start_agreement_offer(december["first_day"].id)
    assert second.id != first.id
    assert db.session.get(SalesOffer, first.id).open_unit_id is None
    assert db.session.get(SalesOffer, second.id).open_unit_id == december["first_day"].id


def test_a_renewal_call_for_the_units_agreement_counts_as_the_open_offer(december, app):
    agreement_id = db.session.scalar(select(db.text("agreement_id")).select_from(db.text("agreement_unit"))
                                     .where(db.text(f"unit_id = {december['agreement_ends'].id}")))
    db.session.add(FollowUp(kind="sales_offer", customer_id=december["agreement_ends"].customer_id,
                            agreement_id=agreement_id, due_date=TODAY + timedelta(days=3), status="pending"))
    db.session.commit()
    rows = {r.serial: r for r in ExpiryQuery(ExpiryFilters(*DECEMBER)).stream(TODAY)}
    assert rows["U12"].offer_due == TODAY + timedelta(days=3)
    with app.test_request_context(), pytest.raises(Conflict):
        start_agreement_offer(december["agreement_ends"].id)


def test_units_without_coverage_or_that_do_not_exist_get_no_offer(december, app):
    with app.test_request_context():
        with pytest.raises(DomainError):
            start_agreement_offer(december["clearance"].id)
        with pytest.raises(DomainError):
            start_agreement_offer(999999)
    assert db.session.scalar(select(db.func.count()).select_from(FollowUp)) == 0
