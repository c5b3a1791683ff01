from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from fieldservice.geo import haversine_km
from fieldservice.scheduling.planner import Plan, bookable_today, greedy_plan, plan_day
from fieldservice.scheduling.rules import (
    Booking,
    ReasonCode,
    RequestFacts,
    SchedulingSettings,
    TechnicianFacts,
    covers_area,
    day_windows,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
SETTINGS = SchedulingSettings(tz=SHANGHAI)
MONDAY, TUESDAY = date(2026, 11, 23), date(2026, 11, 24)
KM_LAT, KM_LON = 1 / 111.2, 1 / 95.2  # degrees in one kilometre around Shanghai
ORIGIN = (31.2304, 121.4737)


def at(km_north: float, km_east: float) -> tuple[float, float]:
    return ORIGIN[0] + km_north * KM_LAT, ORIGIN[1] + km_east * KM_LON


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def tech(id: int, where, skills=("tv", "aircon"), **changes) -> TechnicianFacts:
    return replace(TechnicianFacts(id=id, name=f"T{id}", phone="13800138000", lat=where[0], lon=where[1],
                                   skills=frozenset(skills), radius_km=15.0), **changes)


def request(id: int, where, due_hour: float = 20, product_line="tv", kind="repair", **changes) -> RequestFacts:
    due = local(TUESDAY, 0) + timedelta(hours=due_hour)
    return replace(RequestFacts(lat=where[0], lon=where[1], product_line=product_line, kind=kind,
                                reported_at=due - timedelta(hours=24), sla_due_at=due, id=id), **changes)


def team() -> list[TechnicianFacts]:
    west, east = at(0, -8), at(0, 8)
    return [
        tech(1, west, bookings=(Booking(local(TUESDAY, 12), local(TUESDAY, 14), *at(2, -6), 90),)),
        tech(2, east, skills=("tv", "fridge")),
        tech(3, at(0, 0), skills=("washer",), working_days=frozenset({1, 3, 5})),  # off on Tuesdays
    ]


def workload() -> list[RequestFacts]:
    """Two clusters, west and east; greedy (nearest base, most urgent first) crosses over."""
    return [
        request(1, at(1, -3), due_hour=10.5),
        request(2, at(-1, -9), due_hour=12.5, product_line="aircon"),
        request(3, at(2, 3), due_hour=14),
        request(4, at(-2, 9), due_hour=16, product_line="fridge"),
        request(5, at(1, 0.5), due_hour=17, kind="maintenance"),
        request(6, at(3, 10), due_hour=30),
        request(7, at(0, -1), due_hour=30, kind="install"),
    ]


def check_plan(plan: Plan, requests, technicians, settings=SETTINGS) -> None:
    """Everything a plan promises, checked from the facts with no help from the planner."""
    by_id = {t.id: t for t in technicians}
    wanted = {r.id: r for r in requests}
    W = timedelta(minutes=settings.window_minutes)
    seen = set()
    for route in plan.technicians:
        t = by_id[route.technician_id]
        grid = {w.start for w in day_windows(plan.day, settings.tz, t.work_start, t.work_end,
                                             settings.window_minutes)}
        assert plan.day.isoweekday() in t.working_days
        stops = [(b.start, b.end, b.lat, b.lon, timedelta(minutes=b.service_minutes)) for b in t.bookings]
        for v in route.visits:
            r = wanted[v.request_id]
            assert v.request_id not in seen
            seen.add(v.request_id)
            assert r.product_line in t.skills
            assert covers_area(t, r.lat, r.lon, r.city, r.district)
            assert v.window_start in grid and v.window_end - v.window_start == W
            assert v.promise_kept == (v.window_start <= r.sla_due_at)
            stops.append((v.window_start, v.window_end, r.lat, r.lon,
                          timedelta(minutes=settings.visit_minutes[r.kind])))
        stops.sort()
        for a, b in zip(stops, stops[1:]):
            assert a[1] <= b[0], "windows overlap"
            drive = timedelta(seconds=settings.travel_seconds(haversine_km(a[2], a[3], b[2], b[3])))
            assert a[0] + a[4] + drive <= b[0] + timedelta(seconds=1), "next stop out of reach"
        for start, _, _, _, service in stops:
            assert start + service <= datetime.combine(plan.day, t.work_end, tzinfo=settings.tz)
    assert seen.isdisjoint(u.request_id for u in plan.unassigned)
    assert seen | {u.request_id for u in plan.unassigned} == set(wanted)


@pytest.fixture(scope="module")
def plans():
    requests, technicians = workload(), team()
    return (requests, technicians, plan_day(requests, technicians, TUESDAY, SETTINGS, time_limit_s=0.5),
            greedy_plan(requests, technicians, TUESDAY, SETTINGS))


def test_the_plan_respects_skills_areas_working_hours_bookings_and_travel(plans):
    requests, technicians, plan, greedy = plans
    check_plan(plan, requests, technicians)
    check_plan(greedy, requests, technicians)


def test_the_plan_keeps_every_promise_that_can_be_kept(plans):
    _, _, plan, _ = plans
    assert len(plan.visits) == 7
    assert plan.promises_kept == 7 and plan.unassigned == ()


def test_the_plan_travels_no_more_than_the_greedy_dispatcher(plans):
    _, _, plan, greedy = plans
    assert plan.promises_kept >= greedy.promises_kept
    assert plan.total_km <= greedy.total_km
    assert plan.solver == "pyvrp" and greedy.solver == "greedy"


def test_a_technicians_km_covers_the_whole_day_from_base_and_back(plans):
    _, technicians, plan, _ = plans
    for route in plan.technicians:
        assert route.km >= sum(v.travel_km for v in route.visits)
    booked_only = greedy_plan([], technicians, TUESDAY, SETTINGS)
    [route] = booked_only.technicians
    assert route.visits == () and route.km == pytest.approx(2 * 1.3 * haversine_km(*at(0, -8), *at(2, -6)), abs=0.01)


def test_requests_nobody_may_take_are_left_unassigned_with_the_reason():
    requests = [
        request(1, at(0, -7)),
        request(2, at(0, -7), product_line="projector"),
        request(3, (30.2741, 120.1551)),  # Hangzhou
        request(4, at(0, 1), product_line="washer"),  # only technician 3 has it, off on Tuesdays
    ]
    plan = plan_day(requests, team(), TUESDAY, SETTINGS, time_limit_s=0.2)
    check_plan(plan, requests, team())
    assert [v.request_id for v in plan.visits] == [1]
    reasons = {u.request_id: u.reason for u in plan.unassigned}
    assert {k: r.code for k, r in reasons.items()} == {
        2: ReasonCode.NO_SKILL, 3: ReasonCode.OUT_OF_AREA, 4: ReasonCode.NOT_WORKING}
    assert reasons[2].zh and reasons[2].en


def test_a_request_is_left_unassigned_when_no_window_is_free():
    short_day = [tech(1, at(0, 0), work_start=time(8), work_end=time(12))]  # two windows
    requests = [request(i, at(i, 0)) for i in (1, 2, 3)]
    plan = plan_day(requests, short_day, TUESDAY, SETTINGS, time_limit_s=0.2)
    check_plan(plan, requests, short_day)
    assert len(plan.visits) == 2
    assert [u.reason.code for u in plan.unassigned] == [ReasonCode.NO_FREE_TIME]


def test_a_promise_that_cannot_be_kept_is_planned_late_rather_than_dropped():
    overdue = request(1, at(0, -7), due_hour=-4)  # due Monday 20:00
    busy_early = request(2, at(1, -7), due_hour=9)  # due 09:00: only the 08:00 window keeps it
    also_early = request(3, at(-1, -7), due_hour=9)
    one = [tech(1, at(0, -8))]
    plan = plan_day([overdue, busy_early, also_early], one, TUESDAY, SETTINGS, time_limit_s=0.3)
    check_plan(plan, [overdue, busy_early, also_early], one)
    kept = {v.request_id: v.promise_kept for v in plan.visits}
    assert kept[1] is False
    assert sorted(kept.values()) == [False, False, True]


def test_an_empty_day_is_an_empty_plan():
    plan = plan_day([], [], TUESDAY, SETTINGS, time_limit_s=0.1)
    assert (plan.technicians, plan.unassigned, plan.total_km) == ((), (), 0)


# --- what to book today rather than plan into tomorrow ------------------------------------------

MONDAY_3AM = local(MONDAY, 3)


def due_monday(id: int, where, hour: float, **changes) -> RequestFacts:
    return request(id, where, due_hour=hour - 24, **changes)


def test_a_request_due_today_that_a_free_window_today_keeps_is_to_be_booked_today():
    urgent = due_monday(1, at(0, -7), 14)
    [found] = bookable_today([urgent], [tech(1, at(0, -8))], TUESDAY, MONDAY_3AM, SETTINGS)
    assert found.request_id == 1 and found.technician_id == 1 and found.name == "T1"
    assert local(MONDAY, 8) <= found.window_start <= urgent.sla_due_at
    assert found.window_end - found.window_start == timedelta(minutes=SETTINGS.window_minutes)


def test_a_request_the_planned_day_can_still_keep_is_left_to_the_plan():
    due_tuesday_noon = request(1, at(0, -7), due_hour=12)
    assert bookable_today([due_tuesday_noon], [tech(1, at(0, -8))], TUESDAY, MONDAY_3AM, SETTINGS) == ()


def test_a_request_due_before_the_planned_days_first_window_counts_as_one_for_today():
    due_tuesday_early = request(1, at(0, -7), due_hour=7)  # Tuesday 07:00: the first window is at 08:00
    [found] = bookable_today([due_tuesday_early], [tech(1, at(0, -8))], TUESDAY, MONDAY_3AM, SETTINGS)
    assert found.window_start.astimezone(SHANGHAI).date() == MONDAY


def test_a_request_is_left_to_the_plan_when_no_qualified_technician_is_free_today_before_its_deadline():
    urgent = due_monday(1, at(0, -7), 13.5)
    booked_all_morning = tech(1, at(0, -8), bookings=tuple(
        Booking(local(MONDAY, h), local(MONDAY, h + 2), *at(0, -8), 90) for h in (8, 10, 12)))
    wrong_skill = tech(2, at(0, -8), skills=("washer",))
    off_on_monday = tech(3, at(0, -8), working_days=frozenset({2, 3, 4, 5, 6}))
    assert bookable_today([urgent], [booked_all_morning, wrong_skill, off_on_monday], TUESDAY, MONDAY_3AM,
                          SETTINGS) == ()


def test_a_request_whose_deadline_has_passed_is_left_to_the_plan():
    overdue = due_monday(1, at(0, -7), 2)  # due Monday 02:00, an hour ago
    assert bookable_today([overdue], [tech(1, at(0, -8))], TUESDAY, MONDAY_3AM, SETTINGS) == ()


def test_two_requests_never_count_on_the_same_window_today():
    first, second = due_monday(1, at(0, -7), 8), due_monday(2, at(0.5, -7), 8)  # only the 08:00 window keeps them
    found = bookable_today([second, first], [tech(1, at(0, -8))], TUESDAY, MONDAY_3AM, SETTINGS)
    assert [f.request_id for f in found] == [1]
    two = bookable_today([second, first], [tech(1, at(0, -8)), tech(2, at(0, -8))], TUESDAY, MONDAY_3AM, SETTINGS)
    assert sorted(f.request_id for f in two) == [1, 2]
    assert len({(f.technician_id, f.window_start) for f in two}) == 2


def test_a_window_today_that_has_already_started_does_not_count():
    urgent = due_monday(1, at(0, -7), 10)  # the windows at 08:00 and 10:00 keep it
    [found] = bookable_today([urgent], [tech(1, at(0, -8))], TUESDAY, local(MONDAY, 8, 1), SETTINGS)
    assert found.window_start == local(MONDAY, 10)
    assert bookable_today([urgent], [tech(1, at(0, -8))], TUESDAY, local(MONDAY, 10, 1), SETTINGS) == ()
