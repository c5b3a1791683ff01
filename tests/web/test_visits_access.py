"""Only the assigned technician (or a manager) sees or changes a visit: every other id answers 404."""
import base64
from datetime import datetime, time

import pytest

from fieldservice.auth.services import issue_api_token
from fieldservice.i18n import local_today, service_tz
from fieldservice.models import Appointment, ServiceReport, VisitPhoto
from fieldservice.visits import services
from tests import factories
from tests import factories_visits as fv


@pytest.fixture()
def others_visit(app, db):
    """Another technician's visit, completed, with a report and a photo."""
    w = fv.workshop()
    with app.test_request_context():
        body = services.complete_visit(w.tech.user, w.visit.id, fv.completion(
            w, exclusions=("misuse",), exclusion_note="进水", photos=(fv.photo_jpeg(),)), "k").body
    w.report_id = body["report_id"]
    w.photo_id = db.session.query(VisitPhoto.id).scalar()
    return w


def routes(w):
    visit = w.visit.id
    return [
        ("get", f"/visits/{visit}", {}),
        ("get", f"/visits/{visit}/complete", {}),
        ("post", f"/visits/{visit}/complete", {"data": fv.completion_form(w)}),
        ("post", f"/visits/{visit}/travel", {}),
        ("post", f"/visits/{visit}/arrive", {"data": {"lat": "31.2", "lon": "121.5"}}),
        ("post", f"/visits/{visit}/fees", {"data": {"parts-0-part": str(w.part.id), "parts-0-qty": "1"}}),
        ("get", f"/visits/{visit}/report.pdf", {}),
        ("get", f"/visits/{visit}/report.pdf?revision=1", {}),
        ("get", f"/visits/{visit}/photos/{w.photo_id}", {}),
    ]


def test_a_technician_gets_404_for_every_page_and_action_of_another_technicians_visit(technician_client, db,
                                                                                       others_visit):
    for method, url, kwargs in routes(others_visit):
        response = getattr(technician_client, method)(url, **kwargs)
        assert response.status_code == 404, (method, url, response.status_code)
    db.session.expire_all()
    assert db.session.get(Appointment, others_visit.visit.id).status == "done"
    assert db.session.query(ServiceReport).count() == 1


def test_a_manager_sees_every_visit_and_its_report(manager_client, others_visit):
    assert manager_client.get(f"/visits/{others_visit.visit.id}").status_code == 200
    pdf = manager_client.get(f"/visits/{others_visit.visit.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    photo = manager_client.get(f"/visits/{others_visit.visit.id}/photos/{others_visit.photo_id}")
    assert photo.status_code == 200
    # A signed report and a customer's photo are not kept in a shared tablet's browser cache.
    assert pdf.headers["Cache-Control"] == photo.headers["Cache-Control"] == "no-store"
    assert "no-store" not in manager_client.get("/static/css/app.css").headers.get("Cache-Control", "")


def test_the_assigned_technician_sees_their_visit_report_and_photo(app, db, others_visit):
    client = app.test_client()
    client.post("/login", data={"username": others_visit.tech.user.username, "password": "secret-pass"})
    for url in (f"/visits/{others_visit.visit.id}", f"/visits/{others_visit.visit.id}/report.pdf",
                f"/visits/{others_visit.visit.id}/photos/{others_visit.photo_id}"):
        assert client.get(url).status_code == 200, url


def test_a_visit_that_does_not_exist_is_404(technician_client):
    assert technician_client.get("/visits/999999").status_code == 404
    assert technician_client.get("/visits/999999/report.pdf").status_code == 404


def test_the_route_lists_only_the_technicians_own_visits(app, technician_client, db, others_visit):
    # Today at 10:00 local: the factory's default (the next hour) is tomorrow when run after 23:00 local.
    with app.app_context():
        ten_today = datetime.combine(local_today(), time(10), tzinfo=service_tz())
    mine = fv.visit(technician_client.technician, status="booked", start=ten_today)
    page = technician_client.get("/visits/").get_data(as_text=True)
    assert mine.request.number in page and others_visit.request.number not in page


def test_a_technician_cannot_correct_reports(technician_client, others_visit):
    response = technician_client.post(f"/visits/reports/{others_visit.report_id}/correct",
                                      data={"diagnosis": "x", "resolution": "y", "note": "z"})
    assert response.status_code == 403


def test_the_correction_of_an_unknown_report_is_404(manager_client):
    assert manager_client.post("/visits/reports/999999/correct", data={}).status_code == 404


def test_other_roles_cannot_open_visit_pages(agent_client, others_visit):
    assert agent_client.get("/visits/").status_code == 403
    assert agent_client.get(f"/visits/{others_visit.visit.id}").status_code == 403


def test_the_api_answers_404_for_another_technicians_visit_and_report(client, db, others_visit):
    intruder = factories.technician()
    headers = {"Authorization": f"Bearer {issue_api_token(intruder.user.username)}", "Idempotency-Key": "x"}
    completion = {"serial_found": "X", "diagnosis": "d", "resolution": "r", "verdict": "satisfied",
                  "signer_name": "A", "signature_png": base64.b64encode(fv.signature_png()).decode()}
    response = client.post(f"/api/v1/visits/{others_visit.visit.id}/complete", json=completion, headers=headers)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "unknown_visit"
    response = client.get(f"/api/v1/reports/{others_visit.report_id}/pdf", headers=headers)
    assert response.status_code == 404 and "error" in response.get_json()
    listed = client.get("/api/v1/me/visits", headers=headers).get_json()["visits"]
    assert listed == []
