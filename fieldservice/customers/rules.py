"""Pure rules for customer data: normalising and masking phones and serials."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from dataclasses import dataclass
from datetime import date

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{9,11}")


def to_ascii(text: str) -> str:
    """Full-width letters, digits and punctuation to ASCII; zero-width characters removed."""
    return unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)


# Control characters and lone surrogates: PostgreSQL refuses NUL, UTF-8 cannot encode surrogates.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(text: str | None) -> str:
    """Free text (notes, descriptions) without characters that cannot be stored, trimmed."""
    return _UNSTORABLE.sub("", text or "").replace("\r\n", "\n").strip()


def clean_line(text: str | None) -> str:
    """One-line text (names, addresses): cleaned, and runs of white space made single spaces."""
    return re.sub(r"\s+", " ", clean_text(text).translate(_ZERO_WIDTH))


def search_text(query: str | None) -> str:
    """What a search box holds once cleaned; empty when it held only spaces (of any width) or nothing."""
    return clean_line(to_ascii(query or ""))


def has_proof_of_purchase(invoice_no: str | None) -> bool:
    """An invoice number on record is the proof of purchase the warranty asks for."""
    return bool(invoice_no)


def normalise_serial(raw: str) -> str:
    return re.sub(r"\s+", "", to_ascii(raw)).upper()


def normalise_phone(raw: str) -> str | None:
    """A Chinese phone number as its national digits, or None when it is not one.

    Accepts `138 0013 8000`, `+86 138…`, `0086…`, `(021) 6888-1234`, full-width digits.
    """
    text = to_ascii(raw).strip()
    if not text or re.search(r"[^\d\s+\-().]", text):
        return None
    digits = re.sub(r"\D", "", text)
    international = text.startswith("+") or digits.startswith("0086")
    if international:
        digits = digits[2:] if digits.startswith("0086") else digits
        if not digits.startswith("86"):
            return None
        digits = digits[2:]
        # International form drops the trunk 0 of landlines.
        if not _MOBILE.fullmatch(digits) and not digits.startswith("0"):
            digits = "0" + digits
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return digits
    return None


def phone_search_digits(raw: str) -> str | None:
    """Digits to search phones with; partial input (at least 4 digits) finds by substring."""
    full = normalise_phone(raw)
    if full:
        return full
    text = to_ascii(raw).strip()
    if re.search(r"[^\d\s+\-().]", text):
        return None
    digits = re.sub(r"\D", "", text)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif text.startswith("+86"):
        digits = digits[2:]
    return digits if len(digits) >= 4 else None


def mask_phone(phone: str | None) -> str:
    """138****8000: enough to confirm with the caller, not enough to misuse a printed list."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return phone[:2] + "*" * (len(phone) - 2)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def format_phone(phone: str | None) -> str:
    """A normalised phone grouped for reading aloud: 138 0013 8000, 021 6888 1234."""
    if not phone:
        return ""
    if _MOBILE.fullmatch(phone):
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    # Beijing, Shanghai, Tianjin, Chongqing and 02x area codes have three digits, the rest four.
    area = 3 if phone[:2] in {"01", "02"} else 4
    return f"{phone[:area]} {phone[area:]}"


# Manufacturers' serials: letters, digits and a few separators, starting with a letter or digit.
_SERIAL = re.compile(r"[A-Z0-9][A-Z0-9\-_/.]{2,63}")
MODEL_CODE = re.compile(r"[A-Z0-9][A-Z0-9\-_/. ]{0,39}")
EARLIEST_PURCHASE = date(2000, 1, 1)


def serial_problem(serial: str) -> str | None:
    """Why a normalised serial cannot be a serial number, or None when it can."""
    if not serial:
        return "serial_missing"
    if not _SERIAL.fullmatch(serial):
        return "serial_malformed"
    return None


def purchase_date_problem(purchase_date: date | None, today: date) -> str | None:
    """Why a purchase date cannot be right, or None (no date at all is allowed: warranty unverified)."""
    if purchase_date is None:
        return None
    if purchase_date > today:
        return "purchase_date_in_future"
    if purchase_date < EARLIEST_PURCHASE:
        return "purchase_date_too_early"
    return None


