"""Who is acting: the bearer-token user of an API call, else the logged-in user of a page."""
from __future__ import annotations

from flask import g, has_request_context
from flask_login import current_user


def acting_user():
    if not has_request_context():
        return None
    api_user = g.get("api_user")
    if api_user is not None:
        return api_user
    return current_user if current_user and current_user.is_authenticated else None
