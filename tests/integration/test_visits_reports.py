"""Signed reports never change: corrections are revisions; a PDF can be checked against what was stored."""
import subprocess

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from fieldservice.errors import Conflict, DomainError, NotFound
from fieldservice.models import ReportLine, ServiceReport
from fieldservice.visits import services
from tests import factories
from tests import factories_visits as fv


@pytest.fixture()
def signed(app, db):
    w = fv.workshop()
    with app.test_request_context():
        report_id = services.complete_visit(w.tech.user, w.visit.id, fv.completion(w), "k").body["report_id"]
        w.report = db.session.get(ServiceReport, report_id)
        yield w


def test_a_signed_report_cannot_be_changed(db, signed):
    signed.report.diagnosis = "改过的诊断"
    with pytest.raises(Conflict) as error:
        db.session.commit()
    assert error.value.code == "report_signed"
    db.session.rollback()
    assert db.session.get(ServiceReport, signed.report.id).diagnosis != "改过的诊断"


def test_a_signed_report_cannot_be_deleted(db, signed):
    db.session.delete(signed.report)
    with pytest.raises(Conflict):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(ServiceReport, signed.report.id) is not None


def test_the_lines_of_a_signed_report_cannot_be_changed(db, signed):
    line = signed.report.lines[0]
    line.net = 0
    with pytest.raises(Conflict):
        db.session.commit()
    db.session.rollback()


def test_the_database_itself_refuses_to_change_a_signed_report(db, signed):
    with pytest.raises(DBAPIError) as error:
        db.session.execute(text("UPDATE service_report SET total_due = 0 WHERE id = :id"), {"id": signed.report.id})
    assert "signed service reports cannot be changed" in str(error.value)
    db.session.rollback()


def test_the_pdf_download_is_the_stored_bytes(db, signed):
    assert services.report_by_pdf(signed.report.pdf).id == signed.report.id


def test_a_changed_pdf_matches_no_report(db, signed):
    tampered = signed.report.pdf.replace(b"/Producer", b"/Produced")
    assert tampered != signed.report.pdf and services.report_by_pdf(tampered) is None


def test_a_report_is_found_by_request_number_and_verification_code(db, signed):
    code = signed.report.verification_code
    assert services.report_by_code(signed.request.number.lower(), code.lower().replace("-", " ")).id == \
        signed.report.id
    assert services.report_by_code("SR-20990101-0001", code) is None
    assert services.report_by_code(signed.request.number, "2222-2222") is None


def test_a_correction_is_a_new_revision_referencing_the_old_one(app, db, signed):
    manager = factories.user(role="manager")
    old_pdf, old_sha = signed.report.pdf, signed.report.pdf_sha256
    with app.test_request_context():
        new = services.correct_report(manager, signed.report.id, fault_code_id=signed.fault.id,
                                      diagnosis="电源板 PFC 电容失效", resolution="更换电源板", note="诊断描述更正")
    db.session.expire_all()
    old = db.session.get(ServiceReport, signed.report.id)
    assert (new.revision, new.supersedes_id) == (2, old.id)
    assert old.pdf == old_pdf and old.pdf_sha256 == old_sha and old.diagnosis != new.diagnosis
    assert new.pdf_sha256 != old_sha and new.verification_code != old.verification_code
    assert new.signer_name == old.signer_name and new.signed_at == old.signed_at and new.is_signed
    assert len(new.lines) == len(old.lines)
    text_ = subprocess.run(["pdftotext", "-", "-"], input=new.pdf, capture_output=True, check=True).stdout.decode()
    assert old_sha[:20] in text_.replace("\n", "") and "电源板 PFC 电容失效" in text_
    assert services.superseding(old).id == new.id
    assert services.latest_report(new.appointment).id == new.id


def test_only_the_newest_revision_can_be_corrected(app, db, signed):
    manager = factories.user(role="manager")
    with app.test_request_context():
        services.correct_report(manager, signed.report.id, fault_code_id=None, diagnosis="a", resolution="b", note="c")
        with pytest.raises(Conflict) as error:
            services.correct_report(manager, signed.report.id, fault_code_id=None, diagnosis="a", resolution="b",
                                    note="again")
    assert error.value.code == "report_superseded"


def test_a_correction_needs_a_reason(app, db, signed):
    with app.test_request_context(), pytest.raises(DomainError) as error:
        services.correct_report(factories.user(role="manager"), signed.report.id, fault_code_id=None,
                                diagnosis="a", resolution="b", note=" ")
    assert error.value.code == "missing_field"


def test_a_technician_cannot_correct_a_report(app, db, signed):
    with app.test_request_context(), pytest.raises(NotFound):
        services.correct_report(signed.tech.user, signed.report.id, fault_code_id=None, diagnosis="a",
                                resolution="b", note="c")
    assert len(db.session.scalars(select(ServiceReport)).all()) == 1
    assert db.session.scalar(select(ReportLine).limit(1)) is not None
