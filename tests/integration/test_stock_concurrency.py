"""Stock under concurrent writers: twenty tablets issuing the last five units at once let exactly five
through; two managers approving one requisition at once move its parts once."""
import threading

from sqlalchemy import func, select

from fieldservice.database import write_transaction
from fieldservice.errors import DomainError
from fieldservice.models import Appointment, StockLevel, StockMovement
from fieldservice.parts import services
from tests import factories
from tests import factories_visits as fv


def test_twenty_concurrent_issues_of_the_last_five_units_let_exactly_five_through(app, db):
    tech = factories.technician()
    part = factories.part()
    factories.stock(part, tech.van, 5)
    visit_ids = [fv.visit(tech).id for _ in range(20)]
    session = app.extensions["sqlalchemy"].session
    outcomes, barrier = [], threading.Barrier(20)

    def issue(visit_id):
        with app.app_context():
            try:
                barrier.wait()
                with write_transaction():
                    visit = session.get(Appointment, visit_id)
                    services.issue_for_visit(visit, part.id, 1, tech.van_location_id)
                outcomes.append("issued")
            except DomainError as error:
                outcomes.append(error.code)
            finally:
                session.remove()

    threads = [threading.Thread(target=issue, args=(visit_id,)) for visit_id in visit_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.rollback()
    assert sorted(outcomes) == ["issued"] * 5 + ["not_enough_stock"] * 15
    assert db.session.get(StockLevel, (part.id, tech.van_location_id)).qty == 0
    assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 5


def test_two_managers_approving_one_requisition_at_once_move_its_parts_once(app, db):
    tech = factories.technician()
    warehouse = factories.stock_location(code="WH1", name="中心仓", kind="warehouse")
    part = factories.part()
    factories.stock(part, warehouse, 10)
    requisition_id = services.request_parts(tech.user, part.id, warehouse.id, 3).id
    managers = [factories.user(role="manager") for _ in range(2)]
    session = app.extensions["sqlalchemy"].session
    outcomes, barrier = [], threading.Barrier(2)

    def approve(manager):
        with app.app_context():
            try:
                barrier.wait()
                services.approve_requisition(manager, requisition_id)
                outcomes.append("approved")
            except DomainError as error:
                outcomes.append(error.code)
            finally:
                session.remove()

    threads = [threading.Thread(target=approve, args=(manager,)) for manager in managers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.rollback()
    assert sorted(outcomes) == ["approved", "requisition_decided"]
    assert db.session.scalars(select(StockMovement.requisition_id)).all() == [requisition_id]
    assert db.session.get(StockLevel, (part.id, tech.van_location_id)).qty == 3
