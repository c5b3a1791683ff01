import threading

import pytest

from fieldservice.api.idempotency import run_idempotent
from fieldservice.audit.models import AuditEvent
from fieldservice.audit.services import record
from fieldservice.errors import DomainError
from tests import factories


def _count(db):
    return db.session.query(AuditEvent).filter_by(action="demo_write").count()


def _write():
    record("demo_write", object_type="demo", object_id=1)
    return 201, {"ok": True}


def test_a_repeated_key_replays_the_first_answer_and_writes_once(db):
    user = factories.user()
    first = run_idempotent(user.id, "k1", "demo", {"a": 1}, _write)
    second = run_idempotent(user.id, "k1", "demo", {"a": 1}, _write)
    assert (first.status, first.body, first.replayed) == (201, {"ok": True}, False)
    assert second.replayed and second.body == {"ok": True}
    assert _count(db) == 1


def test_the_same_key_with_another_payload_is_refused(db):
    user = factories.user()
    run_idempotent(user.id, "k2", "demo", {"a": 1}, _write)
    with pytest.raises(DomainError) as error:
        run_idempotent(user.id, "k2", "demo", {"a": 2}, _write)
    assert error.value.code == "idempotency_key_reused"


def test_a_failed_action_leaves_no_record_so_a_retry_runs_again(db):
    user = factories.user()

    def failing():
        record("demo_write", object_type="demo", object_id=1)
        raise DomainError("nope", "nope")

    with pytest.raises(DomainError):
        run_idempotent(user.id, "k3", "demo", {}, failing)
    assert _count(db) == 0
    assert not run_idempotent(user.id, "k3", "demo", {}, _write).replayed


def test_concurrent_duplicates_write_once(app, db):
    user_id = factories.user().id
    results = []

    def submit():
        with app.app_context():
            results.append(run_idempotent(user_id, "k4", "demo", {"x": 1}, _write).replayed)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] + [True] * 7
    db.session.rollback()  # end the test's read snapshot to see the threads' commits
    assert _count(db) == 1
