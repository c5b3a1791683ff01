"""A double tap, a retry after a lost response, two tablets at once: one report, one stock issue."""
import threading

import pytest
from sqlalchemy import func, select

from fieldservice.auth.models import User
from fieldservice.errors import DomainError
from fieldservice.models import ServiceReport, StockLevel, StockMovement
from fieldservice.visits import services
from tests import factories_visits as fv


def counts(db, w):
    db.session.rollback()  # end this session's snapshot: see what the threads committed
    reports = db.session.scalar(select(func.count()).select_from(ServiceReport))
    issues = db.session.scalar(select(func.count()).select_from(StockMovement).where(StockMovement.kind == "issue"))
    qty = db.session.get(StockLevel, (w.part.id, w.tech.van_location_id)).qty
    return reports, issues, qty


def submit_in_threads(app, w, keys):
    completion, user_id, visit_id = fv.completion(w), w.tech.user.id, w.visit.id
    results, barrier = [], threading.Barrier(len(keys))

    def run(key):
        with app.test_request_context():
            user = app.extensions["sqlalchemy"].session.get(User, user_id)
            barrier.wait()
            try:
                outcome = services.complete_visit(user, visit_id, completion, key)
                results.append(("replayed" if outcome.replayed else "created", outcome.body["report_id"]))
            except DomainError as error:
                results.append((error.code, None))
            finally:
                app.extensions["sqlalchemy"].session.remove()

    threads = [threading.Thread(target=run, args=(key,)) for key in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_submissions_with_one_key_make_one_report_and_one_stock_issue(app, db):
    w = fv.workshop(van_qty=5)
    results = submit_in_threads(app, w, ["same-key"] * 8)
    assert sorted(kind for kind, _ in results) == ["created"] + ["replayed"] * 7
    assert len({report_id for _, report_id in results}) == 1
    assert counts(db, w) == (1, 1, 4)


def test_concurrent_submissions_with_different_keys_still_sign_once(app, db):
    w = fv.workshop(van_qty=5)
    results = submit_in_threads(app, w, [f"tablet-{n}" for n in range(6)])
    assert sorted(kind for kind, _ in results) == ["created"] + ["visit_already_completed"] * 5
    assert counts(db, w) == (1, 1, 4)


def test_a_delayed_replay_returns_the_first_answer_and_writes_nothing(app, db):
    w = fv.workshop(van_qty=5)
    with app.test_request_context():
        first = services.complete_visit(w.tech.user, w.visit.id, fv.completion(w), "k")
    db.session.commit()
    with app.test_request_context():
        # The tablet retries later, its form and signature rebuilt from local storage.
        again = services.complete_visit(w.tech.user, w.visit.id,
                                        fv.completion(w, diagnosis="重新输入", signature_png=fv.signature_png((500, 150))),
                                        "k")
    assert not first.replayed and again.replayed and again.body == first.body
    assert counts(db, w) == (1, 1, 4)


def test_the_same_key_with_other_parts_is_refused(app, db):
    w = fv.workshop(van_qty=5)
    with app.test_request_context():
        services.complete_visit(w.tech.user, w.visit.id, fv.completion(w), "k")
        with pytest.raises(DomainError) as error:
            services.complete_visit(w.tech.user, w.visit.id, fv.completion(w, parts=()), "k")
    assert error.value.code == "idempotency_key_reused"
    assert counts(db, w) == (1, 1, 4)


def test_a_failed_submission_can_be_retried_with_the_same_key(app, db):
    w = fv.workshop(van_qty=5)
    with app.test_request_context():
        with pytest.raises(DomainError):
            services.complete_visit(w.tech.user, w.visit.id, fv.completion(w, signature_png=b"not a png"), "k")
        outcome = services.complete_visit(w.tech.user, w.visit.id, fv.completion(w), "k")
    assert outcome.status == 201 and not outcome.replayed
    assert counts(db, w) == (1, 1, 4)
