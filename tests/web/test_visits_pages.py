"""The technician's pages: the day's route, a visit, the status buttons, completing and signing."""
import hashlib
import io
import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from fieldservice.i18n import local_today, service_tz
from fieldservice.models import Appointment, ServiceReport, ServiceRequest, StockLevel
from fieldservice.visits import services
from tests import factories
from tests import factories_visits as fv


def at(hour: int, day_offset: int = 0) -> datetime:
    return datetime.combine(local_today() + timedelta(days=day_offset), time(hour), tzinfo=service_tz())


def test_the_home_page_lists_todays_visits_in_route_order_with_what_the_technician_needs(technician_client, db):
    tech = technician_client.technician
    near = factories.customer(name="近处客户", lat=31.2304, lon=121.4837, address="黄浦区近处路 1 号")
    far = factories.customer(name="远处客户", lat=31.30, lon=121.60, address="浦东新区远处路 9 号")
    late = fv.visit(tech, status="booked", start=at(15), owner_unit=factories.unit(owner=far))
    early = fv.visit(tech, status="booked", start=at(9), owner_unit=factories.unit(owner=near))
    fv.visit(tech, status="booked", start=at(10, day_offset=1))
    cancelled = fv.visit(tech, status="cancelled", start=at(12))
    page = technician_client.get("/visits/").get_data(as_text=True)
    assert page.index(early.request.number) < page.index(late.request.number)
    assert cancelled.request.number not in page
    assert page.count('data-testid="stop"') == 2
    assert "09:00–11:00" in page and "近处客户" in page and "黄浦区近处路 1 号" in page
    assert "距驻点 1.0 公里" in page and re.search(r"距上一站 1\d\.\d 公里", page)
    assert 'data-testid="warranty-badge"' in page and "保修期内" in page
    assert f'data-deadline="{early.request.sla_due_at.isoformat()}"' in page


def test_the_route_of_another_day_can_be_looked_at(technician_client, db):
    tomorrow = fv.visit(technician_client.technician, status="booked", start=at(10, day_offset=1))
    day = (local_today() + timedelta(days=1)).isoformat()
    assert tomorrow.request.number in technician_client.get(f"/visits/?date={day}").get_data(as_text=True)
    assert technician_client.get("/visits/?date=not-a-date").status_code == 200


def test_the_visit_page_offers_calling_navigating_the_fault_history_and_warranty(technician_client, db, app):
    tech = technician_client.technician
    unit = factories.unit(owner=factories.customer(phone="13800138000", lat=31.2, lon=121.5,
                                                   address="上海市浦东新区锦绣路 2580 弄"))
    earlier = fv.workshop(tech, owner_unit=unit, number="SR-20260101-0001")
    with app.test_request_context():
        services.complete_visit(tech.user, earlier.visit.id, fv.completion(earlier), "k")
    visit = fv.visit(tech, status="booked", owner_unit=unit, fault_description="开机三秒后黑屏")
    page = technician_client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert 'href="tel:13800138000"' in page
    assert 'href="geo:31.200000,121.500000?q=%E4%B8%8A%E6%B5%B7' in page
    assert "开机三秒后黑屏" in page and unit.serial in page
    assert "SR-20260101-0001" in page and "电源板 × 1" in page
    assert "整机在保修期内" in page


def test_on_the_way_then_arrived_moves_the_visit_and_the_request(technician_client, db):
    visit = fv.visit(technician_client.technician, status="booked")
    assert technician_client.post(f"/visits/{visit.id}/travel").status_code == 302
    db.session.expire_all()
    assert (visit.status, visit.request.status) == ("en_route", "en_route") and visit.en_route_at
    technician_client.post(f"/visits/{visit.id}/arrive", data={"lat": "31.2304", "lon": "121.4737"})
    db.session.expire_all()
    assert (visit.status, visit.request.status) == ("on_site", "on_site")
    assert visit.arrived_at and (visit.arrival_lat, visit.arrival_lon) == (31.2304, 121.4737)


def test_arriving_twice_is_harmless_and_a_position_is_optional(technician_client, db):
    visit = fv.visit(technician_client.technician, status="booked")
    technician_client.post(f"/visits/{visit.id}/arrive", data={"lat": "", "lon": "999"})
    db.session.expire_all()
    first = visit.arrived_at
    assert visit.status == "on_site" and visit.arrival_lat is None
    technician_client.post(f"/visits/{visit.id}/arrive")
    db.session.expire_all()
    assert visit.arrived_at == first


