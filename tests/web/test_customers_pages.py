from io import BytesIO

import pytest

from fieldservice.audit.models import AuditEvent
from fieldservice.customers.models import Customer, Unit
from tests import factories
from tests.factories_callcentre import unit_row, units_csv

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture()
def zhang(db):
    model = factories.product_model(code="KFR-35GW", name="挂机 1.5匹")
    customer = factories.customer(name="张伟", phone="13800138000")
    factories.unit(serial="KFR35-0001", model=model, owner=customer, purchase_date=factories.RECENT_PURCHASE)
    return customer


def test_a_sloppily_typed_phone_finds_the_customer_with_the_phone_masked(agent_client, zhang):
    page = agent_client.get("/customers", query_string={"q": "+86 138-0013-8000"}, headers=EN).get_data(as_text=True)
    assert "张伟" in page and "138****8000" in page
    assert "13800138000" not in page and "138 0013 8000" not in page.split("data-testid=\"customer-results\"")[1]
    assert "In warranty" in page and 'data-status="in_warranty"' in page


def test_search_answers_in_chinese_too(agent_client, zhang):
    page = agent_client.get("/customers", query_string={"q": "无此人"}, headers=ZH).get_data(as_text=True)
    assert "没有找到与“无此人”匹配的客户。" in page


def test_script_typed_into_the_search_is_shown_as_text(agent_client, zhang):
    page = agent_client.get("/customers", query_string={"q": "<script>alert(1)</script>"}, headers=EN)
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.get_data(as_text=True)


def test_the_customer_page_masks_the_phone_until_a_reveal_which_is_audited(agent_client, zhang, db):
    page = agent_client.get(f"/customers/{zhang.id}", headers=EN).get_data(as_text=True)
    assert "138****8000" in page and "13800138000" not in page and "KFR35-0001" in page
    revealed = agent_client.post(f"/customers/{zhang.id}/phone", headers=EN)
    assert revealed.status_code == 200 and "138 0013 8000" in revealed.get_data(as_text=True)
    event = db.session.query(AuditEvent).filter_by(action="phone_revealed").one()
    assert (event.actor_id, event.object_id) == (agent_client.user.id, str(zhang.id))


def test_the_customer_page_shows_the_history_newest_first(agent_client, zhang):
    unit = zhang.units[0]
    factories.service_request(owner_unit=unit, number="SR-20261001-0001", status="closed",
                              fault_description="旧故障")
    factories.service_request(owner_unit=unit, number="SR-20261120-0002", fault_description="新故障")
    page = agent_client.get(f"/customers/{zhang.id}", headers=ZH).get_data(as_text=True)
    assert page.index("SR-20261120-0002") < page.index("SR-20261001-0001")
    assert "已关闭" in page and "旧故障" in page


def test_a_technician_cannot_open_customer_pages(technician_client, zhang):
    assert technician_client.get(f"/customers/{zhang.id}").status_code == 403


def test_a_new_customer_is_saved_and_placed_on_the_map(agent_client, db):
    response = agent_client.post("/customers/new", data={"name": "王芳", "phone": "021 6888 1234",
                                                         "address": "上海市徐汇区漕溪北路1号",
                                                         "customer_type": "consumer"})
    assert response.status_code == 302
    customer = db.session.query(Customer).one()
    assert (customer.phone, customer.district, customer.coord_source) == ("02168881234", "徐汇区", "district")


@pytest.mark.parametrize("headers, message", [
    (EN, "This is not a Chinese mobile or landline number"),
    (ZH, "这不是有效的中国手机或固定电话号码"),
])
def test_a_malformed_phone_is_refused_in_the_users_language(agent_client, db, headers, message):
    response = agent_client.post("/customers/new", data={"name": "王芳", "phone": "12345", "customer_type": "consumer"},
                                 headers=headers)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.query(Customer).count() == 0


