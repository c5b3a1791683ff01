from datetime import date

import pytest

from fieldservice.customers.rules import (BadRow, RowProblem, clean_line, clean_text, format_phone, parse_date,
                                          parse_unit_row, purchase_date_problem, search_text, serial_problem)

TODAY = date(2026, 11, 22)


def row(**changes) -> dict:
    base = {"serial": "kfr35-0001", "model_code": "kfr-35gw", "customer_name": " 张伟 ", "phone": "138 0013 8000",
            "address": "上海市浦东新区张江路100号", "purchase_date": "2026-01-15", "invoice_no": "FP-1",
            "sale_type": "", "customer_type": "", "contract_warranty_months": ""}
    return base | changes


def problems_of(raw: dict, **options) -> list[RowProblem]:
    with pytest.raises(BadRow) as error:
        parse_unit_row(7, raw, TODAY, **options)
    assert error.value.line == 7
    return list(error.value.problems)


def problem_of(**changes) -> str:
    (problem,) = problems_of(row(**changes))
    return problem.code


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


def test_dates_may_be_written_without_separators_or_with_year_month_day_characters():
    assert parse_date("20260105") == parse_date("2026年1月5日") == parse_date("2026 年 1 月 5") == date(2026, 1, 5)


def test_a_date_that_does_not_exist_or_is_incomplete_is_refused():
    for text in ("2026-02-30", "202601051", "2026年1月", "1/5/2026"):
        with pytest.raises(ValueError):
            parse_date(text)


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


def test_a_row_with_many_mistakes_names_every_one_of_them_at_once():
    problems = problems_of(row(serial="abc", model_code="NOPE", phone="weird", purchase_date="2030-01-01",
                               sale_type="gift"), known_models={"KFR-35GW"})
    assert problems == [RowProblem("unknown_model", "NOPE"), RowProblem("phone_invalid", "weird"),
                        RowProblem("purchase_date_in_future", "2030-01-01"), RowProblem("sale_type_invalid", "gift")]


def test_a_wrong_date_does_not_hide_wrong_contract_months():
    codes = [p.code for p in problems_of(row(purchase_date="2026-02-30", contract_warranty_months="99"))]
    assert codes == ["purchase_date_invalid", "contract_months_invalid"]


def test_every_column_can_be_wrong_in_the_same_row():
    raw = {"serial": "<script>", "model_code": "", "customer_name": "", "phone": "12345", "address": "路" * 256,
           "purchase_date": "1999-12-31", "invoice_no": "F" * 65, "sale_type": "gift", "customer_type": "vip",
           "contract_warranty_months": "-1"}
    assert [p.code for p in problems_of(raw)] == [
        "serial_malformed", "model_missing", "name_missing", "phone_invalid", "address_too_long",
        "purchase_date_too_early", "invoice_too_long", "sale_type_invalid", "customer_type_invalid",
        "contract_months_invalid"]


def test_a_model_code_the_catalogue_lacks_is_unknown_only_when_the_catalogue_is_given():
    assert parse_unit_row(7, row(), TODAY).model_code == "KFR-35GW"
    assert problems_of(row(), known_models={"XQB-80"}) == [RowProblem("unknown_model", "KFR-35GW")]
    assert parse_unit_row(7, row(), TODAY, known_models={"KFR-35GW"}).model_code == "KFR-35GW"


def test_a_serial_of_an_earlier_good_row_is_named_with_the_other_problems_of_the_row():
    problems = problems_of(row(serial=" kfr35-0001", phone="12345"), serials_before={"KFR35-0001"})
    assert problems == [RowProblem("serial_in_file_twice", "KFR35-0001"), RowProblem("phone_invalid", "12345")]


def test_a_long_value_is_quoted_back_cut_short():
    (problem,) = problems_of(row(sale_type="x" * 500))
    assert problem.code == "sale_type_invalid" and problem.value == "x" * 40 + "…"


@pytest.mark.parametrize("query", ["", None, "   ", "\u3000\u3000", " \u200b ", "\t\n"])
def test_a_search_of_only_spaces_is_no_search(query):
    assert search_text(query) == ""


def test_a_search_keeps_what_was_typed_in_ascii_with_single_spaces():
    assert search_text("  张伟\u3000 先生 ") == "张伟 先生"
    assert search_text("１３８ ００１３") == "138 0013"
