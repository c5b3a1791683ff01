import json
from dataclasses import replace
from datetime import date, timedelta

import pytest

from fieldservice.warranty.rules import (
    Component,
    Exclusion,
    Reason,
    SaleType,
    WarrantyDecision,
    WarrantyFacts,
    WarrantyStatus,
    add_months,
    decide_warranty,
    decision_from_snapshot,
    last_covered_day,
)

PURCHASED = date(2024, 3, 15)
UNIT_LAST_DAY = date(2025, 3, 14)
ACCESSORY_LAST_DAY = date(2024, 9, 14)
DAY = timedelta(days=1)


def facts(**changes) -> WarrantyFacts:
    return replace(WarrantyFacts(purchase_date=PURCHASED, has_proof=True), **changes)


def codes(decision: WarrantyDecision) -> list[str]:
    return [reason.code for reason in decision.reasons]


# --- add_months and the last covered day ---


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 5, 15), 0, date(2025, 5, 15)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
    ],
)
def test_add_months_keeps_the_day_or_clamps_to_the_end_of_a_shorter_month(start, months, expected):
    assert add_months(start, months) == expected


def test_last_covered_day_is_the_day_before_add_months():
    assert last_covered_day(date(2024, 2, 29), 12) == date(2025, 2, 27)


def test_coverage_matches_the_add_months_rule_for_every_purchase_day_of_a_leap_and_a_common_year():
    purchase = date(2023, 1, 1)
    while purchase < date(2025, 1, 1):
        for months in (1, 12):
            end = add_months(purchase, months)
            for on, covered in ((purchase, True), (end - DAY, True), (end, False)):
                decision = decide_warranty(facts(purchase_date=purchase, unit_months=months), on)
                assert (decision.status is WarrantyStatus.IN_WARRANTY) is covered, (purchase, months, on)
        purchase += DAY


# --- whole unit and accessories ---


def test_unit_is_covered_from_the_purchase_date():
    decision = decide_warranty(facts(), PURCHASED)

    assert decision.status is WarrantyStatus.IN_WARRANTY
    assert decision.chargeable is False
    assert codes(decision) == ["in_warranty_unit"]


def test_unit_is_covered_on_its_last_covered_day():
    decision = decide_warranty(facts(), UNIT_LAST_DAY)

    assert decision.status is WarrantyStatus.IN_WARRANTY
    assert decision.covered_until == decision.unit_covered_until == UNIT_LAST_DAY


def test_unit_warranty_has_expired_the_day_after_its_last_covered_day():
    assert decide_warranty(facts(), UNIT_LAST_DAY + DAY).status is WarrantyStatus.EXPIRED


def test_a_29_february_purchase_is_covered_through_27_february_the_next_year():
    leap_day = facts(purchase_date=date(2024, 2, 29))

    assert decide_warranty(leap_day, date(2025, 2, 27)).status is WarrantyStatus.IN_WARRANTY
    assert decide_warranty(leap_day, date(2025, 2, 28)).status is WarrantyStatus.EXPIRED
    assert decide_warranty(leap_day, date(2025, 2, 27)).unit_covered_until == date(2025, 2, 27)


def test_a_31_january_purchase_with_one_month_cover_ends_before_the_end_of_february():
    month_end = facts(purchase_date=date(2025, 1, 31), unit_months=1)

    assert decide_warranty(month_end, date(2025, 2, 27)).status is WarrantyStatus.IN_WARRANTY
    assert decide_warranty(month_end, date(2025, 2, 28)).status is WarrantyStatus.EXPIRED


def test_unit_months_come_from_the_product_model():
    decision = decide_warranty(facts(unit_months=24), date(2026, 3, 14))

    assert decision.status is WarrantyStatus.IN_WARRANTY
    assert decision.unit_covered_until == date(2026, 3, 14)


