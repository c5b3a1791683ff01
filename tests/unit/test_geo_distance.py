import time

import numpy as np
import pytest

from fieldservice.geo import (
    geodesic_km,
    haversine_km,
    haversine_matrix_km,
    haversine_one_to_many_km,
    travel_minutes,
)

SHANGHAI = (31.2304, 121.4737)
SUZHOU = (31.2990, 120.5853)
BEIJING = (39.9042, 116.4074)
URUMQI = (43.8256, 87.6168)
SANYA = (18.2528, 109.5119)


@pytest.mark.parametrize(
    ("a", "b"), [(SHANGHAI, SUZHOU), (SHANGHAI, BEIJING), (URUMQI, SANYA), (SHANGHAI, (31.2305, 121.4738))]
)
def test_haversine_agrees_with_geodesic_within_half_a_percent(a, b):
    assert haversine_km(*a, *b) == pytest.approx(geodesic_km(a, b), rel=0.005)


def test_shanghai_to_beijing_is_about_1070_km():
    assert haversine_km(*SHANGHAI, *BEIJING) == pytest.approx(1068, abs=5)


def test_the_distance_from_a_point_to_itself_is_zero():
    assert haversine_km(*SUZHOU, *SUZHOU) == 0.0


def test_the_matrix_is_symmetric_with_a_zero_diagonal_and_matches_the_scalar_formula():
    points = [SHANGHAI, SUZHOU, BEIJING, URUMQI, SANYA]
    lats, lons = zip(*points)
    matrix = haversine_matrix_km(lats, lons)
    assert matrix.shape == (5, 5)
    assert np.array_equal(matrix, matrix.T)
    assert np.all(np.diag(matrix) == 0.0)
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            assert matrix[i, j] == pytest.approx(haversine_km(*a, *b), abs=1e-9)


def test_one_to_many_matches_the_matching_matrix_row():
    lats, lons = zip(SHANGHAI, SUZHOU, BEIJING, URUMQI)
    row = haversine_one_to_many_km(*SHANGHAI, lats, lons)
    np.testing.assert_allclose(row, haversine_matrix_km(lats, lons)[0], atol=1e-9)


def test_antipodal_points_are_half_the_earth_around():
    assert haversine_matrix_km([0.0, 0.0], [0.0, 180.0])[0, 1] == pytest.approx(np.pi * 6371.0088)


def test_mismatched_coordinate_arrays_are_refused():
    with pytest.raises(ValueError):
        haversine_matrix_km([31.0, 32.0], [121.0])


def test_a_1120_point_matrix_takes_well_under_a_second():
    rng = np.random.default_rng(7)
    lats, lons = rng.uniform(18, 50, 1120), rng.uniform(75, 130, 1120)
    start = time.perf_counter()
    matrix = haversine_matrix_km(lats, lons)
    assert time.perf_counter() - start < 1.0
    assert matrix.shape == (1120, 1120)


def test_travel_minutes_stretch_the_straight_line_by_the_road_factor_at_the_average_speed():
    assert travel_minutes(10.0) == pytest.approx(10.0 * 1.3 / 30.0 * 60.0)  # 26 minutes
    assert travel_minutes(45.0, road_factor=1.0, speed_kmh=45.0) == pytest.approx(60.0)
    np.testing.assert_allclose(travel_minutes(np.array([0.0, 15.0]), road_factor=2.0), [0.0, 60.0])


@pytest.mark.parametrize(("road_factor", "speed_kmh"), [(0.9, 30.0), (1.3, 0.0), (1.3, -5.0)])
def test_travel_minutes_refuse_impossible_settings(road_factor, speed_kmh):
    with pytest.raises(ValueError):
        travel_minutes(10.0, road_factor=road_factor, speed_kmh=speed_kmh)
