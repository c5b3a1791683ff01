from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from .models import Role


def role_required(*roles: Role):
    """Logged in and holding one of the roles; otherwise 403 (or the login page when anonymous)."""
    allowed = {str(r) for r in roles}

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
