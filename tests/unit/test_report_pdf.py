import dataclasses
import io
import re
import shutil
import subprocess
from decimal import Decimal as D
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from fieldservice import pdf_fonts
from fieldservice.billing.rules import AgreementWaiver, Coverage, LabourLine, PartLine, compute_charges
from fieldservice.visits.pdf import ReportDocument, render_service_report, wrap


def signature_png() -> bytes:
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(20, 70), (90, 20), (150, 80), (280, 30)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def typical_report(**changes) -> ReportDocument:
    """Six labour and part lines: the size of a typical visit."""
    charges = compute_charges(
        call_out_fee=D("50"),
        labour=[LabourLine("LB-021", "更换电源板", D("1.5"), D("80")),
                LabourLine("LB-003", "软件升级", D("0.5"), D("60"))],
        parts=[PartLine("PW-01", "电源板", 1, D("386")), PartLine("FU-02", "保险管", 2, D("3.5")),
               PartLine("RC-2201", "遥控器", 1, D("89"), is_accessory=True),
               PartLine("CB-HDMI", "HDMI 连接线", 1, D("45.5"), is_accessory=True)],
        coverage=Coverage(True, False, "整机在保修期内", "the unit is within warranty"),
        agreement=AgreementWaiver(parts_pct=50, labour_pct=100, number="SA-2026-0031"),
    )
    doc = ReportDocument(
        locale="zh_CN", centre_name="华东售后服务中心", centre_address="上海市浦东新区张江路 1238 号",
        centre_phone="400-820-6688", request_number="SR-20261122-0007", revision=1,
        reported_at="2026-11-22 09:14", arrived_at="2026-11-22 14:05",
        finished_at="2026-11-22 15:32", signed_at="2026-11-22 15:40",
        customer_name="王秀英", customer_phone="13800138000", customer_address="上海市浦东新区锦绣路 2580 弄",
        model="LX-55U8", serial="LX55U8-2402-00831", purchase_date="2026-02-14",
        found_model="LX-55U8", found_serial="LX55U8-2402-00831",
        model_mismatch=False, serial_mismatch=False,
        warranty_status="保修期内", warranty_reasons=("整机保修 12 个月", "配件保修 6 个月，已到期"),
        fault_code="E-PWR-03", fault_text="电源板故障",
        diagnosis="开机无反应，指示灯不亮。电源板主输出 12V 无电压，PFC 电容鼓包。" * 2,
        resolution="更换电源板并老化测试 30 分钟。", outcome="已修复",
        charges=charges, receipt_number="RC-20261122-0012", verdict="满意",
        verdict_comment="师傅准时上门，讲解清楚。", signer_name="王秀英", signature_png=signature_png(),
        technician_name="李建国", verification_code="7Q4K-M2XD",
    )
    return dataclasses.replace(doc, **changes)


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


@pytest.fixture
def pdf_text(tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) is not installed")

    def extract(pdf: bytes) -> str:
        path = tmp_path / "report.pdf"
        path.write_bytes(pdf)
        return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                              text=True).stdout

    return extract


@pytest.fixture
def fresh_font_lookup():
    pdf_fonts.cjk_font_name.cache_clear()
    yield
    pdf_fonts.cjk_font_name.cache_clear()


@pytest.fixture
def no_cjk_font_file(monkeypatch, fresh_font_lookup):
    monkeypatch.setattr(pdf_fonts, "KNOWN_FONT_PATHS", ("/nonexistent/font.ttc",))
    monkeypatch.delenv(pdf_fonts.ENV_VAR, raising=False)


def installed_font() -> str | None:
    return next((p for p in pdf_fonts.KNOWN_FONT_PATHS if Path(p).is_file()), None)


def test_the_report_is_a_pdf():
    assert render_service_report(typical_report()).startswith(b"%PDF")


