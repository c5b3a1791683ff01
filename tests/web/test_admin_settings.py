import pytest
from sqlalchemy import select

from fieldservice.audit.models import AuditEvent
from fieldservice.models import Setting
from fieldservice.settings import get_setting

DEFAULTS = {"SLA_HOURS": "24", "CALLBACK_DAYS": "3", "CALL_OUT_FEE": "50.00", "WORK_START": "08:00",
            "WORK_END": "20:00", "WINDOW_MINUTES": "120", "ROAD_FACTOR": "1.3", "SPEED_KMH": "30",
            "REQUISITION_NEEDS_APPROVAL": "y"}


def _stored(db) -> dict:
    db.session.expire_all()
    return {row.key: row.value for row in db.session.scalars(select(Setting))}


def test_the_settings_page_shows_the_current_values(admin_client):
    page = admin_client.get("/admin/settings").get_data(as_text=True)
    assert 'name="SLA_HOURS"' in page and 'value="24"' in page and "默认值：24" in page


def test_a_changed_setting_is_stored_and_read_back(admin_client, db):
    response = admin_client.post("/admin/settings", data={
        **DEFAULTS, "SLA_HOURS": "12", "CALL_OUT_FEE": "60", "WORK_START": "07:30", "WINDOW_MINUTES": "90",
        "REQUISITION_NEEDS_APPROVAL": None})
    assert response.status_code == 302
    assert _stored(db) == {"SLA_HOURS": "12", "CALL_OUT_FEE": "60.00", "WORK_START": "07:30",
                           "WINDOW_MINUTES": "90", "REQUISITION_NEEDS_APPROVAL": "false"}
    assert (get_setting("SLA_HOURS"), get_setting("CALL_OUT_FEE"), get_setting("WINDOW_MINUTES")) == (12, "60.00", 90)
    assert get_setting("REQUISITION_NEEDS_APPROVAL") is False
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings_changed"))
    assert event.detail["SLA_HOURS"] == "12"


def test_a_value_set_back_to_its_default_removes_the_override(admin_client, db):
    admin_client.post("/admin/settings", data={**DEFAULTS, "SLA_HOURS": "12", "ROAD_FACTOR": "1.5"})
    admin_client.post("/admin/settings", data={**DEFAULTS, "ROAD_FACTOR": "1.5"})
    assert _stored(db) == {"ROAD_FACTOR": "1.5"}
    assert get_setting("SLA_HOURS") == 24


def test_saving_unchanged_values_stores_nothing(admin_client, db):
    response = admin_client.post("/admin/settings", data=DEFAULTS, follow_redirects=True)
    assert "没有修改" in response.get_data(as_text=True)
    assert _stored(db) == {}
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings_changed")) is None


@pytest.mark.parametrize("field, value, message", [
    ("SLA_HOURS", "0", "数值大小必须介于 1 到 168 之间"),
    ("SLA_HOURS", "soon", "不是有效的整数"),
    ("CALL_OUT_FEE", "-5", "数值大小必须介于 0 到 10000 之间"),
    ("WORK_END", "07:00", "下班时间必须晚于上班时间"),
    ("WINDOW_MINUTES", "45", "不是有效的选择"),
    ("ROAD_FACTOR", "0.5", "数值大小必须介于 1 到 3 之间"),
])
def test_bad_values_are_form_errors_and_nothing_is_stored(admin_client, db, field, value, message):
    response = admin_client.post("/admin/settings", data={**DEFAULTS, "SLA_HOURS": "12", field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _stored(db) == {}


def test_only_admins_change_settings(make_client, db):
    client = make_client("manager")
    assert client.post("/admin/settings", data={**DEFAULTS, "SLA_HOURS": "1"}).status_code == 403
    assert _stored(db) == {}


def test_the_settings_page_speaks_english(admin_client):
    admin_client.post("/language", data={"locale": "en"})
    page = admin_client.get("/admin/settings").get_data(as_text=True)
    assert "On-site promise (hours after the request)" in page and "Default: 2 h" in page
