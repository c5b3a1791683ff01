"""Product lines as users see them: named in the viewer's language."""
from __future__ import annotations

from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape

from ..i18n import current_locale
from .rules import ProductLine, product_line_name


def product_line_label(code: str) -> str:
    return product_line_name(code, current_locale())


class _LazyLineName(LazyString):
    # Flask-Babel's lazy string passes itself to a page unescaped; a line's name is escaped like any text.
    def __html__(self) -> Markup:
        return escape(str(self))


def product_line_choices() -> list[tuple[str, LazyString]]:
    """(code, name) for fields defined at import time: each name is looked up when a page shows it."""
    return [(line.value, _LazyLineName(product_line_label, line.value)) for line in ProductLine]
