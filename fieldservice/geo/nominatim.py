"""Street-level geocoding through OpenStreetMap Nominatim, falling back to the offline gazetteer.

Nominatim's usage policy asks for an identifying User-Agent, at most one request a second and
caching of results; this class does all three. Create one per process so the rate limit holds.
"""
from __future__ import annotations

import logging
import threading
import unicodedata
from collections import OrderedDict

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from .gazetteer import GeoResult
from .gazetteer import geocode as offline_geocode

log = logging.getLogger(__name__)


class NominatimGeocoder:
    def __init__(
        self,
        user_agent: str,
        *,
        geocoder=None,
        min_delay_seconds: float = 1.0,
        cache_size: int = 4096,
        timeout: float = 5.0,
    ) -> None:
        """`geocoder` is any object with geopy's `geocode(query, **kwargs)`; tests pass a fake."""
        if geocoder is None:
            if not user_agent or not user_agent.strip():
                raise ValueError("Nominatim requires an identifying user agent")
            geocoder = Nominatim(user_agent=user_agent, timeout=timeout)
        # No retries and no swallowed errors: a failure falls back to the gazetteer at once
        # instead of keeping a booking form waiting.
        self._geocode = RateLimiter(
            geocoder.geocode,
            min_delay_seconds=min_delay_seconds,
            max_retries=0,
            error_wait_seconds=min_delay_seconds,
            swallow_exceptions=False,
        )
        self._cache: OrderedDict[str, GeoResult | None] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def geocode(self, address: str) -> GeoResult | None:
        query = " ".join(unicodedata.normalize("NFKC", address or "").split())
        if not query:
            return None
        with self._lock:
            if query in self._cache:
                self._cache.move_to_end(query)
                return self._cache[query]
        try:
            location = self._geocode(query, addressdetails=True)
        except (GeopyError, OSError) as exc:
            # Not cached: the service may be back for the next request.
            log.warning("Nominatim unavailable (%s); using the offline gazetteer", type(exc).__name__)
            return offline_geocode(query)
        result = _to_result(location, offline_geocode(query))
        with self._lock:
            self._cache[query] = result
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result


def _to_result(location, offline: GeoResult | None) -> GeoResult | None:
    """Nominatim's point; names from the gazetteer where it knows them, so that district names
    are spelt as in the official list the rest of the system uses."""
    if location is None:
        return offline
    raw = location.raw if isinstance(location.raw, dict) else {}
    details = raw.get("address") or {}

    def first(*keys: str) -> str | None:
        return next((details[k] for k in keys if details.get(k)), None)

    return GeoResult(
        lat=float(location.latitude),
        lon=float(location.longitude),
        coord_source="geocoder",
        province=(offline and offline.province) or first("state", "province", "region"),
        city=(offline and offline.city) or first("city", "town", "municipality", "village"),
        district=(offline and offline.district) or first("city_district", "district", "county", "suburb"),
        matched_name=location.address,
        country_code=(details.get("country_code") or "").upper() or (offline and offline.country_code) or None,
    )
