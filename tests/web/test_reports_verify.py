"""/reports/verify: does this PDF (or this number and code) match a stored signed report?"""
import io

import pytest

from fieldservice.visits import services
from tests import factories_visits as fv


@pytest.fixture()
def report(app, db):
    w = fv.workshop()
    with app.test_request_context():
        services.complete_visit(w.tech.user, w.visit.id, fv.completion(w), "k")
        return services.latest_report(w.visit)


def test_the_stored_pdf_is_recognised_as_genuine(agent_client, report):
    page = agent_client.post("/reports/verify", data={"pdf": (io.BytesIO(report.pdf), "report.pdf")}) \
        .get_data(as_text=True)
    assert "这是一份真实有效的服务报告。" in page and report.appointment.request.number in page
    assert report.pdf_sha256 in page


def test_a_changed_pdf_is_not_recognised(agent_client, report):
    tampered = report.pdf + b"\n% edited after signing\n"
    page = agent_client.post("/reports/verify", data={"pdf": (io.BytesIO(tampered), "report.pdf")}) \
        .get_data(as_text=True)
    assert 'data-testid="verify-failed"' in page


def test_the_request_number_and_code_find_the_report(technician_client, report):
    number = report.appointment.request.number
    page = technician_client.post("/reports/verify", data={"number": number.lower(),
                                                           "code": report.verification_code.lower()})
    assert 'data-testid="verified-number"' in page.get_data(as_text=True)
    wrong = technician_client.post("/reports/verify", data={"number": number, "code": "ZZZZ-ZZZZ"})
    assert 'data-testid="verify-failed"' in wrong.get_data(as_text=True)


def test_an_empty_check_asks_for_a_file_or_a_code(agent_client, report):
    page = agent_client.post("/reports/verify", data={}).get_data(as_text=True)
    assert "请上传报告 PDF，或输入服务单号和核验码。" in page


def test_the_verification_page_needs_a_login(client):
    response = client.get("/reports/verify")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
