from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from fieldservice.scheduling.rules import (
    Booking,
    ReasonCode,
    RequestFacts,
    SchedulingSettings,
    TechnicianFacts,
    covers_area,
    day_windows,
    exclusions,
    exhaustive_best,
    free_windows,
    needs_partner,
    slot_starts,
    suggest,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc
SETTINGS = SchedulingSettings(tz=SHANGHAI)
MONDAY, TUESDAY = date(2026, 11, 23), date(2026, 11, 24)
SQUARE = (31.2304, 121.4737)  # People's Square
KM_LAT = 1 / 111.2  # degrees of latitude in one kilometre


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def north(km: float, of=SQUARE) -> tuple[float, float]:
    return of[0] + km * KM_LAT, of[1]


def tech(**changes) -> TechnicianFacts:
    base = TechnicianFacts(id=1, name="王师傅", phone="13800138000", lat=SQUARE[0], lon=SQUARE[1],
                           skills=frozenset({"tv", "aircon"}), radius_km=20.0)
    return replace(base, **changes)


def booking(day: date, hour: int, at=SQUARE, minutes: int | None = 90) -> Booking:
    return Booking(local(day, hour), local(day, hour + 2), at[0], at[1], minutes)


def request(now: datetime = local(MONDAY, 19), at=SQUARE, **changes) -> RequestFacts:
    base = RequestFacts(lat=at[0], lon=at[1], product_line="tv", kind="repair", reported_at=now,
                        sla_due_at=now + timedelta(hours=24), city="上海市", district="黄浦区")
    return replace(base, **changes)


def starts(windows) -> list[datetime]:
    return [w.start.astimezone(SHANGHAI) for w in windows]


# --- windows and slots ---


def test_a_working_day_is_cut_into_whole_two_hour_windows_from_start_to_end():
    windows = day_windows(TUESDAY, SHANGHAI, time(8), time(20), 120)
    assert starts(windows) == [local(TUESDAY, h) for h in (8, 10, 12, 14, 16, 18)]
    assert windows[-1].end == local(TUESDAY, 20)
    assert all(w.start.tzinfo == UTC for w in windows)
    assert windows[0].start == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


def test_a_shift_that_does_not_divide_into_windows_ends_with_the_last_whole_window():
    windows = day_windows(TUESDAY, SHANGHAI, time(9), time(18), 120)
    assert starts(windows) == [local(TUESDAY, h) for h in (9, 11, 13, 15)]
    assert windows[-1].end == local(TUESDAY, 17)


def test_a_shift_shorter_than_a_window_has_no_windows():
    assert day_windows(TUESDAY, SHANGHAI, time(8), time(9), 120) == []


@pytest.mark.parametrize("day", [date(2026, 3, 8), date(2026, 3, 29), date(2026, 10, 25), date(2026, 11, 1)])
def test_windows_in_a_zone_without_daylight_saving_are_two_hours_on_other_zones_changeover_days(day):
    windows = day_windows(day, SHANGHAI, time(8), time(20), 120)
    assert len(windows) == 6
    assert all(w.end - w.start == timedelta(hours=2) for w in windows)
    assert windows[0].start.hour == 0  # 08:00 in Shanghai is always 00:00 UTC


def test_working_hours_off_the_slot_grid_are_refused():
    with pytest.raises(ValueError, match="slot boundary"):
        day_windows(TUESDAY, SHANGHAI, time(8, 15), time(20), 120)


def test_a_window_length_that_is_not_a_whole_number_of_slots_is_refused():
    with pytest.raises(ValueError):
        SchedulingSettings(window_minutes=45)
    with pytest.raises(ValueError):
        day_windows(TUESDAY, SHANGHAI, time(8), time(20), 45, slot_minutes=30)


def test_an_appointment_holds_every_slot_of_its_window():
    window = day_windows(TUESDAY, SHANGHAI, time(8), time(20), 120)[1]
    assert slot_starts(window.start, window.end) == [
        datetime(2026, 11, 24, 2, m, tzinfo=UTC) if m < 60 else datetime(2026, 11, 24, 3, m - 60, tzinfo=UTC)
        for m in (0, 30, 60, 90)]


def test_the_windows_of_a_day_hold_disjoint_slots_that_together_cover_the_working_hours():
    slots = [s for w in day_windows(TUESDAY, SHANGHAI, time(8), time(20), 120) for s in slot_starts(w.start, w.end)]
    assert len(slots) == len(set(slots)) == 24


@pytest.mark.parametrize(("start", "end"), [
    (local(TUESDAY, 8, 10), local(TUESDAY, 10)),  # start off the grid
    (local(TUESDAY, 8), local(TUESDAY, 9, 45)),  # end off the grid
    (local(TUESDAY, 10), local(TUESDAY, 8)),  # ends before it starts
])
def test_slots_are_refused_for_times_that_do_not_line_up(start, end):
    with pytest.raises(ValueError):
        slot_starts(start, end)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        slot_starts(datetime(2026, 11, 24, 8), datetime(2026, 11, 24, 10))


def test_free_windows_skip_past_started_and_booked_windows_and_days_off():
    worker = tech(working_days=frozenset({1, 2}), bookings=(booking(MONDAY, 12), booking(TUESDAY, 8)))
    free = free_windows(worker, now=local(MONDAY, 10, 30), settings=SETTINGS)
    assert starts(free) == [local(MONDAY, h) for h in (14, 16, 18)] + [local(TUESDAY, h) for h in (10, 12, 14, 16, 18)]


def test_free_windows_look_as_many_days_ahead_as_asked():
    free = free_windows(tech(working_days=frozenset(range(1, 8))), now=local(MONDAY, 19, 30), settings=SETTINGS,
                        days=2)
    assert starts(free) == [local(TUESDAY, h) for h in (8, 10, 12, 14, 16, 18)]


# --- area and skills ---


def test_a_technician_covers_places_within_the_radius_of_the_base():
    assert covers_area(tech(), *north(19.9))
    assert not covers_area(tech(), *north(20.5))


def test_a_technician_covers_the_cities_and_districts_of_the_regions_whatever_the_distance():
    far = north(80)
    assert covers_area(tech(regions=frozenset({"苏州市"})), *far, city="苏州市", district="姑苏区")
    assert covers_area(tech(regions=frozenset({"姑苏区"})), *far, city="苏州市", district="姑苏区")
    assert not covers_area(tech(regions=frozenset({"杭州市"})), *far, city="苏州市", district="姑苏区")


def test_a_technician_with_regions_only_covers_nothing_else():
    assert not covers_area(tech(radius_km=None, regions=frozenset({"苏州市"})), *SQUARE, city="上海市")


def test_only_technicians_with_the_skill_who_cover_the_place_are_suggested():
    team = [tech(id=1, skills=frozenset({"fridge"})), tech(id=2, lat=north(30)[0]), tech(id=3, lat=north(5)[0])]
    assert [s.technician_id for s in suggest(request(), team, local(MONDAY, 19), SETTINGS)] == [3]
    why = {e.technician_id: e.reason.code for e in exclusions(request(), team)}
    assert why == {1: ReasonCode.NO_SKILL, 2: ReasonCode.OUT_OF_AREA}


def test_a_request_outside_every_area_gets_no_suggestion_and_needs_a_partner():
    hangzhou = (30.2741, 120.1551)
    team = [tech(id=1), tech(id=2, lat=north(10)[0])]
    assert suggest(request(at=hangzhou, city="杭州市"), team, local(MONDAY, 19), SETTINGS) == []
    assert needs_partner(request(at=hangzhou, city="杭州市"), team)
    assert not needs_partner(request(), team)
    assert needs_partner(request(), [])


# --- when a visit fits a window ---


def top_window(worker: TechnicianFacts, req: RequestFacts, now: datetime) -> datetime:
    return suggest(req, [worker], now, SETTINGS)[0].window_start.astimezone(SHANGHAI)


def test_the_window_after_a_visit_too_far_to_drive_from_in_time_is_skipped():
    # The 08:00 job (90 min) ends 09:30; 30 km at 30 km/h x 1.3 is 78 minutes: 10:48 is too late for 10:00.
    far = tech(bookings=(booking(TUESDAY, 8, at=north(30)),))
    near = tech(bookings=(booking(TUESDAY, 8, at=north(1)),))
    assert top_window(far, request(), local(MONDAY, 19)) == local(TUESDAY, 12)
    assert top_window(near, request(), local(MONDAY, 19)) == local(TUESDAY, 10)


def test_a_window_that_would_make_the_next_visit_unreachable_is_skipped():
    # A repair at 08:00 ends 09:30; the 10:00 job is 30 km away (78 min), or 10 km (26 min). After the
    # far job (free 11:30) the 12:00 window is out of reach too.
    far = tech(bookings=(booking(TUESDAY, 10, at=north(30)),))
    near = tech(bookings=(booking(TUESDAY, 10, at=north(10)),))
    assert top_window(far, request(), local(MONDAY, 19)) == local(TUESDAY, 14)
    assert top_window(near, request(), local(MONDAY, 19)) == local(TUESDAY, 8)


def test_the_technician_cannot_set_off_before_now():
    now = local(TUESDAY, 7, 50)
    assert top_window(tech(), request(now=now), now) == local(TUESDAY, 8)
    assert top_window(tech(), request(now=now, at=north(15)), now) == local(TUESDAY, 10)


def test_a_visit_must_end_within_working_hours():
    short = tech(work_start=time(8), work_end=time(10))  # one window a day
    assert top_window(short, request(kind="install"), local(MONDAY, 19)) == local(TUESDAY, 8)
    with_long_installs = replace(SETTINGS, visit_minutes={"repair": 90, "install": 150, "maintenance": 60})
    assert suggest(request(kind="install"), [short], local(MONDAY, 19), with_long_installs) == []


# --- ranking ---


def test_a_window_within_the_promise_is_flagged_and_explained():
    [s] = suggest(request(at=north(3.2)), [tech(bookings=(booking(TUESDAY, 8),))], local(MONDAY, 19), SETTINGS)
    assert s.meets_promise
    assert s.window_start.astimezone(SHANGHAI) == local(TUESDAY, 10)
    assert s.distance_km == pytest.approx(3.2, abs=0.05)
    assert s.travel_minutes == pytest.approx(3.2 * 1.3 / 30 * 60, abs=0.2)
    assert (s.load_count, s.load_minutes) == (1, 90)
    assert s.reason.code == ReasonCode.WITHIN_PROMISE
    assert s.reason.zh == "最近：距上一个上门点 3.2 公里，可在承诺时限内上门"
    assert s.reason.en == "Closest: 3.2 km from the previous visit; can arrive within the 24-hour promise"


def test_a_window_after_the_promise_is_flagged_and_says_when():
    wednesday_only = tech(working_days=frozenset({3}))
    [s] = suggest(request(), [wednesday_only], local(MONDAY, 19), SETTINGS)
    assert not s.meets_promise
    assert s.reason.code == ReasonCode.AFTER_PROMISE
    assert "11月25日 08:00" in s.reason.zh and "25 Nov 08:00" in s.reason.en


def test_keeping_the_promise_ranks_before_a_shorter_trip():
    at_the_door_on_wednesday = tech(id=1, working_days=frozenset({3}))
    five_km_away = tech(id=2, lat=north(5)[0])
    ranked = suggest(request(), [at_the_door_on_wednesday, five_km_away], local(MONDAY, 19), SETTINGS)
    assert [(s.technician_id, s.meets_promise) for s in ranked] == [(2, True), (1, False)]


def test_within_the_promise_the_cheapest_insertion_ranks_before_an_earlier_window():
    # B's base is 20 km off but B is next door at 08:00-10:00 and passes by on the way home;
    # A is 5 km off with an empty day: out and back is 10 km more.
    a = tech(id=1, lat=north(5)[0])
    b = tech(id=2, lat=north(-20)[0], bookings=(booking(TUESDAY, 8, at=north(0.5)),))
    ranked = suggest(request(), [a, b], local(MONDAY, 19), SETTINGS)
    assert [s.technician_id for s in ranked] == [2, 1]
    assert [s.window_start.astimezone(SHANGHAI) for s in ranked] == [local(TUESDAY, 10), local(TUESDAY, 8)]
    assert ranked[0].added_km == pytest.approx(0, abs=0.01)
    assert ranked[1].added_km == pytest.approx(10, abs=0.01)


def test_past_the_promise_the_earliest_window_ranks_first():
    thursday_next_door = tech(id=1, working_days=frozenset({4}))
    wednesday_far = tech(id=2, lat=north(15)[0], working_days=frozenset({3}))
    ranked = suggest(request(), [thursday_next_door, wednesday_far], local(MONDAY, 19), SETTINGS)
    assert [s.technician_id for s in ranked] == [2, 1]


def test_at_most_limit_suggestions_one_per_technician():
    team = [tech(id=i, lat=north(i)[0]) for i in range(1, 9)]
    ranked = suggest(request(), team, local(MONDAY, 19), SETTINGS, limit=3)
    assert [s.technician_id for s in ranked] == [1, 2, 3]


def seeded_case(seed: int):
    rng = np.random.default_rng(seed)
    lines = ["tv", "aircon", "fridge"]
    team = []
    for i in range(40):
        lat, lon = rng.uniform(31.0, 31.4), rng.uniform(121.2, 121.7)
        bookings = tuple(
            Booking(w.start, w.end, lat + rng.normal(0, 0.05), lon + rng.normal(0, 0.05),
                    int(rng.choice([60, 90, 120])))
            for day in (MONDAY, TUESDAY, TUESDAY + timedelta(days=1))
            for w in day_windows(day, SHANGHAI, time(8), time(20), 120) if rng.random() < 0.6)
        team.append(tech(id=i + 1, lat=lat, lon=lon, skills=frozenset(rng.choice(lines, 2, replace=False).tolist()),
                         radius_km=float(rng.uniform(10, 25)), bookings=bookings))
    cases = []
    for _ in range(60):
        now = local(MONDAY, 8) + timedelta(minutes=int(rng.integers(0, 720)))
        at = (rng.uniform(30.95, 31.45), rng.uniform(121.15, 121.75))
        cases.append((request(now=now, at=at, product_line=str(rng.choice(lines)),
                              kind=str(rng.choice(["repair", "install", "maintenance"]))), now))
    return team, cases


def test_the_top_suggestion_is_the_brute_force_best_on_a_seeded_case():
    team, cases = seeded_case(7)
    for req, now in cases:
        ranked, best = suggest(req, team, now, SETTINGS), exhaustive_best(req, team, now, SETTINGS)
        assert (ranked[0].technician_id, ranked[0].window_start) == (best.technician_id, best.window_start) \
            if best else ranked == []


def test_a_technician_without_the_skill_is_told_the_product_line_by_name():
    (excluded,) = exclusions(request(product_line="aircon"), [tech(id=1, skills=frozenset({"purifier"}))])
    assert (excluded.reason.zh, excluded.reason.en) == ("不具备空调产品线技能", "Not trained for air conditioners")