def test_the_text_holds_the_request_number_serial_and_verification_code(pdf_text):
    text = pdf_text(render_service_report(typical_report()))
    for expected in ("SR-20261122-0007", "LX55U8-2402-00831", "7Q4K-M2XD", "RC-20261122-0012"):
        assert expected in text
    assert "/reports/verify" in text


def test_chinese_labels_and_content_extract_as_text(pdf_text):
    text = pdf_text(render_service_report(typical_report()))
    for expected in ("上门服务报告", "费用明细", "客户签字", "应付金额", "王秀英", "电源板故障"):
        assert expected in text


def test_an_english_report_has_english_labels(pdf_text):
    text = pdf_text(render_service_report(typical_report(locale="en")))
    for expected in ("Service Report", "Amount due", "Signed by", "Call-out fee"):
        assert expected in text
    assert "上门服务报告" not in text


def test_an_unknown_locale_is_refused():
    with pytest.raises(ValueError):
        typical_report(locale="fr")


def test_identical_input_gives_identical_bytes():
    assert render_service_report(typical_report()) == render_service_report(typical_report())


def test_a_typical_visit_fits_on_one_page():
    assert page_count(render_service_report(typical_report())) == 1


def test_a_long_report_runs_over_pages_without_losing_a_line(pdf_text):
    doc = typical_report()
    many = dataclasses.replace(doc.charges, lines=doc.charges.lines * 8)
    pdf = render_service_report(typical_report(charges=many, diagnosis="检测" * 1500))
    text = pdf_text(pdf)
    assert page_count(pdf) > 1
    assert text.count("CB-HDMI") == 8
    assert re.search(rf"共\s*{page_count(pdf)}\s*页", text)


def test_a_mismatched_serial_and_the_previous_revision_are_shown(pdf_text):
    text = pdf_text(render_service_report(typical_report(
        serial_mismatch=True, found_serial="XX-0001", revision=2, previous_sha256="ab" * 32)))
    assert "与记录不符" in text
    assert "ab" * 32 in text


def test_an_unsigned_report_says_so(pdf_text):
    assert "未签字" in pdf_text(render_service_report(typical_report(signature_png=None)))


def test_the_cjk_font_is_embedded_when_a_font_file_is_found():
    if installed_font() is None:
        pytest.skip("no CJK font file on this machine")
    assert pdf_fonts.cjk_font_name() != pdf_fonts.FALLBACK_CID_FONT
    assert b"/FontFile2" in render_service_report(typical_report())


def test_without_a_font_file_the_report_falls_back_to_the_cid_font(no_cjk_font_file, pdf_text):
    assert pdf_fonts.cjk_font_name() == "STSong-Light"
    pdf = render_service_report(typical_report())
    assert b"STSong-Light" in pdf
    assert "SR-20261122-0007" in pdf_text(pdf)


def test_the_configured_font_path_is_tried_first(monkeypatch, fresh_font_lookup):
    path = installed_font()
    if path is None:
        pytest.skip("no CJK font file on this machine")
    monkeypatch.setattr(pdf_fonts, "KNOWN_FONT_PATHS", ())
    monkeypatch.setenv(pdf_fonts.ENV_VAR, path)
    assert pdf_fonts.cjk_font_name() == f"FS-{Path(path).stem}"


def test_chinese_wraps_between_characters_and_never_starts_a_line_with_a_comma():
    font = pdf_fonts.cjk_font_name()
    lines = wrap("开机无反应，指示灯不亮，" * 10, font, 9, 100)
    assert len(lines) > 3
    assert all(not line.startswith("，") for line in lines)
    assert "".join(lines) == "开机无反应，指示灯不亮，" * 10


def test_latin_wraps_at_spaces_and_cuts_only_overlong_words():
    font = pdf_fonts.cjk_font_name()
    assert wrap("replace the power board", font, 9, 60) == ["replace the", "power board"]
    assert len(wrap("X" * 80, font, 9, 60)) > 1
    assert wrap("line one\nline two", font, 9, 500) == ["line one", "line two"]
