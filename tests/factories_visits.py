"""Factories for visits and stock: a technician on site with parts in the van, a drawn signature, a completion."""
from __future__ import annotations

import dataclasses
import io
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from PIL import Image, ImageDraw

from fieldservice.database import utcnow
from fieldservice.visits.rules import Completion, LabourInput, PartInput, WorkInput
from tests import factories


def signature_png(size=(600, 200)) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(30, 150), (200, 40), (380, 160), (560, 50)], fill=(16, 24, 64, 255), width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def photo_jpeg(size=(640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(out, "JPEG")
    return out.getvalue()


def visit(tech=None, status: str = "on_site", start=None, owner_unit=None, request_status: str | None = None,
          **request_kwargs):
    """An appointment of `tech` (a new technician by default) in the given status, its request to match."""
    tech = tech or factories.technician()
    matching = {"booked": "scheduled", "done": "completed", "cancelled": "cancelled"}.get(status, status)
    request = factories.service_request(owner_unit=owner_unit, status=request_status or matching, **request_kwargs)
    extra = {"arrived_at": utcnow() - timedelta(minutes=30)} if status in ("on_site", "done") else {}
    return factories.appointment(request, tech, start=start, status=status, **extra)


def workshop(tech=None, van_qty: int = 5, **visit_kwargs) -> SimpleNamespace:
    """A visit on site with what completing it needs: a fault code, a labour item, a part in the van."""
    tech = tech or factories.technician()
    appointment = visit(tech, **visit_kwargs)
    part = factories.part(code=f"PW-{factories.next_id()}", name="电源板", price="386.00")
    factories.stock(part, tech.van, van_qty)
    return SimpleNamespace(
        tech=tech, visit=appointment, request=appointment.request, unit=appointment.request.unit, part=part,
        labour=factories.labour_item(name="更换电源板", price="80.00"),
        fault=factories.fault_code(name_zh="电源板故障", name_en="Power board failure"),
    )


def completion(w: SimpleNamespace, **changes) -> Completion:
    work = WorkInput(model_found=w.unit.model.code, serial_found=w.unit.serial,
                     labour=(LabourInput(w.labour.id, Decimal("1.5")),), parts=(PartInput(w.part.id, 1),))
    base = Completion(
        work=work, exclusion_note="", fault_code_id=w.fault.id, diagnosis="电源板 12V 无输出，电容鼓包",
        resolution="更换电源板，老化测试 30 分钟", outcome="fixed", loaner_serial="", verdict="satisfied",
        customer_comment="师傅很专业", signer_name="张伟", signature_png=signature_png())
    work_changes = {k: changes.pop(k) for k in list(changes) if k in {f.name for f in dataclasses.fields(WorkInput)}}
    if work_changes:
        base = dataclasses.replace(base, work=dataclasses.replace(work, **work_changes))
    return dataclasses.replace(base, **changes)


def completion_form(w: SimpleNamespace, key: str = "key-1", **changes) -> dict:
    """The completion form as the tablet posts it (multipart: the signature is a file part)."""
    data = {
        "idempotency_key": key, "model_found": w.unit.model.code, "serial_found": w.unit.serial,
        "fault_code": str(w.fault.id), "diagnosis": "电源板 12V 无输出", "resolution": "更换电源板",
        "labour-0-item": str(w.labour.id), "labour-0-qty": "1.5",
        "parts-0-part": str(w.part.id), "parts-0-qty": "1",
        "outcome": "fixed", "verdict": "satisfied", "customer_comment": "满意", "signer_name": "张伟",
        "signature": (io.BytesIO(signature_png()), "signature.png", "image/png"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}
