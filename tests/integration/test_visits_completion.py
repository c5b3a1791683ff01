import dataclasses
import io
import struct
import subprocess
import zlib
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import select

from fieldservice.agreements.models import ServiceAgreement
from fieldservice.audit.models import AuditEvent
from fieldservice.errors import DomainError, NotFound
from fieldservice.intake.services import set_request_status
from fieldservice.models import (Appointment, ServiceReport, ServiceRequest, StockLevel, StockMovement, VisitPhoto)
from fieldservice.signals import visit_completed
from fieldservice.visits import services
from tests import factories
from tests import factories_visits as fv


@pytest.fixture()
def ctx(app, db):
    with app.test_request_context():
        yield


def complete(w, key="k1", actor=None, **changes):
    return services.complete_visit(actor or w.tech.user, w.visit.id, fv.completion(w, **changes), key)


def van_qty(db, w) -> int:
    db.session.expire_all()
    return db.session.get(StockLevel, (w.part.id, w.tech.van_location_id)).qty


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode()


def test_completing_a_visit_signs_one_report_issues_the_parts_and_closes_the_visit(db, ctx):
    w = fv.workshop(van_qty=5)
    signals = []

    def receiver(sender, report):
        signals.append((sender.id, report.id))

    with visit_completed.connected_to(receiver):
        outcome = complete(w)
    assert outcome.status == 201
    report = db.session.get(ServiceReport, outcome.body["report_id"])
    assert [line.kind for line in report.lines] == ["call_out", "labour", "part"]
    assert report.is_signed and report.revision == 1 and report.signer_name == "张伟"
    assert report.pdf_sha256 == outcome.body["sha256"] and len(report.pdf_sha256) == 64
    assert van_qty(db, w) == 4
    movements = db.session.scalars(select(StockMovement)).all()
    assert [(m.kind, m.qty, m.from_location_id, m.appointment_id) for m in movements] == \
        [("issue", 1, w.tech.van_location_id, w.visit.id)]
    visit = db.session.get(Appointment, w.visit.id)
    assert visit.status == "done" and visit.finished_at is not None
    assert db.session.get(ServiceRequest, w.request.id).status == "completed"
    assert signals == [(w.visit.id, report.id)]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "visit_completed")).detail["report_id"] \
        == report.id


def test_the_pdf_names_the_request_the_serial_and_the_verification_code(db, ctx):
    w = fv.workshop()
    report = db.session.get(ServiceReport, complete(w).body["report_id"])
    text = pdf_text(report.pdf)
    for expected in (w.request.number, w.unit.serial, report.verification_code, "张伟", "电源板"):
        assert expected in text


def test_an_english_speaking_customer_gets_an_english_report(db, ctx):
    owner = factories.customer(name="John Miller", locale="en")
    w = fv.workshop(owner_unit=factories.unit(owner=owner))
    report = db.session.get(ServiceReport, complete(w).body["report_id"])
    text = pdf_text(report.pdf)
    assert report.locale == "en"
    assert "Service Report" in text and "In warranty" in text and "Fixed" in text and "Satisfied" in text


def test_a_covered_visit_costs_nothing_and_gets_no_receipt_number(db, ctx):
    w = fv.workshop()
    report = db.session.get(ServiceReport, complete(w).body["report_id"])
    assert report.total_due == 0 and report.receipt_no is None
    assert report.warranty_snapshot["status"] == "in_warranty"


def test_a_serial_that_differs_from_the_record_makes_the_visit_chargeable(db, ctx):
    w = fv.workshop()
    report = db.session.get(ServiceReport, complete(w, serial_found="SN-SOMETHING-ELSE").body["report_id"])
    assert report.serial_altered and report.serial_found == "SN-SOMETHING-ELSE"
    assert report.warranty_snapshot["status"] == "excluded"
    assert "serial_altered" in report.exclusions
    # 50 call-out + 1.5 x 80 labour + 386 part, nothing waived.
    assert str(report.total_due) == "556.00"
    assert report.receipt_no.startswith("RC-")
    assert "与记录不符" in pdf_text(report.pdf)


def test_another_model_on_site_is_flagged_and_charged(db, ctx):
    w = fv.workshop()
    report = db.session.get(ServiceReport, complete(w, model_found="OTHER-MODEL").body["report_id"])
    assert report.model_mismatch and report.exclusions == ["model_mismatch"]
    assert report.total_due > 0


