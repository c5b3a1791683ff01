"""Read-side questions other areas ask about agreements (warranty coverage, billing waivers)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..billing.rules import AgreementWaiver
from ..extensions import db
from .models import AgreementStatus, ServiceAgreement, agreement_unit


def active_agreement_for_unit(unit_id: int, on: date) -> ServiceAgreement | None:
    """The active agreement covering the unit on that day (the longest-running one if several)."""
    return db.session.scalar(
        select(ServiceAgreement)
        .join(agreement_unit, agreement_unit.c.agreement_id == ServiceAgreement.id)
        .where(agreement_unit.c.unit_id == unit_id, ServiceAgreement.status == AgreementStatus.ACTIVE,
               ServiceAgreement.start_date <= on, ServiceAgreement.end_date >= on)
        .order_by(ServiceAgreement.end_date.desc())
        .limit(1)
    )


def waiver_for_unit(unit_id: int, on: date) -> AgreementWaiver | None:
    """The agreement's parts/labour waivers for billing's compute_charges, or None without an active agreement."""
    agreement = active_agreement_for_unit(unit_id, on)
    if agreement is None or not (agreement.parts_waiver_pct or agreement.labour_waiver_pct):
        return None
    return AgreementWaiver(parts_pct=agreement.parts_waiver_pct, labour_pct=agreement.labour_waiver_pct,
                           number=agreement.number)
