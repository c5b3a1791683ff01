"""What the pages carry for paper: the print stylesheet, the printed-by line, the running title, landscape lists,
and the call list's filters (the browser tests in tests/e2e/test_printing.py print them)."""
import re
from datetime import date, datetime, timezone

import pytest
from markupsafe import Markup

from fieldservice.web import css_string
from tests import factories, factories_aftercare


def _html(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _running_title(html: str) -> str:
    """The @top-left content of the page's print <style>, with its CSS hex escapes decoded."""
    css = re.search(r'<style media="print">(.*?)</style>', html, re.S).group(1)
    literal = re.search(r'@top-left \{ content: "([^"]*)"', css).group(1)
    return re.sub(r"\\([0-9a-f]{6})", lambda m: chr(int(m.group(1), 16)), literal)


@pytest.fixture()
def clock(monkeypatch):
    return factories_aftercare.hold_clock(monkeypatch, datetime(2026, 11, 23, 2, 5, tzinfo=timezone.utc))


def test_every_page_prints_with_the_print_stylesheet_and_says_who_printed_it_when(make_client, clock):
    agent = make_client("agent", display_name="陈静")
    customer = factories.customer(name="胡建华")
    html = _html(agent.get(f"/customers/{customer.id}"))
    assert 'href="/static/css/print.css" media="print"' in html
    stamp = re.search(r'<p class="print-only print-stamp">(.*?)</p>', html).group(1)
    assert stamp.endswith("2026-11-23 10:05 由 陈静 打印")  # service time zone


def test_a_running_title_cannot_end_the_print_style_element():
    css = str(css_string(Markup('A&amp;B "</style><script>alert(1)</script>')))
    assert "<" not in css and '"' not in css[1:-1]
    assert _running_title(f'<style media="print">@page {{ @top-left {{ content: {css}; }} }}</style>') == (
        'A&B "</style><script>alert(1)</script>')


def test_screen_only_links_are_marked_so_they_do_not_print(make_client):
    agent = make_client("agent")
    customer = factories.customer()
    factories.unit(owner=customer)
    html = _html(agent.get(f"/customers/{customer.id}"))
    assert re.search(r'<td class="nowrap no-print"><a href="/requests/new\?unit_id=', html)
    assert '<small class="hint no-print">' in html


def test_wide_statistics_print_landscape_and_narrow_ones_portrait(manager_client):
    assert '<body class="print-landscape"' in _html(manager_client.get("/reports/settlement"))
    assert '<body class="print print-landscape"' in _html(manager_client.get("/reports/settlement/print"))
    assert '<body class=""' in _html(manager_client.get("/reports/fault-causes"))
    assert '<body class="print "' in _html(manager_client.get("/reports/fault-causes/print"))


def test_the_print_views_name_the_period_on_every_page(manager_client):
    html = _html(manager_client.get("/reports/settlement/print?start=2026-10-01&end=2026-10-31"))
    assert _running_title(html) == "服务单结算明细 · 2026-10-01 至 2026-10-31"


def test_the_printed_call_list_names_every_filter_and_who_printed_it(make_client, db, clock):
    agent = make_client("agent", locale="en", display_name="Chen")
    factories_aftercare.completed_visit(owner=agent.user, finished_at=datetime(2026, 11, 19, 8, tzinfo=timezone.utc))
    clock.day(date(2026, 11, 23))
    html = _html(agent.get("/followups/print?kind=service_callback"))
    meta = re.search(r'<div class="print-meta">(.*?)</div>', html, re.S).group(1)
    assert " ".join(meta.split()) == ("Status: To call · Kind: Service callback · Assigned to: Mine and unassigned · "
                                      "District: All districts · 1 call · Printed 2026-11-23 10:00 by Chen")
    assert '<td class="keep-words">Service callback</td>' in html  # 服务回访 never split into one character a line