def test_misuse_seen_on_site_is_charged_with_its_note_and_cleaned_photos(db, ctx):
    w = fv.workshop()
    report = db.session.get(ServiceReport, complete(
        w, exclusions=("misuse",), exclusion_note="进水，主板腐蚀", photos=(fv.photo_jpeg(),)).body["report_id"])
    assert report.exclusions == ["misuse"] and report.exclusion_note == "进水，主板腐蚀"
    assert report.total_due > 0
    photo = db.session.scalar(select(VisitPhoto))
    assert photo.content_type == "image/jpeg" and Image.open(io.BytesIO(photo.data)).size == (640, 480)


def test_an_exclusion_without_a_note_is_refused(db, ctx):
    w = fv.workshop()
    with pytest.raises(DomainError) as error:
        complete(w, exclusions=("misuse",))
    assert error.value.code == "exclusion_note_missing"


def test_receipt_numbers_count_up_per_day(db, ctx):
    first, second = fv.workshop(), fv.workshop()
    a = db.session.get(ServiceReport, complete(first, key="a", serial_found="X1").body["report_id"])
    b = db.session.get(ServiceReport, complete(second, key="b", serial_found="X2").body["report_id"])
    assert a.receipt_no[-4:] == "0001" and b.receipt_no[-4:] == "0002" and a.receipt_no[:-4] == b.receipt_no[:-4]


def test_awaiting_parts_sends_the_request_back_to_booking(db, ctx):
    w = fv.workshop()
    complete(w, outcome="awaiting_parts")
    assert db.session.get(ServiceRequest, w.request.id).status == "awaiting_parts"
    assert set_request_status(w.request.id, "scheduled").status == "scheduled"


def test_a_depot_repair_records_the_loaner_and_a_due_date_five_working_days_ahead(db, ctx, monkeypatch):
    monkeypatch.setattr(services, "local_today", lambda: date(2026, 11, 20))  # a Friday
    w = fv.workshop()
    report = db.session.get(ServiceReport, complete(w, outcome="depot_repair", loaner_serial=" ln-0042 ")
                            .body["report_id"])
    request = db.session.get(ServiceRequest, w.request.id)
    assert request.status == "depot_repair" and request.loaner_serial == "LN-0042"
    assert request.depot_due_date == date(2026, 11, 27)
    assert report.loaner_serial == "LN-0042" and "LN-0042" in pdf_text(report.pdf)


def test_a_depot_repair_needs_the_loaner_serial(db, ctx):
    w = fv.workshop()
    with pytest.raises(DomainError) as error:
        complete(w, outcome="depot_repair", loaner_serial="")
    assert error.value.code == "missing_field"


def test_a_service_agreement_covers_its_unit(db, ctx):
    unit = factories.unit(purchase_date=date(2020, 1, 1))
    agreement(unit, parts_pct=0, labour_pct=0)
    report = db.session.get(ServiceReport, complete(fv.workshop(owner_unit=unit)).body["report_id"])
    assert report.warranty_snapshot["status"] == "in_warranty" and report.total_due == 0


def test_a_service_agreement_waives_its_share_when_misuse_makes_the_visit_chargeable(db, ctx):
    unit = factories.unit(purchase_date=date(2020, 1, 1))
    agreement(unit, parts_pct=50, labour_pct=100)
    w = fv.workshop(owner_unit=unit)
    report = db.session.get(ServiceReport, complete(w, exclusions=("misuse",), exclusion_note="跌落").body["report_id"])
    lines = {line.kind: line for line in report.lines}
    assert lines["call_out"].net == 0 and lines["labour"].net == 0 and lines["labour"].agreement_waiver > 0
    assert str(lines["part"].agreement_waiver) == "193.00" and str(lines["part"].net) == "193.00"
    assert str(report.total_due) == "193.00" and report.receipt_no
    assert "SA-2026-0031" in pdf_text(report.pdf)


def agreement(unit, parts_pct: int, labour_pct: int) -> ServiceAgreement:
    row = ServiceAgreement(number="SA-2026-0031", customer_id=unit.customer_id, start_date=date(2026, 1, 1),
                           end_date=date(2099, 12, 31), parts_waiver_pct=parts_pct, labour_waiver_pct=labour_pct,
                           status="active", units=[unit])
    factories.db.session.add(row)
    factories.db.session.commit()
    return row


