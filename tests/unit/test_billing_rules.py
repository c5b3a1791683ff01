import json
from datetime import date
from decimal import Decimal as D

import pytest

from fieldservice.billing.rules import (
    AgreementWaiver,
    BillingError,
    Charges,
    Coverage,
    LabourLine,
    LineKind,
    PartLine,
    compute_charges,
    next_receipt_number,
)

IN_WARRANTY = Coverage(True, True, "在保修期内", "within the warranty period")
EXPIRED = Coverage(False, False, "已过保修期", "the warranty period has ended")
ACCESSORY_EXPIRED = Coverage(True, False, "整机在保修期内", "the unit is within warranty")

LABOUR = [LabourLine("L01", "更换主板", D("1.5"), D("80.00"))]
PARTS = [
    PartLine("P-MB", "主板", 1, D("420.00")),
    PartLine("P-RC", "遥控器", 2, D("35.50"), is_accessory=True),
]


def charges(coverage=IN_WARRANTY, agreement=None, labour=LABOUR, parts=PARTS, fee=D("50.00")):
    return compute_charges(call_out_fee=fee, labour=labour, parts=parts,
                           coverage=coverage, agreement=agreement)


def test_in_warranty_everything_is_waived():
    result = charges()
    assert [line.kind for line in result.lines] == [LineKind.CALL_OUT, LineKind.LABOUR,
                                                     LineKind.PART, LineKind.PART]
    assert result.gross == D("661.00")
    assert result.warranty_waiver == D("661.00")
    assert result.total_due == D("0.00")
    assert not result.money_due
    assert all(line.reasons[0].code == "warranty_waived" for line in result.lines)
    assert "在保修期内" in result.lines[0].reasons[0].zh


def test_expired_warranty_charges_everything_and_never_refuses():
    result = charges(EXPIRED)
    assert result.warranty_waiver == D("0.00")
    assert result.total_due == D("661.00") == result.gross
    assert result.money_due
    assert {line.reasons[0].code for line in result.lines} == {"warranty_not_covered"}
    assert "已过保修期" in result.lines[1].reasons[0].zh


def test_an_expired_accessory_is_charged_while_the_covered_unit_is_free():
    result = charges(ACCESSORY_EXPIRED)
    board, remote = result.lines[2], result.lines[3]
    assert board.net == D("0.00")
    assert remote.net == remote.gross == D("71.00")
    assert remote.reasons[0].code == "accessory_not_covered"
    assert result.total_due == D("71.00")


def test_an_accessory_is_not_waived_when_the_unit_itself_is_chargeable():
    result = charges(Coverage(False, True, "人为损坏", "damage from misuse"))
    assert result.lines[3].net == D("71.00")


def test_agreement_waives_half_the_parts_all_labour_and_the_call_out_fee():
    result = charges(EXPIRED, AgreementWaiver(parts_pct=50, labour_pct=100, number="SA-2026-0012"))
    call_out, labour, board, remote = result.lines
    assert call_out.agreement_waiver == D("50.00") and call_out.net == D("0.00")
    assert call_out.reasons[-1].code == "agreement_call_out_waived"
    assert labour.agreement_waiver == D("120.00") and labour.net == D("0.00")
    assert board.agreement_waiver == D("210.00") and board.net == D("210.00")
    assert remote.net == D("35.50")
    assert "SA-2026-0012" in board.reasons[-1].zh and "50%" in board.reasons[-1].en
    assert result.total_due == D("245.50")


def test_a_partial_labour_agreement_keeps_the_call_out_fee():
    result = charges(EXPIRED, AgreementWaiver(parts_pct=0, labour_pct=50, number="SA-1"))
    assert result.lines[0].net == D("50.00")
    assert result.lines[1].net == D("60.00")


def test_the_agreement_applies_only_to_what_the_warranty_left():
    result = charges(ACCESSORY_EXPIRED, AgreementWaiver(parts_pct=50, labour_pct=0, number="SA-1"))
    assert result.warranty_waiver == D("590.00")
    assert result.agreement_waiver == D("35.50")
    assert result.total_due == D("35.50")


def test_amounts_round_half_up_per_line_and_totals_add_up():
    labour = [LabourLine("L02", "检测", D("0.333"), D("10.00"))]  # 3.33
    parts = [PartLine("P-F", "保险丝", 1, D("0.05"))]
    result = charges(EXPIRED, AgreementWaiver(parts_pct=50, labour_pct=50, number="SA-1"),
                     labour=labour, parts=parts, fee=D("0"))
    assert [line.agreement_waiver for line in result.lines] == [D("1.67"), D("0.03")]
    assert [line.net for line in result.lines] == [D("1.66"), D("0.02")]
    assert result.total_due == D("1.68")


def test_a_zero_call_out_fee_adds_no_line():
    assert [line.kind for line in charges(fee=D("0")).lines][0] is LineKind.LABOUR


def test_charges_survive_a_json_round_trip():
    original = charges(ACCESSORY_EXPIRED, AgreementWaiver(parts_pct=50, labour_pct=100, number="SA-1"))
    data = json.loads(json.dumps(original.to_dict()))
    assert data["totals"]["total_due"] == "35.50"
    assert data["lines"][1]["qty"] == "1.5"
    assert Charges.from_dict(data) == original


def test_a_snapshot_with_edited_totals_is_refused():
    data = charges(EXPIRED).to_dict()
    data["totals"]["total_due"] = "1.00"
    with pytest.raises(BillingError) as error:
        Charges.from_dict(data)
    assert error.value.code == "inconsistent_totals"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"labour": [LabourLine("L", "x", D("0"), D("1"))]}, "invalid_qty"),
        ({"labour": [LabourLine("L", "x", D("-1"), D("1"))]}, "invalid_qty"),
        ({"labour": [LabourLine("L", "x", 1.5, D("1"))]}, "invalid_amount"),
        ({"parts": [PartLine("P", "x", 0, D("1"))]}, "invalid_qty"),
        ({"parts": [PartLine("P", "x", D("1.5"), D("1"))]}, "fractional_part_qty"),
        ({"parts": [PartLine("P", "x", 1, D("-0.01"))]}, "negative_price"),
        ({"fee": D("-5")}, "negative_price"),
        ({"agreement": AgreementWaiver(101, 0, "SA-1")}, "pct_out_of_range"),
        ({"agreement": AgreementWaiver(0, -1, "SA-1")}, "pct_out_of_range"),
    ],
)
def test_invalid_input_raises_a_billing_error_with_a_code(kwargs, code):
    with pytest.raises(BillingError) as error:
        charges(**kwargs)
    assert error.value.code == code
    assert isinstance(error.value, ValueError)


def test_receipt_numbers_carry_the_day_and_a_padded_sequence():
    assert next_receipt_number(date(2026, 11, 22), 7) == "RC-20261122-0007"
    with pytest.raises(BillingError):
        next_receipt_number(date(2026, 11, 22), 0)
