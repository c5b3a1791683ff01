import threading
from datetime import date, timedelta

import pytest

from fieldservice.audit.models import AuditEvent
from fieldservice.customers.models import Customer, Unit
from fieldservice.customers.services import NewCustomer, NewUnit
from fieldservice.database import utcnow
from fieldservice.errors import Conflict, DomainError
from fieldservice.i18n import local_today
from fieldservice.intake import services
from fieldservice.intake.models import ServiceRequest
from fieldservice.intake.services import NewRequest
from fieldservice.models import Setting
from fieldservice.signals import request_created
from tests import factories
from tests.factories_callcentre import acting_as


@pytest.fixture()
def unit(db):
    model = factories.product_model(code="KFR-35GW")
    customer = factories.customer(name="张伟", phone="13800138000")
    return factories.unit(serial="KFR35-0001", model=model, owner=customer, purchase_date=factories.RECENT_PURCHASE)


def test_a_request_gets_a_number_an_owner_a_promise_and_a_warranty_snapshot(unit, db):
    agent = factories.user(role="agent")
    created = []

    def receiver(sender):
        created.append(sender)

    with request_created.connected_to(receiver), acting_as(agent):
        req = services.create_request(unit.customer_id, unit.id, "phone", " 不制冷 <script>x</script> ")
    assert req.number == f"SR-{local_today():%Y%m%d}-0001"
    assert (req.owner_id, req.status, req.kind, req.fault_description) == \
        (agent.id, "new", "repair", "不制冷 <script>x</script>")
    assert req.sla_due_at - req.reported_at == timedelta(hours=24)
    assert req.warranty_snapshot["status"] == "in_warranty"
    assert created == [req]
    event = db.session.query(AuditEvent).filter_by(action="request_created").one()
    assert (event.actor_id, event.object_id) == (agent.id, str(req.id))


def test_the_promise_follows_the_sla_setting(unit, db):
    db.session.add(Setting(key="SLA_HOURS", value="48"))
    db.session.commit()
    req = services.create_request(unit.customer_id, unit.id, "wechat", "漏水")
    assert req.sla_due_at - req.reported_at == timedelta(hours=48)


def test_numbers_run_on_per_day(unit):
    numbers = [services.create_request(unit.customer_id, unit.id, "phone", "漏水", allow_duplicate=True).number
               for _ in range(3)]
    assert [n[-4:] for n in numbers] == ["0001", "0002", "0003"]


