"""Idempotent submissions: a client-chosen key makes a retry return the first answer, not a second write.

Used by API POSTs (Idempotency-Key header) and by forms that must never double-submit (a technician's
visit completion carries a key generated on the tablet).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..database import write_transaction
from ..errors import Conflict, DomainError
from ..extensions import db
from ..i18n import lazy_gettext as _l
from .models import IdempotencyRecord

MAX_KEY_LENGTH = 100


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict
    replayed: bool


def payload_hash(payload) -> str:
    if isinstance(payload, bytes):
        raw = payload
    else:
        raw = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hashlib.sha256(raw).hexdigest()


def run_idempotent(user_id: int, key: str | None, endpoint: str, payload,
                   action: Callable[[], tuple[int, dict]]) -> Outcome:
    """Run `action` (which returns status and JSON body) at most once per (user, key).

    The record and the action's changes commit in one transaction, so either both exist or neither.
    The same key with another payload is a 422; a concurrent duplicate waits for the first and replays it.
    """
    if key is None:
        with write_transaction():
            status, body = action()
        return Outcome(status, body, False)
    key = key.strip()
    # Printable: the key is stored as text, and PostgreSQL refuses text with a NUL character.
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise DomainError("bad_idempotency_key", _l("The idempotency key must be 1 to 100 printable characters."))
    digest = payload_hash(payload)
    with write_transaction():
        stored = _lookup(user_id, key)
        if stored is None:
            record = IdempotencyRecord(user_id=user_id, key=key, endpoint=endpoint, payload_hash=digest)
            try:
                with db.session.begin_nested():
                    db.session.add(record)
            except IntegrityError:
                # Another request with this key committed first (PostgreSQL waits for it, then lands here).
                stored = _lookup(user_id, key)
        if stored is not None:
            return _replay(stored, endpoint, digest)
        status, body = action()
        record.status_code = status
        record.response_body = json.dumps(body, default=str)
    return Outcome(status, body, False)


def _lookup(user_id: int, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id,
                                                             IdempotencyRecord.key == key))


def _replay(stored: IdempotencyRecord, endpoint: str, digest: str) -> Outcome:
    if stored.endpoint != endpoint or stored.payload_hash != digest:
        raise DomainError("idempotency_key_reused",
                          _l("This idempotency key was already used for a different submission."))
    if stored.status_code is None:
        raise Conflict("request_in_progress", _l("The same submission is still being processed. Try again shortly."))
    return Outcome(stored.status_code, json.loads(stored.response_body), True)