DATE_FORMATS = (re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"), re.compile(r"(\d{4})(\d{2})(\d{2})"),
                re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"))


def parse_date(text: str) -> date | None:
    """A date as people write it: 2026-10-01, 2026/10/1, 2026.10.1, 20261001 or 2026年10月1日 (full-width digits
    too); None when empty; ValueError when not a date."""
    text = to_ascii(text or "").strip()
    if not text:
        return None
    match = next((m for m in (f.fullmatch(text) for f in DATE_FORMATS) if m), None)
    if not match:
        raise ValueError(text)
    return date(*map(int, match.groups()))


# --- Installed-base import --------------------------------------------------------------------

IMPORT_COLUMNS = ("serial", "model_code", "customer_name", "phone", "address", "purchase_date", "invoice_no",
                  "sale_type", "customer_type", "contract_warranty_months")
MAX_NAME = 100
MAX_ADDRESS = 255
MAX_INVOICE = 64
MAX_CONTRACT_MONTHS = 36
SALE_TYPES = ("normal", "clearance")
CUSTOMER_TYPES = ("consumer", "contract")


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with an import row: a code and the offending value."""

    code: str
    value: str = ""


class BadRow(ValueError):
    """An import row that cannot be used, with everything wrong with it (not just the first thing)."""

    def __init__(self, line: int, problems: list[RowProblem]):
        super().__init__(", ".join(p.code for p in problems))
        self.line = line
        self.problems = tuple(problems)

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]


MAX_SHOWN_VALUE = 40


def shown_value(value: str) -> str:
    """A typed value as quoted back in a message: long values are cut, so one bad cell cannot flood the list."""
    return value if len(value) <= MAX_SHOWN_VALUE else value[:MAX_SHOWN_VALUE] + "…"


@dataclass(frozen=True)
class UnitRow:
    line: int
    serial: str
    model_code: str
    customer_name: str
    phone: str
    address: str
    purchase_date: date | None
    invoice_no: str | None
    sale_type: str
    customer_type: str
    contract_warranty_months: int | None


def parse_unit_row(line: int, raw: dict[str, str | None], today: date,
                   known_models: Container[str] | None = None,
                   serials_before: Container[str] = frozenset()) -> UnitRow:
    """One CSV row checked and normalised; raises BadRow naming every problem of the row at once.

    known_models: the model codes (upper case) that exist; None checks only their form.
    serials_before: serials of the good rows earlier in the same file.
    """
    problems: list[RowProblem] = []

    def wrong(code: str, value: str = "") -> None:
        problems.append(RowProblem(code, shown_value(value)))

    def cell(name: str) -> str:
        return clean_line(to_ascii(raw.get(name) or ""))

    serial = normalise_serial(raw.get("serial") or "")
    problem = serial_problem(serial)
    if problem:
        wrong(problem, serial)
    elif serial in serials_before:
        wrong("serial_in_file_twice", serial)
    model_code = cell("model_code").upper()
    if not model_code:
        wrong("model_missing")
    elif not MODEL_CODE.fullmatch(model_code) or (known_models is not None and model_code not in known_models):
        wrong("unknown_model", model_code)
    name = clean_line(raw.get("customer_name"))
    if not name:
        wrong("name_missing")
    elif len(name) > MAX_NAME:
        wrong("name_too_long", str(MAX_NAME))
    phone = normalise_phone(raw.get("phone") or "")
    if phone is None:
        wrong("phone_invalid", cell("phone"))
    address = clean_line(raw.get("address"))
    if len(address) > MAX_ADDRESS:
        wrong("address_too_long", str(MAX_ADDRESS))
    purchase_date = None
    try:
        purchase_date = parse_date(cell("purchase_date"))
    except ValueError:
        wrong("purchase_date_invalid", cell("purchase_date"))
    else:
        problem = purchase_date_problem(purchase_date, today)
        if problem:
            wrong(problem, cell("purchase_date"))
    invoice_no = cell("invoice_no") or None
    if invoice_no and len(invoice_no) > MAX_INVOICE:
        wrong("invoice_too_long", str(MAX_INVOICE))
    sale_type = cell("sale_type").lower() or "normal"
    if sale_type not in SALE_TYPES:
        wrong("sale_type_invalid", sale_type)
    customer_type = cell("customer_type").lower() or "consumer"
    if customer_type not in CUSTOMER_TYPES:
        wrong("customer_type_invalid", customer_type)
    months_text = cell("contract_warranty_months")
    months = None
    if months_text:
        # int() refuses a number of thousands of digits with an error; three digits are plenty.
        if not months_text.isdigit() or len(months_text) > 3 or int(months_text) > MAX_CONTRACT_MONTHS:
            wrong("contract_months_invalid", months_text)
        else:
            months = int(months_text)
    if problems:
        raise BadRow(line, problems)
    return UnitRow(line, serial, model_code, name, phone, address, purchase_date, invoice_no, sale_type,
                   customer_type, months)
