"""The call-centre pages for an agent on the keyboard: where the focus starts, and what a screen reader reads
with a field (its hint and errors). The browser side is in tests/e2e/test_call_centre_keyboard.py."""
from html.parser import HTMLParser

import pytest

from fieldservice.intake.models import ServiceRequest
from tests import factories

ZH = {"Accept-Language": "zh-CN"}


class Elements(HTMLParser):
    """Every start tag's attributes, in document order."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def autofocused(self) -> list[dict]:
        return [attrs | {"tag": tag} for tag, attrs in self.tags if "autofocus" in attrs]

    def by_id(self, element_id: str) -> dict:
        return next(attrs | {"tag": tag} for tag, attrs in self.tags if attrs.get("id") == element_id)


def page_of(response) -> Elements:
    return Elements(response.get_data(as_text=True))


def only_focus(response) -> dict:
    focused = page_of(response).autofocused()
    assert len(focused) == 1, focused
    return focused[0]


@pytest.fixture()
def unit(db):
    model = factories.product_model(code="KFR-35GW", name="挂机 1.5匹")
    return factories.unit(serial="KFR35-0001", model=model, purchase_date=factories.RECENT_PURCHASE,
                          invoice_no="FP-1", owner=factories.customer(name="张伟", phone="13800138000"))


def request_form(for_unit, **changes) -> dict:
    return {"phone": "13800138000", "customer": str(for_unit.customer_id), "unit": str(for_unit.id),
            "channel": "phone", "kind": "repair", "fault_description": "空调不制冷"} | changes


def test_the_new_request_page_starts_in_the_caller_search_box(agent_client, unit):
    assert only_focus(agent_client.get("/requests/new"))["id"] == "find-phone"


def test_a_found_caller_with_one_unit_puts_the_agent_in_the_fault_description(agent_client, unit):
    focused = only_focus(agent_client.get("/requests/new", query_string={"phone": "＋８６ １３８ ００１３ ８０００"}))
    assert focused["id"] == "fault_description"


def test_a_caller_with_several_units_starts_at_the_unit_choice(agent_client, unit):
    factories.unit(serial="KFR35-0002", owner=unit.customer)
    focused = only_focus(agent_client.get("/requests/new", query_string={"phone": "138 0013 8000"}))
    assert (focused["name"], focused["value"]) == ("unit", "new")


def test_an_unknown_number_starts_at_the_new_callers_name_and_says_why(agent_client, unit):
    response = agent_client.get("/requests/new", query_string={"phone": "139 1234 5678"})
    focused = only_focus(response)
    assert focused["id"] == "name" and "caller-not-found" in focused["aria-describedby"].split()
    assert page_of(response).by_id("caller-not-found")


def test_an_open_request_is_read_out_with_the_fault_field(agent_client, unit):
    factories.service_request(owner_unit=unit, number="SR-20261121-0001")
    response = agent_client.get("/requests/new", query_string={"phone": "13800138000"}, headers=ZH)
    focused = only_focus(response)
    assert focused["id"] == "fault_description"
    assert focused["aria-describedby"].split() == ["duplicates-title", "fault_description-hint"]
    assert page_of(response).by_id("duplicates-title")["tag"] == "h2"


def test_a_refused_save_marks_the_invalid_field_and_ties_its_error_to_it(agent_client, unit, db):
    response = agent_client.post("/requests/new", data=request_form(unit, fault_description=""), headers=ZH)
    assert response.status_code == 422
    elements = page_of(response)
    assert elements.autofocused() == []  # app.js focuses the first invalid field instead
    fault = elements.by_id("fault_description")
    assert fault["aria-invalid"] == "true" and "fault_description-error1" in fault["aria-describedby"].split()
    assert elements.by_id("fault_description-error1")["role"] == "alert"


def test_a_refused_duplicate_says_why_at_the_log_anyway_box(agent_client, unit, db):
    agent_client.post("/requests/new", data=request_form(unit))
    number = db.session.query(ServiceRequest).one().number
    response = agent_client.post("/requests/new", data=request_form(unit), headers=ZH)
    assert response.status_code == 409
    elements = page_of(response)
    box = elements.by_id("allow_duplicate")
    assert box["aria-invalid"] == "true" and box["aria-describedby"] == "allow_duplicate-error1"
    assert f"该客户的服务请求 {number} 尚未完结" in response.get_data(as_text=True)
    assert db.session.query(ServiceRequest).count() == 1


def test_a_new_caller_without_a_choice_of_customer_gets_the_group_marked(agent_client, unit):
    response = agent_client.post("/requests/new", data=request_form(unit, customer="x"), headers=ZH)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'aria-describedby="customer-error"' in html and 'id="customer-error"' in html


def test_the_customer_page_starts_at_new_request(agent_client, unit):
    focused = only_focus(agent_client.get(f"/customers/{unit.customer_id}"))
    assert focused["data-testid"] == "customer-new-request"


def test_after_a_warranty_check_the_focus_is_on_logging_a_request_with_the_answer_read_out(agent_client, unit):
    response = agent_client.get("/warranty", query_string={"serial": "kfr35-0001"}, headers=ZH)
    focused = only_focus(response)
    assert focused["data-testid"] == "warranty-new-request" and focused["aria-describedby"] == "warranty-answer"
    assert page_of(response).by_id("warranty-answer")


def test_an_unknown_serial_leaves_the_focus_in_the_serial_field_with_its_error(agent_client, unit):
    response = agent_client.get("/warranty", query_string={"serial": "NOPE-1"}, headers=ZH)
    serial = page_of(response).by_id("serial")
    assert "autofocus" in serial and serial["aria-invalid"] == "true"
    assert serial["aria-describedby"].split() == ["serial-hint", "serial-error"]


def test_every_page_offers_to_skip_the_menu(agent_client, unit):
    elements = page_of(agent_client.get("/customers", headers=ZH))
    first_link = next(attrs for tag, attrs in elements.tags if tag == "a")
    assert first_link == {"class": "skip-link", "href": "#main"}
    assert elements.by_id("main")["tabindex"] == "-1"
    assert "跳到正文" in agent_client.get("/customers", headers=ZH).get_data(as_text=True)
