from datetime import date, datetime, timedelta, timezone

import pytest

from fieldservice.errors import DomainError, NotFound
from fieldservice.warranty.rules import WarrantyStatus
from fieldservice.warranty.services import (check_serial, decide_for_unit, decisions_for_units, facts_for_unit,
                                            find_unit)
from tests import factories
from tests.factories_callcentre import agreement

ON = date(2026, 11, 22)


def at(day: date, hour: int = 10) -> datetime:
    """A time on a local (Shanghai) day, as stored: UTC."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone(timedelta(hours=8))).astimezone(timezone.utc)


@pytest.fixture()
def unit(db):
    model = factories.product_model(code="KFR-35GW", unit_warranty_months=12, accessory_warranty_months=6)
    return factories.unit(serial="KFR35-0001", model=model, purchase_date=date(2026, 3, 1), invoice_no="FP-1")


def test_the_facts_come_from_the_model_and_the_unit(unit):
    facts = facts_for_unit(unit, ON)
    assert (facts.purchase_date, facts.has_proof, facts.unit_months, facts.accessory_months) == \
        (date(2026, 3, 1), True, 12, 6)
    assert (facts.completed_repairs, facts.open_request_reported_on, facts.agreement_until) == (0, None, None)


def test_contract_months_count_only_for_contract_customers(db):
    contract = factories.customer(customer_type="contract", contract_warranty_months=36, contract_accessory_months=12)
    consumer = factories.customer(customer_type="consumer", contract_warranty_months=36)
    assert facts_for_unit(factories.unit(owner=contract), ON).contract_unit_months == 36
    assert facts_for_unit(factories.unit(owner=consumer), ON).contract_unit_months is None


def test_completed_repairs_and_the_first_open_request_are_counted_per_unit(unit):
    for _ in range(2):
        factories.service_request(owner_unit=unit, status="completed", reported_at=at(date(2026, 5, 1)))
    factories.service_request(owner_unit=unit, status="closed", kind="install", reported_at=at(date(2026, 3, 2)))
    factories.service_request(owner_unit=unit, status="cancelled", reported_at=at(date(2026, 6, 1)))
    factories.service_request(owner_unit=unit, status="new", reported_at=at(date(2026, 9, 1), hour=1))
    facts = facts_for_unit(unit, ON)
    assert (facts.completed_repairs, facts.open_request_reported_on) == (2, date(2026, 9, 1))


def test_a_request_reported_after_the_decision_day_is_not_part_of_it(unit):
    factories.service_request(owner_unit=unit, status="new", reported_at=at(ON + timedelta(days=1), hour=0))
    assert facts_for_unit(unit, ON).open_request_reported_on is None


def test_an_active_agreement_extends_the_coverage(unit):
    agreement(unit, date(2026, 1, 1), date(2028, 12, 31), months=24)
    decision = decide_for_unit(unit, date(2028, 6, 1))
    assert decision.status is WarrantyStatus.IN_WARRANTY
    assert decision.unit_covered_until == date(2028, 12, 31)


def test_a_unit_that_failed_after_two_repairs_is_replaced_free(unit):
    for _ in range(2):
        factories.service_request(owner_unit=unit, status="closed", reported_at=at(date(2026, 6, 1)))
    decision = decide_for_unit(unit, ON)
    assert decision.replacement.entitled
    assert decision.replacement.reason.code == "replacement_repeat_failure"


def test_a_request_open_sixty_days_means_a_free_replacement(unit):
    factories.service_request(owner_unit=unit, status="awaiting_parts", reported_at=at(ON - timedelta(days=60)))
    assert decide_for_unit(unit, ON).replacement.reason.code == "replacement_not_fixed_60_days"
    assert not decide_for_unit(unit, ON - timedelta(days=1)).replacement.entitled


def test_a_serial_typed_sloppily_is_found_and_decided(unit):
    result = check_serial(" ｋｆｒ35-0001\u200b", ON)
    assert result.unit.id == unit.id and result.decision.status is WarrantyStatus.IN_WARRANTY
    assert result.decision.covered_until == date(2027, 2, 28)


def test_exclusions_and_accessories_are_decided_too(unit):
    assert check_serial("KFR35-0001", ON, exclusions=["misuse"]).decision.status is WarrantyStatus.EXCLUDED
    assert check_serial("KFR35-0001", ON, component="accessory").decision.status is WarrantyStatus.EXPIRED


def test_unknown_and_malformed_serials_and_bad_options_get_clear_errors(unit):
    with pytest.raises(NotFound) as error:
        check_serial("KFR35-9999")
    assert error.value.code == "unknown_serial" and "KFR35-9999" in str(error.value.message)
    for bad in ("", "a", "<script>"):
        with pytest.raises(DomainError) as error:
            check_serial(bad)
        assert error.value.code == "invalid_serial"
    with pytest.raises(DomainError) as error:
        check_serial("KFR35-0001", exclusions=["rain"])
    assert error.value.code == "invalid_exclusion"
    with pytest.raises(DomainError) as error:
        check_serial("KFR35-0001", component="remote")
    assert error.value.code == "invalid_component"
    assert find_unit("\x00") is None


def test_decisions_for_a_list_of_units_match_one_by_one(unit, db):
    other = factories.unit(purchase_date=None)
    factories.service_request(owner_unit=unit, status="completed", reported_at=at(date(2026, 4, 1)))
    decisions = decisions_for_units([unit, other], ON)
    assert decisions[unit.id] == decide_for_unit(unit, ON)
    assert decisions[other.id].status is WarrantyStatus.UNVERIFIED


def test_the_agreement_taken_is_the_one_agreements_queries_would_pick(unit):
    from fieldservice.agreements.queries import active_agreement_for_unit

    agreement(unit, date(2025, 1, 1), date(2026, 12, 31), months=24)
    agreement(unit, date(2026, 6, 1), date(2029, 5, 31), months=36)
    agreement(unit, date(2026, 1, 1), date(2030, 1, 1), status="cancelled")
    for day in (date(2026, 3, 1), date(2026, 7, 1), date(2029, 6, 1)):
        expected = active_agreement_for_unit(unit.id, day)
        facts = facts_for_unit(unit, day)
        assert facts.agreement_until == (expected.end_date if expected else None)
        assert facts.agreement_unit_months == (expected.contract_warranty_months if expected else None)
