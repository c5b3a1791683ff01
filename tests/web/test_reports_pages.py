"""The manager's report pages: overview, warranty-expiry list (page, print, CSV, PDF, offer) and statistics."""
import csv
import io
import re
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import func, select

from fieldservice.models import FollowUp
from fieldservice.reports import views
from tests import factories
from tests import factories_reports as fr

DECEMBER = {"start": "2026-12-01", "end": "2026-12-31"}
OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}


def text(response) -> str:
    return response.get_data(as_text=True)


def csv_rows(response) -> list[list[str]]:
    return parse_csv(response.get_data())


def parse_csv(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())  # Excel needs the byte-order mark to read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def live_get(server, path: str, query: dict):
    """A streamed response read over a real connection, as a browser gets it (the test client's isolated
    request context ends before a stream is read)."""
    manager = factories.user(role="manager")
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    login = urllib.parse.urlencode({"username": manager.username, "password": "secret-pass"}).encode()
    opener.open(f"{server.url}/login", data=login)
    return opener.open(f"{server.url}{path}?{urllib.parse.urlencode(query)}")


# --- access ---


def test_only_managers_see_the_reports(client, agent_client, manager_client):
    assert client.get("/reports/overview").status_code == 302
    assert agent_client.get("/reports/overview").status_code == 403
    assert agent_client.get("/reports/warranty-expiry.csv").status_code == 403
    assert manager_client.get("/reports/overview").status_code == 200


def test_a_manager_lands_on_the_overview_after_login(manager_client):
    response = manager_client.get("/")
    assert response.headers["Location"].endswith("/reports/overview")


def test_the_overview_shows_figures_and_charts_that_need_no_script(manager_client):
    page = text(manager_client.get("/reports/overview"))
    for testid in ("week-promise", "at-risk-count", "overdue-callbacks", "overdue-complaints", "at-risk"):
        assert f'data-testid="{testid}"' in page
    assert page.count('data-testid="chart"') == 3 and "<svg" in page


def test_the_index_links_every_report(manager_client):
    page = text(manager_client.get("/reports/"))
    assert 'href="/reports/warranty-expiry"' in page
    for spec in views.REPORTS:
        assert f'href="/reports/{spec.slug}"' in page


# --- the warranty-expiry list ---


@pytest.fixture()
def december(db):
    return fr.december()


def test_the_expiry_list_shows_the_units_ending_in_the_chosen_month(manager_client, december):
    page = text(manager_client.get("/reports/warranty-expiry", query_string=DECEMBER))
    serials = re.findall(r"class=\"muted serial\">(U\d\d)<", page)
    assert serials == ["U01", "U08", "U05", "U13", "U14", "U06", "U12", "U02"]
    assert 'data-testid="total"' in page and "8" in page
    assert "138****" in page and december["first_day"].customer.phone not in page


def test_the_expiry_list_defaults_to_next_month(manager_client, db):
    from fieldservice.i18n import local_today
    from fieldservice.reports.rules import month_range

    with manager_client.application.app_context():
        first, last = month_range(local_today(), 1)
    page = text(manager_client.get("/reports/warranty-expiry"))
    assert f'value="{first.isoformat()}"' in page and f'value="{last.isoformat()}"' in page


def test_the_expiry_list_pages_through_the_rows(manager_client, december, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 3)
    first = text(manager_client.get("/reports/warranty-expiry", query_string=DECEMBER))
    assert re.findall(r"class=\"muted serial\">(U\d\d)<", first) == ["U01", "U08", "U05"]
    assert 'rel="next"' in first and 'rel="prev"' not in first
    last = text(manager_client.get("/reports/warranty-expiry", query_string={**DECEMBER, "page": 3}))
    assert re.findall(r"class=\"muted serial\">(U\d\d)<", last) == ["U12", "U02"]


def test_bad_filters_are_explained_and_nothing_is_listed(manager_client, december):
    response = manager_client.get("/reports/warranty-expiry", query_string={"start": "2026-12-31", "end": "2026-12-01"})
    assert response.status_code == 422
    assert 'data-testid="expiry-list"' not in text(response)
    assert manager_client.get("/reports/warranty-expiry.csv", query_string={"start": "x", "end": "y"}).status_code == 302
    assert manager_client.get("/reports/warranty-expiry", query_string={**DECEMBER, "coverage": "nope"}).status_code \
        == 422


def test_the_csv_streams_every_row_with_formula_cells_neutralised(live_server, december, db):
    december["first_day"].customer.name = "=HYPERLINK(\"http://x\")"
    db.session.commit()
    response = live_get(live_server, "/reports/warranty-expiry.csv", {**DECEMBER, "coverage": "all"})
    assert response.headers["Transfer-Encoding"] == "chunked"  # streamed, no Content-Length
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = parse_csv(response.read())
    assert len(rows) == 1 + 9
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")"
    assert rows[1][5] == "U01" and rows[1][8] == "2026-12-01"


def test_days_left_stay_numbers_in_the_csv_even_when_negative(live_server, db):
    from fieldservice.i18n import local_today
    from fieldservice.warranty.rules import last_covered_day

    with live_server.server.app.app_context():
        purchased = local_today() - timedelta(days=400)
    ended = last_covered_day(purchased, 12)
    factories.unit(purchase_date=purchased)
    response = live_get(live_server, "/reports/warranty-expiry.csv", {"start": ended, "end": ended})
    rows = parse_csv(response.read())
    assert len(rows) == 2
    assert int(rows[1][9]) < 0


def test_the_print_view_is_a_landscape_a4_table_with_every_row(live_server, december):
    page = live_get(live_server, "/reports/warranty-expiry/print", DECEMBER).read().decode()
    assert '<body class="print print-landscape"' in page  # print.css: @page landscape { size: A4 landscape }
    assert page.count("<tr>") == 1 + 8
    assert "<thead>" in page


