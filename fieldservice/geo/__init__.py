"""Geocoding and distances: offline gazetteer, optional Nominatim, haversine and travel time."""
from .distance import (
    geodesic_km,
    haversine_km,
    haversine_matrix_km,
    haversine_one_to_many_km,
    travel_minutes,
)
from .gazetteer import CoordSource, Geocoder, GeoResult, OfflineGeocoder, geocode, warm_up
from .nominatim import NominatimGeocoder


def make_geocoder(use_nominatim: bool, user_agent: str) -> Geocoder:
    """The app's geocoder (settings USE_NOMINATIM, NOMINATIM_USER_AGENT). Build it once per
    process: the Nominatim one holds the rate limiter and the cache."""
    return NominatimGeocoder(user_agent) if use_nominatim else OfflineGeocoder()


__all__ = [
    "CoordSource",
    "GeoResult",
    "Geocoder",
    "NominatimGeocoder",
    "OfflineGeocoder",
    "geocode",
    "geodesic_km",
    "haversine_km",
    "haversine_matrix_km",
    "haversine_one_to_many_km",
    "make_geocoder",
    "travel_minutes",
    "warm_up",
]
