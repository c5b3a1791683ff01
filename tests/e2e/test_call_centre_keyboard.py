"""An agent on a headset works the phone-call flows with the keyboard only: no mouse, no page.fill or click."""
from datetime import timedelta

from fieldservice.i18n import local_today
from fieldservice.intake.models import RequestNote, ServiceRequest
from tests import factories

FOCUSED = "e => document.activeElement === e"


def focused(page, selector: str) -> bool:
    return page.locator(selector).evaluate(FOCUSED)


def press_and_load(page, key: str = "Enter"):
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state("load")
    page.wait_for_function("document.activeElement !== document.body || !document.querySelector('[autofocus]')")


def tab_to(page, selector: str, at_most: int) -> int:
    """Tab forward until selector has the focus; the number of presses stays within at_most."""
    for presses in range(1, at_most + 1):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return presses
    raise AssertionError(f"{selector} not reached in {at_most} Tab presses")


def outline_is_visible(page) -> bool:
    """The focused control is drawn with a solid outline of at least 2 px (static/css/app.css)."""
    style = page.evaluate("() => { const s = getComputedStyle(document.activeElement); "
                          "return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    return style[0] == "solid" and style[1] >= 2


def log_in_by_keyboard(page, username: str):
    page.goto("/login")
    page.wait_for_function("document.activeElement && document.activeElement.name === 'username'")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type("secret-pass")
    press_and_load(page)
    page.wait_for_selector("[data-testid=whoami]")


def test_an_agent_logs_a_request_for_a_known_caller_with_the_keyboard_alone(page, db):
    model = factories.product_model(code="KFR-35GW", name="挂机 1.5匹 变频")
    zhang = factories.customer(name="张伟", phone="13800138000")
    factories.unit(serial="KFR35-2401-000123", model=model, owner=zhang,
                   purchase_date=local_today() - timedelta(days=100), invoice_no="FP-1")
    agent = factories.user(role="agent")
    log_in_by_keyboard(page, agent.username)

    # The first Tab on a page without a starting field offers to skip the menu.
    page.goto("/requests")
    page.keyboard.press("Tab")
    assert focused(page, ".skip-link") and outline_is_visible(page)

    # Customers: the search box has the focus; a full-width, spaced number finds the caller.
    page.goto("/customers")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'q'")
    page.keyboard.type("１３８ ００１３ ８０００")
    press_and_load(page)
    assert tab_to(page, "[data-testid=customer-link]", at_most=2) == 2
    press_and_load(page)

    # The customer page starts at "new request"; the unit's serial opens the warranty answer.
    assert focused(page, "[data-testid=customer-new-request]") and outline_is_visible(page)
    tab_to(page, "[data-testid=unit-row] a[href*=warranty]", at_most=3)
    press_and_load(page)

    # The answer is read out with the focused "log a request" button.
    assert focused(page, "[data-testid=warranty-new-request]")
    answer = page.locator("#" + page.locator("[data-testid=warranty-new-request]").get_attribute("aria-describedby"))
    assert "保修期内免费维修" in answer.inner_text()
    press_and_load(page)

    # The request form starts in the fault description, customer and unit chosen; channel and kind lie just before.
    assert focused(page, "#fault_description") and outline_is_visible(page)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert focused(page, "#channel")
    page.keyboard.press("ArrowDown")  # phone → online
    page.keyboard.press("ArrowDown")  # → WeChat
    page.keyboard.press("Tab")
    assert focused(page, "#kind")
    page.keyboard.press("ArrowDown")  # repair → installation
    page.keyboard.press("Tab")
    assert focused(page, "#fault_description")
    page.keyboard.type("新机安装后不制冷")

    # Saving with nothing invalid: Tab to the button, Enter.
    assert tab_to(page, "[data-testid=request-submit]", at_most=1) == 1 and outline_is_visible(page)
    press_and_load(page)
    number = page.inner_text("[data-testid=request-number]")
    assert number.startswith(f"SR-{local_today():%Y%m%d}-")
    db.session.rollback()
    req = db.session.query(ServiceRequest).one()
    assert (req.channel, req.kind, req.unit.serial) == ("wechat", "install", "KFR35-2401-000123")

    # The caller rings again about the same unit: from the search box to "add as a note" by keyboard.
    page.goto("/requests/new")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'find-phone'")
    page.keyboard.type("+86 138 0013 8000")
    press_and_load(page)
    assert focused(page, "#fault_description")
    assert "duplicates-title" in page.locator("#fault_description").get_attribute("aria-describedby")
    page.keyboard.type("客户再次来电：还是不制冷")
    tab_to(page, "[data-testid=add-note-instead]", at_most=4)
    press_and_load(page)
    assert page.inner_text("[data-testid=request-number]") == number
    db.session.rollback()
    assert db.session.query(ServiceRequest).count() == 1 and db.session.query(RequestNote).count() == 1


def test_a_refused_save_puts_the_focus_on_the_first_invalid_field(page, db):
    factories.product_model(code="KFR-35GW", name="挂机 1.5匹 变频")
    agent = factories.user(role="agent")
    log_in_by_keyboard(page, agent.username)
    page.goto("/requests/new")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'find-phone'")
    page.keyboard.type("139 1234 5678")
    press_and_load(page)
    # Nobody has the number: the new caller's name is next.
    assert focused(page, "#name")
    page.keyboard.type("李娜")
    press_and_load(page)  # Enter in the name field saves: refused, nothing else is filled in
    assert focused(page, "#serial")  # the first field still missing, with its error read out
    error = page.locator("#" + page.locator("#serial").get_attribute("aria-describedby").split()[-1])
    assert error.get_attribute("role") == "alert" and error.inner_text()
    db.session.rollback()
    assert db.session.query(ServiceRequest).count() == 0