def test_a_cancelled_visit_cannot_be_started(technician_client, db):
    visit = fv.visit(technician_client.technician, status="cancelled")
    response = technician_client.post(f"/visits/{visit.id}/travel", follow_redirects=True)
    assert "不能标记为" in response.get_data(as_text=True)
    db.session.expire_all()
    assert visit.status == "cancelled"


def test_the_completion_form_offers_only_the_parts_in_the_technicians_van(technician_client, db):
    w = fv.workshop(technician_client.technician)
    elsewhere = factories.part(name="别人车上的配件")
    factories.stock(elsewhere, factories.technician().van, 3)
    page = technician_client.get(f"/visits/{w.visit.id}/complete").get_data(as_text=True)
    assert w.part.code in page and "别人车上的配件" not in page
    assert re.search(r'name="idempotency_key" type="hidden" value="[0-9a-f]{32}"', page)
    assert 'id="signature-pad"' in page and 'enctype="multipart/form-data"' in page
    # Photos too large together are refused before the app sees them; the tablet says so in words.
    assert "照片合计太大（总共最多 52 MB）" in page


def test_the_completion_form_is_not_offered_before_arrival(technician_client, db):
    visit = fv.visit(technician_client.technician, status="booked")
    response = technician_client.get(f"/visits/{visit.id}/complete")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/visits/{visit.id}")


def test_completing_through_the_form_signs_once_even_when_the_tablet_sends_twice(technician_client, db):
    w = fv.workshop(technician_client.technician)
    first = technician_client.post(f"/visits/{w.visit.id}/complete", data=fv.completion_form(w, key="tap"))
    second = technician_client.post(f"/visits/{w.visit.id}/complete", data=fv.completion_form(w, key="tap"))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert len(db.session.scalars(select(ServiceReport)).all()) == 1
    db.session.expire_all()
    assert db.session.get(StockLevel, (w.part.id, w.tech.van_location_id)).qty == 4
    page = technician_client.get(first.headers["Location"]).get_data(as_text=True)
    assert "上门已完成，服务报告已签字。" in page and 'data-testid="verification-code"' in page


def test_the_tablet_script_gets_json_with_where_to_go_next(technician_client, db):
    w = fv.workshop(technician_client.technician)
    response = technician_client.post(f"/visits/{w.visit.id}/complete", data=fv.completion_form(w),
                                      headers={"X-Requested-With": "fetch"})
    body = response.get_json()
    assert response.status_code == 201 and body["redirect"].endswith(f"/visits/{w.visit.id}")
    assert set(body) >= {"report_id", "pdf_url", "sha256"}


