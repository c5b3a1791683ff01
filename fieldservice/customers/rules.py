"""Pure rules for customer data: normalising and masking phones and serials."""
from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{9,11}")


def to_ascii(text: str) -> str:
    """Full-width letters, digits and punctuation to ASCII; zero-width characters removed."""
    return unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)


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
