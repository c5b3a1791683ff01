from datetime import date

import pytest

from tests import factories

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture()
def unit(db):
    model = factories.product_model(code="KFR-35GW", name="挂机 1.5匹")
    return factories.unit(serial="KFR35-0001", model=model, purchase_date=date(2026, 3, 1), invoice_no="FP-1",
                          owner=factories.customer(name="张伟", phone="13800138000"))


def test_a_serial_gives_the_decision_with_reasons_to_read_to_the_customer(agent_client, unit):
    page = agent_client.get("/warranty", query_string={"serial": " kfr35-0001 ", "on": "2026-11-22"},
                            headers=EN).get_data(as_text=True)
    assert 'data-status="in_warranty"' in page and "Free repair under warranty" in page
    assert "The unit is under warranty until 28 Feb 2027" in page
    assert "138****8000" in page and "13800138000" not in page


def test_the_answer_is_read_in_chinese_to_a_chinese_speaking_agent(agent_client, db):
    factories.unit(serial="KFR35-0002", purchase_date=date(2024, 3, 1), invoice_no="FP-2")
    page = agent_client.get("/warranty", query_string={"serial": "KFR35-0002", "on": "2025-03-01"},
                            headers=ZH).get_data(as_text=True)
    assert "已过保修期" in page and "收费维修" in page
    assert "整机保修期已于2025年2月28日结束。整机终身维护，仍可为您维修，需收取费用" in page


def test_exclusions_and_accessories_can_be_checked(agent_client, unit):
    page = agent_client.get("/warranty?serial=KFR35-0001&on=2026-11-22&component=accessory&exclusions=misuse",
                            headers=EN).get_data(as_text=True)
    assert 'data-status="excluded"' in page and "Damage from misuse" in page


def test_the_form_also_posts(agent_client, unit):
    response = agent_client.post("/warranty", data={"serial": "KFR35-0001", "on": "2026-11-22",
                                                    "component": "unit"}, headers=EN)
    assert response.status_code == 200 and 'data-status="in_warranty"' in response.get_data(as_text=True)


@pytest.mark.parametrize("query, headers, status, message", [
    ({"serial": "KFR35-9999"}, EN, 404, "No unit with serial KFR35-9999 is registered."),
    ({"serial": "KFR35-9999"}, ZH, 404, "没有登记序列号为 KFR35-9999 的产品。"),
    ({"serial": "<script>alert(1)</script>"}, EN, 422, "Use 3 to 64 letters, digits, dashes or slashes"),
    ({"serial": ""}, ZH, 422, "请填写产品铭牌上的序列号。"),
    ({"serial": "KFR35-0001", "on": "1999-01-01"}, EN, 422, "The date cannot be before the year 2000."),
    ({"serial": "KFR35-0001", "on": "2031-05-05"}, EN, 422, "The failure cannot be in the future: check the date."),
    ({"serial": "KFR35-0001", "on": "2031-05-05"}, ZH, 422, "故障日期不能晚于今天，请检查日期。"),
    ({"serial": "KFR35-0001", "exclusions": "rain"}, EN, 422, "rain"),
])
def test_bad_or_unknown_serials_get_a_clear_message(agent_client, unit, query, headers, status, message):
    response = agent_client.get("/warranty", query_string=query, headers=headers)
    page = response.get_data(as_text=True)
    assert response.status_code == status and message in page
    assert "<script>alert(1)</script>" not in page


def test_the_same_badge_is_shown_for_the_unit_on_the_customer_page(agent_client, db):
    unit = factories.unit(purchase_date=factories.RECENT_PURCHASE)  # the page decides for today
    page = agent_client.get(f"/customers/{unit.customer_id}", headers=EN).get_data(as_text=True)
    assert 'data-status="in_warranty"' in page


def test_a_technician_may_check_warranty_but_is_not_offered_call_centre_pages(technician_client, unit):
    page = technician_client.get("/warranty?serial=KFR35-0001", headers=EN).get_data(as_text=True)
    assert 'data-testid="warranty-decision"' in page and "/requests/new" not in page


def test_a_date_that_does_not_exist_is_refused_in_the_users_language(agent_client, unit):
    response = agent_client.get("/warranty?serial=KFR35-0001&on=2026-13-45", headers=ZH)
    assert response.status_code == 422 and "请按 YYYY-MM-DD 填写故障日期。" in response.get_data(as_text=True)
