import pytest

from tests import factories
from tests.e2e.conftest import log_in


HOMES = {"agent": "/requests/new", "technician": "/visits/", "manager": "/reports/overview", "admin": "/admin/users"}


@pytest.mark.parametrize("role", ["agent", "technician", "manager", "admin"])
def test_each_role_logs_in_sees_its_home_page_and_switches_language(page, db, role):
    if role == "technician":
        username = factories.technician(display_name="王师傅").user.username
    else:
        username = factories.user(role=role, display_name="测试用户").username
    log_in(page, username)
    assert page.inner_text("[data-testid=whoami]") in ("王师傅", "测试用户")
    assert page.url.endswith(HOMES[role])
    assert page.locator("nav.mainnav a.active").count() == 1
    assert "退出" in page.inner_text("[data-testid=logout]")
    page.click("[data-testid=lang-en]")
    page.wait_for_selector("[data-testid=lang-zh]")
    assert page.inner_text("[data-testid=logout]") == "Log out"
    page.click("[data-testid=logout]")
    page.wait_for_selector("[data-testid=login-submit]")