def test_a_unit_is_registered_from_the_customer_page(agent_client, zhang, db):
    response = agent_client.post(f"/customers/{zhang.id}/units", data={
        "serial": " ｋｆｒ35-0002 ", "model_code": "KFR-35GW", "purchase_date": "2026-05-01", "invoice_no": "FP-2",
        "sale_type": "normal", "purchase_channel": "苏宁"})
    assert response.status_code == 302
    assert db.session.query(Unit).filter_by(serial="KFR35-0002").one().purchase_channel == "苏宁"


@pytest.mark.parametrize("data, headers, status, message", [
    ({"serial": "KFR35-0001"}, EN, 409, "Serial KFR35-0001 is already registered (customer 张伟)."),
    ({"serial": "KFR35-0001"}, ZH, 409, "序列号 KFR35-0001 已登记（客户：张伟）。"),
    ({"purchase_date": "2099-01-01"}, EN, 422, "The purchase date cannot be in the future."),
    ({"purchase_date": "2099-01-01"}, ZH, 422, "购买日期不能晚于今天。"),
    ({"purchase_date": "1999-12-31"}, EN, 422, "The purchase date cannot be before the year 2000."),
    ({"model_code": "NOPE"}, EN, 422, "There is no product model with code NOPE."),
    ({"model_code": "NOPE"}, ZH, 422, "没有型号代码为 NOPE 的产品。"),
    ({"serial": "<script>"}, EN, 422, "Use 3 to 64 letters, digits, dashes or slashes"),
])
def test_a_bad_unit_is_refused_next_to_the_field_and_nothing_is_saved(agent_client, zhang, db, data, headers,
                                                                       status, message):
    form = {"serial": "KFR35-0009", "model_code": "KFR-35GW", "purchase_date": "2026-05-01", "sale_type": "normal"}
    response = agent_client.post(f"/customers/{zhang.id}/units", data=form | data, headers=headers)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert db.session.query(Unit).count() == 1


def test_an_admin_uploads_a_csv_and_sees_the_bad_rows(admin_client, db):
    factories.product_model(code="KFR-35GW")
    data = units_csv([unit_row("KFR35-0001"), unit_row("KFR35-0002", phone="12345")], bom=True)
    response = admin_client.post("/customers/import", data={"file": (BytesIO(data), "units.csv")},
                                 content_type="multipart/form-data", headers=ZH)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="import-units">1<' in page and "“12345”不是有效的中国手机或固定电话号码。" in page
    assert db.session.query(Unit).count() == 1


def test_an_upload_that_is_not_a_units_file_is_refused_clearly(admin_client, db):
    response = admin_client.post("/customers/import", data={"file": (BytesIO(b"a,b\n1,2\n"), "x.csv")},
                                 content_type="multipart/form-data", headers=EN)
    assert response.status_code == 422 and "The file lacks the columns" in response.get_data(as_text=True)


def test_only_admins_import(agent_client):
    assert agent_client.get("/customers/import").status_code == 403


