"""What a user review found in the browser: countdowns in the page's language, the manager's menu on one line at
1280 px, a readable errored step tab on the tablet, long texts counted rather than cut."""
import re
from datetime import timedelta

from fieldservice.database import utcnow
from tests import factories, factories_aftercare
from tests import factories_visits as fv
from tests.e2e.conftest import log_in


def test_countdowns_read_in_chinese_after_the_script_updates_them(page, db):
    request = factories.service_request(sla_due_at=utcnow() + timedelta(hours=5, minutes=20))
    overdue = factories_aftercare.complaint(received_at=utcnow() - timedelta(hours=26))
    log_in(page, factories.user(role="agent").username)

    page.goto(f"/requests/{request.number}")
    countdown = page.locator("[data-testid=countdown]").inner_text().strip()
    assert re.fullmatch(r"5小时(19|20)分", countdown), countdown

    page.goto(f"/complaints/{overdue.id}")
    clock = page.locator("[data-testid=reply-clock]")
    assert re.fullmatch(r"已逾期 2小时\d+分", clock.inner_text().strip()), clock.inner_text()
    assert "overdue" in clock.get_attribute("class")


def test_the_managers_english_menu_fits_one_line_at_1280_and_the_tablet_keeps_its_layout(page, db):
    manager = factories.user(role="manager", locale="en")
    log_in(page, manager.username)
    assert page.evaluate("document.documentElement.lang") == "en"
    top = page.locator(".mainnav a").evaluate_all("links => links.map(a => a.getBoundingClientRect().top)")
    assert len(top) >= 9 and max(top) == min(top), top
    assert page.locator(".topbar").bounding_box()["height"] <= 60
    page.set_viewport_size({"width": 800, "height": 1280})
    assert page.locator(".mainnav a").first.evaluate("a => getComputedStyle(a).fontSize") == "16px"


def test_an_errored_step_tab_stays_readable_when_it_is_the_current_one(page, db):
    w = fv.workshop()
    page.set_viewport_size({"width": 800, "height": 1280})
    log_in(page, w.tech.user.username)
    page.goto(f"/visits/{w.visit.id}/complete")
    tab = page.locator(".steps-nav button.current")
    tab.evaluate("b => b.classList.add('has-error')")
    style = tab.evaluate("b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor,"
                         " getComputedStyle(b, '::before').content]")
    assert style[0] == "rgb(255, 255, 255)" and style[1] == "rgb(18, 48, 77)" and style[2] == '"!"'


def test_a_long_paste_is_counted_not_cut(page, db):
    complaint = factories_aftercare.complaint()
    log_in(page, factories.user(role="agent").username)
    page.goto(f"/complaints/{complaint.id}")
    note = page.locator("form[action$='/notes'] textarea")
    note.fill("长" * 4100)
    assert note.input_value() == "长" * 4100
    hint = note.locator("xpath=..").locator(".hint")
    assert hint.inner_text().startswith("4100 / 4000") and "field-error" in hint.get_attribute("class")
    page.locator("form[action$='/notes'] button").click()
    note = page.locator("form[action$='/notes'] textarea")
    assert "这段文字有 4100 个字，最多允许 4000 个字。" in note.locator("xpath=..").inner_text()
    assert note.input_value() == "长" * 4100  # back on the page to be shortened