def test_the_call_out_fee_is_charged_once_per_request(db, ctx):
    w = fv.workshop()
    complete(w, outcome="awaiting_parts", serial_found="CHARGED-1")
    set_request_status(w.request.id, "scheduled")
    revisit = factories.appointment(db.session.get(ServiceRequest, w.request.id), w.tech, status="on_site")
    set_request_status(w.request.id, "on_site")
    outcome = services.complete_visit(w.tech.user, revisit.id, fv.completion(w, serial_found="CHARGED-1"), "k2")
    kinds = [line.kind for line in db.session.get(ServiceReport, outcome.body["report_id"]).lines]
    assert "call_out" not in kinds


def test_completing_a_cancelled_visit_is_refused_and_changes_nothing(db, ctx):
    w = fv.workshop(status="cancelled")
    with pytest.raises(DomainError) as error:
        complete(w)
    assert error.value.code == "visit_cancelled"
    assert db.session.scalar(select(ServiceReport)) is None and van_qty(db, w) == 5


def test_a_visit_before_arrival_cannot_be_completed(db, ctx):
    w = fv.workshop(status="booked")
    with pytest.raises(DomainError) as error:
        complete(w)
    assert error.value.code == "not_on_site"


def test_signing_twice_is_refused_and_changes_nothing(db, ctx):
    w = fv.workshop()
    complete(w, key="first")
    with pytest.raises(DomainError) as error:
        complete(w, key="second")
    assert error.value.code == "visit_already_completed"
    assert len(db.session.scalars(select(ServiceReport)).all()) == 1 and van_qty(db, w) == 4


def test_not_enough_parts_in_the_van_refuses_the_whole_completion(db, ctx):
    w = fv.workshop(van_qty=1)
    c = fv.completion(w)
    c = dataclasses.replace(c, work=dataclasses.replace(c.work, parts=(dataclasses.replace(c.work.parts[0], qty=3),)))
    with pytest.raises(DomainError) as error:
        services.complete_visit(w.tech.user, w.visit.id, c, "k")
    assert error.value.code == "not_enough_stock" and "1" in str(error.value.message)
    assert db.session.scalar(select(ServiceReport)) is None and van_qty(db, w) == 1
    assert db.session.get(Appointment, w.visit.id).status == "on_site"


def test_a_part_that_is_only_in_another_van_cannot_be_used(db, ctx):
    w = fv.workshop()
    other = factories.technician()
    elsewhere = factories.part()
    factories.stock(elsewhere, other.van, 5)
    c = fv.completion(w)
    c = dataclasses.replace(c, work=dataclasses.replace(c.work, parts=(dataclasses.replace(c.work.parts[0],
                                                                                           part_id=elsewhere.id),)))
    with pytest.raises(DomainError) as error:
        services.complete_visit(w.tech.user, w.visit.id, c, "k")
    assert error.value.code == "not_enough_stock"
    db.session.expire_all()
    assert db.session.get(StockLevel, (elsewhere.id, other.van_location_id)).qty == 5


def big_png(width: int, height: int) -> bytes:
    """A PNG whose header claims these dimensions: decoding it would need gigabytes."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 4096))
            + chunk(b"IEND", b""))


def truncated_png() -> bytes:
    data = fv.signature_png()
    return data[: len(data) // 2]


@pytest.mark.parametrize("signature, code", [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image_not_png"),
    (truncated_png(), "image_malformed"),
    (big_png(20000, 20000), "image_too_many_pixels"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * (10 * 1024 * 1024), "image_too_large"),
    (b"", "image_empty"),
])
def test_bad_signatures_are_refused_with_a_clear_message_and_change_nothing(db, ctx, signature, code):
    w = fv.workshop()
    with pytest.raises(DomainError) as error:
        complete(w, signature_png=signature)
    assert error.value.code == code and str(error.value.message)
    assert db.session.scalar(select(ServiceReport)) is None and van_qty(db, w) == 5


@pytest.mark.parametrize("photo, code", [
    (b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024), "image_too_large"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image_unsupported_format"),
])
def test_bad_photos_are_refused(db, ctx, photo, code):
    w = fv.workshop()
    with pytest.raises(DomainError) as error:
        complete(w, exclusions=("misuse",), exclusion_note="进水", photos=(photo,))
    assert error.value.code == code


def test_another_technician_cannot_complete_the_visit(db, ctx):
    w = fv.workshop()
    with pytest.raises(NotFound):
        complete(w, actor=factories.technician().user)
    assert db.session.scalar(select(ServiceReport)) is None


def test_a_manager_may_complete_a_visit_with_the_technicians_van_parts(db, ctx):
    w = fv.workshop()
    complete(w, actor=factories.user(role="manager"))
    assert van_qty(db, w) == 4
