from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from fieldservice.intake.services import set_request_status
from fieldservice.models import FollowUp, PlannedVisit, ServiceAgreement
from tests import factories, factories_aftercare


@pytest.fixture()
def clock(monkeypatch):
    return factories_aftercare.hold_clock(monkeypatch, datetime(2026, 1, 1, 2, tzinfo=timezone.utc))  # 10:00 local


def _form(units, **overrides):
    data = {"units": [str(u.id) for u in units], "start_date": "2026-01-01", "end_date": "2026-12-31",
            "amount": "3600.00", "parts_waiver_pct": "50", "labour_waiver_pct": "100",
            "contract_warranty_months": "24", "monthly_callback": "y", "quarterly_maintenance": "y",
            "yearly_servicing": "y", "owner": ""}
    data.update(overrides)
    return data


@pytest.fixture()
def contract(db):
    customer = factories.customer(name="华东制造有限公司", customer_type="contract")
    return customer, [factories.unit(owner=customer, serial="SN-A1"), factories.unit(owner=customer, serial="SN-B2")]


def test_create_activate_and_see_a_year_of_plan_in_english(make_client, db, clock, contract):
    agent = make_client("agent", locale="en")
    customer, units = contract
    html = agent.get(f"/agreements/new?customer_id={customer.id}").get_data(as_text=True)
    assert "SN-A1" in html and "SN-B2" in html and 'type="checkbox"' in html
    response = agent.post(f"/agreements/new?customer_id={customer.id}", data=_form(units, owner=str(agent.user.id)))
    assert response.status_code == 302
    agreement = db.session.scalar(select(ServiceAgreement))
    assert agreement.status == "draft" and agreement.owner_id == agent.user.id
    html = agent.post(f"/agreements/{agreement.id}/activate", follow_redirects=True).get_data(as_text=True)
    assert "Agreement active" in html and "In force" in html
    assert html.count("data-plan-item=") == 22
    assert "Monthly callback" in html and "Quarterly maintenance" in html and "Yearly servicing" in html


def test_the_agreement_page_speaks_chinese_and_shows_overdue_items(make_client, db, clock, contract):
    agent = make_client("agent", locale="zh_CN")
    customer, units = contract
    agent.post(f"/agreements/new?customer_id={customer.id}", data=_form(units[:1]))
    agreement = db.session.scalar(select(ServiceAgreement))
    agent.post(f"/agreements/{agreement.id}/activate")
    clock.day(date(2026, 2, 20))
    html = agent.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert "服务协议" in html and "月回访" in html and "季维护" in html and "年保养" in html
    # The 31 January callback and the 14 February maintenance (the daily run has not created it yet).
    assert 'data-testid="overdue-items"' in html and "2 个计划项已逾期" in html
    assert "已逾期" in html


def test_contract_warranty_over_36_months_gets_a_clear_message_and_nothing_is_saved(make_client, db, contract):
    agent = make_client("agent", locale="en")
    customer, units = contract
    response = agent.post(f"/agreements/new?customer_id={customer.id}",
                          data=_form(units, contract_warranty_months="48"))
    assert response.status_code == 422
    assert "Contract warranty can be at most 36 months." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ServiceAgreement)) == 0


def test_an_end_before_the_start_and_no_units_are_refused(make_client, db, contract):
    agent = make_client("agent", locale="zh_CN")
    customer, units = contract
    html = agent.post(f"/agreements/new?customer_id={customer.id}",
                      data=_form([], end_date="2025-12-31")).get_data(as_text=True)
    assert "协议结束日期必须晚于开始日期。" in html and "请至少选择一台客户的设备。" in html


def test_a_unit_of_another_customer_cannot_be_posted(make_client, db, contract):
    agent = make_client("agent", locale="en")
    customer, units = contract
    stranger = factories.unit()
    response = agent.post(f"/agreements/new?customer_id={customer.id}", data=_form([stranger]))
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(ServiceAgreement)) == 0


def test_without_a_customer_the_page_asks_for_one(make_client, db, contract):
    agent = make_client("agent", locale="en")
    customer, _units = contract
    html = agent.get("/agreements/new?q=华东").get_data(as_text=True)
    assert f"/agreements/new?customer_id={customer.id}" in html and "2 units" in html


def test_cancelling_a_plan_request_shows_the_item_cancelled_with_plan_again(make_client, db, clock, contract):
    agent = make_client("agent", locale="en")
    customer, units = contract
    agreement = factories_aftercare.agreement(customer=customer, units=units[:1], quarterly_maintenance=True)
    agent.post(f"/agreements/{agreement.id}/activate")
    clock.day(date(2026, 2, 1))
    agent.application.test_cli_runner().invoke(args=["plans", "generate"])
    item = db.session.scalar(select(PlannedVisit).where(PlannedVisit.request_id.is_not(None)))
    set_request_status(item.request_id, "cancelled", reason="客户取消")
    html = agent.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert "Plan again" in html
    agent.post(f"/agreements/plan/{item.id}/replan")
    db.session.refresh(item)
    assert item.status == "created"


def test_the_renewal_list_shows_agreements_ending_within_sixty_days(make_client, db, clock):
    agent = make_client("agent", locale="en")
    soon = factories_aftercare.agreement(status="active", end=date(2026, 2, 15))
    later = factories_aftercare.agreement(status="active", end=date(2026, 6, 30))
    html = agent.get("/agreements/expiring").get_data(as_text=True)
    assert soon.number in html and later.number not in html
    agent.post(f"/agreements/{soon.id}/renewal-call")
    call = db.session.scalar(select(FollowUp))
    assert (call.kind, call.agreement_id) == ("sales_offer", soon.id)
    assert "On the list for" in agent.get("/agreements/expiring").get_data(as_text=True)


def test_the_list_counts_overdue_plan_items(make_client, db, clock, contract):
    agent = make_client("agent", locale="en")
    customer, units = contract
    agreement = factories_aftercare.agreement(customer=customer, units=units, monthly_callback=True)
    agent.post(f"/agreements/{agreement.id}/activate")
    clock.day(date(2026, 3, 5))
    html = agent.get("/agreements/").get_data(as_text=True)
    assert agreement.number in html and '<span class="badge badge-danger">2</span>' in html
