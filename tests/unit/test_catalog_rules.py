from fieldservice.catalog.rules import ProductLine, product_line_name, product_line_names


def test_every_product_line_has_a_chinese_and_an_english_name():
    for line in ProductLine:
        zh, en = product_line_names(line)
        assert zh and en and zh != en != line.value


def test_a_product_line_is_named_in_the_viewers_language():
    assert product_line_name("aircon", "zh_CN") == "空调"
    assert product_line_name("aircon", "en") == "Air conditioners"


def test_a_code_that_is_no_product_line_shows_as_itself():
    assert product_line_names("fridge") == ("fridge", "fridge")
