"""Milliseconds to produce one signed service report, beside the floor of a bare one-line page.

    /tmp/venv/bin/python bench/bench_report_pdf.py [--n 200] [--example report.pdf] [--locale en]

Three figures:
- produce report: what signing costs in the running service: read the report, its visit, request,
  customer, unit and technician from the database (SQLite in a temporary file), lay it out with the
  CJK font and the signature, and hash it (visits.services.report_document + render + SHA-256);
- layout only: render_service_report of a ready ReportDocument;
- bare page: a one-line reportlab canvas page, the floor.

--example writes the PDF that the real completion service produced for the seeded visit
(realistic Chinese content, a drawn signature), which is how docs/example-service-report.png is made:
    pdftoppm -r 110 -png -singlefile report.pdf docs/example-service-report
"""
from __future__ import annotations

import argparse
import hashlib
import io
import math
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

from PIL import Image, ImageDraw
from reportlab.pdfgen.canvas import Canvas

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fieldservice.billing.rules import (  # noqa: E402
    AgreementWaiver,
    Coverage,
    LabourLine,
    PartLine,
    compute_charges,
    next_receipt_number,
)
from fieldservice.visits.images import clean_signature_png  # noqa: E402
from fieldservice.visits.pdf import ReportDocument, render_service_report  # noqa: E402


# 王秀英 in a quick running hand: pen strokes as the tablet's canvas would record them.
SIGNATURE_STROKES = (
    ((45, 62), (95, 55), (140, 50), (112, 58), (96, 80), (92, 104), (70, 108), (110, 102), (148, 96),
     (118, 104), (102, 128), (100, 150), (60, 160), (110, 154), (168, 146)),
    ((258, 38), (236, 48), (214, 56)), ((202, 82), (255, 76), (312, 70)),
    ((255, 50), (256, 90), (258, 128)), ((252, 86), (232, 106), (206, 124)),
    ((262, 88), (290, 104), (318, 116)),
    ((214, 132), (260, 128), (300, 124), (288, 146), (268, 170), (250, 166)),
    ((246, 130), (238, 156), (222, 182)),
    ((352, 58), (410, 52), (472, 46)), ((386, 34), (390, 52), (396, 72)),
    ((442, 30), (438, 50), (430, 72)), ((378, 88), (376, 106), (378, 124)),
    ((378, 90), (430, 85), (468, 82), (466, 104), (462, 122)), ((420, 64), (421, 100), (420, 122)),
    ((345, 128), (420, 122), (505, 116)), ((418, 124), (398, 156), (362, 184)),
    ((430, 130), (462, 158), (508, 178)),
)


def _smooth(points, steps: int = 12) -> list[tuple[float, float]]:
    """A Catmull-Rom curve through the points, so strokes look drawn rather than ruled."""
    p = [points[0], *points, points[-1]]
    out = []
    for i in range(1, len(p) - 2):
        for s in range(steps):
            t = s / steps
            out.append(tuple(
                0.5 * (2 * p[i][k] + (p[i + 1][k] - p[i - 1][k]) * t
                       + (2 * p[i - 1][k] - 5 * p[i][k] + 4 * p[i + 1][k] - p[i + 2][k]) * t * t
                       + (3 * p[i][k] - p[i - 1][k] - 3 * p[i + 1][k] + p[i + 2][k]) * t ** 3)
                for k in (0, 1)))
    return [*out, points[-1]]


def drawn_signature() -> bytes:
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    for stroke in SIGNATURE_STROKES:
        pen.line(_smooth(stroke), fill=(20, 20, 60, 255), width=5, joint="curve")
    # A right-handed slant.
    image = image.transform(image.size, Image.Transform.AFFINE, (1, 0.18, -20, 0, 1, 0),
                            resample=Image.Resampling.BICUBIC)
    out = io.BytesIO()
    image.save(out, "PNG")
    return clean_signature_png(out.getvalue())


