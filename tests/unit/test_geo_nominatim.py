from types import SimpleNamespace

import pytest
from geopy.exc import GeocoderTimedOut, GeocoderUnavailable

from fieldservice.geo import NominatimGeocoder, OfflineGeocoder, geocode, make_geocoder


class FakeNominatim:
    """Stands in for geopy's Nominatim: records queries, answers from a dict, never uses the network."""

    def __init__(self, answers=None, error=None):
        self.answers = answers or {}
        self.error = error
        self.queries = []

    def geocode(self, query, **kwargs):
        self.queries.append((query, kwargs))
        if self.error is not None:
            raise self.error
        return self.answers.get(query)


def location(lat, lon, address, **details):
    return SimpleNamespace(latitude=lat, longitude=lon, address=address, raw={"address": details})


ZHANGJIANG = "上海市浦东新区张江路100号"


def nominatim(fake):
    return NominatimGeocoder("fieldservice-tests", geocoder=fake, min_delay_seconds=0)


def test_a_nominatim_hit_gives_its_point_with_the_gazetteer_names():
    answer = location(31.2035, 121.5905, "张江路, 浦东新区, 上海市, 中国", country_code="cn")
    fake = FakeNominatim({ZHANGJIANG: answer})
    result = nominatim(fake).geocode(ZHANGJIANG)
    assert (result.lat, result.lon, result.coord_source) == (31.2035, 121.5905, "geocoder")
    assert (result.province, result.city, result.district) == ("上海市", "上海市", "浦东新区")
    assert result.matched_name == "张江路, 浦东新区, 上海市, 中国"
    assert result.country_code == "CN"
    assert fake.queries[0][1]["addressdetails"] is True


def test_names_come_from_nominatim_where_the_gazetteer_knows_none():
    answer = location(
        48.8553, 2.3601, "1 Rue de Rivoli", state="Île-de-France", city="Paris", suburb="Le Marais", country_code="fr"
    )
    result = nominatim(FakeNominatim({"1 Rue de Rivoli, Paris": answer})).geocode("1 Rue de Rivoli, Paris")
    assert (result.province, result.city, result.district) == ("Île-de-France", "Paris", "Le Marais")
    assert result.country_code == "FR"


def test_repeated_addresses_are_answered_from_the_cache():
    fake = FakeNominatim({ZHANGJIANG: location(31.2035, 121.5905, "张江路")})
    geocoder = nominatim(fake)
    first = geocoder.geocode(ZHANGJIANG)
    assert geocoder.geocode(" " + ZHANGJIANG + " ") == first
    assert len(fake.queries) == 1


def test_the_cache_forgets_the_least_recently_used_address_first():
    fake = FakeNominatim()
    geocoder = NominatimGeocoder("fieldservice-tests", geocoder=fake, min_delay_seconds=0, cache_size=2)
    for address in ("上海市", "苏州市", "上海市", "南京市", "苏州市"):
        geocoder.geocode(address)
    assert [q for q, _ in fake.queries] == ["上海市", "苏州市", "南京市", "苏州市"]


def test_an_address_nominatim_does_not_know_falls_back_to_the_gazetteer():
    result = nominatim(FakeNominatim()).geocode(ZHANGJIANG)
    assert result == geocode(ZHANGJIANG)
    assert result.coord_source == "district"


@pytest.mark.parametrize("error", [GeocoderTimedOut("slow"), GeocoderUnavailable("down"), ConnectionResetError()])
def test_a_nominatim_failure_falls_back_to_the_gazetteer_and_is_not_cached(error):
    fake = FakeNominatim(error=error)
    geocoder = nominatim(fake)
    assert geocoder.geocode(ZHANGJIANG) == geocode(ZHANGJIANG)
    fake.error = None
    fake.answers[ZHANGJIANG] = location(31.2035, 121.5905, "张江路")
    assert geocoder.geocode(ZHANGJIANG).coord_source == "geocoder"


def test_blank_addresses_never_reach_nominatim():
    fake = FakeNominatim()
    assert nominatim(fake).geocode("  ") is None
    assert fake.queries == []


def test_nominatim_needs_an_identifying_user_agent():
    with pytest.raises(ValueError):
        NominatimGeocoder(" ")


def test_make_geocoder_picks_nominatim_only_when_asked():
    assert isinstance(make_geocoder(False, "fieldservice-tests"), OfflineGeocoder)
    assert isinstance(make_geocoder(True, "fieldservice-tests"), NominatimGeocoder)
