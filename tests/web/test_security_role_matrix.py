"""Every state-changing route refuses the roles it is not for, before it looks at what it was sent.

The ids name nothing: a role check that comes after the lookup would answer 404 (or worse, act).
Technicians' visit routes answer 404 for what is not theirs (visits.access); the other roles get 403.
"""
import pytest

from fieldservice.audit.models import AuditEvent
from fieldservice.auth.services import issue_api_token
from tests import factories

ROLES = ("agent", "technician", "manager", "admin")
A, T, M, AD = "agent", "technician", "manager", "admin"
OFFICE, CALL_CENTRE, BOOKERS, STAFF = {A, M}, {A, M, AD}, {A, M}, {T, M}

POSTS = [
    ("/admin/users/new", {AD}), ("/admin/users/9999", {AD}), ("/admin/users/9999/password", {AD}),
    ("/admin/users/9999/tokens", {AD}), ("/admin/users/9999/tokens/9999/revoke", {AD}),
    ("/admin/technicians/new", {AD}), ("/admin/technicians/9999", {AD}), ("/admin/settings", {AD}),
    ("/admin/catalog/parts/new", {AD}), ("/admin/catalog/parts/9999", {AD}),
    ("/customers/import", {AD}), ("/customers/new", CALL_CENTRE), ("/customers/9999/units", CALL_CENTRE),
    ("/customers/9999/phone", CALL_CENTRE), ("/requests/new", CALL_CENTRE), ("/requests/SR-X/notes", CALL_CENTRE),
    ("/requests/9999/book", BOOKERS), ("/requests/9999/forward", BOOKERS),
    ("/appointments/9999/cancel", BOOKERS), ("/appointments/9999/reschedule", BOOKERS),
    ("/appointments/9999/reassign", {M}), ("/dispatch/plan", {M}), ("/dispatch/plan/9999/apply", {M}),
    ("/visits/9999/travel", STAFF), ("/visits/9999/arrive", STAFF), ("/visits/9999/complete", STAFF),
    ("/visits/9999/fees", STAFF), ("/visits/reports/9999/correct", {M}),
    ("/parts/requisitions", {T}), ("/parts/returns", {T}), ("/parts/receipts", {M}),
    ("/parts/requisitions/9999/approve", {M}), ("/parts/requisitions/9999/reject", {M}),
    ("/reports/warranty-expiry/offers", {M}),
    ("/followups/9999", OFFICE), ("/followups/9999/phone", OFFICE), ("/followups/9999/assign", OFFICE),
    ("/followups/9999/repair-request", OFFICE),
    ("/complaints/new", OFFICE), ("/complaints/9999/owner", OFFICE), ("/complaints/9999/notes", OFFICE),
    ("/complaints/9999/reply", OFFICE), ("/complaints/9999/resolve", OFFICE), ("/complaints/9999/confirm", OFFICE),
    ("/complaints/9999/dismiss", OFFICE),
    ("/agreements/new", OFFICE), ("/agreements/9999/edit", OFFICE), ("/agreements/9999/activate", OFFICE),
    ("/agreements/9999/cancel", OFFICE), ("/agreements/9999/renewal-call", OFFICE),
    ("/agreements/plan/9999/replan", OFFICE),
]

API_POSTS = [
    ("/api/v1/requests", {A, M, AD}), ("/api/v1/requests/SR-X/appointments", {A, M}),
    ("/api/v1/complaints", {A, M}), ("/api/v1/followups/9999/outcome", {A, M}),
    ("/api/v1/visits/9999/complete", {T, M}),
]
API_GETS = [
    ("/api/v1/requests/SR-X", {A, M, AD}), ("/api/v1/requests/SR-X/suggestions", {A, M}),
    ("/api/v1/followups", {A, M}), ("/api/v1/me/visits", {T}), ("/api/v1/reports/9999/pdf", {T, M}),
]


@pytest.fixture()
def users(db):
    return {role: factories.technician().user if role == T else factories.user(role=role) for role in ROLES}


@pytest.fixture()
def clients(app, users):
    from tests.conftest import login
    return {role: login(app.test_client(), user.username) for role, user in users.items()}


def test_the_matrix_names_every_state_changing_page(app):
    covered = {url for url, _roles in POSTS}
    posts = {rule.endpoint for rule in app.url_map.iter_rules()
             if "POST" in rule.methods and not rule.rule.startswith("/api/")}
    with app.test_request_context():
        matched = {app.url_map.bind("localhost").match(url, method="POST")[0] for url in covered}
    # Open to every signed-in user (or to everybody) by design: logging in and out, language, checks.
    assert posts - matched == {"auth.login", "auth.logout", "auth.language", "visits.verify_report",
                               "warranty.check"}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_refused_every_post_outside_its_work_and_nothing_is_recorded(clients, db, role):
    before = db.session.query(AuditEvent).count()
    wrong = []
    for url, roles in POSTS:
        if role in roles:
            continue
        status = clients[role].post(url, data={"reason": "x", "text": "x"}).status_code
        if status != 403:
            wrong.append((url, status))
    assert not wrong, wrong
    assert db.session.query(AuditEvent).count() == before


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_refused_every_api_endpoint_outside_its_work_with_403(client, users, role):
    headers = {"Authorization": f"Bearer {issue_api_token(users[role].username)}", "Idempotency-Key": "k1"}
    wrong = []
    for method, endpoints in (("post", API_POSTS), ("get", API_GETS)):
        for url, roles in endpoints:
            if role in roles:
                continue
            response = getattr(client, method)(url, json={}, headers=headers) if method == "post" \
                else client.get(url, headers=headers)
            if response.status_code != 403 or response.get_json()["error"]["code"] != "forbidden":
                wrong.append((method, url, response.status_code))
    assert not wrong, wrong
