"""Stock pages: the technician's van and requisitions; managers' levels, movements, receipts and approvals."""
import re

import pytest
from sqlalchemy import select

from fieldservice.models import Requisition, StockLevel, StockMovement
from tests import factories


@pytest.fixture()
def stock(db):
    warehouse = factories.stock_location(code="WH1", name="浦东中心仓", kind="warehouse")
    board = factories.part(code="PW-01", name="电源板", low_stock_threshold=2)
    fuse = factories.part(code="FU-3A", name="保险管", low_stock_threshold=5)
    factories.stock(board, warehouse, 20)
    factories.stock(fuse, warehouse, 3)
    return warehouse, board, fuse


def asking_for(part, warehouse, qty: str) -> dict:
    """The request form of /parts/my as the browser posts it (its fields are prefixed "requisition-")."""
    return {"requisition-part": part.id, "requisition-location": warehouse.id, "requisition-qty": qty}


def giving_back(part, warehouse, qty: str) -> dict:
    """The return form of /parts/my (prefixed "return-")."""
    return {"return-part": part.id, "return-location": warehouse.id, "return-qty": qty}


def qty(db, part, location_id):
    db.session.expire_all()
    level = db.session.get(StockLevel, (part.id, location_id))
    return level.qty if level else 0


def test_the_technician_sees_only_the_parts_the_van_has_run_out_of_marked(technician_client, stock):
    _warehouse, board, fuse = stock
    van = technician_client.technician.van
    factories.stock(board, van, 0)  # all used: the threshold of 2 does not matter in a van
    factories.stock(fuse, van, 1)  # 1 left, under the warehouse threshold of 5: not low in a van
    page = table(technician_client.get("/parts/my").get_data(as_text=True), "van-stock")
    assert "PW-01" in page and "FU-3A" in page
    assert page.count("data-low") == 1 and page.count("缺货") == 1 and "库存低" not in page
    assert "PW-01" in page.split("data-low", 1)[1].split("</tr>", 1)[0]


def test_the_two_stock_forms_on_my_van_page_have_their_own_element_ids(technician_client, stock):
    page = technician_client.get("/parts/my").get_data(as_text=True)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert ids and len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for prefix in ("requisition", "return"):
        for name in ("part", "location", "qty", "note"):
            assert f'<label for="{prefix}-{name}">' in page and f'id="{prefix}-{name}"' in page


def test_a_requisition_from_the_page_waits_for_a_manager(technician_client, manager_client, db, stock):
    warehouse, board, _fuse = stock
    van_id = technician_client.technician.van_location_id
    response = technician_client.post("/parts/requisitions", data=asking_for(board, warehouse, "4"),
                                      follow_redirects=True)
    assert "领用申请已提交，等待审批。" in response.get_data(as_text=True) and qty(db, board, van_id) == 0
    requisition = db.session.scalar(select(Requisition))
    levels = manager_client.get("/parts/levels").get_data(as_text=True)
    assert 'data-testid="pending-requisitions"' in levels
    manager_client.post(f"/parts/requisitions/{requisition.id}/approve")
    assert qty(db, board, van_id) == 4 and qty(db, board, warehouse.id) == 16


@pytest.mark.parametrize("value, message", [("-3", "数量至少为 1"), ("2.5", "2.5 不是整数"), ("", "请输入数量")])
def test_a_bad_quantity_is_explained_and_nothing_is_requested(technician_client, db, stock, value, message):
    warehouse, board, _fuse = stock
    response = technician_client.post("/parts/requisitions", data=asking_for(board, warehouse, value),
                                      follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert db.session.scalars(select(Requisition)).all() == []


def test_parts_go_back_from_the_van_to_the_warehouse(technician_client, db, stock):
    warehouse, board, _fuse = stock
    van_id = technician_client.technician.van_location_id
    factories.stock(board, technician_client.technician.van, 3)
    technician_client.post("/parts/returns", data=giving_back(board, warehouse, "2"))
    assert qty(db, board, van_id) == 1 and qty(db, board, warehouse.id) == 22


def test_returning_more_than_the_van_holds_is_refused(technician_client, db, stock):
    warehouse, board, _fuse = stock
    factories.stock(board, technician_client.technician.van, 1)
    response = technician_client.post("/parts/returns", data=giving_back(board, warehouse, "2"),
                                      follow_redirects=True)
    assert "库存不足" in response.get_data(as_text=True)
    assert qty(db, board, warehouse.id) == 20


def test_managers_and_admins_see_levels_with_low_stock_marks(manager_client, admin_client, stock):
    for client in (manager_client, admin_client):
        page = client.get("/parts/levels").get_data(as_text=True)
        assert page.count("data-low") == 1 and "FU-3A" in page
    low_only = table(manager_client.get("/parts/levels?low=y").get_data(as_text=True), "levels")
    assert "FU-3A" in low_only and "PW-01" not in low_only


def test_van_rows_are_low_only_when_empty_on_the_levels_page_and_in_its_filter(manager_client, stock):
    _warehouse, board, fuse = stock  # warehouse: 20 boards (threshold 2), 3 fuses (threshold 5: low)
    van_a = factories.stock_location(code="VAN-A", name="一号车", kind="van")
    van_b = factories.stock_location(code="VAN-B", name="二号车", kind="van")
    factories.stock(fuse, van_a, 4)  # under the part's threshold, but a van is not a warehouse
    factories.stock(board, van_a, 1)
    factories.stock(board, van_b, 0)
    page = table(manager_client.get("/parts/levels").get_data(as_text=True), "levels")
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in page.split("<tr")[2:] if "data-low" in row]
    marked = sorted((where.split(" <span")[0], code) for where, code, *_rest in cells)
    assert marked == [("二号车", "PW-01"), ("浦东中心仓", "FU-3A")]
    low_only = table(manager_client.get("/parts/levels?low=y").get_data(as_text=True), "levels")
    assert low_only.count("<tr") - 1 == 2 and "二号车" in low_only and "一号车" not in low_only
    assert "缺货" in low_only and "库存低" in low_only


