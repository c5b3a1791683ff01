"""Domain events. Senders emit inside their write transaction; subscribers (in <area>/subscribers.py)
run synchronously in the same transaction, so a follow-up is created exactly when the visit commits.
"""
from blinker import Namespace

_signals = Namespace()

# sender: the ServiceRequest
request_created = _signals.signal("request-created")
request_status_changed = _signals.signal("request-status-changed")  # kwargs: previous, current
# sender: the Appointment
appointment_booked = _signals.signal("appointment-booked")
appointment_cancelled = _signals.signal("appointment-cancelled")  # kwargs: reason
# sender: the Appointment; kwargs: report (ServiceReport, signed)
visit_completed = _signals.signal("visit-completed")
# sender: the Complaint
complaint_resolved = _signals.signal("complaint-resolved")
# sender: the ServiceRequest; kwargs: partner
request_forwarded = _signals.signal("request-forwarded")
