"""The Chinese-capable font for every PDF the system prints.

An embedded TrueType font makes the PDF look the same on any reader and printer, so one is searched
for first: the path in FIELDSERVICE_CJK_FONT, then the usual Linux/macOS/Windows locations. Without
one, reportlab's built-in CID font STSong-Light still renders Chinese, but the reader must supply
the glyphs (Adobe's Asian font pack), so it is only the fallback.

Registration parses a 10-20 MB file (~0.3 s), so it happens once per process.
"""
from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

ENV_VAR = "FIELDSERVICE_CJK_FONT"
FALLBACK_CID_FONT = "STSong-Light"
log = logging.getLogger(__name__)
KNOWN_FONT_PATHS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansSC-Regular.otf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simsun.ttc",
)


@lru_cache(maxsize=1)
def cjk_font_name() -> str:
    """Register (once) and return the name of a font that can draw Chinese, embedded when possible."""
    configured = os.environ.get(ENV_VAR)
    for path in ((configured,) if configured else ()) + KNOWN_FONT_PATHS:
        name = _register_ttf(Path(path))
        if name:
            return name
        if path == configured:
            log.warning("%s=%s is not a usable TrueType font", ENV_VAR, configured)
    log.warning("no CJK TrueType font found: PDFs use %s, which is not embedded", FALLBACK_CID_FONT)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID_FONT))
    return FALLBACK_CID_FONT


def _register_ttf(path: Path) -> str | None:
    if not path.is_file():
        return None
    name = f"FS-{path.stem}"
    try:
        # subfontIndex picks the first face of a .ttc collection and is ignored for a .ttf.
        pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
    except (TTFError, OSError):
        # e.g. CFF-outline OpenType (Noto CJK .otf/.ttc), which reportlab cannot embed
        return None
    return name