def test_the_ledger_names_the_service_request_and_the_requisition_not_bare_ids(manager_client, technician_client,
                                                                               db, app, stock):
    from fieldservice.parts import services as parts
    from tests import factories_visits as fv
    warehouse, board, _fuse = stock
    technician_client.post("/parts/requisitions", data=asking_for(board, warehouse, "2"))
    requisition_row = db.session.scalar(select(Requisition))
    manager_client.post(f"/parts/requisitions/{requisition_row.id}/approve")
    w = fv.workshop(technician_client.technician, number="SR-20260301-0007")
    with app.test_request_context():
        from fieldservice.database import write_transaction
        with write_transaction():
            parts.issue_for_visit(w.visit, w.part.id, 1, technician_client.technician.van_location_id)
    page = table(manager_client.get("/parts/movements").get_data(as_text=True), "movements")
    assert 'href="/requests/SR-20260301-0007"' in page and "服务单 SR-20260301-0007" in page
    named = f"领用申请 #{requisition_row.id}（{technician_client.technician.name}）"
    assert f'data-testid="movement-requisition">{named}</span></td>' in page
    assert "Visit #" not in page and "访问 #" not in page


def table(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]


def test_a_manager_receives_goods_and_the_ledger_shows_it_filtered(manager_client, db, stock):
    warehouse, board, fuse = stock
    manager_client.post("/parts/receipts", data={"part": fuse.id, "location": warehouse.id, "qty": "50",
                                                 "note": "供应商到货"})
    assert qty(db, fuse, warehouse.id) == 53
    assert [m.kind for m in db.session.scalars(select(StockMovement))] == ["receipt"]
    page = manager_client.get(f"/parts/movements?kind=receipt&q=FU&location={warehouse.id}").get_data(as_text=True)
    assert "供应商到货" in page and "共 1 条出入库记录" in page
    assert "共 0 条" in manager_client.get("/parts/movements?kind=issue").get_data(as_text=True)


def test_technicians_cannot_open_the_stock_pages_or_approve(technician_client, stock):
    assert technician_client.get("/parts/levels").status_code == 403
    assert technician_client.get("/parts/movements").status_code == 403
    assert technician_client.post("/parts/receipts", data={}).status_code == 403
    assert technician_client.post("/parts/requisitions/1/approve").status_code == 403


def test_a_manager_rejects_a_requisition(technician_client, manager_client, db, stock):
    warehouse, board, _fuse = stock
    technician_client.post("/parts/requisitions", data=asking_for(board, warehouse, "1"))
    requisition = db.session.scalar(select(Requisition))
    manager_client.post(f"/parts/requisitions/{requisition.id}/reject", data={"note": "本周已领"})
    db.session.expire_all()
    assert requisition.status == "rejected"
    assert "已驳回" in technician_client.get("/parts/my").get_data(as_text=True)


def test_a_percent_sign_or_underscore_in_the_part_search_is_looked_for_as_itself(manager_client, stock):
    warehouse, _board, _fuse = stock
    factories.stock(factories.part(code="R_10%", name="电阻10%"), warehouse, 5)
    found = table(manager_client.get("/parts/levels?q=%25").get_data(as_text=True), "levels")
    assert "R_10%" in found and "PW-01" not in found and "FU-3A" not in found
    found = table(manager_client.get("/parts/levels?q=_").get_data(as_text=True), "levels")
    assert "R_10%" in found and "PW-01" not in found