def test_the_pdf_has_every_row_and_a_page_total(manager_client, december):
    response = manager_client.get("/reports/warranty-expiry.pdf", query_string=DECEMBER)
    assert response.mimetype == "application/pdf"
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 1
    assert b"/page_total" in pdf or b"page_total" in pdf


def test_a_list_too_long_for_one_pdf_is_refused_with_a_message(manager_client, december, monkeypatch):
    monkeypatch.setattr(views, "MAX_PDF_ROWS", 5)
    response = manager_client.get("/reports/warranty-expiry.pdf", query_string=DECEMBER,
                                  headers={"Referer": "/reports/warranty-expiry"})
    assert response.status_code == 302
    page = text(manager_client.get("/reports/warranty-expiry", query_string=DECEMBER))
    assert "PDF" in page and "flash-error" in page


def test_an_offer_call_started_from_a_row_appears_on_the_row(manager_client, december, db):
    back = "/reports/warranty-expiry?start=2026-12-01&end=2026-12-31"
    unit_id = december["last_day"].id
    response = manager_client.post("/reports/warranty-expiry/offers", data={"unit_id": unit_id, "next": back})
    assert response.status_code == 302 and response.headers["Location"].endswith(back)
    page = text(manager_client.get(back))
    row = page[page.index(f'data-unit="{unit_id}"'):]
    assert 'data-testid="offer-open"' in row[:row.index("</tr>")]
    again = manager_client.post("/reports/warranty-expiry/offers", data={"unit_id": unit_id, "next": back},
                                headers={"Referer": back})
    assert again.status_code == 302
    assert "flash-error" in text(manager_client.get(back))
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 1


def test_an_offer_without_a_unit_changes_nothing(manager_client, december, db):
    response = manager_client.post("/reports/warranty-expiry/offers", data={"next": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/reports/warranty-expiry")
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 0


# --- the manual's statistics ---


@pytest.mark.parametrize("spec", views.REPORTS, ids=lambda s: s.slug)
def test_every_report_has_a_page_a_print_view_and_a_csv(manager_client, spec):
    page = manager_client.get(f"/reports/{spec.slug}")
    assert page.status_code == 200 and 'data-testid="figures"' in text(page)
    printed = manager_client.get(f"/reports/{spec.slug}/print")
    assert printed.status_code == 200 and "print-table" in text(printed)
    exported = manager_client.get(f"/reports/{spec.slug}.csv")
    assert exported.status_code == 200 and csv_rows(exported)[0][0].startswith(str(spec.title)[:4])


@pytest.fixture()
def october(db):
    return fr.october()


@pytest.mark.parametrize("spec", views.REPORTS, ids=lambda s: s.slug)
def test_every_report_csv_streams_its_rows_over_a_real_connection(live_server, october, spec):
    # Read as a browser reads it: cells are formatted while the response streams, after the view returned.
    response = live_get(live_server, f"/reports/{spec.slug}.csv", OCTOBER)
    assert response.status == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = parse_csv(response.read())
    assert rows[0][0].startswith(str(spec.title)[:4]) and len(rows) > 4


def test_the_fault_cause_page_print_and_csv_show_the_same_figures(manager_client, october):
    page = text(manager_client.get("/reports/fault-causes", query_string=OCTOBER))
    assert "不制冷" in page and "50.0%" in page
    printed = text(manager_client.get("/reports/fault-causes/print", query_string=OCTOBER))
    assert "不制冷" in printed and "50.0%" in printed and "<svg" in printed
    rows = csv_rows(manager_client.get("/reports/fault-causes.csv", query_string=OCTOBER))
    causes = rows[rows.index(next(r for r in rows if r and r[0] == "1")):]
    assert causes[0][1:] == ["F1", "不制冷", "3", "50.0%"]
    totals = next(r for r in rows if r and r[3:4] == ["6"])
    assert totals[4] == "100.0%"


def test_the_settlement_csv_keeps_money_as_plain_numbers(manager_client, october):
    rows = csv_rows(manager_client.get("/reports/settlement.csv", query_string=OCTOBER))
    total = rows[-1]
    assert total[6:13] == ["150.00", "600.00", "1860.00", "2610.00", "2130.00", "30.00", "450.00"]


def test_repeat_repairs_are_highlighted_in_the_repair_counts(manager_client, october):
    page = text(manager_client.get("/reports/repair-counts", query_string=OCTOBER))
    highlighted = re.findall(r'<tr class="row-highlight">\s*<td[^>]*>([^<]+)</td>', page)
    assert highlighted == ["SN-U1"]


def test_the_reports_speak_english_to_an_english_manager(make_client, october):
    client = make_client("manager", locale="en")
    page = text(client.get("/reports/promise", query_string=OCTOBER))
    assert "24-hour promise attainment" in page and "Missed by us" in page
    assert "72.7%" in page


def test_product_lines_are_named_in_the_filter_the_summary_and_the_tables(manager_client, make_client, october):
    page = text(manager_client.get("/reports/first-time-fix", query_string={**OCTOBER, "product_line": "water_heater"}))
    assert '<option selected value="water_heater">热水器</option>' in page
    assert '<option value="aircon">空调</option>' in page
    assert "产品线: 热水器" in page
    assert re.search(r"<td[^>]*>热水器</td>", page)
    english = text(make_client("manager", locale="en").get("/reports/first-time-fix", query_string=OCTOBER))
    assert re.search(r"<td[^>]*>Air conditioners</td>", english) and re.search(r"<td[^>]*>Water heaters</td>", english)
