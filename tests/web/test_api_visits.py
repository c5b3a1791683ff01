"""JSON API: the technician's day and the idempotent completion, as an app on the tablet would use them."""
import base64
import hashlib
import json
import threading
import urllib.request
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from fieldservice.auth.services import issue_api_token
from fieldservice.i18n import local_today, service_tz
from fieldservice.models import ServiceReport, StockLevel, StockMovement
from tests import factories
from tests import factories_visits as fv


def bearer(user, key: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {issue_api_token(user.username)}"}
    if key:
        headers["Idempotency-Key"] = key
    return headers


def body(w, **changes) -> dict:
    data = {
        "model_found": w.unit.model.code, "serial_found": w.unit.serial, "fault_code_id": w.fault.id,
        "diagnosis": "电源板 12V 无输出", "resolution": "更换电源板",
        "labour": [{"labour_item_id": w.labour.id, "qty": 1.5}], "parts": [{"part_id": w.part.id, "qty": 1}],
        "outcome": "fixed", "verdict": "satisfied", "customer_comment": "满意", "signer_name": "张伟",
        "signature_png": base64.b64encode(fv.signature_png()).decode(),
    }
    data.update(changes)
    return data


def test_the_technician_lists_their_visits_of_a_day_in_route_order(client, db):
    tech = factories.technician()
    tomorrow = local_today() + timedelta(days=1)
    late = fv.visit(tech, status="booked", start=datetime.combine(tomorrow, time(14), tzinfo=service_tz()))
    early = fv.visit(tech, status="booked", start=datetime.combine(tomorrow, time(9), tzinfo=service_tz()))
    fv.visit(factories.technician(), status="booked", start=datetime.combine(tomorrow, time(10), tzinfo=service_tz()))
    response = client.get(f"/api/v1/me/visits?date={tomorrow.isoformat()}", headers=bearer(tech.user))
    data = response.get_json()
    assert response.status_code == 200 and data["date"] == tomorrow.isoformat()
    assert [v["id"] for v in data["visits"]] == [early.id, late.id]
    first = data["visits"][0]
    assert first["request"]["number"] == early.request.number and first["warranty"]["status"] == "in_warranty"
    assert first["customer"]["phone"] and first["unit"]["serial"] == early.request.unit.serial
    assert first["leg_km"] is not None and first["report"] is None


def test_a_bad_date_is_a_clear_422(client, db):
    tech = factories.technician()
    response = client.get("/api/v1/me/visits?date=22/11/2026", headers=bearer(tech.user))
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid_date"


def test_only_technicians_have_a_day_of_visits(client, db):
    agent = factories.user(role="agent")
    assert client.get("/api/v1/me/visits", headers=bearer(agent)).status_code == 403


def test_completing_through_the_api_returns_the_report_and_a_retry_replays_it(client, db):
    w = fv.workshop()
    headers = bearer(w.tech.user, key="tablet-42")
    first = client.post(f"/api/v1/visits/{w.visit.id}/complete", json=body(w), headers=headers)
    again = client.post(f"/api/v1/visits/{w.visit.id}/complete", json=body(w), headers=headers)
    assert first.status_code == again.status_code == 201
    data = first.get_json()
    assert set(data) >= {"report_id", "pdf_url", "sha256"} and again.get_json() == data
    assert again.headers["Idempotent-Replayed"] == "true"
    pdf = client.get(data["pdf_url"], headers=headers)
    assert pdf.status_code == 200 and hashlib.sha256(pdf.data).hexdigest() == data["sha256"]
    assert db.session.scalar(select(func.count()).select_from(ServiceReport)) == 1
    assert db.session.get(StockLevel, (w.part.id, w.tech.van_location_id)).qty == 4


def test_concurrent_api_retries_issue_the_parts_once(app, db, live_server):
    w = fv.workshop()
    headers = {**bearer(w.tech.user, key="same"), "Content-Type": "application/json"}
    payload, url = json.dumps(body(w)).encode(), f"{live_server.url}/api/v1/visits/{w.visit.id}/complete"
    statuses = []

    def post():
        with urllib.request.urlopen(urllib.request.Request(url, payload, headers, method="POST"), timeout=30) as r:
            statuses.append(r.status)

    threads = [threading.Thread(target=post) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.rollback()
    assert statuses == [201] * 5
    assert db.session.scalar(select(func.count()).select_from(StockMovement)) == 1


def test_the_completion_needs_an_idempotency_key(client, db):
    w = fv.workshop()
    response = client.post(f"/api/v1/visits/{w.visit.id}/complete", json=body(w), headers=bearer(w.tech.user))
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "idempotency_key_required"


@pytest.mark.parametrize("changes, code", [
    ({"signature_png": base64.b64encode(b"<svg><script>alert(1)</script></svg>").decode()}, "image_not_png"),
    ({"signature_png": "%%% not base64 %%%"}, "invalid_field"),
    ({"parts": [{"part_id": 0, "qty": -1}]}, "quantity_not_positive"),
    ({"parts": [{"part_id": 0, "qty": 1.5}]}, "quantity_fractional"),
    ({"labour": [{"labour_item_id": 0, "qty": "x"}]}, "quantity_not_a_number"),
    ({"diagnosis": 42}, "invalid_field"),
    ({"outcome": "exploded"}, "invalid_outcome"),
])
def test_bad_completions_get_a_clear_error_and_change_nothing(client, db, changes, code):
    w = fv.workshop()
    response = client.post(f"/api/v1/visits/{w.visit.id}/complete", json=body(w, **changes),
                           headers=bearer(w.tech.user, key="k"))
    assert response.status_code == 422 and response.get_json()["error"]["code"] == code
    assert db.session.scalar(select(func.count()).select_from(ServiceReport)) == 0


def test_completing_a_cancelled_visit_through_the_api_is_a_conflict(client, db):
    w = fv.workshop(status="cancelled")
    response = client.post(f"/api/v1/visits/{w.visit.id}/complete", json=body(w), headers=bearer(w.tech.user, "k"))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "visit_cancelled"


def test_both_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/me/visits"] and "post" in paths["/visits/{id}/complete"]
    assert paths["/visits/{id}/complete"]["post"]["responses"]["201"]
