"""Every statistic of the manual against October 2026, counted by hand (see the fixture's comments)."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from fieldservice.database import utcnow
from fieldservice.reports import queries
from fieldservice.reports.queries import ReportFilters
from tests import factories
from tests import factories_reports as fr

PERIOD = (date(2026, 10, 1), date(2026, 10, 31))


def d(day: int) -> date:
    return date(2026, 10, day)


@pytest.fixture()
def october(db):
    return fr.october()


def oct_filters(**kwargs) -> ReportFilters:
    return ReportFilters(*PERIOD, **kwargs)


def by(table, key: str) -> dict:
    return {row[key]: row for row in table.rows}


def test_fault_causes_count_each_completed_repair_once_by_its_final_cause(october):
    result = queries.fault_causes(oct_filters())
    causes = by(result.table("causes"), "code")
    assert {code: row["count"] for code, row in causes.items()} == {"F1": 3, "F2": 1, "F3": 1, "": 1}
    assert causes["F1"]["share"] == pytest.approx(0.5)
    assert causes["F1"]["rank"] == 1 and causes["F1"]["cause"] == "不制冷"
    assert result.table("causes").totals["count"] == 6
    per_model = {(r["model"], r["code"]): (r["count"], r["model_share"]) for r in result.table("by_model").rows}
    assert per_model == {("KFR-35GW 挂机", "F1"): (2, 0.5), ("KFR-35GW 挂机", "F2"): (1, 0.25),
                         ("KFR-35GW 挂机", ""): (1, 0.25), ("JSQ25-13 热水器", "F1"): (1, 0.5),
                         ("JSQ25-13 热水器", "F3"): (1, 0.5)}
    assert result.charts[0].bars[0].value == 3


def test_fault_causes_follow_the_filters(october):
    assert queries.fault_causes(oct_filters(product_line="water_heater")).table("causes").totals["count"] == 2
    assert queries.fault_causes(oct_filters(technician_id=october["t2"].id)).table("causes").totals["count"] == 2
    assert queries.fault_causes(oct_filters(district="嘉定区")).table("causes").totals["count"] == 1
    assert queries.fault_causes(oct_filters(model_id=october["a"].id)).table("causes").totals["count"] == 4


def test_service_items_sum_the_labour_of_current_reports_only(october):
    table = queries.service_items(oct_filters()).table("items")
    items = by(table, "code")
    assert (items["L2"]["count"], items["L2"]["qty"], items["L2"]["gross"], items["L2"]["waived"],
            items["L2"]["net"]) == (5, Decimal(6), Decimal("480.00"), Decimal("80.00"), Decimal("400.00"))
    assert (items["L1"]["count"], items["L1"]["gross"], items["L1"]["waived"], items["L1"]["net"]) == \
        (1, Decimal("200.00"), Decimal("200.00"), Decimal("0.00"))
    assert (table.totals["count"], table.totals["gross"], table.totals["waived"], table.totals["net"]) == \
        (6, Decimal("680.00"), Decimal("280.00"), Decimal("400.00"))


def test_complaint_causes_count_reply_attainment_by_cause_and_severity(october):
    result = queries.complaint_causes(oct_filters())
    totals = result.table("categories").totals
    assert (totals["count"], totals["major"], totals["on_time"], totals["late"], totals["overdue"],
            totals["pending"]) == (4, 1, 2, 1, 1, 0)
    assert totals["attainment"] == pytest.approx(0.5)
    rows = sorted((r["count"], r["on_time"], r["late"], r["overdue"], r["attainment"])
                  for r in result.table("categories").rows)
    assert rows == [(1, 0, 0, 1, 0.0), (1, 1, 0, 0, 1.0), (2, 1, 1, 0, 0.5)]
    severities = sorted((r["count"], r["on_time"], r["late"], r["overdue"]) for r in result.table("severities").rows)
    assert severities == [(1, 0, 1, 0), (3, 2, 0, 1)]


def test_settlement_lists_each_completed_request_with_its_charges_and_receipts(october):
    table = queries.settlement(oct_filters()).table("requests")
    assert len(table.rows) == 7
    rows = {(r["serial"], r["completed"]): r for r in table.rows}
    r1 = rows[("SN-U1", d(3))]
    assert (r1["call_out"], r1["labour"], r1["parts"], r1["gross"], r1["warranty"], r1["due"], r1["receipts"]) == \
        (Decimal("50.00"), Decimal("200.00"), Decimal("900.00"), Decimal("1150.00"), Decimal("1150.00"),
         Decimal("0.00"), "")
    r2 = rows[("SN-U1", d(10))]
    assert (r2["agreement"], r2["due"], r2["receipts"]) == (Decimal("30.00"), Decimal("160.00"), "R-1002")
    r3 = rows[("SN-U2", d(12))]
    assert (r3["labour"], r3["due"], r3["receipts"], r3["technician"]) == \
        (Decimal("160.00"), Decimal("160.00"), "R-1003", "李师傅")
    r4 = rows[("SN-U3", d(18))]
    assert (r4["labour"], r4["parts"], r4["gross"], r4["warranty"], r4["due"]) == \
        (Decimal("80.00"), Decimal("900.00"), Decimal("980.00"), Decimal("980.00"), Decimal("0.00"))
    t = table.totals
    assert (t["call_out"], t["labour"], t["parts"], t["gross"], t["warranty"], t["agreement"], t["due"]) == \
        tuple(Decimal(v) for v in ("150.00", "600.00", "1860.00", "2610.00", "2130.00", "30.00", "450.00"))


def test_parts_detail_lists_each_issue_to_a_visit_with_totals_per_part(october):
    result = queries.parts_detail(oct_filters())
    issues = result.table("issues").rows
    assert [(r["code"], r["qty"], r["amount"], r["technician"], r["location"]) for r in issues] == [
        ("P2", 1, Decimal("900.00"), "王师傅", "王师傅的车"), ("P1", 1, Decimal("60.00"), "王师傅", "王师傅的车"),
        ("P1", 2, Decimal("120.00"), "王师傅", "王师傅的车"), ("P2", 1, Decimal("900.00"), "李师傅", "李师傅的车")]
    parts = by(result.table("parts"), "code")
    assert (parts["P2"]["requests"], parts["P2"]["qty"], parts["P2"]["amount"]) == (2, 2, Decimal("1800.00"))
    assert (parts["P1"]["requests"], parts["P1"]["qty"], parts["P1"]["amount"]) == (1, 3, Decimal("180.00"))
    assert (result.table("parts").totals["qty"], result.table("parts").totals["amount"]) == (5, Decimal("1980.00"))
    assert len(queries.parts_detail(oct_filters(technician_id=october["t2"].id)).table("issues").rows) == 1


def test_repair_counts_per_unit_model_and_technician_highlight_repeat_repairs(october):
    result = queries.repair_counts(oct_filters())
    units = result.table("units")
    by_serial = by(units, "serial")
    assert {s: (r["repairs"], r["to_date"]) for s, r in by_serial.items()} == {
        "SN-U1": (2, 3), "SN-U2": (1, 1), "SN-U3": (1, 1), "SN-U4": (1, 1), "SN-U5": (1, 1)}
    assert units.rows[0]["serial"] == "SN-U1" and units.highlighted == {0}
    models = by(result.table("models"), "model")
    assert (models["KFR-35GW 挂机"]["repairs"], models["KFR-35GW 挂机"]["units"], models["KFR-35GW 挂机"]["repeat"]) == \
        (4, 3, 1)
    assert (models["JSQ25-13 热水器"]["repairs"], models["JSQ25-13 热水器"]["units"]) == (2, 2)
    assert {r["technician"]: r["repairs"] for r in result.table("technicians").rows} == {"王师傅": 4, "李师傅": 2}


def test_promise_attainment_separates_our_misses_from_the_customers(october):
    result = queries.promise_attainment(oct_filters())
    totals = result.table("days").totals
    assert (totals["requests"], totals["met"], totals["missed_company"], totals["missed_customer"],
            totals["pending"]) == (11, 8, 2, 1, 0)
    assert totals["attainment"] == pytest.approx(8 / 11)
    assert totals["company_attainment"] == pytest.approx(8 / 10)
    days = by(result.table("days"), "day")
    assert (days[d(7)]["requests"], days[d(7)]["missed_company"], days[d(7)]["missed_customer"]) == (2, 1, 1)
    assert days[d(25)]["missed_company"] == 1
    assert set(days) == {d(3), d(5), d(7), d(10), d(12), d(15), d(20), d(25), d(28), d(30)}
    districts = by(result.table("districts"), "district")
    assert (districts["嘉定区"]["met"], districts["嘉定区"]["attainment"]) == (1, 0.5)
    assert (districts["浦东新区"]["met"], districts["浦东新区"]["requests"]) == (7, 9)
    assert len(result.charts[0].bars) == 31


def test_a_visit_planned_late_without_the_customers_reason_is_our_miss(db):
    unit = factories.unit()
    tech = factories.technician()
    asked = fr.request(unit, fr.at(fr.d(5), 9), status="completed")
    fr.visit(asked, tech, fr.at(fr.d(7), 10), arrived=fr.at(fr.d(7), 10), finished=fr.at(fr.d(7), 11),
             after_promise=True, late_reason="客户要求周三上门")
    planned = fr.request(unit, fr.at(fr.d(5), 10), status="completed")  # a day plan booked it late
    fr.visit(planned, tech, fr.at(fr.d(7), 14), arrived=fr.at(fr.d(7), 14), finished=fr.at(fr.d(7), 15),
             after_promise=True)
    totals = queries.promise_attainment(oct_filters()).table("days").totals
    assert (totals["missed_customer"], totals["missed_company"]) == (1, 1)


def test_first_time_fix_needs_one_fixing_visit_and_no_return_request(october):
    result = queries.first_time_fix(oct_filters())
    technicians = by(result.table("technicians"), "technician")
    assert (technicians["王师傅"]["completed"], technicians["王师傅"]["fixed"]) == (4, 3)
    assert (technicians["李师傅"]["completed"], technicians["李师傅"]["fixed"]) == (2, 1)
    lines = by(result.table("lines"), "line")
    assert (lines["空调"]["fixed"], lines["空调"]["completed"]) == (4, 4)
    assert (lines["热水器"]["fixed"], lines["热水器"]["completed"]) == (0, 2)
    assert result.table("technicians").totals["rate"] == pytest.approx(4 / 6)


def test_callback_satisfaction_averages_scores_and_counts_unreachable_customers(october):
    result = queries.callback_satisfaction(oct_filters())
    totals = result.table("technicians").totals
    assert (totals["done"], totals["unreachable"], totals["scored"]) == (4, 1, 3)
    assert totals["average"] == pytest.approx(11 / 3)
    assert (totals["satisfied"], totals["on_time"], totals["solved"]) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    technicians = by(result.table("technicians"), "technician")
    assert (technicians["王师傅"]["done"], technicians["王师傅"]["unreachable"], technicians["王师傅"]["average"]) == \
        (3, 1, 4.5)
    assert (technicians["李师傅"]["average"], technicians["李师傅"]["satisfied"]) == (2.0, 0.0)
    assert {r["score"]: r["count"] for r in result.table("scores").rows} == {"5": 1, "4": 1, "3": 0, "2": 1, "1": 0}


def test_utilisation_is_time_on_site_over_working_hours(october):
    table = queries.technician_utilisation(oct_filters()).table("technicians")
    rows = by(table, "technician")
    t1, t2 = rows["王师傅"], rows["李师傅"]
    assert (t1["available"], t1["booked"], t1["visits"], t1["on_site"]) == (31 * 720, 480, 4, 240)
    assert (t2["available"], t2["booked"], t2["visits"], t2["on_site"]) == (22 * 720, 840, 7, 360)
    assert t1["utilisation"] == pytest.approx(240 / (31 * 720))
    assert table.totals["utilisation"] == pytest.approx(600 / (53 * 720))


# --- the manager's overview ---


def test_the_overview_shows_this_weeks_promise_open_requests_risks_and_overdue_calls(db):
    now = utcnow()
    today = now.astimezone(fr.TZ).date()
    just = now - timedelta(minutes=2)  # reported this week (unless the test runs in Monday's first minutes)
    tech = factories.technician()
    unit = factories.unit()
    kept = fr.request(unit, just, status="on_site")
    fr.visit(kept, tech, just, arrived=now - timedelta(minutes=1))
    risky = fr.request(unit, just, status="new", sla_due_at=now + timedelta(hours=2))
    booked_late = fr.request(unit, just, status="scheduled", sla_due_at=now + timedelta(hours=3))
    late_visit = fr.visit(booked_late, tech, now + timedelta(hours=5))
    booked_in_time = fr.request(unit, just, status="scheduled", sla_due_at=now + timedelta(hours=3))
    fr.visit(booked_in_time, tech, now + timedelta(hours=1))
    fr.request(unit, just, status="new", sla_due_at=now + timedelta(hours=6))  # not at risk yet
    fr.request(unit, just, status="new", sla_due_at=now - timedelta(minutes=1))  # already missed
    fr.request(unit, now - timedelta(days=30), status="completed")
    from fieldservice.models import FollowUp

    for due, status in ((today - timedelta(days=1), "pending"), (today, "pending"),
                        (today - timedelta(days=1), "done")):
        db.session.add(FollowUp(kind="service_callback", customer_id=unit.customer_id, due_date=due, status=status))
    db.session.commit()
    fr.complaint(unit.customer, now - timedelta(hours=25))  # past its reply deadline
    fr.complaint(unit.customer, now - timedelta(hours=25), replied=now - timedelta(hours=2))
    fr.complaint(unit.customer, now - timedelta(hours=2))

    board = queries.dashboard(today)
    tally = board.week_promise
    assert (tally.met, tally.missed_company, tally.missed_customer, tally.pending) == (1, 1, 0, 4)
    counts = {status: n for status, _label, n in board.open_by_status}
    assert (counts["new"], counts["scheduled"], counts["on_site"], counts["en_route"]) == (3, 2, 1, 0)
    assert [r.number for r in board.at_risk] == [risky.number, booked_late.number]
    assert board.at_risk[0].booked_start is None
    assert board.at_risk[1].booked_start == late_visit.window_start
    assert board.missed_open == 1
    assert (board.overdue_callbacks, board.overdue_complaints) == (1, 1)
    assert [bar.value for bar in board.charts[1].bars][:2] == [3, 2]
