"""Long texts: text areas never cut a paste silently (no maxlength); the server refuses an over-long text with a
message in the user's language, saves nothing, and the page counts the characters against the limit."""
import re

from sqlalchemy import func, select

from fieldservice.models import Complaint, FollowUp, RequestNote, ServiceReport
from fieldservice.complaints.models import ComplaintNote
from fieldservice.visits import services as visit_services
from tests import factories, factories_aftercare
from tests import factories_visits as fv

TOO_LONG_ZH = "这段文字有 {n} 个字，最多允许 {max} 个字。"


def _textareas(html: str) -> list[str]:
    return re.findall(r"<textarea[^>]*>", html)


def test_text_areas_carry_no_maxlength_but_a_counted_limit_and_its_hint(make_client, db):
    agent = make_client("agent", locale="zh_CN")
    complaint = factories_aftercare.complaint()
    html = agent.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    areas = _textareas(html)
    assert len(areas) == 3  # reply, resolution, note
    assert all("maxlength" not in area and 'data-max-chars="4000"' in area for area in areas)
    assert html.count("最多 4000 个字。") == 3


def test_a_pasted_6000_character_complaint_note_is_refused_in_chinese_and_nothing_is_saved(make_client, db):
    agent = make_client("agent", locale="zh_CN")
    complaint = factories_aftercare.complaint()
    response = agent.post(f"/complaints/{complaint.id}/notes", data={"text": "长" * 6000})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and TOO_LONG_ZH.format(n=6000, max=4000) in page
    assert "长" * 6000 in page  # the typed note comes back to be shortened, not lost
    assert db.session.scalar(select(func.count()).select_from(ComplaintNote)) == 0


def test_an_over_long_complaint_reply_is_refused_in_english_and_the_complaint_stays_open(make_client, db):
    agent = make_client("agent", locale="en")
    complaint = factories_aftercare.complaint()
    page = agent.post(f"/complaints/{complaint.id}/reply", data={"text": "x" * 4001}).get_data(as_text=True)
    assert "This text has 4001 characters; at most 4000 are allowed." in page and "x" * 4001 in page
    db.session.refresh(complaint)
    assert complaint.replied_at is None and complaint.status == "open"


def test_an_over_long_new_complaint_keeps_the_form_and_saves_nothing(make_client, db):
    agent = make_client("agent", locale="zh_CN")
    customer = factories.customer()
    response = agent.post("/complaints/new", data={"customer_id": customer.id, "channel": "phone",
                                                   "category": "attitude", "severity": "general",
                                                   "description": "态" * 4500})
    assert response.status_code == 422
    assert TOO_LONG_ZH.format(n=4500, max=4000) in response.get_data(as_text=True)
    assert db.session.scalar(select(Complaint)) is None


def test_a_request_note_over_2000_characters_is_refused_not_cut(make_client, db):
    agent = make_client("agent", locale="zh_CN")
    request = factories.service_request()
    html = agent.get(f"/requests/{request.number}").get_data(as_text=True)
    note_area = [a for a in _textareas(html) if 'name="text"' in a][0]
    assert "maxlength" not in note_area and 'data-max-chars="2000"' in note_area
    response = agent.post(f"/requests/{request.number}/notes", data={"text": "注" * 6000})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and TOO_LONG_ZH.format(n=6000, max=2000) in page
    assert "注" * 6000 in page  # the typed note comes back to be shortened, not lost
    assert db.session.scalar(select(func.count()).select_from(RequestNote)) == 0


def test_an_over_long_follow_up_comment_is_refused_and_the_call_stays_to_do(make_client, db):
    agent = make_client("agent", locale="zh_CN")
    factories_aftercare.completed_visit(owner=agent.user)
    follow_up = db.session.scalar(select(FollowUp))
    response = agent.post(f"/followups/{follow_up.id}", data={"reached": "yes", "satisfaction": "5",
                                                              "comment": "好" * 2001})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and TOO_LONG_ZH.format(n=2001, max=2000) in page
    assert "好" * 2001 in page  # the text is kept for shortening
    db.session.refresh(follow_up)
    assert follow_up.status == "pending" and follow_up.comment is None


def test_an_over_long_diagnosis_on_the_tablet_is_refused_and_nothing_is_signed(technician_client, db):
    w = fv.workshop(technician_client.technician)
    response = technician_client.post(f"/visits/{w.visit.id}/complete",
                                      data=fv.completion_form(w, diagnosis="诊" * 4001))
    assert response.status_code == 422
    assert TOO_LONG_ZH.format(n=4001, max=4000) in response.get_data(as_text=True)
    assert db.session.scalar(select(ServiceReport)) is None


def test_an_over_long_correction_reason_says_so_and_issues_no_revision(manager_client, db, app):
    w = fv.workshop()
    with app.test_request_context():
        visit_services.complete_visit(w.tech.user, w.visit.id, fv.completion(w), "k")
    report_id = visit_services.latest_report(w.visit).id
    page = manager_client.post(f"/visits/reports/{report_id}/correct", data={
        "fault_code": str(w.fault.id), "diagnosis": "更正后的诊断", "resolution": "更换电源板", "note": "因" * 1001},
        follow_redirects=True).get_data(as_text=True)
    assert TOO_LONG_ZH.format(n=1001, max=1000) in page
    db.session.expire_all()
    assert [r.revision for r in db.session.scalars(select(ServiceReport))] == [1]
