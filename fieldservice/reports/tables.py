"""The shape every statistics report returns: headline figures, tables and charts.

One structure feeds the screen, the print view and the CSV, so the three always show the same
figures. Cells keep their raw values (ints, Decimals, shares as fractions, dates); formatting
happens at the edge, `display` for people and `csv_value` for spreadsheets.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from .charts import Chart


class Kind(StrEnum):
    TEXT = "text"
    INT = "int"
    MONEY = "money"
    SHARE = "share"
    AVERAGE = "average"  # one decimal place, e.g. a satisfaction score
    HOURS = "hours"  # minutes shown as hours with one decimal place
    DATE = "date"
    DATETIME = "datetime"


NUMERIC = frozenset({Kind.INT, Kind.MONEY, Kind.SHARE, Kind.AVERAGE, Kind.HOURS})


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = Kind.TEXT
    wrap: bool = False  # long text (names, causes, addresses) may wrap; codes, dates and numbers do not

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    totals: dict | None = None
    # Rows to draw attention to (e.g. units repaired twice), by index into rows.
    highlighted: set[int] = field(default_factory=set)
    note: str = ""
    empty_text: str = ""


@dataclass(frozen=True)
class Figure:
    """A headline number shown large above the tables."""

    label: str
    value: object
    kind: Kind
    detail: str = ""


@dataclass
class ReportResult:
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def display(value, kind: Kind, fmt_date: Callable[[date], str] = date.isoformat,
            fmt_datetime: Callable[[datetime], str] = lambda d: d.isoformat(" ", "minutes")) -> str:
    """A cell as people read it: thousands separators, shares as percentages, "—" for unknown."""
    kind = Kind(kind)
    if value is None or value == "":
        return "—" if kind in NUMERIC else ""
    if isinstance(value, str):  # a label in a typed column, e.g. "Total" under the dates
        return value
    if kind is Kind.INT:
        return f"{value:,}"
    if kind is Kind.MONEY:
        return f"{Decimal(value):,.2f}"
    if kind is Kind.SHARE:
        return f"{value * 100:.1f}%"
    if kind is Kind.AVERAGE:
        return f"{value:.1f}"
    if kind is Kind.HOURS:
        return f"{value / 60:,.1f}"
    if kind is Kind.DATETIME:
        return fmt_datetime(value)
    if kind is Kind.DATE:
        return fmt_date(value)
    return str(value)


def csv_value(value, kind: Kind, fmt_datetime: Callable[[datetime], str] = lambda d: d.isoformat(" ", "minutes")):
    """A cell as a spreadsheet should read it: plain numbers (no separators), shares as 12.5%."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind is Kind.INT:
        return str(value)
    if kind is Kind.MONEY:
        return f"{Decimal(value):.2f}"
    if kind is Kind.SHARE:
        return f"{value * 100:.1f}%"
    if kind is Kind.AVERAGE:
        return f"{value:.2f}"
    if kind is Kind.HOURS:
        return f"{value / 60:.2f}"
    if kind is Kind.DATETIME:
        return fmt_datetime(value)
    if kind is Kind.DATE:
        return value.isoformat()
    return value
