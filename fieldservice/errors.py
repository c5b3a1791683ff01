"""Domain errors: raised by services, shown to users in their language."""
from __future__ import annotations


class DomainError(Exception):
    """An error the user can cause. `message` is a (lazy) translated string."""

    status_code = 422

    def __init__(self, code: str, message, **details):
        super().__init__(code)
        self.code = code
        self.message = message
        self.details = details


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class Forbidden(DomainError):
    status_code = 403
