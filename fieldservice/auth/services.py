"""Use cases for accounts: log in and out, create, disable, reset passwords, API tokens."""
from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.models import AuditEvent
from ..audit.services import record
from ..database import utcnow, write_transaction
from ..errors import Conflict, DomainError, NotFound
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..validators import is_row_id
from .models import OFFICE_ROLES, ApiToken, Role, User


def _recent_failures(username: str) -> int:
    since = utcnow() - timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent)
        .where(AuditEvent.action == "login_failed", AuditEvent.object_id == username.lower(), AuditEvent.at >= since)
    ) or 0


def authenticate(username: str, password: str) -> User:
    """The user for these credentials, or a DomainError; failures are audited and rate limited."""
    username = username.strip()
    with write_transaction():
        # The failure is recorded and committed before the error is raised, so it counts.
        if _recent_failures(username) >= current_app.config["LOGIN_MAX_FAILURES"]:
            record("login_locked", object_type="user_account", object_id=username.lower())
            outcome = "locked"
        else:
            user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
            if user is None:
                # As slow as a wrong password: the answer's timing must not tell which usernames exist.
                check_password_hash(_dummy_hash(), password)
            if user is None or not user.check_password(password) or not user.active:
                record("login_failed", object_type="user_account", object_id=username.lower(), actor=user)
                outcome = "failed"
            else:
                record("login", user, actor=user)
                outcome = "ok"
    if outcome == "locked":
        raise DomainError("login_locked", _l("Too many failed attempts. Try again in %(minutes)s minutes.",
                                             minutes=current_app.config["LOGIN_LOCK_MINUTES"]))
    if outcome == "failed":
        raise DomainError("login_failed", _l("Wrong username or password, or the account is disabled."))
    return user


@functools.cache
def _dummy_hash_for(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def _dummy_hash() -> str:
    """A hash made like a real user's (User.set_password), checked when the username is unknown."""
    return _dummy_hash_for(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def end_sessions(user: User) -> None:
    """Logout everywhere: every session cookie carrying the old version stops working."""
    with write_transaction():
        user = db.session.get(User, user.id)
        user.session_version += 1
        record("logout", user, actor=user)


def create_user(*, username: str, display_name: str, role: str, password: str, phone: str | None = None,
                locale: str | None = None, actor=None) -> User:
    with write_transaction():
        if db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
            raise Conflict("username_taken", _l("The username %(name)s is already taken.", name=username))
        user = User(username=username, display_name=display_name, role=Role(role).value, phone=phone or None,
                    locale=locale or None, active=True, session_version=1)
        user.set_password(password)
        db.session.add(user)
        try:
            db.session.flush()
        except IntegrityError:
            raise Conflict("username_taken", _l("The username %(name)s is already taken.", name=username))
        record("user_created", user, actor=actor, role=user.role)
    return user


def update_user(user_id: int, *, display_name: str, role: str, phone: str | None, locale: str | None,
                active: bool, actor=None) -> User:
    with write_transaction():
        user = _get_user(user_id)
        if actor is not None and actor.id == user.id and (not active or role != user.role):
            raise DomainError("cannot_demote_self", _l("You cannot disable your own account or change your own role."))
        was_active = user.active
        user.display_name, user.role, user.phone, user.locale = display_name, Role(role).value, phone or None, locale or None
        user.active = active
        if was_active and not active:
            user.session_version += 1
            record("user_disabled", user, actor=actor)
        record("user_updated", user, actor=actor, role=user.role, active=active)
    return user


def reset_password(user_id: int, new_password: str, actor=None) -> None:
    with write_transaction():
        user = _get_user(user_id)
        user.set_password(new_password)
        user.session_version += 1
        record("password_reset", user, actor=actor)


def set_locale(user: User, locale: str) -> None:
    with write_transaction():
        user = db.session.get(User, user.id)
        user.locale = locale
        record("locale_changed", user, actor=user, locale=locale)


def issue_api_token(username: str, label: str | None = None, actor=None) -> str:
    """A new bearer token for the user; only its hash is stored, so it is shown once."""
    token = secrets.token_urlsafe(32)
    label = (label or "").strip() or None
    with write_transaction():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound("unknown_user", _l("No user named %(name)s.", name=username))
        db.session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), label=label))
        record("api_token_issued", user, actor=actor or user, label=label)
    return token


def api_tokens(user_id: int) -> list[ApiToken]:
    """The user's tokens, live ones first, then the newest."""
    return db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                              .order_by(ApiToken.revoked, ApiToken.created_at.desc(), ApiToken.id.desc())).all()


def revoke_api_token(user_id: int, token_id: int, actor=None) -> ApiToken:
    """Withdraw one of the user's tokens (e.g. of a retired integration); their other tokens keep working."""
    with write_transaction():
        token = db.session.get(ApiToken, token_id) if is_row_id(token_id) else None
        if token is None or token.user_id != user_id:
            raise NotFound("unknown_token", _l("This API token does not exist."))
        if token.revoked:
            raise Conflict("token_revoked", _l("This API token has already been revoked."))
        token.revoked = True
        record("api_token_revoked", token.user, actor=actor, token_id=token.id, label=token.label)
    return token


def revoke_api_tokens(username: str) -> int:
    """Withdraw every live token of the user (leaked, or the integration retired); returns how many.

    Disabling the account also refuses its tokens, but takes the user's pages away with them."""
    with write_transaction():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound("unknown_user", _l("No user named %(name)s.", name=username))
        tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                           ApiToken.revoked.is_(False))).all()
        for token in tokens:
            token.revoked = True
        record("api_tokens_revoked", user, actor=user, count=len(tokens))
    return len(tokens)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Last use is kept to the hour: a write on every API call would queue the calls behind each other on SQLite.
TOKEN_USE_RESOLUTION = timedelta(hours=1)


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token),
                                                   ApiToken.revoked.is_(False)))
    if row is None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= TOKEN_USE_RESOLUTION:
        with write_transaction():
            db.session.execute(update(ApiToken).where(
                ApiToken.id == row.id, or_(ApiToken.last_used_at.is_(None),
                                           ApiToken.last_used_at <= now - TOKEN_USE_RESOLUTION))
                .values(last_used_at=now))
    return row.user


def office_staff_choices(blank_label: str) -> list[tuple[str, str]]:
    """Active agents and managers by name, for owner and assignee fields, after a first "nobody" choice."""
    users = db.session.execute(select(User.id, User.display_name).where(
        User.active.is_(True), User.role.in_([role.value for role in OFFICE_ROLES])).order_by(User.display_name))
    return [("", blank_label)] + [(str(user_id), name) for user_id, name in users]


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("unknown_user", _l("This user does not exist."))
    return user
