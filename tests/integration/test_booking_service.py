from datetime import time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fieldservice import signals
from fieldservice.errors import Conflict, DomainError, NotFound
from fieldservice.models import Appointment, AppointmentSlot, AuditEvent, RequestNote, ServiceRequest, Setting
from fieldservice.scheduling import services
from tests import factories
from tests.factories_dispatch import PUDONG, SUZHOU, at, partner, request_at, technician


def _slots(db, appointment_id):
    return db.session.scalars(select(AppointmentSlot.slot_start).where(AppointmentSlot.appointment_id == appointment_id)
                              .order_by(AppointmentSlot.slot_start)).all()


def test_booking_a_window_schedules_the_request_holds_its_slots_and_writes_the_confirmation(db):
    tech = technician("王师傅", phone="13911112222")
    request = request_at(due=at(1, 18))
    booked = []
    with signals.appointment_booked.connected_to(lambda sender, **kw: booked.append(sender.id)):
        appointment = services.book_appointment(request.id, tech.id, at(1, 10))
    db.session.rollback()
    request = db.session.get(ServiceRequest, request.id)
    assert request.status == "scheduled"
    assert (appointment.window_start, appointment.window_end) == (at(1, 10), at(1, 12))
    assert _slots(db, appointment.id) == [at(1, 10), at(1, 10, 30), at(1, 11), at(1, 11, 30)]
    assert appointment.after_promise is False and appointment.late_reason is None
    assert appointment.travel_km == pytest.approx(7.4, abs=1.5)  # Huangpu base to Pudong, road estimate
    text = request.confirmation_text
    assert request.number in text and "10:00-12:00" in text and "王师傅" in text and "13911112222" in text
    assert "发票" in text and at(1, 10).astimezone(services.ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d") in text
    assert booked == [appointment.id]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "appointment_booked")) is not None


def test_the_confirmation_is_written_in_the_customers_language_and_asks_for_the_proof_of_purchase(db):
    tech = technician("Li Wei", phone="13955556666")
    request = request_at(locale="en", invoice_no=None)
    services.book_appointment(request.id, tech.id, at(1, 14))
    text = db.session.get(ServiceRequest, request.id).confirmation_text
    assert text.startswith("[") and "is booked for" in text and "14:00-16:00" in text
    assert "Li Wei (13955556666)" in text and "proof of purchase" in text and "charged" in text


def test_a_window_after_the_promise_needs_the_customers_reason_which_is_kept(db):
    tech = technician()
    request = request_at(due=at(1, 9))
    with pytest.raises(DomainError) as refused:
        services.book_appointment(request.id, tech.id, at(1, 10))
    assert refused.value.code == "after_promise_needs_reason"
    assert db.session.scalar(select(Appointment)) is None
    appointment = services.book_appointment(request.id, tech.id, at(1, 10), reason="客户要求下午以后上门")
    assert appointment.after_promise is True and appointment.late_reason == "客户要求下午以后上门"


def test_the_day_planner_may_book_a_late_window_as_the_companys_own_miss(db):
    tech = technician()
    request = request_at(due=at(1, 9))
    appointment = services.book_appointment(request.id, tech.id, at(1, 10), accept_late=True)
    assert appointment.after_promise is True and appointment.late_reason is None


def test_a_second_booking_of_the_same_window_is_refused_as_just_taken_and_changes_nothing(db):
    tech = technician("王师傅")
    first, second = request_at(), request_at(customer_name="李娜")
    services.book_appointment(first.id, tech.id, at(1, 10))
    with pytest.raises(Conflict) as taken:
        services.book_appointment(second.id, tech.id, at(1, 10))
    assert taken.value.code == "slot_taken" and "王师傅" in str(taken.value.message)
    db.session.rollback()
    assert db.session.get(ServiceRequest, second.id).status == "new"
    assert db.session.scalar(select(ServiceRequest.confirmation_text).where(ServiceRequest.id == second.id)) is None
    assert len(db.session.scalars(select(Appointment)).all()) == 1


def test_an_overlapping_window_on_a_shifted_grid_is_refused_by_the_database(db):
    tech = technician()
    services.book_appointment(request_at().id, tech.id, at(1, 10))  # 10:00-12:00
    # The technician's hours move to 08:30: the window 10:30-12:30 is on the new grid, free in no Python
    # check of ours, and overlaps the booked one by three slots: only the unique slot key stops it.
    tech.work_start = time(8, 30)
    db.session.commit()
    with pytest.raises(Conflict) as taken:
        services.book_appointment(request_at().id, tech.id, at(1, 10, 30))
    assert taken.value.code == "slot_taken"
    assert len(db.session.scalars(select(Appointment)).all()) == 1