def test_accessories_are_covered_for_six_months():
    on_last_day = decide_warranty(facts(), ACCESSORY_LAST_DAY, Component.ACCESSORY)
    day_after = decide_warranty(facts(), ACCESSORY_LAST_DAY + DAY, Component.ACCESSORY)

    assert on_last_day.status is WarrantyStatus.IN_WARRANTY
    assert codes(on_last_day) == ["in_warranty_accessory"]
    assert on_last_day.covered_until == on_last_day.accessory_covered_until == ACCESSORY_LAST_DAY
    assert day_after.status is WarrantyStatus.EXPIRED
    assert codes(day_after) == ["expired_accessory"]


def test_an_accessory_expires_while_the_unit_is_still_under_warranty():
    on = ACCESSORY_LAST_DAY + DAY

    assert decide_warranty(facts(), on, Component.ACCESSORY).status is WarrantyStatus.EXPIRED
    assert decide_warranty(facts(), on, Component.UNIT).status is WarrantyStatus.IN_WARRANTY


def test_the_component_may_be_given_as_a_string():
    assert decide_warranty(facts(), PURCHASED, "accessory").component is Component.ACCESSORY


def test_an_unknown_component_raises_value_error():
    with pytest.raises(ValueError):
        decide_warranty(facts(), PURCHASED, "battery")


# --- contracts and agreement months ---


def test_contract_months_extend_the_unit_warranty():
    decision = decide_warranty(facts(contract_unit_months=24), date(2026, 3, 14))

    assert decision.status is WarrantyStatus.IN_WARRANTY
    assert codes(decision) == ["in_warranty_unit"]


def test_a_48_month_contract_is_capped_at_36_months_with_a_reason():
    capped = facts(contract_unit_months=48)

    last_day = decide_warranty(capped, date(2027, 3, 14))
    day_after = decide_warranty(capped, date(2027, 3, 15))

    assert last_day.status is WarrantyStatus.IN_WARRANTY
    assert last_day.unit_covered_until == date(2027, 3, 14)
    assert codes(last_day) == ["in_warranty_unit", "contract_cap_unit"]
    assert "48" in last_day.reasons[1].en and "36" in last_day.reasons[1].en
    assert "48" in last_day.reasons[1].zh and "36" in last_day.reasons[1].zh
    assert day_after.status is WarrantyStatus.EXPIRED


def test_a_36_month_contract_gets_no_cap_reason():
    assert codes(decide_warranty(facts(contract_unit_months=36), PURCHASED)) == ["in_warranty_unit"]


def test_a_shorter_contract_does_not_shorten_the_model_warranty():
    decision = decide_warranty(facts(contract_unit_months=6), UNIT_LAST_DAY)

    assert decision.status is WarrantyStatus.IN_WARRANTY


def test_contract_accessory_months_are_capped_at_12():
    capped = facts(contract_accessory_months=24)

    last_day = decide_warranty(capped, date(2025, 3, 14), Component.ACCESSORY)
    day_after = decide_warranty(capped, date(2025, 3, 15), Component.ACCESSORY)

    assert last_day.status is WarrantyStatus.IN_WARRANTY
    assert codes(last_day) == ["in_warranty_accessory", "contract_cap_accessory"]
    assert day_after.status is WarrantyStatus.EXPIRED


def test_the_cap_reason_is_only_given_for_the_component_asked_about():
    capped = facts(contract_unit_months=48, contract_accessory_months=24)

    assert "contract_cap_accessory" not in codes(decide_warranty(capped, PURCHASED, Component.UNIT))
    assert "contract_cap_unit" not in codes(decide_warranty(capped, PURCHASED, Component.ACCESSORY))


def test_agreement_warranty_months_extend_the_unit_like_a_contract():
    decision = decide_warranty(facts(agreement_unit_months=24), date(2026, 3, 14))

    assert decision.status is WarrantyStatus.IN_WARRANTY
    assert decision.unit_covered_until == date(2026, 3, 14)


def test_the_longer_of_contract_and_agreement_months_applies():
    both = facts(contract_unit_months=18, agreement_unit_months=30)

    assert decide_warranty(both, PURCHASED).unit_covered_until == date(2026, 9, 14)


