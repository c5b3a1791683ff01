"""Stock pages: the technician's van and requisitions; managers' levels, movements, receipts and approvals."""
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


def qty(db, part, location_id):
    db.session.expire_all()
    level = db.session.get(StockLevel, (part.id, location_id))
    return level.qty if level else 0


def test_the_technician_sees_the_van_with_low_stock_marked(technician_client, stock):
    _warehouse, board, fuse = stock
    van = technician_client.technician.van
    factories.stock(board, van, 5)
    factories.stock(fuse, van, 1)
    page = technician_client.get("/parts/my").get_data(as_text=True)
    assert "PW-01" in page and "FU-3A" in page
    assert page.count("库存低") == 1


def test_a_requisition_from_the_page_waits_for_a_manager(technician_client, manager_client, db, stock):
    warehouse, board, _fuse = stock
    van_id = technician_client.technician.van_location_id
    response = technician_client.post("/parts/requisitions", data={"part": board.id, "location": warehouse.id,
                                                                   "qty": "4"}, follow_redirects=True)
    assert "领用申请已提交，等待审批。" in response.get_data(as_text=True) and qty(db, board, van_id) == 0
    requisition = db.session.scalar(select(Requisition))
    levels = manager_client.get("/parts/levels").get_data(as_text=True)
    assert 'data-testid="pending-requisitions"' in levels
    manager_client.post(f"/parts/requisitions/{requisition.id}/approve")
    assert qty(db, board, van_id) == 4 and qty(db, board, warehouse.id) == 16


@pytest.mark.parametrize("value, message", [("-3", "数量至少为 1"), ("2.5", "2.5 不是整数"), ("", "请输入数量")])
def test_a_bad_quantity_is_explained_and_nothing_is_requested(technician_client, db, stock, value, message):
    warehouse, board, _fuse = stock
    response = technician_client.post("/parts/requisitions", data={"part": board.id, "location": warehouse.id,
                                                                   "qty": value}, follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert db.session.scalars(select(Requisition)).all() == []


def test_parts_go_back_from_the_van_to_the_warehouse(technician_client, db, stock):
    warehouse, board, _fuse = stock
    van_id = technician_client.technician.van_location_id
    factories.stock(board, technician_client.technician.van, 3)
    technician_client.post("/parts/returns", data={"part": board.id, "location": warehouse.id, "qty": "2"})
    assert qty(db, board, van_id) == 1 and qty(db, board, warehouse.id) == 22


def test_returning_more_than_the_van_holds_is_refused(technician_client, db, stock):
    warehouse, board, _fuse = stock
    factories.stock(board, technician_client.technician.van, 1)
    response = technician_client.post("/parts/returns", data={"part": board.id, "location": warehouse.id,
                                                              "qty": "2"}, follow_redirects=True)
    assert "库存不足" in response.get_data(as_text=True)
    assert qty(db, board, warehouse.id) == 20


def test_managers_and_admins_see_levels_with_low_stock_marks(manager_client, admin_client, stock):
    for client in (manager_client, admin_client):
        page = client.get("/parts/levels").get_data(as_text=True)
        assert page.count("data-low") == 1 and "FU-3A" in page
    low_only = table(manager_client.get("/parts/levels?low=y").get_data(as_text=True), "levels")
    assert "FU-3A" in low_only and "PW-01" not in low_only


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
    technician_client.post("/parts/requisitions", data={"part": board.id, "location": warehouse.id, "qty": "1"})
    requisition = db.session.scalar(select(Requisition))
    manager_client.post(f"/parts/requisitions/{requisition.id}/reject", data={"note": "本周已领"})
    db.session.expire_all()
    assert requisition.status == "rejected"
    assert "已驳回" in technician_client.get("/parts/my").get_data(as_text=True)
