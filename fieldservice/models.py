"""Imports every model so the metadata (and Alembic) sees the whole domain."""
from .agreements.models import AgreementStatus, PlannedKind, PlannedStatus, PlannedVisit, ServiceAgreement, agreement_unit
from .api.models import IdempotencyRecord
from .audit.models import AuditEvent
from .auth.models import ApiToken, Role, User
from .catalog.models import FaultCode, LabourItem, Part, Partner, ProductModel, Setting
from .complaints.models import Complaint, ComplaintCategory, ComplaintNote, ComplaintStatus, Severity
from .customers.models import CoordSource, Customer, CustomerType, SaleType, Unit
from .followups.models import FollowUp, FollowUpKind, FollowUpStatus
from .intake.models import DailyCounter, RequestNote, ServiceRequest
from .intake.rules import Channel, RequestKind, RequestStatus
from .parts.models import (LocationKind, MovementKind, Requisition, RequisitionStatus, StockLevel, StockLocation,
                           StockMovement)
from .reports.models import SalesOffer
from .scheduling.models import Appointment, AppointmentSlot, AppointmentStatus, DayPlan, Technician
from .visits.models import LineKind, ReportLine, ServiceReport, Verdict, VisitOutcome, VisitPhoto

__all__ = [name for name in dir() if not name.startswith("_")]
