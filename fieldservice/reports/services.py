"""The one write the reports make: starting an agreement offer from the warranty-expiry list."""
from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from ..agreements.models import agreement_unit
from ..audit.services import record
from ..auth.current import acting_user
from ..customers.models import Unit
from ..database import write_transaction
from ..errors import Conflict, DomainError, NotFound
from ..extensions import db
from ..followups.models import FollowUp
from ..followups.rules import FollowUpKind, FollowUpStatus
from ..i18n import fmt_date, lazy_gettext as _l, local_today
from .expiry import coverage_end_for_unit
from .models import SalesOffer


def open_offer_for_unit(unit_id: int) -> FollowUp | None:
    """The pending sales call about this unit: one started here, or a renewal call for its agreement."""
    return db.session.scalar(
        select(FollowUp)
        .where(FollowUp.kind == FollowUpKind.SALES_OFFER.value, FollowUp.status == FollowUpStatus.PENDING.value,
               or_(FollowUp.id.in_(select(SalesOffer.follow_up_id).where(SalesOffer.unit_id == unit_id)),
                   FollowUp.agreement_id.in_(select(agreement_unit.c.agreement_id)
                                             .where(agreement_unit.c.unit_id == unit_id))))
        .order_by(FollowUp.due_date)
        .limit(1))


def start_agreement_offer(unit_id: int) -> SalesOffer:
    """A sales call about an agreement for a unit whose coverage is ending: due today, on the acting
    manager's call list. At most one open offer per unit."""
    actor = acting_user()
    with write_transaction():
        # Locking the unit serialises managers pressing at once (PostgreSQL; SQLite's write lock already does).
        unit = db.session.get(Unit, unit_id, with_for_update=True)
        if unit is None:
            raise NotFound("unknown_unit", _l("This unit does not exist."))
        coverage = coverage_end_for_unit(unit)
        if coverage is None:
            raise DomainError("no_coverage", _l("This unit has no warranty coverage that could be extended."))
        existing = open_offer_for_unit(unit.id)
        if existing is not None:
            raise Conflict("offer_open", _l("An offer call for this unit is already on the call list (due %(date)s).",
                                            date=fmt_date(existing.due_date)))
        # The previous offer's call is finished: it no longer holds the unit.
        finished_calls = select(FollowUp.id).where(FollowUp.status != FollowUpStatus.PENDING.value)
        db.session.execute(update(SalesOffer)
                           .where(SalesOffer.open_unit_id == unit.id, SalesOffer.follow_up_id.in_(finished_calls))
                           .values(open_unit_id=None))
        follow_up = FollowUp(kind=FollowUpKind.SALES_OFFER.value, customer_id=unit.customer_id,
                             due_date=local_today(), assignee_id=getattr(actor, "id", None),
                             status=FollowUpStatus.PENDING.value, attempts=0)
        db.session.add(follow_up)
        db.session.flush()
        kind, coverage_end = coverage
        offer = SalesOffer(unit_id=unit.id, open_unit_id=unit.id, follow_up_id=follow_up.id, coverage_kind=kind.value,
                           coverage_end=coverage_end, created_by_id=getattr(actor, "id", None))
        try:
            with db.session.begin_nested():
                db.session.add(offer)
        except IntegrityError:
            # Another manager started one at the same moment; the unique open_unit_id refused ours.
            raise Conflict("offer_open", _l("An offer call for this unit has just been started by someone else."))
        record("follow_up_created", follow_up, kind=follow_up.kind, due_date=follow_up.due_date.isoformat())
        record("sales_offer_started", offer, unit_id=unit.id, follow_up_id=follow_up.id,
               coverage_end=coverage_end.isoformat())
    return offer
