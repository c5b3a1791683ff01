from datetime import timedelta

import pytest

from fieldservice.customers.models import Customer, Unit
from fieldservice.intake.models import ServiceRequest
from tests import factories
from tests.factories_callcentre import api_headers


@pytest.fixture()
def unit(db):
    model = factories.product_model(code="KFR-35GW")
    factories.product_model(code="XQB-80")
    return factories.unit(serial="KFR35-0001", model=model, purchase_date=factories.RECENT_PURCHASE,
                          owner=factories.customer(name="张伟", phone="13800138000"))


def new_request(**changes) -> dict:
    return {"customer": {"name": "张伟", "phone": "138 0013 8000", "address": "上海市浦东新区张江路100号"},
            "serial": "KFR35-0001", "channel": "wechat", "fault_description": "空调不制冷"} | changes


def test_a_request_for_a_registered_serial_is_logged_with_its_promise_and_warranty(client, unit, db):
    response = client.post("/api/v1/requests", json=new_request(), headers=api_headers())
    assert response.status_code == 201
    body = response.get_json()
    req = db.session.query(ServiceRequest).one()
    assert (body["number"], body["status"], req.channel, req.customer_id) == (req.number, "new", "wechat",
                                                                               unit.customer_id)
    assert body["sla_due_at"] == (req.reported_at + timedelta(hours=24)).isoformat()
    assert body["warranty"]["status"] == "in_warranty" and body["warranty"]["serial"] == "KFR35-0001"


def test_a_caller_who_is_not_the_owner_is_kept_as_a_note_on_the_owners_request(client, unit, db):
    response = client.post("/api/v1/requests", headers=api_headers(), json=new_request(
        customer={"name": "张伟的邻居", "phone": "137 0000 1111"}))
    assert response.status_code == 201
    req = db.session.query(ServiceRequest).one()
    assert req.customer_id == unit.customer_id and db.session.query(Customer).count() == 1
    assert [n.text for n in req.notes] == ["报修人：张伟的邻居，13700001111，不是该产品的登记用户。"]
    client.post("/api/v1/requests", headers=api_headers(), json=new_request(allow_duplicate=True))
    assert len(db.session.query(ServiceRequest).order_by(ServiceRequest.id.desc()).first().notes) == 0


def test_an_unknown_serial_with_a_model_registers_the_unit_to_the_caller(client, db):
    factories.product_model(code="XQB-80")
    response = client.post("/api/v1/requests", headers=api_headers(), json=new_request(
        customer={"name": "刘洋", "phone": "+86 139 1234 5678"}, serial="xqb80-0009", model_code="XQB-80",
        purchase_date="2026-10-01", invoice_no="FP-9", kind="install"))
    assert response.status_code == 201
    unit = db.session.query(Unit).one()
    assert (unit.serial, unit.customer.name, unit.customer.phone, unit.invoice_no) == \
        ("XQB80-0009", "刘洋", "13912345678", "FP-9")
    assert response.get_json()["warranty"]["status"] == "in_warranty"


def test_an_open_request_on_the_unit_is_a_409_naming_it_unless_a_duplicate_is_allowed(client, unit, db):
    headers = api_headers()
    first = client.post("/api/v1/requests", json=new_request(), headers=headers).get_json()
    response = client.post("/api/v1/requests", json=new_request(), headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"] | {"message": ""} == {"code": "duplicate_open_request",
                                                               "number": first["number"], "message": ""}
    assert client.post("/api/v1/requests", json=new_request(allow_duplicate=True),
                       headers=headers).status_code == 201
    assert db.session.query(ServiceRequest).count() == 2


def test_a_retried_post_with_the_same_idempotency_key_creates_nothing_new(client, unit, db):
    headers = api_headers(**{"Idempotency-Key": "call-4711"})
    first = client.post("/api/v1/requests", json=new_request(), headers=headers)
    retry = client.post("/api/v1/requests", json=new_request(), headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.get_json() == first.get_json() and retry.headers["Idempotent-Replayed"] == "true"
    assert db.session.query(ServiceRequest).count() == 1


@pytest.mark.parametrize("changes, code", [
    ({"customer": "张伟"}, "invalid_customer"),
    ({"customer": {"name": "张伟"}}, "invalid_customer"),
    ({"customer": {"name": "张伟", "phone": "12345"}}, "phone_invalid"),
    ({"serial": None}, "invalid_serial"),
    ({"serial": "NEW-0001"}, "unknown_serial"),
    ({"serial": "NEW-0001", "model_code": "NOPE"}, "unknown_model"),
    ({"serial": "NEW-0001", "model_code": "XQB-80", "purchase_date": "2026-13-01"}, "invalid_purchase_date"),
    ({"serial": "NEW-0001", "model_code": "XQB-80", "purchase_date": "1999-01-01"}, "invalid_purchase_date"),
    ({"serial": "NEW-0001", "model_code": "XQB-80", "purchase_date": "2099-01-01"}, "purchase_date_in_future"),
    ({"channel": "fax"}, "invalid_channel"),
    ({"kind": "demolition"}, "invalid_kind"),
    ({"fault_description": "坏" * 10_000}, "invalid_fault_description"),
    ({"fault_description": " "}, "description_missing"),
    ({"allow_duplicate": "yes"}, "invalid_allow_duplicate"),
])
def test_bad_input_is_a_422_and_saves_nothing(client, unit, db, changes, code):
    response = client.post("/api/v1/requests", json=new_request(**changes), headers=api_headers())
    assert (response.status_code, response.get_json()["error"]["code"]) == (422, code)
    assert (db.session.query(ServiceRequest).count(), db.session.query(Customer).count(),
            db.session.query(Unit).count()) == (0, 1, 1)


def test_a_request_is_read_back_with_warranty_and_appointments(client, unit, db):
    headers = api_headers()
    number = client.post("/api/v1/requests", json=new_request(), headers=headers).get_json()["number"]
    req = db.session.query(ServiceRequest).one()
    tech = factories.technician(display_name="刘师傅", phone="13611112222")
    factories.appointment(request=req, tech=tech)
    body = client.get(f"/api/v1/requests/{number.lower()}", headers=headers).get_json()
    assert (body["number"], body["status"], body["serial"], body["customer"]) == \
        (number, "new", "KFR35-0001", {"name": "张伟", "phone": "138****8000"})
    assert body["warranty"]["status"] == "in_warranty"
    assert [(a["technician"]["name"], a["technician"]["phone"], a["status"]) for a in body["appointments"]] == \
        [("刘师傅", "13611112222", "booked")]


def test_an_unknown_request_number_is_a_404(client, db):
    response = client.get("/api/v1/requests/SR-20990101-0001", headers=api_headers())
    assert (response.status_code, response.get_json()["error"]["code"]) == (404, "unknown_request")


def test_technicians_cannot_log_requests_through_the_api(client, unit):
    response = client.post("/api/v1/requests", json=new_request(), headers=api_headers(role="technician"))
    assert response.status_code == 403
