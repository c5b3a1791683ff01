from datetime import timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)
from sqlalchemy import func, select

from fieldservice.auth.services import issue_api_token
from fieldservice.models import Appointment
from fieldservice.scheduling import services
from tests import factories
from tests.factories_dispatch import at, local_day, request_at, technician


@pytest.fixture()
def api(client, db):
    """The test client with an agent's bearer token on every call."""
    token = issue_api_token(factories.user(role="agent", username="telephony").username)

    class Api:
        def get(self, path, **kw):
            return client.get(path, headers={"Authorization": f"Bearer {token}", **kw.pop("headers", {})}, **kw)

        def post(self, path, body, **kw):
            return client.post(path, json=body, headers={"Authorization": f"Bearer {token}",
                                                         **kw.pop("headers", {})}, **kw)

    return Api()


def test_suggestions_list_the_best_technicians_with_their_window_and_reason(api, db):
    technician("王师傅", phone="13911112222")
    request = request_at()
    response = api.get(f"/api/v1/requests/{request.number}/suggestions?limit=5", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    [best] = response.get_json()["suggestions"]
    assert best["name"] == "王师傅" and best["phone"] == "13911112222" and best["meets_promise"] is True
    assert best["distance_km"] > 0 and best["travel_minutes"] > 0 and "km from" in best["reason"]
    assert best["window_start"].endswith("+00:00") and best["window_end"] > best["window_start"]


def test_booking_a_suggested_window_answers_201_with_the_technician_and_the_confirmation(api, db):
    tech = technician("王师傅", phone="13911112222")
    request = request_at()
    response = api.post(f"/api/v1/requests/{request.number.lower()}/appointments",
                        {"technician_id": tech.id, "window_start": at(1, 10).isoformat()})
    assert response.status_code == 201
    body = response.get_json()
    assert body["technician"] == {"id": tech.id, "name": "王师傅", "phone": "13911112222"}
    assert body["window_start"] == at(1, 10).isoformat() and body["window_end"] == at(1, 12).isoformat()
    assert request.number in body["confirmation"] and "王师傅" in body["confirmation"]
    assert isinstance(body["appointment_id"], int)


def test_a_taken_window_answers_409_slot_taken(api, db):
    tech = technician()
    services.book_appointment(request_at().id, tech.id, at(1, 10))
    response = api.post(f"/api/v1/requests/{request_at().number}/appointments",
                        {"technician_id": tech.id, "window_start": at(1, 10).isoformat()})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "slot_taken"


def test_a_window_after_the_promise_without_a_reason_answers_422(api, db):
    tech = technician()
    request = request_at(due=at(1, 9))
    body = {"technician_id": tech.id, "window_start": at(1, 10).isoformat()}
    response = api.post(f"/api/v1/requests/{request.number}/appointments", body)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "after_promise_needs_reason"
    response = api.post(f"/api/v1/requests/{request.number}/appointments", {**body, "reason": "客户要求"})
    assert response.status_code == 201 and response.get_json()["after_promise"] is True


def test_a_time_off_the_window_grid_is_named_with_its_zone_in_the_answer(api, db):
    tech = technician()
    request = request_at()
    off_grid = at(1, 8, 17).astimezone(timezone.utc)
    response = api.post(f"/api/v1/requests/{request.number}/appointments",
                        {"technician_id": tech.id, "window_start": off_grid.isoformat().replace("+00:00", "Z")},
                        headers={"Accept-Language": "en"})
    error = response.get_json()["error"]
    assert response.status_code == 422 and error["code"] == "not_a_window"
    assert f"{local_day(1).isoformat()} 08:17 +08:00 is not the start" in error["message"]


def test_a_retried_booking_with_the_same_idempotency_key_books_once_and_replays_the_answer(api, db):
    tech = technician()
    request = request_at()
    body = {"technician_id": tech.id, "window_start": at(1, 10).isoformat()}
    first = api.post(f"/api/v1/requests/{request.number}/appointments", body, headers={"Idempotency-Key": "call-1"})
    again = api.post(f"/api/v1/requests/{request.number}/appointments", body, headers={"Idempotency-Key": "call-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 1


@pytest.mark.parametrize("body, code", [
    ({"window_start": "2026-11-23T10:00:00+08:00"}, "invalid_technician_id"),
    ({"technician_id": True, "window_start": "2026-11-23T10:00:00+08:00"}, "invalid_technician_id"),
    ({"technician_id": 2**40, "window_start": "2026-11-23T10:00:00+08:00"}, "invalid_technician_id"),
    ({"technician_id": 1, "window_start": "2026-11-23T10:00:00"}, "invalid_window_start"),
    ({"technician_id": 1, "window_start": "tomorrow"}, "invalid_window_start"),
    ({"technician_id": 1, "window_start": "0001-01-01T00:00:00+01:00"}, "invalid_window"),
    ({"technician_id": 1, "window_start": "9999-12-31T00:00:00+00:00"}, "window_too_far"),
    ({"technician_id": 1, "window_start": "2026-11-23T10:00:00+08:00", "reason": 5}, "invalid_reason"),
])
def test_bad_booking_input_gets_a_clear_422_and_books_nothing(api, db, body, code):
    technician()
    response = api.post(f"/api/v1/requests/{request_at().number}/appointments", body)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == code
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 0


def test_unknown_requests_bad_limits_and_other_roles_are_refused(api, client, db):
    assert api.get("/api/v1/requests/SR-00000000-0000/suggestions").status_code == 404
    assert api.get("/api/v1/requests/SR%00X/suggestions").status_code == 404
    number = request_at().number
    for limit in ("0", "21", "abc"):
        response = api.get(f"/api/v1/requests/{number}/suggestions?limit={limit}")
        assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid_limit"
    tech_token = issue_api_token(technician().user.username)
    response = client.get(f"/api/v1/requests/{number}/suggestions", headers={"Authorization": f"Bearer {tech_token}"})
    assert response.status_code == 403


def test_both_endpoints_are_in_the_openapi_document(client, db):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "get" in doc["paths"]["/requests/{number}/suggestions"]
    post = doc["paths"]["/requests/{number}/appointments"]["post"]
    assert {"201", "409", "422"} <= set(post["responses"])
    assert {"Suggestion", "NewAppointment", "Appointment"} <= set(doc["components"]["schemas"])


MY_OPERATIONS = {("GET", "/requests/{number}/suggestions"), ("POST", "/requests/{number}/appointments")}


@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE])
def test_the_booking_api_never_fails_and_keeps_to_its_schema_under_generated_calls(live_server, db, mode):
    technician()
    request_at()
    headers = {"Authorization": f"Bearer {issue_api_token(factories.user(role='agent').username)}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    operations = [op for op in (r.ok() for r in schema.get_all_operations())
                  if (op.method.upper(), op.path) in MY_OPERATIONS]
    assert len(operations) == 2
    for operation in operations:
        @settings(max_examples=20, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case):
            case.headers = {**(case.headers or {}), **headers}
            case.validate_response(case.call(base_url=f"{live_server.url}/api/v1"), checks=[
                not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance])

        call()
