"""Distances between points given in degrees, and the travel time they imply.

Haversine on a sphere (numpy, ~50 ns a pair) for anything that loops, such as routing and
dispatch; geodesic on the WGS-84 ellipsoid (geopy, ~80 µs a pair) only for the few numbers shown
to people. The two differ by at most about 0.5 %.
"""
from __future__ import annotations

import math

import numpy as np
from geopy.distance import geodesic

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius: the sphere closest to the ellipsoid on average


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dlam = math.radians(lon2 - lon1)
    a = math.sin((phi2 - phi1) / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(a, 1.0)))


def haversine_one_to_many_km(lat: float, lon: float, lats, lons) -> np.ndarray:
    """Distances from one point to each of many (e.g. a customer to every technician's base)."""
    lats, lons = _as_radians(lats, lons)
    phi, lam = math.radians(lat), math.radians(lon)
    a = np.sin((lats - phi) / 2) ** 2 + math.cos(phi) * np.cos(lats) * np.sin((lons - lam) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def haversine_matrix_km(lats, lons) -> np.ndarray:
    """All pairwise distances, N x N, symmetric with an exact zero diagonal.

    sin((x_i - x_j) / 2) is expanded to sin(x_i/2)cos(x_j/2) - cos(x_i/2)sin(x_j/2), so the N x N
    work is outer products and a single arcsin instead of four trigonometric calls per pair.
    """
    phi, lam = _as_radians(lats, lons)
    sin_phi, cos_phi = np.sin(phi / 2), np.cos(phi / 2)
    sin_lam, cos_lam = np.sin(lam / 2), np.cos(lam / 2)
    dphi = np.multiply.outer(sin_phi, cos_phi)
    dphi -= np.multiply.outer(cos_phi, sin_phi)
    dlam = np.multiply.outer(sin_lam, cos_lam)
    dlam -= np.multiply.outer(cos_lam, sin_lam)
    cos_lat = np.cos(phi)
    a = np.square(dphi, out=dphi)
    dlam = np.square(dlam, out=dlam)
    dlam *= np.multiply.outer(cos_lat, cos_lat)
    a += dlam
    np.minimum(a, 1.0, out=a)
    np.sqrt(a, out=a)
    np.arcsin(a, out=a)
    a *= 2 * EARTH_RADIUS_KM
    return a


def geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Ellipsoidal distance between two (lat, lon) points, for figures shown to people."""
    return geodesic(a, b).km


def travel_minutes(km, road_factor: float = 1.3, speed_kmh: float = 30.0):
    """Driving time for a straight-line distance: roads are `road_factor` times longer than the
    straight line and are driven at `speed_kmh` on average. Works on scalars and numpy arrays."""
    if road_factor < 1.0:
        raise ValueError("road_factor must be at least 1: roads are never shorter than the straight line")
    if speed_kmh <= 0:
        raise ValueError("speed_kmh must be positive")
    return km * road_factor / speed_kmh * 60.0


def _as_radians(lats, lons) -> tuple[np.ndarray, np.ndarray]:
    lats = np.asarray(lats, dtype=np.float64)
    lons = np.asarray(lons, dtype=np.float64)
    if lats.ndim != 1 or lats.shape != lons.shape:
        raise ValueError("lats and lons must be one-dimensional and of the same length")
    return np.radians(lats), np.radians(lons)
