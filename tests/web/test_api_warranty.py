from datetime import date

import pytest

from tests import factories
from tests.factories_callcentre import api_headers


@pytest.fixture()
def unit(db):
    model = factories.product_model(code="KFR-35GW", name="挂机 1.5匹", unit_warranty_months=12,
                                    accessory_warranty_months=6)
    return factories.unit(serial="KFR35-0001", model=model, purchase_date=date(2026, 3, 1), invoice_no="FP-1")


def check(client, body, **header_options):
    return client.post("/api/v1/warranty/check", json=body, headers=api_headers(**header_options))


def test_a_serial_is_answered_with_status_dates_reasons_and_replacement(client, unit):
    response = check(client, {"serial": " kfr35-0001", "on": "2026-11-22"})
    assert response.status_code == 200
    body = response.get_json()
    assert {k: body[k] for k in ("serial", "status", "covered_until", "chargeable")} == \
        {"serial": "KFR35-0001", "status": "in_warranty", "covered_until": "2027-02-28", "chargeable": False}
    assert body["reasons"] == [{"code": "in_warranty_unit", "message": "The unit is under warranty until 28 Feb 2027"}]
    assert body["replacement"]["entitled"] is False and body["replacement"]["reason"] is None


def test_reasons_follow_the_accept_language(client, unit):
    body = check(client, {"serial": "KFR35-0001", "on": "2027-03-01"}, language="zh-CN").get_json()
    assert body["status"] == "expired" and body["chargeable"] is True
    assert body["reasons"][0]["message"].startswith("整机保修期已于2027年2月28日结束")


def test_accessories_and_exclusions_are_answered(client, unit):
    body = check(client, {"serial": "KFR35-0001", "on": "2026-11-22", "component": "accessory"}).get_json()
    assert (body["status"], body["covered_until"]) == ("expired", "2026-08-31")
    body = check(client, {"serial": "KFR35-0001", "exclusions": ["force_majeure", "misuse"]}).get_json()
    assert body["status"] == "excluded" and [r["code"] for r in body["reasons"]] == ["misuse", "force_majeure"]


def test_an_unknown_serial_is_a_404_with_its_code(client, unit):
    response = check(client, {"serial": "NOPE-0001"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_serial"


@pytest.mark.parametrize("body, code", [
    ({}, "invalid_serial"),
    ({"serial": 123}, "invalid_serial"),
    ({"serial": "<script>"}, "invalid_serial"),
    ({"serial": "KFR35-0001", "on": "22/11/2026"}, "invalid_date"),
    ({"serial": "KFR35-0001", "on": "1999-12-31"}, "invalid_date"),
    ({"serial": "KFR35-0001", "on": "9999-12-31"}, "invalid_date"),
    ({"serial": "KFR35-0001", "component": "remote"}, "invalid_component"),
    ({"serial": "KFR35-0001", "exclusions": "misuse"}, "invalid_exclusion"),
    ({"serial": "KFR35-0001", "exclusions": ["rain"]}, "invalid_exclusion"),
    ([], "invalid_json"),
])
def test_bad_input_is_a_422_with_an_error_code(client, unit, body, code):
    response = check(client, body)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == code


def test_the_error_message_is_in_the_callers_language(client, unit):
    body = check(client, {"serial": "NOPE-0001"}, language="zh-CN").get_json()
    assert body["error"]["message"].startswith("没有登记序列号为 NOPE-0001 的产品。")


def test_a_call_without_a_token_is_refused(client, unit):
    assert client.post("/api/v1/warranty/check", json={"serial": "KFR35-0001"}).status_code == 401


def test_the_models_list_serves_integrations_that_register_units(client, unit):
    response = client.get("/api/v1/models", headers=api_headers(role="technician"))
    assert response.get_json() == {"models": [{"code": "KFR-35GW", "name": "挂机 1.5匹", "product_line": "aircon",
                                               "unit_warranty_months": 12, "accessory_warranty_months": 6}]}
