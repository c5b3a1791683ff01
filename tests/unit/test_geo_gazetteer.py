import time
from dataclasses import FrozenInstanceError

import pytest

from fieldservice.geo import GeoResult, OfflineGeocoder, geocode, haversine_km


def near(result: GeoResult, lat: float, lon: float, km: float = 5.0) -> bool:
    return haversine_km(result.lat, result.lon, lat, lon) <= km


# --- China ---


def test_a_shanghai_pudong_address_resolves_to_the_pudong_district_centre():
    result = geocode("上海市浦东新区张江路100号")
    assert (result.province, result.city, result.district) == ("上海市", "上海市", "浦东新区")
    assert result.coord_source == "district"
    assert near(result, 31.22, 121.54)


def test_the_suzhou_industrial_park_falls_back_to_the_suzhou_city_centre():
    # 苏州工业园区 is a development zone, not an administrative district in the data.
    result = geocode("江苏省苏州市工业园区星湖街")
    assert (result.province, result.city, result.district) == ("江苏省", "苏州市", None)
    assert result.coord_source == "city"
    assert near(result, 31.30, 120.59)


@pytest.mark.parametrize("address", ["浦东新区张江路", "浦东张江路100号", "上海浦东新区张江路"])
def test_an_address_without_province_or_with_short_names_still_finds_the_district(address):
    result = geocode(address)
    assert (result.city, result.district, result.coord_source) == ("上海市", "浦东新区", "district")


def test_a_district_under_a_city_without_province_gets_its_province_from_the_data():
    result = geocode("苏州市吴中区东吴北路")
    assert (result.province, result.city, result.district) == ("江苏省", "苏州市", "吴中区")
    assert result.coord_source == "district"


@pytest.mark.parametrize(
    ("address", "city"),
    [
        ("南京市鼓楼区中山路1号", "南京市"),
        ("福州鼓楼区五四路", "福州市"),
        ("鼓楼区中山路, 南京", "南京市"),
    ],
)
def test_an_ambiguous_district_is_resolved_by_the_city_named_in_the_address(address, city):
    result = geocode(address)
    assert (result.city, result.district, result.coord_source) == (city, "鼓楼区", "district")


@pytest.mark.parametrize("address", ["鼓楼区中山路", "江苏省鼓楼区", "朝阳区建国路88号"])
def test_an_ambiguous_district_without_a_deciding_city_is_not_guessed(address):
    assert geocode(address) is None


def test_a_municipality_district_is_found_with_a_short_city_name():
    result = geocode("北京朝阳")
    assert (result.province, result.city, result.district) == ("北京市", "北京市", "朝阳区")


def test_a_city_name_in_a_street_name_is_not_taken_for_the_city():
    assert geocode("南京东路100号") is None
    assert geocode("上海市黄浦区南京东路").district == "黄浦区"


def test_a_later_place_name_does_not_override_the_city_the_address_starts_with():
    # 东方 is also 东方市 in Hainan.
    assert geocode("上海市东方明珠").city == "上海市"


def test_a_county_level_city_run_by_its_province_acts_as_a_city():
    result = geocode("湖北省仙桃市")
    assert (result.province, result.city, result.district) == ("湖北省", "仙桃市", None)
    assert result.coord_source == "city"


def test_a_county_level_city_under_a_prefecture_is_a_district():
    result = geocode("昆山市前进路")
    assert (result.city, result.district, result.coord_source) == ("苏州市", "昆山市", "district")


def test_a_district_without_coordinates_keeps_its_name_and_uses_the_city_centre():
    result = geocode("江苏省淮安市清江浦区")
    assert (result.city, result.district, result.coord_source) == ("淮安市", "清江浦区", "city")


def test_a_county_renamed_to_a_district_after_the_data_was_made_is_found_by_its_short_name():
    assert geocode("重庆市梁平区").district == "梁平县"


def test_autonomous_region_and_prefecture_short_names_are_understood():
    assert geocode("广西南宁青秀区").province == "广西壮族自治区"
    assert geocode("黔西南兴义").city == "黔西南布依族苗族自治州"


def test_a_province_alone_is_not_precise_enough():
    assert geocode("江苏省") is None


def test_a_chinese_place_name_that_cannot_be_placed_is_not_looked_up_abroad():
    # 海南 is also an alternate name of Kainan, Japan.
    assert geocode("海南") is None


def test_a_province_short_name_is_not_read_as_a_same_named_place_elsewhere():
    # 河南蒙古族自治县 is in Qinghai, 河北区 in Tianjin.
    assert geocode("河南") is None
    assert geocode("河北石家庄").city == "石家庄市"
    assert geocode("吉林").city == "吉林市"


def test_a_district_named_after_an_ethnic_group_is_found_without_it():
    assert geocode("郑州管城").district == "管城回族区"


def test_full_width_characters_and_whitespace_are_tolerated():
    assert geocode("　上海市　浦东新区　张江路１００号 ").district == "浦东新区"
    assert geocode(" 上海 市 浦东 新区 ").district == "浦东新区"


@pytest.mark.parametrize("address", ["", "   ", "胡说八道", "Zzyzxq", "12345", ",,,"])
def test_unknown_text_gives_none(address):
    assert geocode(address) is None


def test_the_result_is_immutable_and_names_the_matched_place():
    result = geocode("苏州市吴中区")
    assert result.matched_name == "江苏省苏州市吴中区"
    assert result.country_code == "CN"
    with pytest.raises(FrozenInstanceError):
        result.lat = 0.0


def test_the_offline_geocoder_class_answers_like_the_function():
    assert OfflineGeocoder().geocode("苏州市吴中区") == geocode("苏州市吴中区")


# --- World ---


@pytest.mark.parametrize(
    ("address", "city", "country", "lat", "lon"),
    [
        ("Paris, France", "Paris", "FR", 48.85, 2.35),
        ("London", "London", "GB", 51.51, -0.13),
        ("Tokyo", "Tokyo", "JP", 35.69, 139.69),
        ("Singapore", "Singapore", "SG", 1.29, 103.85),
        ("10 Downing Street, London, UK", "London", "GB", 51.51, -0.13),
        ("75008 Paris", "Paris", "FR", 48.85, 2.35),
        ("sao paulo", "São Paulo", "BR", -23.55, -46.64),
        ("Ｔｏｋｙｏ", "Tokyo", "JP", 35.69, 139.69),
        ("巴黎", "Paris", "FR", 48.85, 2.35),
    ],
)
def test_a_world_city_resolves_at_city_level(address, city, country, lat, lon):
    result = geocode(address)
    assert (result.city, result.country_code, result.coord_source) == (city, country, "city")
    assert result.province is None and result.district is None
    assert near(result, lat, lon)


def test_the_most_populous_city_of_a_name_wins_unless_a_country_is_given():
    assert geocode("Paris").country_code == "FR"
    assert geocode("Paris, US").country_code == "US"
    assert geocode("Paris, United States").matched_name == "Paris, United States"


def test_a_country_hint_that_matches_no_city_of_that_name_is_ignored():
    # CA is Canada's code, but here it means California.
    assert geocode("Los Angeles, CA").country_code == "US"


# --- Speed ---


def test_a_thousand_lookups_take_well_under_a_second():
    addresses = ["上海市浦东新区张江路100号", "江苏省苏州市工业园区星湖街328号", "Paris, France", "nowhere 1"]
    for address in addresses:
        geocode(address)  # loads the indexes
    start = time.perf_counter()
    for i in range(1000):
        geocode(addresses[i % len(addresses)])
    assert time.perf_counter() - start < 1.0