def example_document(locale: str = "zh_CN") -> ReportDocument:
    charges = compute_charges(
        call_out_fee=D("50.00"),
        labour=[LabourLine("LB-021", "更换电源板及整机检测", D("1.5"), D("80.00")),
                LabourLine("LB-003", "屏幕清洁与软件升级", D("0.5"), D("60.00"))],
        parts=[PartLine("PW-55U8-01", "电源板 LX-55U8", 1, D("386.00")),
               PartLine("RC-2201", "语音遥控器", 1, D("89.00"), is_accessory=True),
               PartLine("CB-HDMI-2", "HDMI 2.1 连接线 2 米", 1, D("45.50"), is_accessory=True)],
        coverage=Coverage(True, False, "整机在保修期内（购买于 2026-02-14，整机保修 12 个月）",
                          "the unit is within its 12-month warranty (purchased 2026-02-14)"),
        agreement=AgreementWaiver(parts_pct=50, labour_pct=100, number="SA-2026-0031"),
    )
    return ReportDocument(
        locale=locale,
        centre_name="华东售后服务中心 · 上海浦东站",
        centre_address="上海市浦东新区张江路 1238 号 2 号楼 3 层",
        centre_phone="400-820-6688",
        request_number="SR-20261122-0007",
        revision=2,
        reported_at="2026-11-22 09:14",
        arrived_at="2026-11-22 14:05",
        finished_at="2026-11-22 15:32",
        signed_at="2026-11-22 15:40",
        customer_name="王秀英",
        customer_phone="138 0013 8000",
        customer_address="上海市浦东新区锦绣路 2580 弄 16 号 1102 室",
        model="LX-55U8 55 英寸 4K 智能电视",
        serial="LX55U8-2402-00831",
        purchase_date="2026-02-14",
        found_model="LX-55U8",
        found_serial="LX55U8-2402-00831",
        model_mismatch=False,
        serial_mismatch=False,
        warranty_status="保修期内（配件已过保）",
        warranty_reasons=("整机保修 12 个月：2026-02-14 至 2027-02-13，发票号 31008826。",
                          "遥控器、连接线等配件保修 6 个月，已于 2026-08-13 到期，配件收费。",
                          "客户持有服务协议 SA-2026-0031：人工全免，配件 50%。"),
        fault_code="E-PWR-03",
        fault_text="电源板故障（开关电源输出异常）",
        diagnosis="开机无反应，指示灯不亮。测量电源板主输出 12V 无电压，待机 5V 正常；"
                  "PFC 电容鼓包，保险管完好。主板、背光驱动检测正常。遥控器按键失灵（电池触点腐蚀），"
                  "客户要求一并更换；HDMI 连接线接口松动导致机顶盒信号时断时续。",
        resolution="更换电源板（PW-55U8-01）并进行 30 分钟老化测试；升级系统固件至 V3.2.18；"
                   "更换语音遥控器并完成配对；更换 HDMI 2.1 连接线。",
        outcome="已修复，整机工作正常",
        charges=charges,
        receipt_number=next_receipt_number(date(2026, 11, 22), 12),
        verdict="非常满意",
        verdict_comment="师傅准时上门，讲解清楚，收费明白。",
        signer_name="王秀英",
        signature_png=drawn_signature(),
        technician_name="李建国（工号 T-0158）",
        verification_code="7Q4K-M2XD",
        previous_sha256="3f5a9c0e8b7d41e2a6c5b4f3e2d1c0b9a8f7e6d5c4b3a2918f7e6d5c4b3a2910",
    )


def _bare_page() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.drawString(72, 720, "SR-20261122-0007")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _times_ms(fns: dict, n: int) -> dict[str, list[float]]:
    """Each function n times, taken in turns, so a busy machine slows all of them alike."""
    result: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(n):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            result[name].append((time.perf_counter() - start) * 1000)
    return {name: sorted(times) for name, times in result.items()}


