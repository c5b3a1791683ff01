from datetime import time

import pytest
from sqlalchemy import func, select

from fieldservice.audit.models import AuditEvent
from fieldservice.auth.models import User
from fieldservice.models import StockLocation, Technician
from tests import factories
from tests.conftest import login
from tests.factories_admin import technician_edit_form, technician_form

ADMIN_PAGES = ["/admin/technicians", "/admin/technicians/new", "/admin/catalog", "/admin/catalog/models",
               "/admin/catalog/parts/new", "/admin/catalog/labour", "/admin/catalog/faults",
               "/admin/catalog/partners", "/admin/settings"]


def _technician(db, username: str) -> Technician:
    return db.session.scalar(select(Technician).join(Technician.user).where(User.username == username))


def test_the_admin_sees_every_technician_with_skills_area_and_van(admin_client):
    tech = factories.technician(username="wang", display_name="王建国", skills=("aircon", "water_heater"),
                                regions=["太仓市"])
    page = admin_client.get("/admin/technicians").get_data(as_text=True)
    assert "王建国" in page and "wang" in page
    assert "空调" in page and "热水器" in page and "太仓市" in page
    assert tech.van.code in page
    assert f"/admin/technicians/{tech.id}" in page


@pytest.mark.parametrize("role", ["agent", "technician", "manager"])
def test_other_roles_are_refused_every_admin_page(make_client, role):
    client = make_client(role)
    assert {url: client.get(url).status_code for url in ADMIN_PAGES} == {url: 403 for url in ADMIN_PAGES}
    assert client.post("/admin/technicians/new", data=technician_form()).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/admin/technicians")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_creating_a_technician_makes_the_login_the_profile_and_the_van(app, admin_client, db):
    response = admin_client.post("/admin/technicians/new", data=technician_form())
    assert response.status_code == 302
    tech = _technician(db, "tech-new")
    assert tech.user.role == "technician" and tech.user.display_name == "钱建军"
    assert tech.phone == "13912345678"
    # The offline geocoder puts the base at the centre of 浦东新区.
    assert (round(tech.base_lat, 2), round(tech.base_lon, 2)) == (31.22, 121.54)
    assert tech.skills == ["aircon", "purifier"]
    assert tech.regions == ["昆山市", "太仓市"]
    assert (tech.working_days, tech.work_start, tech.work_end) == ("12345", time(8, 30), time(17, 30))
    assert tech.area_radius_km == 25 and tech.active
    assert (tech.van.code, tech.van.kind) == ("VAN-TECH-NEW", "van")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "technician_created",
                                                      AuditEvent.object_id == str(tech.id))) is not None
    login(app.test_client(), "tech-new", "long-password")


def test_typed_coordinates_override_the_address(admin_client, db):
    admin_client.post("/admin/technicians/new", data=technician_form(base_lat="31.2001", base_lon="121.6002"))
    tech = _technician(db, "tech-new")
    assert (tech.base_lat, tech.base_lon) == (31.2001, 121.6002)


def test_an_address_nobody_can_place_is_refused_and_nothing_is_created(admin_client, db):
    response = admin_client.post("/admin/technicians/new", data=technician_form(base_address="门口那条小路"))
    assert response.status_code == 422
    assert "无法识别该地址" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User).where(User.username == "tech-new")) == 0
    assert db.session.scalar(select(func.count()).select_from(StockLocation)) == 0


def test_a_taken_username_is_refused_with_a_message(admin_client, db):
    factories.user(username="Tech-New", role="agent")
    response = admin_client.post("/admin/technicians/new", data=technician_form())
    assert response.status_code == 422
    assert "用户名 tech-new 已被占用" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Technician)) == 0


@pytest.mark.parametrize("field, value, message", [
    ("area_radius_km", "0", "数值大小必须介于 1 到 300 之间"),
    ("area_radius_km", "far", "不是有效的浮点数"),
    ("base_lat", "95", "数值大小必须介于 -90 到 90 之间"),
    ("base_lat", "31.2", "请同时填写纬度和经度"),
    ("work_end", "07:00", "下班时间必须晚于上班时间"),
    ("phone", "12345", "请输入 11 位手机号"),
    ("skills", [], "请至少选择一个产品线"),
    ("working_days", [], "请至少选择一个工作日"),
])
def test_bad_input_is_a_form_error_and_changes_nothing(admin_client, db, field, value, message):
    response = admin_client.post("/admin/technicians/new", data=technician_form(**{field: value}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Technician)) == 0