def test_agreement_warranty_months_are_capped_at_36():
    decision = decide_warranty(facts(agreement_unit_months=40), PURCHASED)

    assert decision.unit_covered_until == date(2027, 3, 14)
    assert codes(decision) == ["in_warranty_unit", "contract_cap_unit"]


def test_agreement_months_do_not_extend_accessories():
    decision = decide_warranty(facts(agreement_unit_months=24), ACCESSORY_LAST_DAY + DAY, Component.ACCESSORY)

    assert decision.status is WarrantyStatus.EXPIRED


# --- active service agreement ---


def test_an_active_agreement_keeps_the_unit_in_warranty_after_the_period():
    covered = facts(agreement_until=date(2026, 6, 30))

    decision = decide_warranty(covered, date(2026, 6, 30))

    assert decision.status is WarrantyStatus.IN_WARRANTY
    assert decision.chargeable is False
    assert codes(decision) == ["agreement_coverage"]
    assert decision.unit_covered_until == date(2026, 6, 30)


def test_the_unit_is_chargeable_the_day_after_the_agreement_ends():
    decision = decide_warranty(facts(agreement_until=date(2026, 6, 30)), date(2026, 7, 1))

    assert decision.status is WarrantyStatus.EXPIRED
    assert "30 Jun 2026" in decision.reasons[0].en


def test_an_agreement_that_outlasts_the_period_is_named_alongside_the_warranty():
    decision = decide_warranty(facts(agreement_until=date(2026, 6, 30)), PURCHASED)

    assert codes(decision) == ["in_warranty_unit", "agreement_coverage"]
    assert "14 Mar 2025" in decision.reasons[0].en


def test_an_agreement_ending_inside_the_period_adds_nothing():
    decision = decide_warranty(facts(agreement_until=date(2024, 12, 31)), PURCHASED)

    assert codes(decision) == ["in_warranty_unit"]
    assert decision.unit_covered_until == UNIT_LAST_DAY


def test_an_active_agreement_covers_the_unit_without_an_invoice():
    decision = decide_warranty(facts(has_proof=False, agreement_until=date(2026, 6, 30)), date(2026, 1, 1))

    assert decision.status is WarrantyStatus.IN_WARRANTY
    assert codes(decision) == ["agreement_coverage"]


def test_an_active_agreement_does_not_cover_accessories():
    on = date(2026, 1, 1)

    decision = decide_warranty(facts(agreement_until=date(2026, 6, 30)), on, Component.ACCESSORY)

    assert decision.status is WarrantyStatus.EXPIRED


def test_exclusions_still_make_an_agreement_covered_unit_chargeable():
    covered = facts(agreement_until=date(2026, 6, 30))

    decision = decide_warranty(covered, date(2026, 1, 1), exclusions=[Exclusion.MISUSE])

    assert decision.status is WarrantyStatus.EXCLUDED
    assert decision.chargeable is True


# --- unverified ---


def test_a_unit_without_purchase_date_is_unverified_and_chargeable():
    decision = decide_warranty(facts(purchase_date=None), PURCHASED)

    assert decision.status is WarrantyStatus.UNVERIFIED
    assert decision.chargeable is True
    assert codes(decision) == ["no_purchase_date"]
    assert decision.unit_covered_until is None and decision.accessory_covered_until is None


def test_a_unit_without_invoice_is_unverified_even_inside_the_period():
    decision = decide_warranty(facts(has_proof=False), PURCHASED)

    assert decision.status is WarrantyStatus.UNVERIFIED
    assert decision.chargeable is True
    assert codes(decision) == ["no_proof_of_purchase"]
    assert decision.covered_until is None


def test_a_purchase_date_after_the_reported_day_is_unverified():
    decision = decide_warranty(facts(), PURCHASED - DAY)

    assert decision.status is WarrantyStatus.UNVERIFIED
    assert codes(decision) == ["purchase_date_after_claim"]


@pytest.mark.parametrize("unverified", [facts(purchase_date=None), facts(has_proof=False)])
def test_unverified_reasons_ask_for_the_invoice(unverified):
    reason = decide_warranty(unverified, PURCHASED).reasons[0]

    assert "发票" in reason.zh
    assert "invoice" in reason.en


