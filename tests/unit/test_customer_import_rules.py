from datetime import date

import pytest

from fieldservice.customers.rules import (RowProblem, clean_line, clean_text, format_phone, parse_date,
                                          parse_unit_row, purchase_date_problem, serial_problem)

TODAY = date(2026, 11, 22)


def row(**changes) -> dict:
    base = {"serial": "kfr35-0001", "model_code": "kfr-35gw", "customer_name": " 张伟 ", "phone": "138 0013 8000",
            "address": "上海市浦东新区张江路100号", "purchase_date": "2026-01-15", "invoice_no": "FP-1",
            "sale_type": "", "customer_type": "", "contract_warranty_months": ""}
    return base | changes


def problem_of(**changes) -> str:
    with pytest.raises(RowProblem) as error:
        parse_unit_row(7, row(**changes), TODAY)
    return error.value.code


def test_a_good_row_is_normalised_with_consumer_and_normal_sale_as_defaults():
    parsed = parse_unit_row(7, row(), TODAY)
    assert (parsed.line, parsed.serial, parsed.model_code, parsed.customer_name, parsed.phone) == \
        (7, "KFR35-0001", "KFR-35GW", "张伟", "13800138000")
    assert (parsed.purchase_date, parsed.sale_type, parsed.customer_type, parsed.contract_warranty_months) == \
        (date(2026, 1, 15), "normal", "consumer", None)


def test_an_empty_purchase_date_is_allowed_because_the_warranty_is_then_unverified():
    assert parse_unit_row(2, row(purchase_date=""), TODAY).purchase_date is None


@pytest.mark.parametrize("changes, code", [
    ({"serial": ""}, "serial_missing"),
    ({"serial": "<script>"}, "serial_malformed"),
    ({"model_code": ""}, "model_missing"),
    ({"customer_name": "  "}, "name_missing"),
    ({"customer_name": "名" * 101}, "name_too_long"),
    ({"phone": "12345"}, "phone_invalid"),
    ({"purchase_date": "15/01/2026"}, "purchase_date_invalid"),
    ({"purchase_date": "2026-02-30"}, "purchase_date_invalid"),
    ({"purchase_date": "2026-11-23"}, "purchase_date_in_future"),
    ({"purchase_date": "1999-12-31"}, "purchase_date_too_early"),
    ({"sale_type": "gift"}, "sale_type_invalid"),
    ({"customer_type": "vip"}, "customer_type_invalid"),
    ({"contract_warranty_months": "37"}, "contract_months_invalid"),
    ({"contract_warranty_months": "-1"}, "contract_months_invalid"),
])
def test_each_kind_of_bad_row_names_its_problem(changes, code):
    assert problem_of(**changes) == code


def test_the_purchase_date_may_be_today_or_the_first_day_of_2000():
    assert purchase_date_problem(TODAY, TODAY) is None
    assert purchase_date_problem(date(2000, 1, 1), TODAY) is None


def test_dates_may_use_slashes_and_full_width_digits():
    assert parse_date("２０２６/1/5") == date(2026, 1, 5)
    assert parse_date(" ") is None


def test_serials_need_three_to_sixty_four_label_characters():
    assert serial_problem("AB1") is None
    assert serial_problem("AB") == "serial_malformed"
    assert serial_problem("A" * 65) == "serial_malformed"
    assert serial_problem("-AB1") == "serial_malformed"


def test_phones_are_grouped_for_reading_aloud():
    assert format_phone("13800138000") == "138 0013 8000"
    assert format_phone("02168881234") == "021 68881234"
    assert format_phone("057188881234") == "0571 88881234"


def test_text_that_cannot_be_stored_is_removed():
    assert clean_text("不制冷\x00\r\n第二行\ud800 ") == "不制冷\n第二行"
    assert clean_line(" 张\u200b伟 \n 先生 ") == "张伟 先生"
