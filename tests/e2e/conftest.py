"""Browser tests: Playwright driving Debian's Chromium against the app on 127.0.0.1."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required in CI but {CHROMIUM} is missing")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                                  base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


def log_in(page, username: str, password: str = "secret-pass"):
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=whoami]")