def test_a_unit_without_invoice_is_unverified_rather_than_expired():
    decision = decide_warranty(facts(has_proof=False), date(2030, 1, 1))

    assert decision.status is WarrantyStatus.UNVERIFIED


# --- exclusions ---


@pytest.mark.parametrize("exclusion", list(Exclusion))
def test_each_exclusion_makes_a_repair_inside_the_period_chargeable(exclusion):
    decision = decide_warranty(facts(), PURCHASED, exclusions=[exclusion])

    assert decision.status is WarrantyStatus.EXCLUDED
    assert decision.chargeable is True
    assert codes(decision) == [str(exclusion)]


def test_a_unit_sold_at_clearance_price_is_excluded():
    decision = decide_warranty(facts(sale_type=SaleType.CLEARANCE), PURCHASED)

    assert decision.status is WarrantyStatus.EXCLUDED
    assert decision.chargeable is True
    assert codes(decision) == ["clearance_sale"]


def test_each_exclusion_found_gives_its_own_reason():
    decision = decide_warranty(
        facts(sale_type="clearance"), PURCHASED, exclusions=["serial_altered", "misuse", "misuse"]
    )

    assert codes(decision) == ["misuse", "serial_altered", "clearance_sale"]


def test_misuse_covers_improper_maintenance_and_storage():
    reason = decide_warranty(facts(), PURCHASED, exclusions=["misuse"]).reasons[0]

    assert "维护" in reason.zh and "保管" in reason.zh
    assert "maintenance" in reason.en and "storage" in reason.en


def test_an_excluded_decision_still_states_the_warranty_period():
    decision = decide_warranty(facts(), PURCHASED, exclusions=["force_majeure"])

    assert decision.unit_covered_until == UNIT_LAST_DAY


def test_an_unknown_exclusion_raises_value_error():
    with pytest.raises(ValueError, match="water_damage"):
        decide_warranty(facts(), PURCHASED, exclusions=["water_damage"])


def test_clearance_cannot_be_passed_as_an_exclusion():
    with pytest.raises(ValueError):
        decide_warranty(facts(), PURCHASED, exclusions=["clearance"])


def test_an_unknown_sale_type_raises_value_error():
    with pytest.raises(ValueError):
        facts(sale_type="outlet")


@pytest.mark.parametrize(
    "changes", [{"unit_months": -1}, {"contract_accessory_months": -1}, {"completed_repairs": -1}]
)
def test_negative_months_or_repair_counts_raise_value_error(changes):
    with pytest.raises(ValueError):
        facts(**changes)


# --- precedence: exclusion > agreement > unverified > expired > in_warranty ---


def test_an_exclusion_wins_over_a_missing_invoice():
    decision = decide_warranty(facts(has_proof=False), PURCHASED, exclusions=["model_mismatch"])

    assert decision.status is WarrantyStatus.EXCLUDED
    assert codes(decision) == ["model_mismatch"]


def test_an_exclusion_wins_over_expiry():
    decision = decide_warranty(facts(), date(2030, 1, 1), exclusions=["misuse"])

    assert decision.status is WarrantyStatus.EXCLUDED


def test_clearance_wins_over_a_missing_purchase_date():
    decision = decide_warranty(facts(purchase_date=None, sale_type="clearance"), PURCHASED)

    assert decision.status is WarrantyStatus.EXCLUDED


# --- expired ---


def test_an_expired_unit_is_chargeable_and_still_repaired():
    decision = decide_warranty(facts(), UNIT_LAST_DAY + DAY)

    assert decision.status is WarrantyStatus.EXPIRED
    assert decision.chargeable is True
    assert codes(decision) == ["expired_unit"]
    assert "整机终身维护" in decision.reasons[0].zh
    assert "repair it, for a fee" in decision.reasons[0].en
    assert "14 Mar 2025" in decision.reasons[0].en


