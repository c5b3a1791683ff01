"""Who is acting: the bearer-token user of an API call, else the logged-in user of a page."""
from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import bindparam, select

from ..extensions import db
from .models import Role, User


@dataclass(frozen=True)
class SessionUser:
    """The logged-in user as a page sees it (Flask-Login's current_user), read without the ORM.

    Every page loads it, and an ORM object cost more than the warranty check itself. Services take
    it as the actor and use its id and role; those that change the user load the row themselves.
    """

    id: int
    username: str
    display_name: str
    role: str
    locale: str | None
    active: bool
    session_version: int

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return str(self.id)

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {str(r) for r in roles}


_SESSION_USER = select(User.id, User.username, User.display_name, User.role, User.locale, User.active,
                       User.session_version).where(User.id == bindparam("user_id"))


def session_user(user_id: int) -> SessionUser | None:
    row = db.session.connection().execute(_SESSION_USER, {"user_id": user_id}).first()
    return SessionUser(*row) if row else None


def acting_user():
    if not has_request_context():
        return None
    api_user = g.get("api_user")
    if api_user is not None:
        return api_user
    return current_user if current_user and current_user.is_authenticated else None
