"""What a manager gets on A4 paper: the lists printed to PDF by Chromium and read back with pdftotext."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select

from fieldservice.database import utcnow
from fieldservice.models import FollowUp
from tests import factories, factories_aftercare
from tests import factories_reports as fr
from tests.e2e.conftest import log_in

DECEMBER = "start=2026-12-01&end=2026-12-31"
A4_PORTRAIT, A4_LANDSCAPE = "595.92 x 842.88", "842.88 x 595.92"


@pytest.fixture()
def pdf_text(tmp_path):
    """Print the page to A4 as Chromium does for "Save as PDF"; return (text, page size, page count)."""
    if not shutil.which("pdftotext"):
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is required in CI")
        pytest.skip("no pdftotext")

    def _print(page) -> tuple[str, str, int]:
        path = tmp_path / "printed.pdf"
        page.pdf(path=str(path), format="A4", print_background=True)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
        return text, fields["Page size"].split(" pts")[0].strip(), int(fields["Pages"])

    return _print


def overflowing(page) -> list[str]:
    """Under print media, the tables wider than the printed page (their last columns would be cut off)."""
    page.emulate_media(media="print")
    try:
        return page.evaluate("""() => [...document.querySelectorAll('table')]
            .filter(t => t.offsetParent !== null && t.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .map(t => t.className)""")
    finally:
        page.emulate_media(media="null")  # back to no emulation: page.pdf() then prints with print media


def test_the_warranty_expiry_list_prints_titled_dated_and_whole(page, db, pdf_text):
    fr.december()
    manager = factories.user(role="manager", display_name="顾主管")
    log_in(page, manager.username)

    page.goto(f"/reports/warranty-expiry/print?{DECEMBER}")
    text, size, pages = pdf_text(page)
    assert size == A4_LANDSCAPE and pages == 1
    assert "保修产品到期一览表" in text and "2026-12-01 至 2026-12-31" in text and "由 顾主管 打印" in text
    assert "续保回访" in text and "U02" in text and "8 台设备" in text  # the last column, the last row, the count
    assert "返回列表" not in text  # the screen toolbar
    assert re.search(r"\b1 ?/ ?1\s*$", text)  # "1 / 1": page numbers from the @page margin box

    # The screen page printed from the browser: no menu, buttons or filter form, every column on the page.
    page.goto(f"/reports/warranty-expiry?{DECEMBER}")
    assert overflowing(page) == []
    text, size, _ = pdf_text(page)
    assert size == A4_PORTRAIT
    assert "保修产品到期一览表" in text and "保障截止日期 2026-12-01 至 2026-12-31" in text and "由 顾主管 打印" in text
    assert "续保商机" in text and "U02" in text  # the last column's header and the last row
    for screen_only in ("退出", "导出 CSV", "打印（A4）", "本月", "查询", "续保回访", "新建协议", "统计报表"):
        assert screen_only not in text, screen_only


def test_the_follow_up_list_prints_its_filters_and_no_controls(page, db, pdf_text):
    agent = factories_aftercare.user(role="agent", display_name="陈静")
    factories_aftercare.completed_visit(owner=agent, finished_at=utcnow() - timedelta(days=3))
    follow_up = db.session.scalar(select(FollowUp))
    customer = follow_up.customer.name
    log_in(page, agent.username)

    page.goto("/followups/print")
    text, size, _ = pdf_text(page)
    assert size == A4_PORTRAIT
    assert "回访清单" in text and "状态: 待回访" in text and "负责人: 我的及未分配的" in text
    assert "由 陈静 打印" in text and customer in text and "回访结果" in text  # the last column
    assert "返回列表" not in text

    page.goto("/followups/")
    assert overflowing(page) == []
    text, _, _ = pdf_text(page)
    assert "由 陈静 打印" in text and customer in text and "负责人" in text
    assert "待回访" in text  # the status filter, printed as text
    for screen_only in ("退出", "导出 CSV", "打印（A4）", "记录回访", "回访话术", "显示号码"):
        assert screen_only not in text, screen_only


def test_the_english_statistics_print_landscape_with_the_title_on_every_page(page, db, pdf_text):
    manager = factories.user(role="manager", locale="en", display_name="Gu")
    fr.october()
    log_in(page, manager.username)
    page.goto("/reports/settlement?start=2026-10-01&end=2026-10-31")
    assert overflowing(page) == []
    text, size, _ = pdf_text(page)
    assert size == A4_LANDSCAPE  # a wide report turns the paper
    assert "Service-order settlement detail" in text and "2026-10-01 to 2026-10-31" in text
    assert "Printed" in text and "by Gu" in text
    assert "Receipts" in text and "Export CSV" not in text and "Log out" not in text