@pytest.mark.parametrize("signature, message", [
    ((io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), "s.png"),
     "不接受 SVG"),
    ((io.BytesIO(fv.signature_png()[:300]), "s.png"), "已损坏或不完整"),
    ((io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(10 * 1024 * 1024)), "s.png"), "签名图片太大"),
    (None, "缺少签名"),
])
def test_a_bad_signature_keeps_the_form_and_says_what_is_wrong(technician_client, db, signature, message):
    w = fv.workshop(technician_client.technician)
    response = technician_client.post(f"/visits/{w.visit.id}/complete",
                                      data=fv.completion_form(w, signature=signature, diagnosis="保留的诊断"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page and "保留的诊断" in page
    assert db.session.scalar(select(ServiceReport)) is None


def test_the_script_gets_the_signature_error_as_json(technician_client, db):
    w = fv.workshop(technician_client.technician)
    svg = (io.BytesIO(b"<svg><script>alert(1)</script></svg>"), "signature.png")
    response = technician_client.post(f"/visits/{w.visit.id}/complete", data=fv.completion_form(w, signature=svg),
                                      headers={"X-Requested-With": "fetch"})
    error = response.get_json()["error"]
    assert response.status_code == 422 and error["code"] == "image_not_png" and error["field"] == "signature"


def test_a_ten_megabyte_photo_is_refused(technician_client, db):
    w = fv.workshop(technician_client.technician)
    photo = (io.BytesIO(b"\xff\xd8\xff" + bytes(10 * 1024 * 1024)), "big.jpg")
    response = technician_client.post(f"/visits/{w.visit.id}/complete", data=fv.completion_form(
        w, photos=photo, exclusions="misuse", exclusion_note="进水"))
    assert response.status_code == 422 and "照片太大" in response.get_data(as_text=True)
    assert db.session.scalar(select(ServiceReport)) is None


@pytest.mark.parametrize("qty, message", [("-1", "数量至少为 1"), ("1.5", "1.5 不是整数"), ("0", "数量至少为 1")])
def test_negative_and_fractional_part_quantities_are_refused(technician_client, db, qty, message):
    w = fv.workshop(technician_client.technician)
    response = technician_client.post(f"/visits/{w.visit.id}/complete",
                                      data=fv.completion_form(w, **{"parts-0-qty": qty}))
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(StockLevel, (w.part.id, w.tech.van_location_id)).qty == 5


def test_a_part_from_another_van_is_refused(technician_client, db):
    w = fv.workshop(technician_client.technician)
    elsewhere = factories.part()
    factories.stock(elsewhere, factories.technician().van, 3)
    response = technician_client.post(f"/visits/{w.visit.id}/complete",
                                      data=fv.completion_form(w, **{"parts-0-part": str(elsewhere.id)}))
    assert response.status_code == 422 and "您的车辆库存中没有该配件" in response.get_data(as_text=True)


def test_completing_a_cancelled_visit_through_the_form_is_refused(technician_client, db):
    w = fv.workshop(technician_client.technician, status="cancelled")
    response = technician_client.post(f"/visits/{w.visit.id}/complete", data=fv.completion_form(w),
                                      headers={"X-Requested-With": "fetch"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "visit_cancelled"


def test_the_fee_summary_is_shown_in_the_customers_language(technician_client, db):
    english = factories.unit(owner=factories.customer(name="John Miller", locale="en"))
    w = fv.workshop(technician_client.technician, owner_unit=english)
    data = {"labour-0-item": str(w.labour.id), "labour-0-qty": "1.5", "parts-0-part": str(w.part.id),
            "parts-0-qty": "1", "serial_found": "SOMETHING-ELSE"}
    page = technician_client.post(f"/visits/{w.visit.id}/fees", data=data).get_data(as_text=True)
    assert "Call-out fee" in page and "Amount due" in page and "¥ 556.00" in page
    assert "serial number has been altered" in page and "应付金额" not in page
    form = technician_client.get(f"/visits/{w.visit.id}/complete").get_data(as_text=True)
    assert "Are you satisfied with the service?" in form and "记录维修工作" in form


def test_the_fee_summary_explains_a_bad_quantity(technician_client, db):
    w = fv.workshop(technician_client.technician)
    response = technician_client.post(f"/visits/{w.visit.id}/fees",
                                      data={"parts-0-part": str(w.part.id), "parts-0-qty": "-2"})
    assert response.status_code == 422 and "数量至少为 1" in response.get_data(as_text=True)


def test_the_pdf_download_returns_the_stored_bytes(technician_client, db):
    w = fv.workshop(technician_client.technician)
    technician_client.post(f"/visits/{w.visit.id}/complete", data=fv.completion_form(w))
    report = db.session.scalar(select(ServiceReport))
    first = technician_client.get(f"/visits/{w.visit.id}/report.pdf")
    second = technician_client.get(f"/visits/{w.visit.id}/report.pdf?revision=1")
    assert first.data == second.data == report.pdf
    assert hashlib.sha256(first.data).hexdigest() == report.pdf_sha256
    assert first.headers["Content-Disposition"].startswith("attachment") and w.request.number in \
        first.headers["Content-Disposition"]
    assert technician_client.get(f"/visits/{w.visit.id}/report.pdf?revision=2").status_code == 404


def test_a_manager_issues_a_corrected_revision_from_the_visit_page(manager_client, db, app):
    w = fv.workshop()
    with app.test_request_context():  # an altered serial makes the visit chargeable: it gets a receipt
        services.complete_visit(w.tech.user, w.visit.id, fv.completion(w, serial_found="SN-OTHER"), "k")
    response = manager_client.post(f"/visits/reports/{services.latest_report(w.visit).id}/correct", data={
        "fault_code": str(w.fault.id), "diagnosis": "更正后的诊断", "resolution": "更换电源板", "note": "笔误"},
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已出具报告第 2 版" in page and "第 2 版" in page
    assert technician_pdf_revisions(db, w) == [1, 2]
    receipt = db.session.scalar(select(ServiceReport.receipt_no).where(ServiceReport.revision == 1))
    assert receipt and f"收据号 {receipt}" in page  # the correction keeps the receipt issued with the first


def technician_pdf_revisions(db, w):
    db.session.expire_all()
    return sorted(r.revision for r in db.session.scalars(select(ServiceReport)))


def test_a_completed_request_is_visible_as_done_on_the_route(technician_client, db):
    w = fv.workshop(technician_client.technician, start=at(9))
    technician_client.post(f"/visits/{w.visit.id}/complete", data=fv.completion_form(w))
    page = technician_client.get("/visits/").get_data(as_text=True)
    assert "stop-done" in page
    db.session.expire_all()
    assert db.session.get(ServiceRequest, w.request.id).status == "completed"
    assert db.session.get(Appointment, w.visit.id).status == "done"


def test_a_manager_sees_every_technicians_route_of_the_day(manager_client, db):
    first, second = factories.technician(display_name="李建国"), factories.technician(display_name="王强")
    a = fv.visit(first, status="booked", start=at(9))
    b = fv.visit(second, status="booked", start=at(10))
    page = manager_client.get("/visits/").get_data(as_text=True)
    assert "李建国" in page and "王强" in page
    assert a.request.number in page and b.request.number in page


def test_each_part_offered_on_the_completion_form_says_how_many_the_van_holds(technician_client, db):
    w = fv.workshop(technician_client.technician, van_qty=1)
    page = technician_client.get(f"/visits/{w.visit.id}/complete").get_data(as_text=True)
    select = page.split('name="parts-0-part"', 1)[1].split("</select>", 1)[0]
    option = re.search(rf'<option[^>]*value="{w.part.id}"[^>]*>', select).group(0)
    assert 'data-van-qty="1"' in option and f'data-part="{w.part.code} 电源板"' in option
    assert "data-msg-short=" in page and "data-msg-short-row=" in page


def test_the_fee_summary_refuses_more_of_a_part_than_the_van_holds_so_the_customer_never_sees_it(
        technician_client, db):
    w = fv.workshop(technician_client.technician, van_qty=1)
    response = technician_client.post(f"/visits/{w.visit.id}/fees", data={
        "parts-0-part": str(w.part.id), "parts-0-qty": "3", "parts-1-part": str(w.part.id), "parts-1-qty": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'data-testid="fee-table"' not in page
    assert f"车上库存不足：{w.part.code} 电源板 填了 4 个，车上只有 1 个。" in page
    fine = technician_client.post(f"/visits/{w.visit.id}/fees", data={"parts-0-part": str(w.part.id),
                                                                       "parts-0-qty": "1"})
    assert fine.status_code == 200 and 'data-testid="fee-table"' in fine.get_data(as_text=True)


@pytest.mark.parametrize("qty, message", [("abc", "工时数量请填数字，例如 1 或 1.5。"), ("0", "工时数量必须大于 0。"),
                                          ("120", "工时数量过大（最多 99）。")])
def test_a_bad_labour_quantity_gets_a_message_about_labour_not_whole_parts(technician_client, db, qty, message):
    w = fv.workshop(technician_client.technician)
    response = technician_client.post(f"/visits/{w.visit.id}/fees",
                                      data={"labour-0-item": str(w.labour.id), "labour-0-qty": qty})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page and "整数" not in page


def test_the_promise_reads_as_time_left_on_the_route_and_the_visit_page(technician_client, db, app):
    visit = fv.visit(technician_client.technician, status="booked", start=at(9))
    for url in ("/visits/", f"/visits/{visit.id}"):
        page = technician_client.get(url).get_data(as_text=True)
        assert "承诺时限：还剩 <span class=\"countdown\"" in page and "承诺时间" not in page
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from flask_babel import force_locale, gettext
        with force_locale("en"):
            assert gettext("Promise: %(countdown)s left", countdown="23 h 56 min") == "Promise: 23 h 56 min left"