def test_an_expired_accessory_is_still_repaired_for_a_fee():
    reason = decide_warranty(facts(), date(2030, 1, 1), Component.ACCESSORY).reasons[0]

    assert "for a fee" in reason.en
    assert "收取费用" in reason.zh


@pytest.mark.parametrize(
    ("unit_facts", "exclusions", "on"),
    [
        (facts(), (), PURCHASED),
        (facts(), (), date(2030, 1, 1)),
        (facts(), ("misuse",), PURCHASED),
        (facts(purchase_date=None), (), PURCHASED),
        (facts(agreement_until=date(2030, 1, 1)), (), date(2029, 1, 1)),
    ],
)
def test_every_decision_gives_at_least_one_reason(unit_facts, exclusions, on):
    for component in Component:
        assert decide_warranty(unit_facts, on, component, exclusions).reasons


# --- replacement with the same model ---


def test_a_third_failure_within_warranty_after_two_completed_repairs_is_replaced():
    decision = decide_warranty(facts(completed_repairs=2), PURCHASED)

    assert decision.replacement.entitled is True
    assert decision.replacement.reason.code == "replacement_repeat_failure"
    assert "同型号同规格" in decision.replacement.reason.zh


def test_one_completed_repair_is_not_enough_for_a_replacement():
    decision = decide_warranty(facts(completed_repairs=1), PURCHASED)

    assert decision.replacement.entitled is False
    assert decision.replacement.reason is None


def test_no_replacement_after_two_repairs_when_the_warranty_has_expired():
    decision = decide_warranty(facts(completed_repairs=2), UNIT_LAST_DAY + DAY)

    assert decision.replacement.entitled is False


@pytest.mark.parametrize(
    ("unit_facts", "exclusions"),
    [
        (facts(completed_repairs=2), ("misuse",)),
        (facts(completed_repairs=2, sale_type="clearance"), ()),
        (facts(completed_repairs=2, has_proof=False), ()),
    ],
)
def test_no_replacement_when_the_repair_is_chargeable(unit_facts, exclusions):
    assert decide_warranty(unit_facts, PURCHASED, exclusions=exclusions).replacement.entitled is False


def test_accessories_are_not_entitled_to_unit_replacement():
    decision = decide_warranty(facts(completed_repairs=2), PURCHASED, Component.ACCESSORY)

    assert decision.replacement.entitled is False


def test_a_unit_covered_by_an_agreement_is_replaced_after_two_repairs():
    covered = facts(completed_repairs=2, agreement_until=date(2026, 6, 30))

    assert decide_warranty(covered, date(2026, 1, 1)).replacement.entitled is True


def test_a_request_not_fixed_within_60_days_is_replaced():
    reported = date(2024, 6, 1)
    open_request = facts(open_request_reported_on=reported)

    day_59 = decide_warranty(open_request, reported + timedelta(days=59))
    day_60 = decide_warranty(open_request, reported + timedelta(days=60))

    assert day_59.replacement.entitled is False
    assert day_60.replacement.entitled is True
    assert day_60.replacement.reason.code == "replacement_not_fixed_60_days"


def test_a_request_reported_within_warranty_stays_covered_after_the_period_ends():
    reported = UNIT_LAST_DAY - timedelta(days=10)

    decision = decide_warranty(facts(open_request_reported_on=reported), reported + timedelta(days=60))

    assert decision.status is WarrantyStatus.IN_WARRANTY
    assert decision.replacement.entitled is True


def test_a_request_reported_after_the_period_is_not_replaced_after_60_days():
    reported = UNIT_LAST_DAY + DAY

    decision = decide_warranty(facts(open_request_reported_on=reported), reported + timedelta(days=60))

    assert decision.status is WarrantyStatus.EXPIRED
    assert decision.replacement.entitled is False


def test_a_request_reported_after_the_decision_day_raises_value_error():
    with pytest.raises(ValueError):
        decide_warranty(facts(open_request_reported_on=PURCHASED + DAY), PURCHASED)


