from datetime import timedelta

from fieldservice.i18n import local_today
from fieldservice.intake.models import RequestNote, ServiceRequest
from tests import factories
from tests.e2e.conftest import log_in


def test_an_agent_finds_the_caller_sees_the_warranty_logs_a_request_and_cannot_log_it_twice(page, db):
    model = factories.product_model(code="KFR-35GW", name="挂机 1.5匹 变频")
    zhang = factories.customer(name="张伟", phone="13800138000")
    factories.unit(serial="KFR35-2401-000123", model=model, owner=zhang,
                   purchase_date=local_today() - timedelta(days=100), invoice_no="FP-1")
    agent = factories.user(role="agent", display_name="王小丽")
    log_in(page, agent.username)

    # A sloppily typed number still finds the customer; lists show it masked.
    page.click("nav >> text=客户")
    page.fill("[data-testid=customer-search]", "+86 138-0013 8000 ")
    page.click("[data-testid=customer-search-submit]")
    row = page.locator("[data-testid=customer-row]")
    assert row.count() == 1
    assert row.locator("[data-testid=masked-phone]").inner_text() == "138****8000"
    assert "在保修期内" in row.inner_text()

    # The warranty answer, with reasons worded to read to the customer.
    row.locator("[data-testid=customer-link]").click()
    page.click("text=KFR35-2401-000123")
    decision = page.locator("[data-testid=warranty-decision]")
    assert "保修期内免费维修" in decision.inner_text()
    assert "整机在保修期内" in page.inner_text("[data-testid=warranty-reasons]")

    # Log the request from there: customer and unit are already chosen.
    page.click("[data-testid=warranty-new-request]")
    page.fill("textarea[name=fault_description]", "空调不制冷，外机不转")
    page.click("[data-testid=request-submit]")
    number = page.inner_text("[data-testid=request-number]")
    assert number.startswith(f"SR-{local_today():%Y%m%d}-")
    assert page.locator(".countdown").inner_text().strip()  # app.js filled in the promise countdown
    assert "保修期内免费维修" in page.inner_text("[data-testid=warranty-decision]")

    # The customer calls again about the same fault: the agent is stopped and offered a note instead.
    page.click("nav >> text=新建服务请求")
    page.fill("#find-phone", "0086 13800138000")
    page.click("[data-testid=caller-search-submit]")
    assert number in page.inner_text("[data-testid=duplicates]")
    page.fill("textarea[name=fault_description]", "客户再次来电：还是不制冷")
    page.click("[data-testid=request-submit]")
    assert "尚未完结" in page.inner_text("[data-testid=duplicates]")  # at the "log anyway" box, which has the focus
    db.session.rollback()
    assert db.session.query(ServiceRequest).count() == 1
    page.click("[data-testid=add-note-instead]")
    assert page.inner_text("[data-testid=request-number]") == number
    assert "客户再次来电：还是不制冷" in page.inner_text("[data-testid=notes]")
    db.session.rollback()
    assert db.session.query(ServiceRequest).count() == 1 and db.session.query(RequestNote).count() == 1

    # The same page in English.
    page.click("[data-testid=lang-en]")
    page.wait_for_selector("[data-testid=lang-zh]")
    assert "Free repair under warranty" in page.inner_text("[data-testid=warranty-decision]")
    assert "Request logged" in page.inner_text("[data-testid=timeline]")


def test_a_new_callers_number_typed_in_the_search_box_is_kept_for_the_new_customer(page, db):
    factories.product_model(code="KFR-35GW", name="挂机 1.5匹 变频")
    agent = factories.user(role="agent")
    log_in(page, agent.username)
    page.click("nav >> text=新建服务请求")
    page.wait_for_load_state()
    # The agent types the number but goes straight on to the new customer without searching.
    page.fill("#find-phone", "139 0013 9000")
    page.check("[data-testid=customer-new]")
    page.fill("input[name=name]", "李娜")
    page.fill("input[name=address]", "上海市浦东新区张江路1号")
    page.check("[data-testid=unit-none]")
    page.fill("textarea[name=fault_description]", "热水器不出热水")
    page.click("[data-testid=request-submit]")
    assert page.inner_text("[data-testid=request-number]").startswith("SR-")
    db.session.rollback()
    assert db.session.query(ServiceRequest).one().customer.phone == "13900139000"


def test_what_the_agent_typed_before_searching_the_callers_number_survives_the_search(page, db):
    factories.customer(name="张伟", phone="13800138000")
    agent = factories.user(role="agent")
    log_in(page, agent.username)
    page.click("nav >> text=新建服务请求")
    page.fill("textarea[name=fault_description]", "热水器不出热水")
    page.select_option("select[name=channel]", "wechat")
    page.fill("#find-phone", "138 0013 8000")
    page.click("[data-testid=caller-search-submit]")
    page.wait_for_selector("input[name=customer]:checked")
    assert page.input_value("textarea[name=fault_description]") == "热水器不出热水"
    assert page.input_value("select[name=channel]") == "wechat"
    page.reload()  # kept for the search's answer only
    assert page.input_value("textarea[name=fault_description]") == ""
