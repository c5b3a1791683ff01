from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from fieldservice import i18n
from fieldservice.agreements import services
from fieldservice.agreements.queries import active_agreement_for_unit, waiver_for_unit
from fieldservice.agreements.rules import is_overdue
from fieldservice.billing.rules import Coverage, LabourLine, PartLine, compute_charges
from fieldservice.errors import Conflict, DomainError
from fieldservice.extensions import db as _db
from fieldservice.followups import services as followup_services
from fieldservice.followups.rules import CallOutcome
from fieldservice.intake.services import set_request_status
from fieldservice.warranty.services import decide_for_unit
from fieldservice.models import FollowUp, PlannedVisit, ServiceAgreement, ServiceRequest
from tests import factories, factories_aftercare

JAN1 = date(2026, 1, 1)


@pytest.fixture()
def today(monkeypatch):
    """The clock (database.utcnow, and so i18n.local_today) at 10:00 Shanghai time; `today.set(date)` moves it."""
    class Today:
        value = JAN1

        def set(self, day):
            self.value = day

        def now(self):
            return datetime.combine(self.value, time(10), tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(timezone.utc)

    holder = Today()
    factories_aftercare.move_clock(monkeypatch, holder.now)
    return holder


def _input(customer, units, **overrides):
    data = dict(customer_id=customer.id, unit_ids=[u.id for u in units], start_date=JAN1,
                end_date=date(2026, 12, 31), amount=Decimal("3600.00"), parts_waiver_pct=50, labour_waiver_pct=100,
                contract_warranty_months=24, monthly_callback=True, quarterly_maintenance=True,
                yearly_servicing=True, owner_id=None)
    data.update(overrides)
    return services.AgreementInput(**data)


def _count(model, *where):
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture()
def contract(db):
    customer = factories.customer(name="华东制造有限公司", customer_type="contract")
    units = [factories.unit(owner=customer), factories.unit(owner=customer)]
    owner = factories_aftercare.user(role="agent")
    return customer, units, owner


def test_an_agreement_is_created_as_a_numbered_draft(db, today, contract):
    customer, units, owner = contract
    agreement = services.create_agreement(_input(customer, units, owner_id=owner.id))
    assert agreement.number == "AG-20260101-0001" and agreement.status == "draft"
    assert sorted(u.id for u in agreement.units) == sorted(u.id for u in units)
    assert _count(PlannedVisit) == 0


@pytest.mark.parametrize("overrides", [dict(contract_warranty_months=37), dict(parts_waiver_pct=120),
                                       dict(end_date=JAN1), dict(unit_ids=[]), dict(amount=Decimal("-1"))])
def test_terms_outside_the_limits_are_refused_and_nothing_is_saved(db, today, contract, overrides):
    customer, units, _owner = contract
    with pytest.raises(DomainError):
        services.create_agreement(_input(customer, units, **overrides))
    assert _count(ServiceAgreement) == 0


def test_another_customers_unit_cannot_be_on_the_agreement(db, today, contract):
    customer, units, _owner = contract
    with pytest.raises(DomainError):
        services.create_agreement(_input(customer, units + [factories.unit()]))


def test_activating_plans_a_year_and_creates_what_is_due_within_thirty_days(db, today, contract):
    customer, units, owner = contract
    agreement = services.create_agreement(_input(customer, units, owner_id=owner.id))
    run = services.activate_agreement(agreement.id)
    assert run.planned == 12 + 4 * 2 + 2
    # Due by 31 January: the first monthly callback only (the first maintenance is on 14 February).
    assert (run.callbacks, run.requests) == (1, 0)
    callback = db.session.scalar(select(FollowUp))
    assert (callback.kind, callback.due_date, callback.assignee_id) == ("agreement_callback", date(2026, 1, 31),
                                                                        owner.id)


def test_the_plan_command_run_daily_and_repeatedly_creates_a_years_plan_once(db, today, contract, app):
    customer, units, owner = contract
    agreement = services.create_agreement(_input(customer, units, owner_id=owner.id))
    services.activate_agreement(agreement.id)
    runner = app.test_cli_runner()
    day = JAN1
    while day <= date(2026, 12, 31):
        for _ in range(2):  # cron fired twice
            result = runner.invoke(args=["plans", "generate", "--today", day.isoformat()])
            assert result.exit_code == 0, result.output
        day += timedelta(days=7)
    second = services.generate_plans(date(2026, 12, 31))
    assert not second.changed_anything
    assert _count(PlannedVisit) == 22
    assert _count(FollowUp, FollowUp.kind == "agreement_callback") == 12
    requests = db.session.scalars(select(ServiceRequest).order_by(ServiceRequest.id)).all()
    assert len(requests) == 4 * 2 + 2
    assert {(r.kind, r.agreement_id, r.customer_id, r.owner_id) for r in requests} == {
        ("maintenance", agreement.id, customer.id, owner.id)}
    assert _count(PlannedVisit, PlannedVisit.status == "planned") == 0


def test_the_command_reports_what_it_did(db, today, contract, app):
    customer, units, _owner = contract
    services.activate_agreement(services.create_agreement(_input(customer, units)).id)
    result = app.test_cli_runner().invoke(args=["plans", "generate", "--today", "2026-02-01"])
    assert "created 1 callback(s) and 2 maintenance request(s)" in result.output


def test_a_maintenance_request_is_promised_for_its_planned_day(db, today, contract):
    customer, units, _owner = contract
    services.activate_agreement(services.create_agreement(_input(customer, units[:1])).id)
    today.set(date(2026, 2, 1))
    services.generate_plans()
    request = db.session.scalar(select(ServiceRequest))
    local_due = request.sla_due_at.astimezone(i18n.service_tz())
    assert (local_due.date(), local_due.hour) == (date(2026, 2, 15), 0)
    assert request.warranty_snapshot["status"] == "in_warranty"
    assert request.number.startswith("SR-20260201-")


def test_a_cancelled_plan_request_cancels_its_item_which_can_be_planned_again(db, today, contract):
    customer, units, _owner = contract
    services.activate_agreement(services.create_agreement(_input(customer, units[:1])).id)
    today.set(date(2026, 2, 1))
    services.generate_plans()
    item = db.session.scalar(select(PlannedVisit).where(PlannedVisit.request_id.is_not(None)))
    set_request_status(item.request_id, "cancelled", reason="客户出差")
    db.session.refresh(item)
    assert item.status == "cancelled"
    services.generate_plans()  # the daily run does not bring it back on its own
    db.session.refresh(item)
    assert item.status == "cancelled"
    services.replan_item(item.id)
    db.session.refresh(item)
    assert item.status == "created" and item.request.status == "new"
    assert _count(ServiceRequest) == 2


def test_a_completed_plan_request_and_a_made_callback_mark_their_items_done(db, today, contract):
    customer, units, _owner = contract
    services.activate_agreement(services.create_agreement(_input(customer, units[:1])).id)
    today.set(date(2026, 2, 1))
    services.generate_plans()
    item = db.session.scalar(select(PlannedVisit).where(PlannedVisit.request_id.is_not(None)))
    for status in ("scheduled", "on_site", "completed"):
        set_request_status(item.request_id, status)
    callback = db.session.scalar(select(FollowUp))
    followup_services.record_call(callback.id, CallOutcome(reached=True, satisfaction=5))
    db.session.refresh(item)
    assert item.status == "done"
    assert db.session.get(PlannedVisit, callback.planned_visit_id).status == "done"


def test_overdue_items_are_still_created_and_count_as_overdue(db, today, contract):
    customer, units, _owner = contract
    agreement = services.create_agreement(_input(customer, units[:1]))
    services.activate_agreement(agreement.id)
    today.set(date(2026, 3, 10))  # the daily run did not happen for two months
    run = services.generate_plans()
    assert run.callbacks == 2 and run.requests == 1  # 28 Feb and 31 Mar; 31 Jan came with the activation
    overdue = [i for i in db.session.get(ServiceAgreement, agreement.id).planned_visits
               if is_overdue(i.status, i.due_date, date(2026, 3, 10))]
    assert [i.due_date for i in overdue] == [date(2026, 1, 31), date(2026, 2, 14), date(2026, 2, 28)]


def test_callbacks_whose_month_is_long_over_are_skipped_but_visits_stay_owed(db, today, contract):
    customer, units, _owner = contract
    agreement = services.create_agreement(_input(customer, units[:1]))
    services.activate_agreement(agreement.id)
    today.set(date(2026, 5, 1))  # the daily run was down from January to May
    run = services.generate_plans()
    assert run.skipped == 2 and run.callbacks == 2 and run.requests == 2
    status = {(i.kind, i.due_date): i.status for i in db.session.get(ServiceAgreement, agreement.id).planned_visits}
    assert status[("monthly_callback", date(2026, 2, 28))] == status[("monthly_callback", date(2026, 3, 31))] == \
        "skipped"
    assert status[("monthly_callback", date(2026, 4, 30))] == "created"
    assert status[("quarterly_maintenance", date(2026, 2, 14))] == "created"  # late, but still done


def test_an_agreement_activated_late_plans_nothing_in_the_past(db, today, contract):
    customer, units, _owner = contract
    agreement = services.create_agreement(_input(customer, units[:1]))
    today.set(date(2026, 6, 10))
    run = services.activate_agreement(agreement.id)
    assert run.planned == 7 + 2 + 1  # callbacks Jun-Dec, maintenance mid-Aug and mid-Nov, servicing 2 July
    assert min(i.due_date for i in db.session.get(ServiceAgreement, agreement.id).planned_visits) >= date(2026, 6, 10)


def test_the_daily_run_ends_agreements_past_their_end_date(db, today, contract):
    customer, units, _owner = contract
    agreement = services.create_agreement(_input(customer, units, monthly_callback=False,
                                                 quarterly_maintenance=False, yearly_servicing=False))
    services.activate_agreement(agreement.id)
    assert services.generate_plans(date(2026, 12, 31)).ended == []
    assert services.generate_plans(date(2027, 1, 1)).ended == [agreement.number]
    assert db.session.get(ServiceAgreement, agreement.id).status == "ended"


def test_cancelling_stops_the_plan_and_cancels_unbooked_requests(db, today, contract):
    customer, units, _owner = contract
    agreement = services.create_agreement(_input(customer, units[:1]))
    services.activate_agreement(agreement.id)
    today.set(date(2026, 2, 1))
    services.generate_plans()
    kept = services.cancel_agreement(agreement.id, "客户搬迁")
    assert kept == []
    agreement = db.session.get(ServiceAgreement, agreement.id)
    assert agreement.status == "cancelled"
    assert {i.status for i in agreement.planned_visits} == {"cancelled"}
    assert _count(FollowUp) == 0
    assert {r.status for r in db.session.scalars(select(ServiceRequest))} == {"cancelled"}
    with pytest.raises(Conflict):
        services.activate_agreement(agreement.id)


def test_an_active_agreement_extends_warranty_and_waives_charges_through_the_existing_rules(db, today):
    customer = factories.customer(customer_type="contract")
    unit = factories.unit(owner=customer, purchase_date=date(2024, 3, 1))  # its 12 months ended in 2025
    agreement = factories_aftercare.agreement(customer=customer, units=[unit], parts_waiver_pct=50,
                                              labour_waiver_pct=100, contract_warranty_months=36)
    on = date(2026, 5, 1)
    assert active_agreement_for_unit(unit.id, on) is None and waiver_for_unit(unit.id, on) is None
    services.activate_agreement(agreement.id)
    assert active_agreement_for_unit(unit.id, on).id == agreement.id
    assert decide_for_unit(unit, on).status == "in_warranty"
    waiver = waiver_for_unit(unit.id, on)
    charges = compute_charges(call_out_fee=Decimal("50"), labour=[LabourLine("L1", "检修", Decimal(1), Decimal("80"))],
                              parts=[PartLine("P1", "电容", 1, Decimal("100"))],
                              coverage=Coverage(False, False, "", ""), agreement=waiver)
    assert charges.agreement_waiver == Decimal("50") + Decimal("80") + Decimal("50")
    assert charges.total_due == Decimal("50")


def test_agreements_ending_in_the_next_sixty_days_are_on_the_renewal_list(db, today):
    soon = factories_aftercare.agreement(status="active", end=date(2026, 2, 28))
    factories_aftercare.agreement(status="active", end=date(2026, 3, 15))
    factories_aftercare.agreement(status="cancelled", end=date(2026, 2, 1))
    assert [a.id for a in services.expiring_agreements()] == [soon.id]
    call = services.schedule_renewal_call(soon.id)
    assert services.schedule_renewal_call(soon.id).id == call.id
    assert (call.kind, call.due_date, call.agreement_id) == ("sales_offer", JAN1, soon.id)