def test_editing_changes_the_profile_name_and_van_name(admin_client, db):
    tech = factories.technician(username="li", display_name="李志强")
    response = admin_client.post(f"/admin/technicians/{tech.id}", data=technician_edit_form(
        tech, display_name="李志刚", skills=["water_heater"], regions="嘉兴市", working_days=["6", "7"],
        area_radius_km="12.5", active=None))
    assert response.status_code == 302
    db.session.expire_all()
    tech = db.session.get(Technician, tech.id)
    assert tech.user.display_name == "李志刚" and tech.van.name.endswith("李志刚")
    assert (tech.skills, tech.regions, tech.working_days) == (["water_heater"], ["嘉兴市"], "67")
    assert tech.area_radius_km == 12.5 and tech.active is False


def test_editing_other_fields_keeps_coordinates_typed_in_earlier(admin_client, db):
    tech = factories.technician(base=(31.2001, 121.6002))
    admin_client.post(f"/admin/technicians/{tech.id}", data=technician_edit_form(tech, area_radius_km="35"))
    db.session.expire_all()
    assert (db.session.get(Technician, tech.id).base_lat, db.session.get(Technician, tech.id).base_lon) == (
        31.2001, 121.6002)


def test_a_new_address_is_placed_again_unless_coordinates_are_typed(admin_client, db):
    tech = factories.technician(base=(31.2001, 121.6002))
    admin_client.post(f"/admin/technicians/{tech.id}",
                      data=technician_edit_form(tech, base_address="浙江省杭州市西湖区文三路398号"))
    db.session.expire_all()
    moved = db.session.get(Technician, tech.id)
    assert (round(moved.base_lat, 2), round(moved.base_lon, 2)) == (30.26, 120.13)
    assert moved.base_address == "浙江省杭州市西湖区文三路398号"


def test_an_unknown_technician_is_a_404(admin_client):
    assert admin_client.get("/admin/technicians/999").status_code == 404


def test_the_technician_pages_speak_english_and_chinese(admin_client):
    factories.technician(skills=("purifier",), working_days="12345")
    chinese = admin_client.get("/admin/technicians").get_data(as_text=True)
    assert "新建技术员" in chinese and "净水器" in chinese and "周一–周五" in chinese
    admin_client.post("/language", data={"locale": "en"})
    english = admin_client.get("/admin/technicians").get_data(as_text=True)
    assert "New technician" in english and "Water purifiers" in english and "Mon–Fri" in english
    form = admin_client.get("/admin/technicians/new").get_data(as_text=True)
    assert "Base address" in form and "Working days" in form


def test_a_technician_without_a_van_gets_one_on_the_next_edit(admin_client, db):
    tech = factories.technician(username="zhao")
    tech.van_location_id = None
    db.session.commit()
    assert admin_client.post(f"/admin/technicians/{tech.id}", data=technician_edit_form(tech)).status_code == 302
    db.session.expire_all()
    van = db.session.get(Technician, tech.id).van
    assert (van.code, van.kind) == ("VAN-ZHAO", "van")


def test_a_technician_with_booked_visits_stays_on_duty_until_they_are_reassigned(admin_client, db):
    tech = factories.technician(username="wang", display_name="王建国")
    visit = factories.appointment(tech=tech)
    number = visit.request.number
    off_duty = technician_edit_form(tech, active=None)
    response = admin_client.post(f"/admin/technicians/{tech.id}", data=off_duty, headers={"Accept-Language": "zh-CN"},
                                 follow_redirects=True)
    assert f"王建国 仍有已预约的上门（{number}）。请先在派工看板上改派或取消。" in response.get_data(as_text=True)
    account = {"display_name": "王建国", "role": "technician", "phone": "", "locale": ""}
    response = admin_client.post(f"/admin/users/{tech.user_id}", data=account, follow_redirects=True)
    assert "请先在派工看板上改派或取消" in response.get_data(as_text=True)  # nor can the account be disabled
    response = admin_client.post(f"/admin/users/{tech.user_id}", data=account | {"role": "agent", "active": "y"},
                                 follow_redirects=True)
    assert "请先在派工看板上改派或取消" in response.get_data(as_text=True)  # nor made an agent
    db.session.expire_all()
    assert db.session.get(Technician, tech.id).active and db.session.get(User, tech.user_id).active
    assert db.session.get(User, tech.user_id).role == "technician"
    visit.status = "cancelled"
    db.session.commit()
    assert admin_client.post(f"/admin/technicians/{tech.id}", data=off_duty).status_code == 302
    db.session.expire_all()
    assert db.session.get(Technician, tech.id).active is False