def test_concurrent_agents_never_get_the_same_number(app, unit, db):
    customer_id, unit_id = unit.customer_id, unit.id
    numbers, errors = [], []

    def log():
        with app.app_context():
            try:
                numbers.append(services.create_request(customer_id, unit_id, "phone", "不制冷",
                                                       allow_duplicate=True).number)
            except Exception as error:  # noqa: BLE001 - the assertion below shows it
                errors.append(error)

    threads = [threading.Thread(target=log) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.rollback()
    assert errors == []
    assert sorted(n[-4:] for n in numbers) == [f"{i:04d}" for i in range(1, 9)]
    assert db.session.query(ServiceRequest).count() == 8


def test_an_open_request_on_the_unit_stops_a_second_one(unit, db):
    first = services.create_request(unit.customer_id, unit.id, "phone", "不制冷")
    with pytest.raises(Conflict) as error:
        services.create_request(unit.customer_id, unit.id, "phone", "还是不制冷")
    assert (error.value.code, error.value.details) == ("duplicate_open_request", {"number": first.number})
    assert db.session.query(ServiceRequest).count() == 1


def test_an_open_request_for_the_same_phone_stops_one_for_another_unit_unless_confirmed(unit, db):
    services.create_request(unit.customer_id, unit.id, "phone", "不制冷")
    family = factories.customer(name="张伟的妻子", phone=unit.customer.phone)
    other_unit = factories.unit(owner=family)
    with pytest.raises(Conflict):
        services.create_request(family.id, other_unit.id, "phone", "洗衣机漏水")
    assert services.create_request(family.id, other_unit.id, "phone", "洗衣机漏水", allow_duplicate=True)
    assert services.create_request(family.id, None, "phone", "第三台", allow_duplicate=True, check_phone=False)


def test_a_completed_request_does_not_count_as_open(unit):
    factories.service_request(owner_unit=unit, status="completed")
    assert services.create_request(unit.customer_id, unit.id, "phone", "又坏了").status == "new"


@pytest.mark.parametrize("changes, code", [
    ({"channel": "fax"}, "invalid_channel"),
    ({"kind": "demolition"}, "invalid_kind"),
    ({"fault_description": "  \x00 "}, "description_missing"),
    ({"fault_description": "坏" * 2001}, "description_too_long"),
])
def test_bad_request_fields_are_refused(unit, db, changes, code):
    fields = {"channel": "phone", "fault_description": "不制冷", "kind": "repair"} | changes
    with pytest.raises(DomainError) as error:
        services.create_request(unit.customer_id, unit.id, **fields)
    assert error.value.code == code
    assert db.session.query(ServiceRequest).count() == 0


def test_a_unit_of_another_customer_is_refused(unit):
    stranger = factories.customer()
    with pytest.raises(DomainError) as error:
        services.create_request(stranger.id, unit.id, "phone", "不制冷")
    assert error.value.code == "unit_not_customers"


def test_a_new_customer_and_unit_are_saved_with_the_request(db):
    factories.product_model(code="XQB-80")
    req = services.log_request(NewRequest(
        channel="phone", fault_description="不脱水", new_customer=NewCustomer("刘洋", "139 1234 5678", "杭州市西湖区"),
        new_unit=NewUnit("xqb80-7777", "XQB-80", date(2026, 10, 1), "FP-9")))
    assert (req.customer.name, req.customer.phone, req.customer.city) == ("刘洋", "13912345678", "杭州市")
    assert (req.unit.serial, req.warranty_snapshot["status"]) == ("XQB80-7777", "in_warranty")


def test_when_one_part_is_wrong_nothing_of_the_screen_is_saved(db):
    with pytest.raises(DomainError) as error:
        services.log_request(NewRequest(
            channel="phone", fault_description="不脱水", new_customer=NewCustomer("刘洋", "13912345678"),
            new_unit=NewUnit("XQB80-7777", "NO-SUCH-MODEL")))
    assert error.value.code == "unknown_model"
    assert db.session.query(Customer).count() == 0 and db.session.query(Unit).count() == 0


def test_a_request_without_a_known_serial_has_no_snapshot(unit):
    req = services.log_request(NewRequest(channel="phone", fault_description="不制冷", customer_id=unit.customer_id))
    assert req.unit_id is None and req.warranty_snapshot is None


def test_a_registered_serial_logs_for_its_owner_whoever_calls(unit):
    req = services.log_request_for_serial(NewCustomer("张伟的儿子", "13312345678"), "kfr35-0001", None, "phone",
                                          "不制冷")
    assert req.customer_id == unit.customer_id


def test_an_unknown_serial_needs_its_model(db):
    with pytest.raises(DomainError) as error:
        services.log_request_for_serial(NewCustomer("刘洋", "13912345678"), "NEW-0001", None, "phone", "不制冷")
    assert error.value.code == "unknown_serial"


def test_notes_are_added_to_a_request_and_audited(unit, db):
    req = services.create_request(unit.customer_id, unit.id, "phone", "不制冷")
    note = services.add_note(req.number.lower(), "客户又来电催促")
    assert note.request_id == req.id and note.text == "客户又来电催促"
    assert db.session.query(AuditEvent).filter_by(action="request_note_added").count() == 1
    for number, text, code in [(req.number, " ", "note_missing"), (req.number, "x" * 2001, "note_too_long"),
                               ("SR-2026", "x", "unknown_request"), ("\x00", "x", "unknown_request")]:
        with pytest.raises(DomainError) as error:
            services.add_note(number, text)
        assert error.value.code == code


def test_the_at_risk_list_holds_unbooked_requests_near_or_past_their_promise(unit, db):
    now = utcnow()
    late = factories.service_request(owner_unit=unit, reported_at=now - timedelta(hours=23))
    factories.service_request(owner_unit=unit, reported_at=now - timedelta(hours=1))
    factories.service_request(owner_unit=unit, status="scheduled", reported_at=now - timedelta(hours=23))
    assert [r.id for r in services.list_requests(at_risk=True).items] == [late.id]
    assert len(services.list_requests(status="open").items) == 3


def test_two_agents_logging_the_same_fault_at_once_create_one_request(app, unit, db):
    customer_id, unit_id = unit.customer_id, unit.id
    outcomes = []

    def log():
        with app.app_context():
            try:
                outcomes.append(services.create_request(customer_id, unit_id, "phone", "不制冷").number)
            except Conflict as error:
                outcomes.append(error.code)

    threads = [threading.Thread(target=log) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.rollback()
    assert len(outcomes) == 6 and outcomes.count("duplicate_open_request") == 5
    assert db.session.query(ServiceRequest).count() == 1
