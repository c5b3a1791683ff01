from datetime import date, timedelta

import pytest

from fieldservice.audit.models import AuditEvent
from fieldservice.customers import services
from fieldservice.customers.models import Customer, Unit
from fieldservice.customers.services import NewCustomer, NewUnit
from fieldservice.database import utcnow
from fieldservice.errors import Conflict, DomainError
from fieldservice.models import Complaint, FollowUp
from tests import factories


@pytest.fixture()
def zhang(db):
    model = factories.product_model(code="KFR-35GW")
    customer = factories.customer(name="张伟", phone="13800138000")
    factories.unit(serial="KFR35-2401-000123", model=model, owner=customer)
    factories.customer(name="李娜", phone="13900139000")
    return customer


@pytest.mark.parametrize("typed", ["138 0013 8000", "+86 138-0013-8000", "0086 13800138000",
                                   "１３８００１３８０００", " 13800138000 "])
def test_a_customer_is_found_by_a_phone_typed_in_any_format(zhang, typed):
    hits = services.search_customers(typed)
    assert [(h.customer.id, h.matched_by) for h in hits] == [(zhang.id, "phone")]


def test_four_or_more_digits_of_a_phone_find_it(zhang):
    assert [h.customer.name for h in services.search_customers("0013 8000")] == ["张伟"]
    assert services.search_customers("138") == []


def test_a_customer_is_found_by_name_serial_or_request_number(zhang):
    unit = zhang.units[0]
    request = factories.service_request(owner_unit=unit, number="SR-20261101-0003")
    assert services.search_customers("张")[0].matched_by == "name"
    by_serial = services.search_customers(" ｋｆｒ35-2401-000123 ")
    assert (by_serial[0].customer.id, by_serial[0].matched_by) == (zhang.id, "serial")
    by_number = services.search_customers("sr-20261101-3")
    assert (by_number[0].customer.id, by_number[0].detail) == (zhang.id, request.number)


def test_the_start_of_a_serial_finds_the_unit_when_nothing_else_matches(zhang):
    assert [h.matched_by for h in services.search_customers("KFR35-2401")] == ["serial"]


def test_search_text_with_wildcards_or_control_characters_finds_nothing_and_breaks_nothing(zhang):
    assert services.search_customers("%") == []
    assert services.search_customers("_\x00") == []
    assert services.search_customers("") == []


def test_revealing_a_phone_is_audited(zhang, db):
    assert services.reveal_phone(zhang.id) == "13800138000"
    event = db.session.query(AuditEvent).filter_by(action="phone_revealed").one()
    assert (event.object_type, event.object_id) == ("customer", str(zhang.id))


def test_a_new_customer_is_placed_at_the_district_centre_of_the_address(db):
    customer = services.create_customer(NewCustomer("王芳", "021-6888 1234", "上海市徐汇区漕溪北路1号"))
    assert (customer.phone, customer.district, customer.coord_source) == ("02168881234", "徐汇区", "district")
    assert 31.0 < customer.lat < 31.3 and 121.3 < customer.lon < 121.6


def test_coordinates_typed_by_the_agent_win_over_the_address(db):
    customer = services.create_customer(NewCustomer("王芳", "13700137000", "上海市徐汇区", lat=31.2, lon=121.44))
    assert (customer.lat, customer.lon, customer.coord_source, customer.district) == (31.2, 121.44, "manual", "徐汇区")


def test_an_address_naming_no_known_place_leaves_the_position_empty(db):
    customer = services.create_customer(NewCustomer("王芳", "13700137000", "不知道的地方"))
    assert customer.lat is None and customer.coord_source is None


@pytest.mark.parametrize("data, code", [
    (NewCustomer("", "13700137000"), "name_missing"),
    (NewCustomer("王芳", "1370013700"), "phone_invalid"),
    (NewCustomer("王芳", "<script>alert(1)</script>"), "phone_invalid"),
    (NewCustomer("王芳", "13700137000", lat=91.0, lon=0.0), "coordinates_invalid"),
    (NewCustomer("王芳", "13700137000", lat=31.0), "coordinates_invalid"),
    (NewCustomer("王芳", "13700137000", customer_type="contract", contract_warranty_months=37),
     "contract_months_invalid"),
])
def test_a_customer_with_bad_data_is_refused_and_nothing_is_saved(db, data, code):
    with pytest.raises(DomainError) as error:
        services.create_customer(data)
    assert error.value.code == code
    assert db.session.query(Customer).count() == 0


