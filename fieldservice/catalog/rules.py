"""The product lines the centre services: a model's line, a part's or fault code's line, a technician's skills."""
from __future__ import annotations

from enum import StrEnum


class ProductLine(StrEnum):
    AIRCON = "aircon"
    WATER_HEATER = "water_heater"
    PURIFIER = "purifier"


# Both languages live here rather than in the .po catalogue: dispatch reasons are built by pure rules and
# carry Chinese and English side by side, like a fault code's two names.
PRODUCT_LINE_NAMES: dict[str, tuple[str, str]] = {
    ProductLine.AIRCON: ("空调", "Air conditioners"),
    ProductLine.WATER_HEATER: ("热水器", "Water heaters"),
    ProductLine.PURIFIER: ("净水器", "Water purifiers"),
}


def product_line_names(code: str) -> tuple[str, str]:
    """(Chinese, English) names; a code that is no product line shows as itself rather than vanishing."""
    return PRODUCT_LINE_NAMES.get(code, (code, code))


def product_line_name(code: str, locale: str) -> str:
    zh, en = product_line_names(code)
    return zh if locale.lower().startswith("zh") else en
