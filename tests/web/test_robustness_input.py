"""Hostile or sloppy input found by the crawl (tests/web/test_robustness_crawl.py): each gets a page or a clear
message and changes nothing, on SQLite and on PostgreSQL (where a number beyond INTEGER or a NUL character in
text makes the database raise)."""
from __future__ import annotations

from datetime import datetime, timezone
from io import BytesIO

import pytest
from sqlalchemy import func, select

from fieldservice.auth.services import issue_api_token
from fieldservice.models import Complaint, FollowUp, Part, ServiceRequest, Unit
from fieldservice.scheduling.forms import decode_choice
from tests import factories
from tests.factories_callcentre import api_headers, unit_row, units_csv

BEYOND_INT4, BEYOND_INT8 = str(2**31), str(2**63)


def _bearer_of(user) -> dict:
    return {"Authorization": f"Bearer {issue_api_token(user.username)}"}


@pytest.mark.parametrize("path", ["/customers/99999999999", f"/customers/{BEYOND_INT8}", f"/complaints/{BEYOND_INT4}",
                                  f"/followups/{BEYOND_INT8}", f"/agreements/{BEYOND_INT8}/edit",
                                  f"/visits/{BEYOND_INT8}/report.pdf", f"/admin/users/{BEYOND_INT8}"])
def test_an_id_too_large_for_the_database_is_simply_not_found(make_client, path):
    client = make_client("admin" if path.startswith("/admin") else "manager")
    assert client.get(path).status_code == 404


def test_a_post_to_an_id_too_large_for_the_database_is_not_found(manager_client):
    assert manager_client.post(f"/customers/{BEYOND_INT8}/phone").status_code == 404
    assert manager_client.post(f"/followups/{BEYOND_INT4}/assign", data={"assignee": ""}).status_code == 404


@pytest.mark.parametrize("url", [f"/requests/new?unit_id={BEYOND_INT8}&customer_id={BEYOND_INT4}",
                                 f"/complaints/new?customer_id={BEYOND_INT8}&request_id={BEYOND_INT4}",
                                 f"/agreements/new?customer_id={BEYOND_INT8}"])
def test_an_id_too_large_in_a_link_is_ignored_and_the_empty_form_is_shown(manager_client, url):
    assert manager_client.get(url).status_code == 200


@pytest.mark.parametrize("page", [BEYOND_INT4, BEYOND_INT8, "9" * 5000, "-1", "abc"])
def test_any_page_number_shows_a_list(make_client, page):
    manager, admin = make_client("manager"), make_client("admin")
    assert manager.get("/requests", query_string={"page": page}).status_code == 200
    assert admin.get("/admin/catalog/parts", query_string={"page": page}).status_code == 200
    expiry = {"start": "2026-12-01", "end": "2026-12-31", "page": page}
    assert manager.get("/reports/warranty-expiry", query_string=expiry).status_code == 200


