"""Small charts drawn on the server as SVG geometry: they need no JavaScript, print sharply and in
black and white, and read the same in every language. The templates (reports/_charts.html) turn the
geometry into <svg> elements; this module only does the arithmetic.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


FONT_PX = 12


def text_px(text: str, font_px: float = FONT_PX) -> float:
    """An estimate of drawn width: a Chinese character is one em, Latin letters and digits about half."""
    return sum(font_px if ord(ch) > 0x2e80 else font_px * 0.52 for ch in text)


def fit_label(text: str, max_px: float, font_px: float = FONT_PX) -> str:
    """The label, cut with an ellipsis when it would not fit in `max_px`."""
    if text_px(text, font_px) <= max_px:
        return text
    while text and text_px(text + "…", font_px) > max_px:
        text = text[:-1]
    return text + "…"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as printed beside or above the bar
    x: float
    y: float
    width: float
    height: float
    highlight: bool = False
    full_label: str = ""  # the label before it was cut to fit


@dataclass(frozen=True)
class Chart:
    title: str
    kind: str  # "hbar" (labels left, bars right) or "columns" (one column per label, labels below)
    width: float
    height: float
    bars: tuple[Bar, ...]
    label_width: float = 0.0
    baseline: float = 0.0  # columns: y of the axis line
    target: float | None = None  # columns: y of a dashed target line (e.g. 90 %)
    target_text: str = ""

    @property
    def empty(self) -> bool:
        return not self.bars


HBAR_ROW = 22
HBAR_GAP = 6
VALUE_ROOM = 70  # right of the longest bar, for its value text


def hbar_chart(title: str, items: Sequence[tuple[str, float, str]], width: float = 600,
               label_width: float = 190, highlight: Sequence[bool] = ()) -> Chart:
    """One horizontal bar per (label, value, text); the longest bar fills the width left for bars."""
    top = max((value for _label, value, _text in items), default=0) or 1
    room = width - label_width - VALUE_ROOM
    bars = tuple(
        Bar(fit_label(label, label_width - 8), value, text, x=label_width, y=i * (HBAR_ROW + HBAR_GAP),
            width=max(room * value / top, 0.0), height=HBAR_ROW,
            highlight=bool(highlight[i]) if i < len(highlight) else False, full_label=label)
        for i, (label, value, text) in enumerate(items)
    )
    height = max(len(bars) * (HBAR_ROW + HBAR_GAP) - HBAR_GAP, 0)
    return Chart(title, "hbar", width, height, bars, label_width=label_width)


COLUMN_TOP_ROOM = 18  # above the tallest column, for its value text
COLUMN_LABEL_ROOM = 22  # below the axis, for the labels


def column_chart(title: str, items: Sequence[tuple[str, float | None, str]], width: float = 520,
                 height: float = 180, max_value: float | None = None, target: float | None = None,
                 target_text: str = "", highlight_below: float | None = None) -> Chart:
    """One column per (label, value, text); a None value draws no column but keeps its label.

    With `max_value` (e.g. 1.0 for shares) the scale is fixed, so two charts compare by eye;
    `highlight_below` marks columns under a threshold (a missed target) with the darker fill.
    """
    values = [v for _label, v, _text in items if v is not None]
    top = max_value if max_value is not None else (max(values, default=0) or 1)
    plot_h = height - COLUMN_TOP_ROOM - COLUMN_LABEL_ROOM
    baseline = COLUMN_TOP_ROOM + plot_h
    slot = width / max(len(items), 1)
    bar_w = min(slot * 0.6, 48)
    bars = []
    for i, (label, value, text) in enumerate(items):
        h = 0.0 if value is None else plot_h * min(value / top, 1.0) if top else 0.0
        low = highlight_below is not None and value is not None and value < highlight_below
        bars.append(Bar(label, value if value is not None else 0.0, text, x=i * slot + (slot - bar_w) / 2,
                        y=baseline - h, width=bar_w, height=h, highlight=low))
    target_y = None if target is None else baseline - plot_h * min(target / top, 1.0)
    return Chart(title, "columns", width, height, tuple(bars), baseline=baseline, target=target_y,
                 target_text=target_text)