def test_a_phone_that_already_belongs_to_a_customer_is_refused_unless_allowed_and_nothing_is_saved(zhang, db):
    before = db.session.query(Customer).count()
    with pytest.raises(services.SamePhone) as error:
        services.create_customer(NewCustomer("王五", "+86 138-0013-8000"), allow_same_phone=False)
    assert error.value.code == "phone_taken" and error.value.status_code == 409
    assert [c.id for c in error.value.customers] == [zhang.id]
    assert db.session.query(Customer).count() == before
    assert db.session.query(AuditEvent).filter_by(action="customer_created").count() == 0
    wang = services.create_customer(NewCustomer("王五", "138 0013 8000"), allow_same_phone=True)
    assert wang.id != zhang.id and wang.phone == zhang.phone


def test_a_new_phone_needs_no_permission(db):
    customer = services.create_customer(NewCustomer("王芳", "13700137000"), allow_same_phone=False)
    assert customer.id is not None


def test_find_or_create_matches_phone_and_name(zhang, db):
    assert services.find_or_create_customer("张伟", "+86 138 0013 8000").id == zhang.id
    other = services.find_or_create_customer("张伟伟", "13800138000")
    assert other.id != zhang.id and db.session.query(Customer).count() == 3


def test_a_unit_is_registered_with_its_serial_normalised(zhang, db):
    unit = services.register_unit(zhang.id, NewUnit(" ｋｆｒ35-\u200b9999 ", "kfr-35gw", date(2025, 5, 1), "FP-7",
                                                    "clearance", "京东"))
    assert (unit.serial, unit.model.code, unit.sale_type, unit.purchase_channel) == \
        ("KFR35-9999", "KFR-35GW", "clearance", "京东")
    assert db.session.query(AuditEvent).filter_by(action="unit_registered").count() == 1


def test_a_serial_already_registered_is_refused_with_the_owner_named(zhang, db):
    with pytest.raises(Conflict) as error:
        services.register_unit(zhang.id, NewUnit("kfr35-2401-000123", "KFR-35GW"))
    assert error.value.code == "serial_taken" and "张伟" in str(error.value.message)
    assert db.session.query(Unit).count() == 1


@pytest.mark.parametrize("data, code", [
    (NewUnit("", "KFR-35GW"), "serial_missing"),
    (NewUnit("<b>x</b>", "KFR-35GW"), "serial_malformed"),
    (NewUnit("SN-1000", "NOPE"), "unknown_model"),
    (NewUnit("SN-1000", ""), "model_missing"),
    (NewUnit("SN-1000", "KFR-35GW", date.today() + timedelta(days=2)), "purchase_date_in_future"),
    (NewUnit("SN-1000", "KFR-35GW", date(1999, 12, 31)), "purchase_date_too_early"),
    (NewUnit("SN-1000", "KFR-35GW", invoice_no="x" * 65), "invoice_too_long"),
    (NewUnit("SN-1000", "KFR-35GW", sale_type="gift"), "sale_type_invalid"),
])
def test_a_unit_with_bad_data_is_refused_and_nothing_is_saved(zhang, db, data, code):
    with pytest.raises(DomainError) as error:
        services.register_unit(zhang.id, data)
    assert error.value.code == code
    assert db.session.query(Unit).count() == 1


def test_the_history_lists_requests_visits_follow_ups_and_complaints_newest_first(zhang, db):
    unit = zhang.units[0]
    now = utcnow()
    old = factories.service_request(owner_unit=unit, status="completed", reported_at=now - timedelta(days=30))
    factories.appointment(request=old, start=now - timedelta(days=29), status="done")
    db.session.add(FollowUp(kind="service_callback", customer_id=zhang.id, request_id=old.id,
                            due_date=date.today(), created_at=now - timedelta(days=26)))
    db.session.add(Complaint(customer_id=zhang.id, channel="phone", category="lateness", description="迟到",
                             received_at=now - timedelta(days=25), reply_due_at=now - timedelta(days=24)))
    db.session.commit()
    factories.service_request(owner_unit=unit, reported_at=now - timedelta(hours=1))
    kinds = [entry.kind for entry in services.customer_history(zhang.id)]
    assert kinds == ["request", "complaint", "follow_up", "visit", "request"]