def test_a_nul_character_in_a_search_is_refused_with_a_message_in_the_users_language(agent_client):
    response = agent_client.get("/customers", query_string={"q": "张\x00伟"}, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 400
    assert "空字符" in response.get_data(as_text=True)


def test_a_nul_character_in_a_form_is_refused_and_nothing_is_saved(admin_client, db):
    part = factories.part(code="AC-COMP-35", name="压缩机")
    response = admin_client.post(f"/admin/catalog/parts/{part.id}", headers={"Accept-Language": "en"},
                                 data={"code": "AC-COMP-35", "name": "压缩\x00机", "unit_price": "1280.00",
                                       "low_stock_threshold": "2", "active": "y"})
    assert response.status_code == 400 and "NUL character" in response.get_data(as_text=True)
    assert db.session.get(Part, part.id).name == "压缩机"


def test_a_nul_character_at_login_is_refused_not_looked_up(client, db):
    response = client.post("/login", data={"username": "admin\x00", "password": "x"})
    assert response.status_code == 400


def test_a_nul_character_in_an_api_body_gets_a_json_error(client, db):
    response = client.post("/api/v1/warranty/check", json={"serial": "KFR35\x00", "component": "unit"},
                           headers=api_headers())
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "nul_character"


def test_a_nul_character_in_an_address_is_simply_not_found(manager_client):
    assert manager_client.get("/requests/SR-20261122-0001%00").status_code == 404


@pytest.mark.parametrize("key", ["key\x00", "key\x07"])
def test_an_idempotency_key_with_a_control_character_is_refused_and_nothing_is_saved(client, db, key):
    customer = factories.customer()
    response = client.post("/api/v1/complaints", headers=api_headers(**{"Idempotency-Key": key}),
                           json={"channel": "phone", "category": "fees", "description": "贵",
                                 "customer_id": customer.id})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "bad_idempotency_key"
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-02-30"])
def test_a_day_outside_the_calendar_shows_todays_visits(technician_client, day):
    assert technician_client.get("/visits/", query_string={"date": day}).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/me/visits?date=9999-12-31", "/api/v1/me/visits?date=0001-01-01"])
def test_a_day_outside_the_calendar_is_a_clear_api_error(client, db, url):
    tech = factories.technician()
    response = client.get(url, headers=_bearer_of(tech.user))
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid_date"


def test_a_due_date_outside_the_calendar_is_a_clear_api_error(client, db):
    response = client.get("/api/v1/followups?due=9999-12-31", headers=api_headers())
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid_date"


@pytest.mark.parametrize("choice", [{"customer": "99999999999"}, {"customer": "²"}, {"unit": BEYOND_INT8},
                                    {"unit": "²"}])
def test_a_customer_or_unit_no_row_can_have_is_refused_on_the_new_request_form(agent_client, db, choice):
    data = {"phone": "13800138000", "name": "张伟", "customer": "new", "unit": "none", "channel": "phone",
            "kind": "repair", "fault_description": "不制冷", **choice}
    response = agent_client.post("/requests/new", data=data)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(ServiceRequest)) == 0


@pytest.mark.parametrize("ids", [{"customer_id": BEYOND_INT8}, {"customer_id": "1", "request_id": BEYOND_INT4}])
def test_a_complaint_for_an_id_no_row_can_have_is_refused(agent_client, db, ids):
    factories.customer()
    response = agent_client.post("/complaints/new", data={"channel": "phone", "category": "fees",
                                                          "severity": "general", "description": "贵", **ids})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_an_offer_call_for_a_unit_id_no_row_can_have_changes_nothing(manager_client, db):
    response = manager_client.post("/reports/warranty-expiry/offers", data={"unit_id": BEYOND_INT8})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 0


def test_a_suggestion_limit_in_superscript_or_huge_digits_is_a_clear_api_error(client, db):
    number = factories.service_request().number
    for limit in ("²", "9" * 5000):
        response = client.get(f"/api/v1/requests/{number}/suggestions", query_string={"limit": limit},
                              headers=api_headers())
        assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid_limit"


def test_a_booking_choice_in_superscript_digits_is_no_choice():
    assert decode_choice("²@1767225600") is None and decode_choice("1@²") is None
    assert decode_choice("1@1767225600") == (1, datetime(2026, 1, 1, tzinfo=timezone.utc))


def test_an_imported_row_with_thousands_of_digits_of_contract_months_is_reported_not_a_crash(admin_client, db):
    factories.product_model(code="KFR-35GW")
    data = units_csv([unit_row("KFR35-0001", customer_type="contract", contract_warranty_months="9" * 5000)])
    response = admin_client.post("/customers/import", data={"file": (BytesIO(data), "units.csv")},
                                 content_type="multipart/form-data", headers={"Accept-Language": "en"})
    assert response.status_code == 200 and 'data-testid="import-errors">1<' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 0


def test_null_labour_parts_and_photos_in_a_visit_completion_mean_none(client, db):
    visit = factories.appointment(status="on_site")
    body = {"serial_found": "SN1", "diagnosis": "d", "resolution": "r", "verdict": "satisfied", "signer_name": "张伟",
            "signature_png": "", "labour": None, "parts": None, "photos": None, "exclusions": None}
    response = client.post(f"/api/v1/visits/{visit.id}/complete", json=body,
                           headers=_bearer_of(visit.technician.user) | {"Idempotency-Key": "k1"})
    assert response.status_code < 500, response.get_data(as_text=True)
