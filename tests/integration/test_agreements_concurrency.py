import threading
from datetime import date

from sqlalchemy import func, select

from fieldservice.agreements import services
from fieldservice.extensions import db as _db
from fieldservice.models import FollowUp, PlannedVisit, ServiceRequest
from tests import factories, factories_aftercare


def test_two_plan_runs_at_the_same_moment_create_everything_once(app, db):
    customer = factories.customer(customer_type="contract")
    units = [factories.unit(owner=customer), factories.unit(owner=customer)]
    factories_aftercare.agreement(customer=customer, units=units, status="active", activated_on=date(2026, 1, 1),
                                  monthly_callback=True, quarterly_maintenance=True, yearly_servicing=True)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            with app.app_context():
                barrier.wait()
                services.generate_plans(date(2026, 2, 1))
                _db.session.remove()
        except Exception as error:  # reported below; a thread's exception would otherwise vanish
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    db.session.rollback()
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert count(PlannedVisit) == 12 + 4 * 2 + 2
    assert count(FollowUp) == 2  # 31 January and 28 February
    assert count(ServiceRequest) == 2  # mid-February maintenance of each unit
