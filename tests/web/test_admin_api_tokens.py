"""Admins issue and revoke the API tokens of integrations on the user's page."""
import re
from datetime import timedelta

from sqlalchemy import select

from fieldservice.auth.models import ApiToken
from fieldservice.models import AuditEvent
from tests import factories


def _issue(admin_client, user, label):
    page = admin_client.post(f"/admin/users/{user.id}/tokens", data={"label": label}).get_data(as_text=True)
    return page, re.search(r'class="token-value" type="text" readonly value="([^"]+)"', page)[1]


def test_an_admin_issues_a_token_that_is_shown_once_and_opens_the_api(admin_client, client, db):
    telephony = factories.user(username="telephony", role="agent")
    page, token = _issue(admin_client, telephony, "  呼叫中心电话系统 ")
    assert "请立即复制新令牌：它只显示这一次。" in page
    # The account form beside it still shows the user as they are, so saving it changes nothing by surprise.
    assert re.search(r'<input checked[^>]* name="active"', page)
    assert re.search(r'<input id="label"[^>]* value=""', page)
    assert client.get("/api/v1/models", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    again = admin_client.get(f"/admin/users/{telephony.id}").get_data(as_text=True)
    assert token not in again and "呼叫中心电话系统" in again
    stored = db.session.scalar(select(ApiToken))
    assert stored.label == "呼叫中心电话系统" and stored.token_hash != token
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token_issued"))
    assert event.actor_id == admin_client.user.id


def test_revoking_one_token_leaves_the_users_other_tokens_working(admin_client, client, db):
    telephony = factories.user(username="telephony", role="agent")
    _, old = _issue(admin_client, telephony, "old switchboard")
    _, new = _issue(admin_client, telephony, "new switchboard")
    old_row = db.session.scalar(select(ApiToken).where(ApiToken.label == "old switchboard"))
    response = admin_client.post(f"/admin/users/{telephony.id}/tokens/{old_row.id}/revoke", follow_redirects=True)
    assert "令牌 old switchboard 已无法再访问 API。" in response.get_data(as_text=True)
    assert client.get("/api/v1/models", headers={"Authorization": f"Bearer {old}"}).status_code == 401
    assert client.get("/api/v1/models", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    twice = admin_client.post(f"/admin/users/{telephony.id}/tokens/{old_row.id}/revoke", follow_redirects=True)
    assert "此 API 令牌已被吊销。" in twice.get_data(as_text=True)


def test_a_token_is_revoked_only_through_the_page_of_its_own_user(admin_client, db):
    telephony, other = factories.user(role="agent"), factories.user(role="agent")
    _issue(admin_client, telephony, "switchboard")
    row = db.session.scalar(select(ApiToken))
    response = admin_client.post(f"/admin/users/{other.id}/tokens/{row.id}/revoke")
    assert response.status_code in (302, 404)
    db.session.refresh(row)
    assert row.revoked is False


def test_the_page_shows_when_each_token_was_last_used_to_the_hour(admin_client, client, db):
    telephony = factories.user(username="telephony", role="agent")
    _, token = _issue(admin_client, telephony, "switchboard")
    assert "从未" in admin_client.get(f"/admin/users/{telephony.id}").get_data(as_text=True)
    client.get("/api/v1/models", headers={"Authorization": f"Bearer {token}"})
    row = db.session.scalar(select(ApiToken))
    first_use = row.last_used_at
    assert first_use is not None
    client.get("/api/v1/models", headers={"Authorization": f"Bearer {token}"})
    db.session.refresh(row)
    assert row.last_used_at == first_use  # within the hour: no write
    row.last_used_at = first_use - timedelta(hours=2)
    db.session.commit()
    client.get("/api/v1/models", headers={"Authorization": f"Bearer {token}"})
    db.session.refresh(row)
    assert row.last_used_at > first_use


def test_a_too_long_label_is_refused_in_english_and_no_token_is_made(make_client, db):
    admin = make_client("admin", locale="en")
    telephony = factories.user(role="agent")
    response = admin.post(f"/admin/users/{telephony.id}/tokens", data={"label": "x" * 101})
    assert response.status_code == 422 and "token-value" not in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None
