"""Runtime settings: an admin's value (Setting table) overrides the configuration default."""
from __future__ import annotations

from flask import current_app

from .catalog.models import Setting
from .extensions import db

# Settings an admin may change, with the type their text value is read as.
EDITABLE = {
    "SLA_HOURS": int,
    "CALLBACK_DAYS": int,
    "CALL_OUT_FEE": str,
    "WORK_START": str,
    "WORK_END": str,
    "WINDOW_MINUTES": int,
    "ROAD_FACTOR": float,
    "SPEED_KMH": float,
    "REQUISITION_NEEDS_APPROVAL": lambda text: text.lower() in {"1", "true", "yes", "on"},
}


def get_setting(name: str):
    if name in EDITABLE:
        row = db.session.get(Setting, name)
        if row is not None:
            return EDITABLE[name](row.value)
    return current_app.config[name]