def test_a_crafted_value_echoed_in_an_error_message_is_escaped(agent_client, zhang, db):
    response = agent_client.post(f"/customers/{zhang.id}/units", data={
        "serial": "KFR35-0009", "model_code": "<img src=x onerror=alert(1)>", "sale_type": "normal"}, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<IMG SRC=X" not in page and "&lt;IMG SRC=X ONERROR=ALERT(1)&gt;" in page


# --- A new customer with a phone that already belongs to someone ---------------------------------

NEW_WANG = {"name": "王五", "phone": "135 3133 7933", "address": "广州市天河区体育西路1号", "customer_type": "consumer"}


@pytest.fixture()
def huang(db):
    model = factories.product_model(code="KFR-35GW")
    customer = factories.customer(name="黄琳", phone="13531337933")
    factories.unit(serial="KFR35-7933", model=model, owner=customer, purchase_date=factories.RECENT_PURCHASE)
    return customer


@pytest.mark.parametrize("typed", ["135 3133 7933", "+86 13531337933", "0086-135-3133-7933", "１３５３１３３７９３３"])
def test_a_new_customer_with_a_known_phone_shows_who_has_it_and_saves_nothing(agent_client, huang, db, typed):
    response = agent_client.post("/customers/new", data=NEW_WANG | {"phone": typed}, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    warning = page.split('data-testid="same-phone"')[1].split('<div class="cols-2">')[0]
    assert "This phone number already belongs to a customer." in warning
    assert "黄琳" in warning and "135****7933" in warning and "KFR35-7933" in warning
    assert "13531337933" not in warning  # only in the phone field, as the agent typed it
    assert f'href="/customers/{huang.id}"' in warning
    assert 'name="create_anyway" value="y"' in warning and "Create a new customer anyway" in warning
    assert 'value="王五"' in page  # what the agent typed is kept for the second submit
    assert db.session.query(Customer).count() == 1
    assert db.session.query(AuditEvent).filter_by(action="customer_created").count() == 0


def test_the_same_phone_warning_is_in_chinese_for_chinese_agents(agent_client, huang, db):
    page = agent_client.post("/customers/new", data=NEW_WANG, headers=ZH).get_data(as_text=True)
    assert "该电话号码已属于一位客户。" in page and "目前尚未保存任何内容。" in page
    assert "仍然新建客户" in page and "打开客户" in page and "135****7933" in page
    assert db.session.query(Customer).count() == 1


def test_every_customer_with_the_phone_is_listed(agent_client, huang, db):
    other = factories.customer(name="黄伟", phone="13531337933", customer_type="contract")
    factories.customer(name="无关", phone="13531337934")
    page = agent_client.post("/customers/new", data=NEW_WANG, headers=EN).get_data(as_text=True)
    warning = page.split('data-testid="same-phone"')[1].split('<div class="cols-2">')[0]
    assert "This phone number already belongs to 2 customers." in warning
    assert warning.count('data-testid="same-phone-customer"') == 2
    assert f'href="/customers/{huang.id}"' in warning and f'href="/customers/{other.id}"' in warning
    assert "无关" not in warning
    zh = agent_client.post("/customers/new", data=NEW_WANG, headers=ZH).get_data(as_text=True)
    assert "该电话号码已属于 2 位客户。" in zh


def test_saving_again_without_the_choice_still_saves_nothing(agent_client, huang, db):
    agent_client.post("/customers/new", data=NEW_WANG, headers=EN)
    response = agent_client.post("/customers/new", data=NEW_WANG, headers=EN)
    assert response.status_code == 409 and db.session.query(Customer).count() == 1


def test_the_agent_may_create_a_second_customer_with_the_phone_by_choosing_to(agent_client, huang, db):
    response = agent_client.post("/customers/new", data=NEW_WANG | {"create_anyway": "y"}, headers=EN)
    assert response.status_code == 302
    wang = db.session.query(Customer).filter_by(name="王五").one()
    assert wang.phone == "13531337933" and wang.id != huang.id
    assert response.headers["Location"].endswith(f"/customers/{wang.id}")
    assert db.session.query(AuditEvent).filter_by(action="customer_created").count() == 1


def test_a_phone_nobody_has_is_saved_at_once(agent_client, huang, db):
    response = agent_client.post("/customers/new", data=NEW_WANG | {"phone": "135 3133 7934"}, headers=EN)
    assert response.status_code == 302 and db.session.query(Customer).count() == 2


def test_a_bad_phone_with_the_choice_ticked_is_still_refused(agent_client, huang, db):
    response = agent_client.post("/customers/new", data=NEW_WANG | {"phone": "12345", "create_anyway": "y"},
                                 headers=EN)
    assert response.status_code == 422 and 'data-testid="same-phone"' not in response.get_data(as_text=True)
    assert db.session.query(Customer).count() == 1


def test_the_new_customer_form_shows_no_warning_before_it_is_sent(agent_client, huang):
    page = agent_client.get("/customers/new", query_string={"phone": "135 3133 7933"}, headers=EN)
    assert page.status_code == 200
    assert 'data-testid="same-phone"' not in page.get_data(as_text=True)
    assert 'name="create_anyway"' not in page.get_data(as_text=True)


# --- Search: blank and invalid queries -----------------------------------------------------------

@pytest.mark.parametrize("query", ["   ", "\u3000 \u3000", "\u200b"])
@pytest.mark.parametrize("headers", [EN, ZH])
def test_a_search_of_only_spaces_shows_the_empty_search_page(agent_client, zhang, query, headers):
    searched = agent_client.get("/customers", query_string={"q": query}, headers=headers)
    empty = agent_client.get("/customers", headers=headers)
    page = searched.get_data(as_text=True)
    assert searched.status_code == 200
    assert 'data-testid="no-results"' not in page and 'data-testid="customer-results"' not in page
    assert "No customer found" not in page and "没有找到" not in page
    assert 'href="/customers/new' not in page.split("<main")[-1]
    assert _main(page).replace(query.strip(), "") == _main(empty.get_data(as_text=True))


@pytest.mark.parametrize("headers, error", [(EN, "Field cannot be longer than 100 characters."),
                                            (ZH, "字段长度不能超过 100 个字符。")])
def test_a_query_too_long_shows_only_the_error(agent_client, zhang, headers, error):
    query = "张" * 300
    response = agent_client.get("/customers", query_string={"q": query}, headers=headers)
    page = response.get_data(as_text=True)
    assert 'class="field-error"' in page and error in page.split('class="field-error"')[1]
    assert 'data-testid="no-results"' not in page and "No customer found" not in page and "没有找到" not in page
    assert page.count(query) == 1  # in the search box only, to be corrected
    assert 'href="/customers/new' not in page.split("<main")[-1]


def test_a_query_with_spaces_around_it_is_searched_without_them(agent_client, zhang):
    page = agent_client.get("/customers", query_string={"q": "  张伟  "}, headers=EN).get_data(as_text=True)
    assert 'data-testid="customer-results"' in page and 'value="张伟"' in page


def _main(page: str) -> str:
    """The page's content without the parts that change on every request (CSRF tokens, nonces)."""
    import re
    main = page.split("<main", 1)[-1].split("</main>", 1)[0]
    return re.sub(r'(csrf_token|nonce)[^>]*>', "", main)


@pytest.mark.parametrize("headers, reasons", [
    (EN, ["There is no product model with code NOPE.", "“weird” is not a Chinese mobile or landline number.",
          "The purchase date cannot be in the future.", "The sale type must be normal or clearance, not “gift”."]),
    (ZH, ["没有型号代码为 NOPE 的产品。", "“weird”不是有效的中国手机或固定电话号码。", "购买日期不能晚于今天。",
          "销售方式只能是 normal（正常）或 clearance（处理价），不能是“gift”。"]),
])
def test_the_upload_page_lists_every_problem_of_a_bad_row_in_the_users_language(admin_client, db, headers, reasons):
    factories.product_model(code="KFR-35GW")
    data = units_csv([unit_row("KFR35-0001"),
                      unit_row("abc", "NOPE", phone="weird", purchase_date="2030-01-01", sale_type="gift"),
                      unit_row("KFR35-0002", purchase_date="2026-02-30", contract_warranty_months="99")])
    response = admin_client.post("/customers/import", data={"file": (BytesIO(data), "units.csv")},
                                 content_type="multipart/form-data", headers=headers)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="import-units">1<' in page and 'data-testid="import-errors">2<' in page
    row3 = page.split('data-line="3"')[1].split("</tr>")[0]
    assert [r.split(">", 1)[1].split("<")[0] for r in row3.split('data-testid="import-reason"')[1:]] == reasons
    row4 = page.split('data-line="4"')[1].split("</tr>")[0]
    assert row4.count('data-testid="import-reason"') == 2 and "2026-02-30" in row4 and "“99”" in row4
    assert db.session.query(Unit).count() == 1