@pytest.mark.parametrize(
    ("changes", "on", "code"),
    [
        ({"completed_repairs": 2}, PURCHASED, "replacement_repeat_failure_other_model"),
        (
            {"open_request_reported_on": PURCHASED},
            PURCHASED + timedelta(days=60),
            "replacement_not_fixed_60_days_other_model",
        ),
    ],
)
def test_a_model_no_longer_available_is_replaced_by_another_model_for_the_difference(changes, on, code):
    reason = decide_warranty(facts(model_available=False, **changes), on).replacement.reason

    assert reason.code == code
    assert "差价" in reason.zh
    assert "price difference" in reason.en


# --- texts, to_dict and snapshots ---


def test_reasons_are_worded_for_the_phone_in_both_languages():
    reason = decide_warranty(facts(purchase_date=date(2026, 3, 15)), date(2026, 3, 15)).reasons[0]

    assert reason.zh == "整机在保修期内（至2027年3月14日）"
    assert reason.en == "The unit is under warranty until 14 Mar 2027"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("zh", "中文"), ("zh-CN", "中文"), ("zh_Hans", "中文"), ("ZH-TW", "中文"), ("en", "English"), ("fr", "English")],
)
def test_reason_text_is_chinese_for_any_zh_locale_and_english_otherwise(locale, expected):
    assert Reason("code", "中文", "English").text(locale) == expected


def test_to_dict_in_english_is_json_ready():
    decision = decide_warranty(facts(completed_repairs=2), PURCHASED)

    data = decision.to_dict("en")

    assert json.loads(json.dumps(data)) == data
    assert data == {
        "status": "in_warranty",
        "component": "unit",
        "covered_until": "2025-03-14",
        "unit_covered_until": "2025-03-14",
        "accessory_covered_until": "2024-09-14",
        "chargeable": False,
        "reasons": [{"code": "in_warranty_unit", "message": "The unit is under warranty until 14 Mar 2025"}],
        "replacement": {
            "entitled": True,
            "reason": decision.replacement.reason.en,
            "reason_code": "replacement_repeat_failure",
        },
    }


def test_to_dict_in_chinese_uses_the_chinese_texts():
    data = decide_warranty(facts(), PURCHASED, Component.ACCESSORY).to_dict("zh-CN")

    assert data["covered_until"] == "2024-09-14"
    assert data["reasons"] == [{"code": "in_warranty_accessory", "message": "配件在保修期内（至2024年9月14日）"}]


def test_to_dict_gives_null_dates_and_no_replacement_reason_when_unverified():
    data = decide_warranty(facts(purchase_date=None), PURCHASED).to_dict("en")

    assert data["covered_until"] is None
    assert data["unit_covered_until"] is None
    assert data["accessory_covered_until"] is None
    assert data["replacement"] == {"entitled": False, "reason": None, "reason_code": None}


@pytest.mark.parametrize(
    ("unit_facts", "on", "component", "exclusions"),
    [
        (facts(completed_repairs=2, model_available=False), PURCHASED, Component.UNIT, ()),
        (facts(contract_accessory_months=24), PURCHASED, Component.ACCESSORY, ()),
        (facts(purchase_date=None), PURCHASED, Component.UNIT, ()),
        (facts(sale_type="clearance"), PURCHASED, Component.UNIT, ("misuse",)),
        (facts(agreement_until=date(2026, 6, 30)), date(2026, 7, 1), Component.UNIT, ()),
    ],
)
def test_a_decision_survives_a_json_snapshot_round_trip(unit_facts, on, component, exclusions):
    decision = decide_warranty(unit_facts, on, component, exclusions)

    stored = json.loads(json.dumps(decision.to_snapshot()))

    assert decision_from_snapshot(stored) == decision


def test_a_snapshot_keeps_both_languages_of_every_reason():
    snapshot = decide_warranty(facts(completed_repairs=2), PURCHASED).to_snapshot()

    assert set(snapshot["reasons"][0]) == {"code", "zh", "en"}
    assert set(snapshot["replacement"]["reason"]) == {"code", "zh", "en"}
