from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from fieldservice.auth.services import issue_api_token
from fieldservice.models import Complaint, FollowUp
from tests import factories, factories_aftercare

FINISHED = datetime(2026, 11, 22, 17, 0, tzinfo=timezone.utc)  # local day 23 November: callback due the 26th


@pytest.fixture()
def api(client, db):
    user = factories_aftercare.user(role="agent", username="telephony")
    headers = {"Authorization": f"Bearer {issue_api_token('telephony')}"}

    class Api:
        def get(self, url, **kw):
            return client.get(url, headers=headers, **kw)

        def post(self, url, json, key=None):
            return client.post(url, json=json, headers={**headers, **({"Idempotency-Key": key} if key else {})})

    api = Api()
    api.user = user
    return api


def test_the_call_list_for_a_day_includes_what_is_due_by_then(api, db):
    factories_aftercare.completed_visit(owner=api.user, finished_at=FINISHED)
    assert api.get("/api/v1/followups?due=2026-11-25").get_json()["follow_ups"] == []
    body = api.get("/api/v1/followups?due=2026-11-27").get_json()
    [row] = body["follow_ups"]
    assert (row["kind"], row["due_date"], row["status"]) == ("service_callback", "2026-11-26", "pending")
    assert "****" in row["customer"]["phone_masked"] and "更换压缩机电容" in row["what_was_done"]


def test_a_bad_date_is_a_clear_422(api):
    response = api.get("/api/v1/followups?due=26-11-2026")
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid_date"


def test_recording_an_outcome_is_idempotent_per_key(api, db):
    factories_aftercare.completed_visit(owner=api.user, finished_at=FINISHED)
    follow_up = db.session.scalar(select(FollowUp))
    first = api.post(f"/api/v1/followups/{follow_up.id}/outcome", {"reached": False}, key="call-1")
    again = api.post(f"/api/v1/followups/{follow_up.id}/outcome", {"reached": False}, key="call-1")
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    db.session.refresh(follow_up)
    assert follow_up.attempts == 1


def test_a_low_score_over_the_api_returns_the_complaint_draft(api, db):
    factories_aftercare.completed_visit(owner=api.user, finished_at=FINISHED)
    follow_up = db.session.scalar(select(FollowUp))
    body = api.post(f"/api/v1/followups/{follow_up.id}/outcome",
                    {"reached": True, "satisfaction": 2, "solved": False, "comment": "还是不制冷"}).get_json()
    assert body["status"] == "done" and body["offer_new_request"] is True
    assert db.session.get(Complaint, body["complaint_draft_id"]).status == "draft"


@pytest.mark.parametrize("payload", [{}, {"reached": "yes"}, {"reached": True, "satisfaction": "5"},
                                     {"reached": True}, {"reached": True, "satisfaction": 9}])
def test_bad_outcomes_are_refused_and_change_nothing(api, db, payload):
    factories_aftercare.completed_visit(owner=api.user, finished_at=FINISHED)
    follow_up = db.session.scalar(select(FollowUp))
    response = api.post(f"/api/v1/followups/{follow_up.id}/outcome", payload)
    assert response.status_code == 422
    db.session.refresh(follow_up)
    assert follow_up.attempts == 0 and follow_up.status == "pending"


def test_an_outcome_for_an_unknown_call_is_404(api):
    assert api.post("/api/v1/followups/999/outcome", {"reached": False}).status_code == 404


def test_a_complaint_posted_twice_with_one_key_is_logged_once(api, db):
    request = factories.service_request()
    payload = {"request_id": request.id, "channel": "wechat", "category": "fees", "severity": "major",
               "description": "收费与报价不符"}
    first = api.post("/api/v1/complaints", payload, key="wx-123")
    again = api.post("/api/v1/complaints", payload, key="wx-123")
    assert first.status_code == again.status_code == 201
    body = first.get_json()
    assert body == again.get_json()
    assert body["customer_id"] == request.customer_id and body["severity"] == "major"
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1


def test_a_complaint_names_its_request_by_the_number_the_api_gave(api, db):
    request = factories.service_request()
    body = {"request_number": request.number.lower(), "channel": "wechat", "category": "attitude",
            "description": "技术员态度不好"}
    response = api.post("/api/v1/complaints", body)
    assert response.status_code == 201
    assert response.get_json()["request_number"] == request.number
    assert response.get_json()["customer_id"] == request.customer_id
    unknown = api.post("/api/v1/complaints", body | {"request_number": "SR-20200101-0001"})
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "unknown_request"
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1


@pytest.mark.parametrize("payload", [{"channel": "phone", "category": "fees", "description": "x"},
                                     {"customer_id": "1", "channel": "phone", "category": "fees", "description": "x"},
                                     {"customer_id": 1, "channel": "fax", "category": "fees", "description": "x"},
                                     {"customer_id": 1, "channel": "phone", "category": "fees"}])
def test_bad_complaints_are_refused(api, db, payload):
    factories.customer()
    response = api.post("/api/v1/complaints", payload)
    assert response.status_code in (404, 422) and "error" in response.get_json()
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_technicians_may_not_use_the_aftercare_api(client, db):
    tech = factories_aftercare.technician()
    token = issue_api_token(tech.user.username)
    response = client.get("/api/v1/followups", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


def test_the_openapi_document_describes_the_aftercare_endpoints(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert {"/followups", "/followups/{follow_up_id}/outcome", "/complaints"} <= set(doc["paths"])
    assert {"FollowUp", "CallOutcome", "NewComplaint", "Complaint"} <= set(doc["components"]["schemas"])