def test_the_database_itself_refuses_a_second_row_for_a_held_slot(db):
    tech = technician()
    appointment = services.book_appointment(request_at().id, tech.id, at(1, 10))
    db.session.add(AppointmentSlot(appointment_id=appointment.id, technician_id=tech.id, slot_start=at(1, 11)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_shorter_windows_set_by_the_admin_cannot_overlap_a_booked_longer_window(db):
    tech = technician()
    services.book_appointment(request_at().id, tech.id, at(1, 8))  # 08:00-10:00
    db.session.add(Setting(key="WINDOW_MINUTES", value="90"))
    db.session.commit()
    with pytest.raises(Conflict):
        services.book_appointment(request_at().id, tech.id, at(1, 9, 30))  # 09:30-11:00
    later = services.book_appointment(request_at().id, tech.id, at(1, 11))
    assert later.window_end - later.window_start == timedelta(minutes=90)


@pytest.mark.parametrize("start, code", [
    (lambda: at(1, 9), "not_a_window"),  # the grid is 08:00, 10:00, ...
    (lambda: at(1, 20), "not_a_window"),  # after working hours
    (lambda: at(-1, 10), "window_past"),
])
def test_a_window_off_the_grid_outside_working_hours_or_in_the_past_is_refused(db, start, code):
    tech = technician()
    request = request_at(due=at(1, 18))
    with pytest.raises(DomainError) as refused:
        services.book_appointment(request.id, tech.id, start(), reason="客户要求")
    assert refused.value.code == code


def test_a_technician_is_not_booked_on_a_day_off(db):
    day_off = str(at(1, 10).astimezone(services.ZoneInfo("Asia/Shanghai")).isoweekday())
    tech = technician(working_days="1234567".replace(day_off, ""))
    with pytest.raises(DomainError) as refused:
        services.book_appointment(request_at().id, tech.id, at(1, 10))
    assert refused.value.code == "not_working"


def test_the_centres_opening_hours_limit_every_technicians_windows(db):
    tech = technician()
    db.session.add(Setting(key="WORK_START", value="09:00"))
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        services.book_appointment(request_at().id, tech.id, at(1, 8))
    assert refused.value.code == "not_a_window"
    assert services.book_appointment(request_at().id, tech.id, at(1, 9)).window_end == at(1, 11)


def test_a_technician_without_the_skill_or_outside_the_area_cannot_be_booked(db):
    fridge_only = technician("冰箱师傅", skills=("fridge",))
    far_away = technician("远方师傅", base=SUZHOU, area_radius_km=20)
    request = request_at(PUDONG)
    for tech, code in ((fridge_only, "not_qualified"), (far_away, "out_of_area")):
        with pytest.raises(DomainError) as refused:
            services.book_appointment(request.id, tech.id, at(1, 10))
        assert refused.value.code == code
    with pytest.raises(NotFound):
        services.book_appointment(request.id, 999_999, at(1, 10))


def test_a_request_that_already_has_a_visit_booked_is_rescheduled_not_booked_twice(db):
    tech = technician()
    request = request_at()
    services.book_appointment(request.id, tech.id, at(1, 10))
    with pytest.raises(Conflict) as refused:
        services.book_appointment(request.id, tech.id, at(1, 14))
    assert refused.value.code == "already_booked"


def test_rescheduling_releases_the_old_slots_and_books_the_new_window_in_one_step(db):
    tech = technician()
    request = request_at()
    old = services.book_appointment(request.id, tech.id, at(1, 10))
    cancelled = []
    with signals.appointment_cancelled.connected_to(lambda sender, **kw: cancelled.append(kw["reason"])):
        new = services.reschedule_appointment(old.id, tech.id, at(1, 14), "客户改约下午")
    db.session.rollback()
    old, new = db.session.get(Appointment, old.id), db.session.get(Appointment, new.id)
    assert (old.status, old.cancel_reason) == ("cancelled", "客户改约下午") and _slots(db, old.id) == []
    assert new.status == "booked" and _slots(db, new.id)[0] == at(1, 14)
    assert db.session.get(ServiceRequest, request.id).status == "scheduled"
    assert "14:00-16:00" in db.session.get(ServiceRequest, request.id).confirmation_text
    assert cancelled == ["客户改约下午"]
    # The released window is free again.
    assert services.book_appointment(request_at().id, tech.id, at(1, 10)).status == "booked"


def test_reassigning_gives_the_same_window_to_another_technician(db):
    first, second = technician("王师傅"), technician("李师傅")
    old = services.book_appointment(request_at().id, first.id, at(1, 10))
    new = services.reassign_appointment(old.id, second.id, "王师傅请假")
    assert (new.technician_id, new.window_start) == (second.id, at(1, 10))
    assert db.session.get(Appointment, old.id).status == "cancelled"


def test_a_reschedule_into_a_taken_window_changes_nothing(db):
    tech = technician()
    services.book_appointment(request_at().id, tech.id, at(1, 14))
    old = services.book_appointment(request_at().id, tech.id, at(1, 10))
    with pytest.raises(Conflict):
        services.reschedule_appointment(old.id, tech.id, at(1, 14), "客户改约")
    db.session.rollback()
    assert db.session.get(Appointment, old.id).status == "booked" and len(_slots(db, old.id)) == 4


def test_cancelling_releases_the_slots_and_puts_the_request_back_to_new(db):
    tech = technician()
    request = request_at()
    appointment = services.book_appointment(request.id, tech.id, at(1, 10))
    reasons = []
    with signals.appointment_cancelled.connected_to(lambda sender, **kw: reasons.append(kw["reason"])):
        services.cancel_appointment(appointment.id, "客户已自行解决")
    db.session.rollback()
    request = db.session.get(ServiceRequest, request.id)
    assert request.status == "new" and request.confirmation_text is None
    assert db.session.get(Appointment, appointment.id).status == "cancelled" and _slots(db, appointment.id) == []
    assert reasons == ["客户已自行解决"]
    with pytest.raises(DomainError) as again:
        services.cancel_appointment(appointment.id, "再次取消")
    assert again.value.code == "appointment_not_changeable"


def test_cancelling_or_rescheduling_needs_a_reason(db):
    appointment = services.book_appointment(request_at().id, technician().id, at(1, 10))
    for call in (lambda: services.cancel_appointment(appointment.id, "  "),
                 lambda: services.reschedule_appointment(appointment.id, appointment.technician_id, at(1, 14), "")):
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.code == "reason_required"
    assert db.session.get(Appointment, appointment.id).status == "booked"


def test_forwarding_records_the_partner_and_tells_the_aftercare_subscribers(db):
    technician()  # Shanghai only
    request = request_at(SUZHOU, city="苏州市", district="姑苏区")
    company = partner()
    heard = []
    with signals.request_forwarded.connected_to(lambda sender, **kw: heard.append((sender.id, kw["partner"].id))):
        services.forward_to_partner(request.id, company.id, "客户同意由合作方上门")
    db.session.rollback()
    request = db.session.get(ServiceRequest, request.id)
    assert (request.status, request.partner_id) == ("forwarded", company.id)
    assert heard == [(request.id, company.id)]
    note = db.session.scalar(select(RequestNote).where(RequestNote.request_id == request.id))
    assert company.name in note.text and "客户同意由合作方上门" in note.text


def test_the_booking_options_of_a_request_nobody_covers_offer_the_partners_in_its_region_first(db):
    technician()
    partner("上海合作方", regions="上海市")
    local = partner("苏州合作方", regions="苏州市")
    request = request_at(SUZHOU, city="苏州市", district="姑苏区")
    options = services.booking_options(request.id)
    assert options.needs_partner and options.suggestions == [] and options.free == []
    assert [e.reason.code for e in options.exclusions] == ["out_of_area"]
    assert services.partners_for(options.request)[0].id == local.id


def test_a_request_without_a_location_or_a_unit_gets_a_clear_message(db):
    tech = technician()
    unplaced = request_at()
    unplaced.customer.lat = None
    no_unit = request_at()
    no_unit.unit_id = None
    db.session.commit()
    for request, code in ((unplaced, "no_location"), (no_unit, "no_product")):
        with pytest.raises(DomainError) as refused:
            services.book_appointment(request.id, tech.id, at(1, 10))
        assert refused.value.code == code


def test_suggestions_come_from_the_database_and_skip_the_technician_whose_day_is_full(db):
    now = at(1, 7)
    busy = technician("忙碌师傅", base=PUDONG)  # right next door, but every window tomorrow is booked
    technician("空闲师傅")
    technician("冰箱师傅", skills=("fridge",))
    for hour in (8, 10, 12, 14, 16, 18):
        factories.appointment(request=request_at(customer_name="其他客户", status="scheduled"), tech=busy,
                              start=at(1, hour))
    request = request_at(PUDONG, due=now + timedelta(hours=24))
    suggestions = services.suggestions_for_request(request.id, now=now)
    assert [s.name for s in suggestions] == ["空闲师傅", "忙碌师傅"]
    assert suggestions[0].window_start == at(1, 8) and suggestions[0].meets_promise
    assert suggestions[1].window_start == at(2, 8) and not suggestions[1].meets_promise
    assert suggestions[0].reason.zh and suggestions[0].reason.en


def test_the_visit_length_of_each_booking_follows_its_request_kind(db):
    tech = technician()
    factories.appointment(request=request_at(kind="install", status="scheduled"), tech=tech, start=at(1, 8))
    settings = services.scheduling_settings()
    since, until = services._horizon(at(1, 7), settings)
    facts = services.technician_facts(since=since, until=until, settings=settings)
    assert [b.service_minutes for b in facts[0].bookings] == [120]
