"""The tile-free map: projection, routes, labels from the offline gazetteer."""
import math

from fieldservice.dispatch.svgmap import Place, Projection, build_map, places_in_box
from fieldservice.geo import haversine_km
from tests.factories_dispatch import HUANGPU, JIADING, MINHANG, PUDONG


def test_the_projection_keeps_distances_equal_in_both_directions_and_fits_the_canvas():
    project = Projection([MINHANG[0], JIADING[0]], [JIADING[1], PUDONG[1]], 720, 480, 20)
    points = [project(*p) for p in (PUDONG, MINHANG, JIADING, HUANGPU)]
    assert all(20 <= x <= 700 and 20 <= y <= 460 for x, y in points)
    # North is up, east is right.
    (px, py), (mx, my), (jx, jy) = points[:3]
    assert jy < my and px > mx
    # One pixel is the same distance east-west and north-south (within a per cent).
    east = haversine_km(31.2, 121.3, 31.2, 121.4) / abs(project(31.2, 121.4)[0] - project(31.2, 121.3)[0])
    north = haversine_km(31.2, 121.3, 31.3, 121.3) / abs(project(31.3, 121.3)[1] - project(31.2, 121.3)[1])
    assert math.isclose(east, north, rel_tol=0.01)


def test_a_technicians_visits_are_joined_from_the_base_in_order_and_shared_spots_are_spread():
    places = [Place(*HUANGPU, "technician", "active", "王", "王师傅", group=7),
              Place(*PUDONG, "visit", "booked", "2", "SR-2", group=7, order=2),
              Place(*JIADING, "visit", "done", "1", "SR-1", group=7, order=1),
              Place(*PUDONG, "request", "new", "", "SR-3")]
    svg = build_map(places)
    [route] = svg.routes
    by_title = {m.title: (m.x, m.y) for m in svg.markers}
    assert route.points == (by_title["王师傅"], by_title["SR-1"], by_title["SR-2"])
    assert by_title["SR-2"] != by_title["SR-3"]  # same district centre, still two markers
    assert [m.kind for m in svg.markers][-1] == "technician"  # drawn on top
    assert "浦东新区" in {label.text for label in svg.labels} and svg.scale.km in (5, 10, 20)


def test_labels_are_district_names_inside_the_box_or_city_names_when_districts_would_crowd_it():
    shanghai = {name for name, _, _ in places_in_box(31.0, 31.45, 121.2, 121.7)}
    assert {"浦东新区", "闵行区", "嘉定区"} <= shanghai
    east_china = {name for name, _, _ in places_in_box(28.0, 34.0, 116.0, 122.0)}
    assert "苏州市" in east_china and "浦东新区" not in east_china


def test_an_empty_day_draws_an_empty_map():
    assert build_map([]).empty
