"""Admin use cases: technicians with their accounts and vans, the catalogue, runtime settings."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..auth import services as auth_services
from ..auth.models import Role, User
from ..catalog.models import FaultCode, LabourItem, Part, Partner, ProductModel, Setting
from ..database import write_transaction
from ..errors import Conflict, DomainError, NotFound
from ..extensions import db
from ..geo import geocode
from ..i18n import lazy_gettext as _l
from ..parts.models import LocationKind, StockLocation
from ..intake.models import ServiceRequest
from ..scheduling.models import ACTIVE_APPOINTMENT_STATUSES, Appointment, Technician
from ..settings import EDITABLE

_REGION_SEPARATORS = re.compile(r"[,，、;；\s]+")


def parse_regions(text: str) -> list[str]:
    """'苏州市，昆山市、 太仓市' -> ['苏州市', '昆山市', '太仓市'] (order kept, duplicates dropped)."""
    return list(dict.fromkeys(part for part in _REGION_SEPARATORS.split(text.strip()) if part))


def van_code(username: str) -> str:
    return f"VAN-{username.upper()}"


def van_name(display_name: str) -> str:
    return f"服务车 · {display_name}"


# --- technicians -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TechnicianProfile:
    display_name: str
    phone: str
    base_address: str
    base_lat: float | None
    base_lon: float | None
    skills: list[str]
    area_radius_km: float
    regions: list[str]
    working_days: str
    work_start: time
    work_end: time
    active: bool = True


def create_technician(*, username: str, password: str, locale: str | None, profile: TechnicianProfile,
                      actor=None) -> Technician:
    """The login, the technician and their van (a stock location), in one transaction."""
    with write_transaction():
        username = username.strip()
        if db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
            raise Conflict("username_taken", _l("The username %(name)s is already taken.", name=username),
                           field="username")
        lat, lon = _base_coordinates(profile, None)
        van = _new_van(username, profile.display_name, field="username")
        user = auth_services.create_user(username=username, display_name=profile.display_name,
                                         role=Role.TECHNICIAN.value, password=password, phone=profile.phone,
                                         locale=locale, actor=actor)
        technician = Technician(user_id=user.id, van_location_id=van.id)
        _apply_profile(technician, profile, lat, lon)
        db.session.add(technician)
        db.session.flush()
        record("technician_created", technician, actor=actor, username=user.username, van=van.code)
    return technician


def refuse_if_visits_booked(technician: Technician | None) -> None:
    """A technician taken off duty would leave the customers of their open visits waiting for nobody: the
    board shows neither the lane nor the visits any more. The visits are reassigned or cancelled first."""
    if technician is None:
        return
    numbers = db.session.scalars(
        select(ServiceRequest.number).join(Appointment, Appointment.request_id == ServiceRequest.id)
        .where(Appointment.technician_id == technician.id,
               Appointment.status.in_([str(s) for s in ACTIVE_APPOINTMENT_STATUSES]))
        .order_by(Appointment.window_start)).all()
    if numbers:
        raise Conflict("technician_has_visits", _l(
            "%(name)s still has visits booked (%(numbers)s). Reassign or cancel them on the dispatch board first.",
            name=technician.user.display_name, numbers=", ".join(numbers)))


def update_user(user_id: int, *, active: bool, role: str, actor=None, **changes) -> User:
    """An account change from the admin pages; a technician with booked visits stays an active technician."""
    with write_transaction():
        user = db.session.get(User, user_id)
        if user is not None and user.role == Role.TECHNICIAN and (user.active and not active or role != user.role):
            refuse_if_visits_booked(db.session.scalar(select(Technician).where(Technician.user_id == user_id)))
        return auth_services.update_user(user_id, active=active, role=role, actor=actor, **changes)


def update_technician(technician_id: int, profile: TechnicianProfile, actor=None) -> Technician:
    with write_transaction():
        technician = db.session.get(Technician, technician_id)
        if technician is None:
            raise NotFound("unknown_technician", _l("This technician does not exist."))
        if technician.active and not profile.active:
            refuse_if_visits_booked(technician)
        lat, lon = _base_coordinates(profile, technician)
        before = _snapshot(technician)
        _apply_profile(technician, profile, lat, lon)
        technician.user.display_name = profile.display_name
        technician.user.phone = profile.phone
        if technician.van is None:
            # Technicians set up before vans were automatic get theirs on their next edit.
            technician.van = _new_van(technician.user.username, profile.display_name)
            technician.van_location_id = technician.van.id
        technician.van.name = van_name(profile.display_name)
        changed = sorted(k for k, v in _snapshot(technician).items() if before[k] != v)
        record("technician_updated", technician, actor=actor, changed=changed)
    return technician


def _new_van(username: str, display_name: str, field: str | None = None) -> StockLocation:
    code = van_code(username)
    if db.session.scalar(select(StockLocation.id).where(StockLocation.code == code)):
        raise Conflict("van_code_taken", _l("A stock location with the code %(code)s already exists.", code=code),
                       **({"field": field} if field else {}))
    van = StockLocation(code=code, name=van_name(display_name), kind=LocationKind.VAN.value)
    db.session.add(van)
    db.session.flush()
    return van


def _apply_profile(technician: Technician, profile: TechnicianProfile, lat: float, lon: float) -> None:
    technician.phone = profile.phone
    technician.base_address = profile.base_address
    technician.base_lat, technician.base_lon = lat, lon
    technician.skills = list(profile.skills)
    technician.area_radius_km = profile.area_radius_km
    technician.regions = list(profile.regions)
    technician.working_days = profile.working_days
    technician.work_start, technician.work_end = profile.work_start, profile.work_end
    technician.active = profile.active


def _snapshot(technician: Technician) -> dict:
    return {name: getattr(technician, name) for name in (
        "phone", "base_address", "base_lat", "base_lon", "skills", "area_radius_km", "regions", "working_days",
        "work_start", "work_end", "active", "van_location_id")} | {
        "display_name": technician.user.display_name}


def _base_coordinates(profile: TechnicianProfile, current: Technician | None) -> tuple[float, float]:
    """Coordinates typed in by the admin win; otherwise the address decides (offline geocoder).

    The edit form shows the stored coordinates, so coordinates equal to them are not an override: an
    unchanged address keeps them, a changed address is geocoded again. Empty coordinates always geocode.
    """
    typed = profile.base_lat is not None and profile.base_lon is not None
    if current is not None and typed and (profile.base_lat, profile.base_lon) == (current.base_lat, current.base_lon):
        if profile.base_address == current.base_address:
            return current.base_lat, current.base_lon
        typed = False
    if typed:
        return profile.base_lat, profile.base_lon
    place = geocode(profile.base_address)
    if place is None:
        raise DomainError("base_address_unknown",
                          _l("The address was not recognised. Name the city and district (e.g. 上海市浦东新区…) "
                             "or enter the latitude and longitude."), field="base_address")
    return place.lat, place.lon


# --- catalogue -------------------------------------------------------------------------------------------------

def _normalise_code(code: str) -> str:
    return code.strip().upper()


def save_product_model(item_id: int | None, values: dict, actor=None) -> ProductModel:
    values = dict(values, code=_normalise_code(values["code"]))
    return _save(ProductModel, item_id, values, "code", actor,
                 _l("The model code %(value)s is already in the catalogue.", value=values["code"]))


def save_part(item_id: int | None, values: dict, actor=None) -> Part:
    values = dict(values, code=_normalise_code(values["code"]))
    return _save(Part, item_id, values, "code", actor,
                 _l("The part code %(value)s is already in the catalogue.", value=values["code"]))


def save_labour_item(item_id: int | None, values: dict, actor=None) -> LabourItem:
    values = dict(values, code=_normalise_code(values["code"]))
    return _save(LabourItem, item_id, values, "code", actor,
                 _l("The labour code %(value)s is already in the catalogue.", value=values["code"]))


def save_fault_code(item_id: int | None, values: dict, actor=None) -> FaultCode:
    values = dict(values, code=_normalise_code(values["code"]))
    return _save(FaultCode, item_id, values, "code", actor,
                 _l("The fault code %(value)s is already in the catalogue.", value=values["code"]))


def save_partner(item_id: int | None, values: dict, actor=None) -> Partner:
    values = dict(values, name=values["name"].strip())
    return _save(Partner, item_id, values, "name", actor,
                 _l("A partner named %(value)s already exists.", value=values["name"]))


def _save(model, item_id: int | None, values: dict, unique: str, actor, duplicate_message):
    """Create (item_id None) or update one catalogue row; its unique key is compared case-insensitively."""
    with write_transaction():
        if item_id is None:
            item = model()
        else:
            item = db.session.get(model, item_id)
            if item is None:
                raise NotFound("unknown_item", _l("This catalogue entry does not exist."))
        column = getattr(model, unique)
        clash = select(model.id).where(func.lower(column) == values[unique].lower())
        if item_id is not None:
            clash = clash.where(model.id != item_id)
        if db.session.scalar(clash.limit(1)) is not None:
            raise Conflict(f"duplicate_{unique}", duplicate_message, field=unique)
        changed = sorted(k for k, v in values.items() if getattr(item, k) != v)
        for key, value in values.items():
            setattr(item, key, value)
        db.session.add(item)
        try:
            # A concurrent save of the same key gets past the check; the unique index still refuses it.
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError:
            raise Conflict(f"duplicate_{unique}", duplicate_message, field=unique) from None
        action = f"{model.__tablename__}_{'created' if item_id is None else 'updated'}"
        record(action, item, actor=actor, **{unique: values[unique], "changed": changed})
    return item


# --- settings --------------------------------------------------------------------------------------------------

def setting_text(value) -> str:
    """A typed value as stored in the Setting table (and read back by settings.get_setting)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal):
        return f"{value.quantize(Decimal('0.01'))}"
    return str(value)


def save_settings(values: dict, actor=None) -> list[str]:
    """Store the values that differ from the configuration; a value back at its default removes the override,
    so a later change of the default (environment) applies again. Returns the names that changed."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    changed = {}
    with write_transaction():
        for name, value in values.items():
            text = setting_text(value)
            row = db.session.get(Setting, name)
            before = row.value if row is not None else setting_text(current_app.config[name])
            if EDITABLE[name](text) == current_app.config[name]:
                if row is not None:
                    db.session.delete(row)
            elif row is None:
                db.session.add(Setting(key=name, value=text))
            else:
                row.value = text
            if before != text:
                changed[name] = text
        if changed:
            record("settings_changed", object_type="setting", actor=actor, **changed)
    return sorted(changed)
