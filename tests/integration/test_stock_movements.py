"""Stock moves only along the ledger: receipts, requisitions (领用), issues to visits, returns."""
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from fieldservice.database import write_transaction
from fieldservice.errors import DomainError
from fieldservice.models import Requisition, Setting, StockLevel, StockMovement
from fieldservice.parts import services
from tests import factories
from tests import factories_visits as fv


@pytest.fixture()
def store(db):
    tech = factories.technician()
    warehouse = factories.stock_location(code="WH1", name="中心仓", kind="warehouse")
    part = factories.part(code="PW-01", name="电源板")
    factories.stock(part, warehouse, 10)
    return tech, warehouse, part


def qty(db, part, location) -> int | None:
    db.session.expire_all()
    level = db.session.get(StockLevel, (part.id, location.id))
    return level.qty if level else None


def ledger(db):
    return [(m.kind, m.qty, m.from_location_id, m.to_location_id)
            for m in db.session.scalars(select(StockMovement).order_by(StockMovement.id))]


def test_a_requisition_waits_for_approval_then_moves_the_parts_into_the_van(db, store):
    tech, warehouse, part = store
    requisition = services.request_parts(tech.user, part.id, warehouse.id, "3")
    assert requisition.status == "pending" and qty(db, part, tech.van) is None and ledger(db) == []
    services.approve_requisition(factories.user(role="manager"), requisition.id)
    assert qty(db, part, warehouse) == 7 and qty(db, part, tech.van) == 3
    assert ledger(db) == [("transfer", 3, warehouse.id, tech.van_location_id)]
    assert db.session.get(Requisition, requisition.id).status == "approved"
    transfer = db.session.scalar(select(StockMovement))
    assert transfer.requisition_id == requisition.id and transfer.note is None


def test_a_requisition_is_direct_when_no_approval_is_needed(db, store):
    tech, warehouse, part = store
    db.session.add(Setting(key="REQUISITION_NEEDS_APPROVAL", value="false"))
    db.session.commit()
    requisition = services.request_parts(tech.user, part.id, warehouse.id, 2)
    assert requisition.status == "approved" and qty(db, part, tech.van) == 2 and qty(db, part, warehouse) == 8
    assert db.session.scalar(select(StockMovement.requisition_id)) == requisition.id


def test_a_requisition_is_approved_once(db, store):
    tech, warehouse, part = store
    requisition = services.request_parts(tech.user, part.id, warehouse.id, 1)
    manager = factories.user(role="manager")
    services.approve_requisition(manager, requisition.id)
    with pytest.raises(DomainError) as error:
        services.approve_requisition(manager, requisition.id)
    assert error.value.code == "requisition_decided" and qty(db, part, tech.van) == 1


def test_approving_more_than_the_warehouse_holds_is_refused_and_moves_nothing(db, store):
    tech, warehouse, part = store
    requisition = services.request_parts(tech.user, part.id, warehouse.id, 11)
    with pytest.raises(DomainError) as error:
        services.approve_requisition(factories.user(role="manager"), requisition.id)
    assert error.value.code == "not_enough_stock" and "10" in str(error.value.message)
    assert db.session.get(Requisition, requisition.id).status == "pending"
    assert qty(db, part, warehouse) == 10 and ledger(db) == []


def test_a_rejected_requisition_moves_nothing(db, store):
    tech, warehouse, part = store
    requisition = services.request_parts(tech.user, part.id, warehouse.id, 1)
    services.reject_requisition(factories.user(role="manager"), requisition.id, "本周已领过")
    db.session.expire_all()
    assert db.session.get(Requisition, requisition.id).status == "rejected" and ledger(db) == []


def test_parts_can_only_be_requested_from_a_warehouse(db, store):
    tech, _warehouse, part = store
    other = factories.technician()
    factories.stock(part, other.van, 5)
    with pytest.raises(DomainError) as error:
        services.request_parts(tech.user, part.id, other.van_location_id, 1)
    assert error.value.code == "wrong_source"


def test_goods_are_received_into_a_warehouse_only(db, store):
    tech, warehouse, part = store
    manager = factories.user(role="manager")
    services.receive_stock(manager, part.id, warehouse.id, "5", "供应商到货")
    assert qty(db, part, warehouse) == 15 and ledger(db) == [("receipt", 5, None, warehouse.id)]
    with pytest.raises(DomainError) as error:
        services.receive_stock(manager, part.id, tech.van_location_id, 5)
    assert error.value.code == "wrong_target"


def test_unused_parts_go_back_from_the_van_to_a_warehouse(db, store):
    tech, warehouse, part = store
    factories.stock(part, tech.van, 4)
    services.return_parts(tech.user, part.id, warehouse.id, 3)
    assert qty(db, part, tech.van) == 1 and qty(db, part, warehouse) == 13
    with pytest.raises(DomainError) as error:
        services.return_parts(tech.user, part.id, warehouse.id, 2)
    assert error.value.code == "not_enough_stock"
    assert qty(db, part, tech.van) == 1


def test_issuing_from_another_technicians_van_is_refused(app, db, store):
    tech, _warehouse, part = store
    other = factories.technician()
    factories.stock(part, other.van, 5)
    visit = fv.visit(tech)
    with pytest.raises(DomainError) as error, write_transaction():
        services.issue_for_visit(visit, part.id, 1, other.van_location_id, actor=tech.user)
    assert error.value.code == "not_your_van" and qty(db, part, other.van) == 5 and ledger(db) == []


@pytest.mark.parametrize("value, code, words", [
    ("-2", "quantity_not_positive", "数量至少为 1"),
    ("0", "quantity_not_positive", "数量至少为 1"),
    ("1.5", "quantity_fractional", "1.5 不是整数"),
    ("two", "quantity_not_a_number", "请输入整数数量"),
])
def test_negative_and_fractional_quantities_are_refused_with_a_clear_message(db, store, value, code, words):
    tech, warehouse, part = store
    with pytest.raises(DomainError) as error:
        services.request_parts(tech.user, part.id, warehouse.id, value)
    assert error.value.code == code and words in str(error.value.message)
    assert db.session.scalars(select(Requisition)).all() == []


def test_the_database_refuses_negative_stock_even_without_the_services(db, store):
    _tech, warehouse, part = store
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE stock_level SET qty = -1 WHERE location_id = :l"), {"l": warehouse.id})
        db.session.flush()
    db.session.rollback()
    assert qty(db, part, warehouse) == 10


def test_the_database_refuses_a_requisition_on_a_movement_that_is_not_a_transfer(db, store):
    tech, warehouse, part = store
    requisition = services.request_parts(tech.user, part.id, warehouse.id, 1)
    db.session.add(StockMovement(kind="receipt", part_id=part.id, qty=1, to_location_id=warehouse.id,
                                 requisition_id=requisition.id))
    with pytest.raises(IntegrityError) as error:
        db.session.flush()
    assert "requisition_only_on_a_transfer" in str(error.value.orig)
    db.session.rollback()
    assert ledger(db) == []


def test_the_database_refuses_a_second_transfer_for_one_requisition(db, store):
    tech, warehouse, part = store
    requisition = services.request_parts(tech.user, part.id, warehouse.id, 1)
    services.approve_requisition(factories.user(role="manager"), requisition.id)
    db.session.add(StockMovement(kind="transfer", part_id=part.id, qty=1, from_location_id=warehouse.id,
                                 to_location_id=tech.van_location_id, requisition_id=requisition.id))
    with pytest.raises(IntegrityError) as error:
        db.session.flush()
    assert "requisition_id" in str(error.value.orig)
    db.session.rollback()
    assert len(ledger(db)) == 1
