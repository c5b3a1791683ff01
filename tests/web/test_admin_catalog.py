from decimal import Decimal

import pytest
from sqlalchemy import func, select

from fieldservice.audit.models import AuditEvent
from fieldservice.models import FaultCode, LabourItem, Part, Partner, ProductModel
from tests import factories
from tests.factories_admin import CATALOGUE_FORMS

MODELS = {"models": ProductModel, "parts": Part, "labour": LabourItem, "faults": FaultCode, "partners": Partner}


def _only(db, model):
    rows = db.session.scalars(select(model)).all()
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize("name", list(MODELS))
def test_the_admin_creates_and_edits_each_kind_of_entry(admin_client, db, name):
    _unique, create, edit = CATALOGUE_FORMS[name]
    assert admin_client.get(f"/admin/catalog/{name}/new").status_code == 200
    response = admin_client.post(f"/admin/catalog/{name}/new", data=create)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/catalog/{name}")
    item = _only(db, MODELS[name])
    assert admin_client.get(f"/admin/catalog/{name}/{item.id}").status_code == 200
    assert admin_client.post(f"/admin/catalog/{name}/{item.id}", data={**create, **edit}).status_code == 302
    db.session.expire_all()
    item = _only(db, MODELS[name])
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(item.id))))
    assert {f"{item.__tablename__}_created", f"{item.__tablename__}_updated"} <= actions
    listed = admin_client.get(f"/admin/catalog/{name}").get_data(as_text=True)
    assert (item.code if hasattr(item, "code") else item.name) in listed


def test_entries_are_stored_normalised(admin_client, db):
    for name in MODELS:
        admin_client.post(f"/admin/catalog/{name}/new", data=CATALOGUE_FORMS[name][1])
    model, part = _only(db, ProductModel), _only(db, Part)
    assert model.code == "KFR-35GW/X1" and model.product_line == "aircon"
    assert (part.code, part.unit_price, part.is_accessory, part.low_stock_threshold) == (
        "PU-FILTER-X", Decimal("68.50"), True, 4)
    assert _only(db, LabourItem).price == Decimal("30.00")
    assert _only(db, FaultCode).product_line is None
    partner = _only(db, Partner)
    assert (partner.phone, partner.regions) == ("051082716688", "无锡市,江阴市")


def test_edits_are_saved(admin_client, db):
    for name in MODELS:
        _unique, create, edit = CATALOGUE_FORMS[name]
        admin_client.post(f"/admin/catalog/{name}/new", data=create)
        item_id = _only(db, MODELS[name]).id
        admin_client.post(f"/admin/catalog/{name}/{item_id}", data={**create, **edit})
    db.session.expire_all()
    assert _only(db, ProductModel).unit_warranty_months == 24
    assert _only(db, Part).unit_price == Decimal("72.00")
    assert _only(db, LabourItem).minutes == 25
    assert _only(db, FaultCode).name_en == "Filter clogged"
    assert _only(db, Partner).regions == "无锡市,宜兴市"


@pytest.mark.parametrize("name, message", [
    ("models", "型号编码 KFR-35GW/X1 已存在"), ("parts", "配件编码 PU-FILTER-X 已存在"),
    ("labour", "工时编码 L-TEST 已存在"), ("faults", "故障代码 PU09 已存在"),
    ("partners", "名为“无锡惠民家电维修中心”的合作服务商已存在"),
])
def test_a_duplicate_code_is_refused_with_a_message(admin_client, db, name, message):
    unique, create, _edit = CATALOGUE_FORMS[name]
    admin_client.post(f"/admin/catalog/{name}/new", data=create)
    # Same key in other letter case and with spaces around it.
    again = {**create, unique: f"  {create[unique].upper()} "}
    response = admin_client.post(f"/admin/catalog/{name}/new", data=again)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(MODELS[name])) == 1


def test_renaming_onto_another_entrys_code_is_refused(admin_client, db):
    factories.part(code="AC-REMOTE")
    other = factories.part(code="AC-CABLE")
    response = admin_client.post(f"/admin/catalog/parts/{other.id}", data={
        **CATALOGUE_FORMS["parts"][1], "code": "ac-remote"})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Part, other.id).code == "AC-CABLE"


@pytest.mark.parametrize("name, field, value, message", [
    ("parts", "unit_price", "cheap", "不是有效的小数"),
    ("parts", "unit_price", "-1", "数值大小必须介于 0 到 1000000 之间"),
    ("parts", "low_stock_threshold", "1.5", "不是有效的整数"),
    ("models", "unit_warranty_months", "200", "数值大小必须介于 0 到 120 之间"),
    ("models", "accessory_warranty_months", "18", "配件保修期不能长于整机保修期"),
    ("models", "code", "KFR 35", "请使用字母、数字"),
    ("labour", "minutes", "0", "数值大小必须介于 1 到 1440 之间"),
    ("faults", "name_en", "", "该字段是必填字段"),
    ("partners", "phone", "call us", "请输入 11 位手机号"),
])
def test_bad_numbers_and_text_are_form_errors(admin_client, db, name, field, value, message):
    response = admin_client.post(f"/admin/catalog/{name}/new", data={**CATALOGUE_FORMS[name][1], field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(MODELS[name])) == 0


def test_the_overview_counts_each_section_and_shows_the_settings(admin_client):
    factories.part(code="P1")
    factories.part(code="P2")
    factories.fault_code(code="F1")
    page = admin_client.get("/admin/catalog").get_data(as_text=True)
    for name in MODELS:
        assert f"/admin/catalog/{name}" in page and f"/admin/catalog/{name}/new" in page
    assert '<span class="count">2</span>' in page and '<span class="count">1</span>' in page
    assert "上门承诺时限" in page and "/admin/settings" in page


def test_the_list_searches_code_and_name(admin_client):
    factories.part(code="AC-REMOTE", name="空调遥控器")
    factories.part(code="WH-FAN", name="风机")
    page = admin_client.get("/admin/catalog/parts?q=遥控").get_data(as_text=True)
    assert "AC-REMOTE" in page and "WH-FAN" not in page
    page = admin_client.get("/admin/catalog/parts?q=wh-").get_data(as_text=True)
    assert "WH-FAN" in page and "AC-REMOTE" not in page


def test_the_list_pages_through_long_catalogues(admin_client):
    for n in range(55):
        factories.labour_item(code=f"L{n:03d}")
    first = admin_client.get("/admin/catalog/labour").get_data(as_text=True)
    second = admin_client.get("/admin/catalog/labour?page=2").get_data(as_text=True)
    assert "L000" in first and "L054" not in first
    assert "L054" in second and "第 2 页，共 2 页" in second


def test_unknown_sections_and_entries_are_404(admin_client):
    assert admin_client.get("/admin/catalog/cars").status_code == 404
    assert admin_client.get("/admin/catalog/parts/999").status_code == 404
    assert admin_client.post("/admin/catalog/parts/999", data=CATALOGUE_FORMS["parts"][1]).status_code == 404


def test_the_catalogue_speaks_english_and_chinese(admin_client):
    factories.fault_code(code="AC01", name_zh="冷媒泄漏", name_en="Refrigerant leak")
    chinese = admin_client.get("/admin/catalog/faults").get_data(as_text=True)
    assert "故障代码" in chinese and "新建故障代码" in chinese and "所有产品线" in chinese
    admin_client.post("/language", data={"locale": "en"})
    english = admin_client.get("/admin/catalog/faults").get_data(as_text=True)
    assert "Fault codes" in english and "New fault code" in english and "Any product line" in english
    assert "Product models" in admin_client.get("/admin/catalog").get_data(as_text=True)
