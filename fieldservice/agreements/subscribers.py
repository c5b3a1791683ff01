"""Plan items follow their requests (cancelled, completed), inside the sender's transaction."""
from __future__ import annotations

from ..signals import request_status_changed
from .services import sync_plan_with_request


def on_request_status_changed(request, previous=None, current=None, **_extra):
    if request.agreement_id is not None:
        sync_plan_with_request(request, current)


request_status_changed.connect(on_request_status_changed)
