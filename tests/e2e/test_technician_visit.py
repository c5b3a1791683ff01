"""A technician's visit on a tablet-sized Chromium, from the route to the signed PDF in the customer's hands."""
import subprocess
from datetime import datetime, time

from playwright.sync_api import expect
from sqlalchemy import select

from fieldservice.i18n import local_today, service_tz
from fieldservice.models import Appointment, ServiceReport, StockLevel
from tests import factories
from tests import factories_visits as fv
from tests.e2e.conftest import log_in


def draw_signature(page):
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    x, y = box["x"] + 40, box["y"] + box["height"] * 0.6
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 25):
        page.mouse.move(x + i * 14, y - (30 if i % 2 else -10) - i, steps=4)
    page.mouse.up()


def test_a_technician_records_the_work_the_customer_signs_and_the_pdf_downloads(page, db, tmp_path):
    tech = factories.technician(display_name="李建国")
    start = datetime.combine(local_today(), time(9), tzinfo=service_tz())
    w = fv.workshop(tech, status="booked", start=start)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 31.2036, "longitude": 121.5914})

    log_in(page, tech.user.username)
    page.click("[data-testid=stop]")
    page.click("[data-testid=on-the-way]")
    page.click("[data-testid=arrived]")
    page.click("[data-testid=record-work]")

    page.click("[data-testid=next]")
    page.select_option("select[name=fault_code]", str(w.fault.id))
    page.fill("textarea[name=diagnosis]", "开机无反应，电源板 12V 无输出")
    page.fill("textarea[name=resolution]", "更换电源板，老化测试 30 分钟")
    page.select_option("select[name=labour-0-item]", str(w.labour.id))
    page.select_option("select[name=parts-0-part]", str(w.part.id))
    page.click("[data-testid=next]")
    page.click("[data-testid=next]")
    page.wait_for_selector("[data-testid=fee-table]")
    assert "应付金额" in page.inner_text("[data-testid=fee-summary]")

    page.check("input[name=verdict][value=satisfied]")
    page.fill("input[name=signer_name]", "张伟")
    draw_signature(page)
    page.click("[data-testid=sign-submit]")
    page.wait_for_selector("[data-testid=verification-code]")
    code = page.inner_text("[data-testid=verification-code]").strip()

    with page.expect_download() as download:
        page.click("[data-testid=download-pdf]")
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()
    assert w.request.number in text and w.unit.serial in text and code in text

    db.session.rollback()  # see what the server committed
    report = db.session.scalar(select(ServiceReport))
    assert report.pdf == path.read_bytes()
    visit = db.session.get(Appointment, w.visit.id)
    assert visit.status == "done" and (visit.arrival_lat, visit.arrival_lon) == (31.2036, 121.5914)
    assert db.session.get(StockLevel, (w.part.id, tech.van_location_id)).qty == 4


def test_a_failed_submission_keeps_the_form_and_the_signature_on_the_tablet(page, db, live_server):
    tech = factories.technician()
    w = fv.workshop(tech, van_qty=3)
    log_in(page, tech.user.username)
    page.goto(f"/visits/{w.visit.id}/complete")
    page.click("[data-testid=next]")
    page.select_option("select[name=fault_code]", str(w.fault.id))
    page.fill("textarea[name=diagnosis]", "保留这段诊断")
    page.fill("textarea[name=resolution]", "更换电源板")
    page.select_option("select[name=parts-0-part]", str(w.part.id))
    page.fill("input[name=parts-0-qty]", "3")  # all the van held when the page loaded
    page.click("[data-testid=customer-step]")
    page.check("input[name=verdict][value=satisfied]")
    page.fill("input[name=signer_name]", "张伟")
    draw_signature(page)
    part_id, van_id = w.part.id, tech.van_location_id
    db.session.rollback()  # a fresh snapshot: the server has written since (SQLite)
    db.session.get(StockLevel, (part_id, van_id)).qty = 1  # meanwhile two went elsewhere: the server refuses
    db.session.commit()
    page.click("[data-testid=sign-submit]")
    page.wait_for_selector(".submit-status.error")
    assert "库存不足" in page.inner_text("[data-submit-status]")

    page.reload()  # as after the tablet slept or the browser was closed
    page.wait_for_selector(".step.current")
    assert page.input_value("textarea[name=diagnosis]") == "保留这段诊断"
    # The page now knows the van holds 1: it opens on the parts step rather than the signed customer step.
    assert page.get_attribute(".step.current", "data-step") == "2"
    assert page.inner_text("[data-testid=stock-short]") == "车上只有 1 个。"
    page.fill("input[name=parts-0-qty]", "1")
    page.click("[data-testid=customer-step]")
    assert page.input_value("input[name=signer_name]") == "张伟"
    assert page.evaluate("window.fsSignature.isEmpty()") is False
    page.click("[data-testid=sign-submit]")
    page.wait_for_selector("[data-testid=verification-code]")
    db.session.rollback()  # see what the server committed
    assert len(db.session.scalars(select(ServiceReport)).all()) == 1


def test_more_parts_than_the_van_holds_are_refused_on_the_parts_step_before_the_customer_sees_fees(page, db):
    page.set_viewport_size({"width": 800, "height": 1280})  # the technician's tablet
    tech = factories.technician()
    w = fv.workshop(tech, van_qty=1)
    log_in(page, tech.user.username)
    page.goto(f"/visits/{w.visit.id}/complete")
    fees = []
    page.on("request", lambda request: fees.append(request.url) if request.url.endswith("/fees") else None)
    page.click("[data-testid=next]")
    page.select_option("select[name=fault_code]", str(w.fault.id))
    page.fill("textarea[name=diagnosis]", "主板无输出")
    page.fill("textarea[name=resolution]", "更换主板")
    page.select_option("select[name=parts-0-part]", str(w.part.id))
    page.fill("input[name=parts-0-qty]", "5")

    page.click("[data-testid=next]")
    assert page.get_attribute(".step.current", "data-step") == "2"
    assert page.inner_text("[data-testid=stock-short]") == "车上只有 1 个。"
    # The message and the focus follow a moment later (the wizard sets them after its step change).
    expect(page.locator("[data-submit-status]")).to_contain_text(
        f"车上库存不足：{w.part.code} 电源板 填了 5 个，车上只有 1 个。")
    expect(page.locator("input[name=parts-0-qty]")).to_be_focused()
    page.click("[data-testid=customer-step]")  # jumping ahead is refused the same way
    assert page.get_attribute(".step.current", "data-step") == "2"

    page.click("[data-add-line=parts]")  # two lines of one part count together
    page.fill("input[name=parts-0-qty]", "1")
    page.select_option("select[name=parts-2-part]", str(w.part.id))
    page.click("[data-testid=next]")
    assert page.get_attribute(".step.current", "data-step") == "2"
    assert page.locator("[data-testid=stock-short]").count() == 2
    page.select_option("select[name=parts-2-part]", "")
    assert page.locator("[data-testid=stock-short]").count() == 0
    assert fees == []  # the customer's fee screen was never filled

    page.click("[data-testid=next]")
    assert page.get_attribute(".step.current", "data-step") == "3"
    page.click("[data-testid=next]")
    page.wait_for_selector("[data-testid=fee-table]")
    assert "386.00" in page.inner_text("[data-testid=fee-summary]")
