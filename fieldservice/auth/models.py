from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask import current_app, has_app_context
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import UTCDateTime, enum_check, utcnow
from ..extensions import db


class Role(StrEnum):
    AGENT = "agent"
    TECHNICIAN = "technician"
    MANAGER = "manager"
    ADMIN = "admin"


# The people in the office who own complaints, make follow-up calls and keep agreements.
OFFICE_ROLES = (Role.AGENT, Role.MANAGER)


class User(db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(enum_check("role", Role), name="role_valid"),
        CheckConstraint("locale IS NULL OR locale IN ('zh_CN', 'en')", name="locale_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Bumped on logout, password change and disable: every older session cookie stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    technician: Mapped["Technician | None"] = relationship(back_populates="user", uselist=False)  # noqa: F821

    def set_password(self, password: str) -> None:
        # Tests choose a cheap method (PASSWORD_HASH_METHOD); production keeps Werkzeug's scrypt default.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {str(r) for r in roles}


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # Only a hash is kept: a leaked database does not leak usable tokens.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship()
