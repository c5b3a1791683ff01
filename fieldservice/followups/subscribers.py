"""Follow-ups booked by other areas' events, inside the sender's transaction (no commit here)."""
from __future__ import annotations

from ..signals import complaint_resolved, request_forwarded, visit_completed
from . import services


def on_visit_completed(appointment, report=None, **_extra):
    services.create_service_callback(appointment, report)


def on_complaint_resolved(complaint, **_extra):
    services.create_complaint_callback(complaint)


def on_request_forwarded(request, partner=None, **_extra):
    services.create_partner_check(request)


visit_completed.connect(on_visit_completed)
complaint_resolved.connect(on_complaint_resolved)
request_forwarded.connect(on_request_forwarded)
