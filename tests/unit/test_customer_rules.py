import pytest

from fieldservice.customers.rules import (has_proof_of_purchase, mask_phone, normalise_phone, normalise_serial,
                                         phone_search_digits)


@pytest.mark.parametrize("raw", ["13800138000", "138 0013 8000", "+86 138 0013 8000", "0086 13800138000",
                                 "＋８６ １３８００１３８０００", "138-0013-8000", "８６13800138000"[2:]])
def test_mobile_numbers_in_any_format_normalise_to_eleven_digits(raw):
    assert normalise_phone(raw) == "13800138000"


def test_landlines_keep_their_area_code():
    assert normalise_phone("(021) 6888-1234") == "02168881234"
    assert normalise_phone("+86 21 6888 1234") == "02168881234"


@pytest.mark.parametrize("raw", ["", "abc", "12345", "1380013800", "<script>", "23800138000"])
def test_text_that_is_not_a_chinese_phone_number_is_refused(raw):
    assert normalise_phone(raw) is None


def test_partial_numbers_of_four_digits_or_more_are_searchable():
    assert phone_search_digits("8000") == "8000"
    assert phone_search_digits("138") is None


def test_phones_are_masked_in_lists():
    assert mask_phone("13800138000") == "138****8000"


def test_serials_are_trimmed_upper_cased_and_full_width_folded():
    assert normalise_serial("  ａｂ１２３\u200b-x ") == "AB123-X"


def test_an_invoice_number_on_record_is_the_proof_of_purchase():
    assert has_proof_of_purchase("FP-2026-001")
    assert not has_proof_of_purchase("") and not has_proof_of_purchase(None)