def seed_signed_report(locale: str) -> int:
    """A visit completed and signed through the real service (call inside an app and request context)."""
    from fieldservice.database import utcnow
    from fieldservice.extensions import db
    from fieldservice.i18n import local_today
    from fieldservice.models import (Appointment, Customer, FaultCode, LabourItem, Part, ProductModel,
                                     ServiceAgreement, ServiceRequest, StockLevel, StockLocation, Technician, Unit,
                                     User)
    from fieldservice.visits import services
    from fieldservice.visits.rules import Completion, LabourInput, PartInput, WorkInput

    today = local_today()
    user = User(username="li.jianguo", display_name="李建国", role="technician", password_hash="-")
    van = StockLocation(code="VAN-0158", name="沪A·3K158 车载库", kind="van")
    db.session.add_all([user, van])
    db.session.flush()
    tech = Technician(user_id=user.id, phone="139 1680 0158", base_lat=31.2, base_lon=121.5, van_location_id=van.id)
    model = ProductModel(code="LX-55U8", name="55 英寸 4K 智能电视", product_line="tv")
    customer = Customer(name="王秀英" if locale == "zh_CN" else "Wang Xiuying", phone="13800138000",
                        address="上海市浦东新区锦绣路 2580 弄 16 号 1102 室", locale=locale)
    db.session.add_all([tech, model, customer])
    db.session.flush()
    purchased = today - timedelta(days=281)  # inside the unit's 12 months, past the accessories' 6
    unit = Unit(serial="LX55U8-2402-00831", model_id=model.id, customer_id=customer.id, purchase_date=purchased,
                invoice_no="31008826")
    parts = [Part(code="PW-55U8-01", name="电源板 LX-55U8", unit_price=D("386.00")),
             Part(code="RC-2201", name="语音遥控器", unit_price=D("89.00"), is_accessory=True),
             Part(code="CB-HDMI-2", name="HDMI 2.1 连接线 2 米", unit_price=D("45.50"), is_accessory=True)]
    labour = [LabourItem(code="LB-021", name="更换电源板及整机检测", price=D("80.00")),
              LabourItem(code="LB-003", name="屏幕清洁与软件升级", price=D("60.00"))]
    fault = FaultCode(code="E-PWR-03", name_zh="电源板故障（开关电源输出异常）", name_en="Power board failure")
    db.session.add_all([unit, fault, *parts, *labour])
    db.session.flush()
    db.session.add_all([StockLevel(part_id=p.id, location_id=van.id, qty=4) for p in parts])
    db.session.add(ServiceAgreement(number="SA-2026-0031", customer_id=customer.id, start_date=today - timedelta(30),
                                    end_date=today + timedelta(335), parts_waiver_pct=50, labour_waiver_pct=100,
                                    status="active", units=[unit]))
    now = utcnow()
    request = ServiceRequest(number=f"SR-{today:%Y%m%d}-0007", customer_id=customer.id, unit_id=unit.id,
                             channel="phone", fault_description="开机无反应，指示灯不亮", reported_at=now - timedelta(hours=6),
                             sla_due_at=now + timedelta(hours=18), status="on_site")
    db.session.add(request)
    db.session.flush()
    visit = Appointment(request_id=request.id, technician_id=tech.id, window_start=now - timedelta(hours=2),
                        window_end=now, status="on_site", arrived_at=now - timedelta(minutes=95))
    db.session.add(visit)
    db.session.commit()
    completion = Completion(
        work=WorkInput(model_found="LX-55U8", serial_found="LX55U8-2402-00831",
                       labour=(LabourInput(labour[0].id, D("1.5")), LabourInput(labour[1].id, D("0.5"))),
                       parts=tuple(PartInput(p.id, 1) for p in parts)),
        exclusion_note="", fault_code_id=fault.id,
        diagnosis="开机无反应，指示灯不亮。测量电源板主输出 12V 无电压，待机 5V 正常；PFC 电容鼓包，保险管完好。"
                  "主板、背光驱动检测正常。遥控器按键失灵（电池触点腐蚀），客户要求一并更换；"
                  "HDMI 连接线接口松动导致机顶盒信号时断时续。",
        resolution="更换电源板（PW-55U8-01）并进行 30 分钟老化测试；升级系统固件至 V3.2.18；"
                   "更换语音遥控器并完成配对；更换 HDMI 2.1 连接线。",
        outcome="fixed", loaner_serial="", verdict="satisfied", customer_comment="师傅准时上门，讲解清楚，收费明白。",
        signer_name="王秀英", signature_png=drawn_signature())
    return services.complete_visit(user, visit.id, completion, "bench").body["report_id"]


def produce_report(report_id: int) -> str:
    """Signing's cost in the service: DB read of the report and its visit, layout, CJK font, signature, hash."""
    from fieldservice.extensions import db
    from fieldservice.visits.services import load_report, report_document

    db.session.remove()  # a cold session: every row is read from the database
    report = load_report(report_id)
    return hashlib.sha256(render_service_report(report_document(report))).hexdigest()


def _line(name: str, times: list[float]) -> str:
    p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
    return f"{name:15} median {statistics.median(times):6.2f} ms   p95 {p95:6.2f} ms   (n={len(times)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--locale", default="zh_CN", choices=("zh_CN", "en"))
    parser.add_argument("--example", type=Path, help="also write the report the service produced to this PDF")
    args = parser.parse_args()

    from fieldservice import create_app
    from fieldservice.extensions import db
    from fieldservice.models import ServiceReport

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db"})
        with app.app_context(), app.test_request_context(base_url="https://service.example.com"):
            db.create_all()
            start = time.perf_counter()
            report_id = seed_signed_report(args.locale)
            first_ms = (time.perf_counter() - start) * 1000
            stored = db.session.get(ServiceReport, report_id)
            pdf = stored.pdf
            assert produce_report(report_id) == hashlib.sha256(pdf).hexdigest(), "the report is not reproducible"
            if args.example:
                args.example.write_bytes(pdf)
            doc = example_document(args.locale)
            times = _times_ms({"produce report": lambda: produce_report(report_id),
                               "layout only": lambda: render_service_report(doc), "bare page": _bare_page}, args.n)
            db.session.remove()
            app.extensions["sqlalchemy"].engine.dispose()
    for name, values in times.items():
        print(_line(name, values))
    print(f"first signed visit (seeding and font registration included): {first_ms:.0f} ms; "
          f"PDF {len(pdf) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
