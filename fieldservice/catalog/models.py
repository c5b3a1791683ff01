"""Catalogue data managed by admins: product models, parts, labour items, fault codes, partners."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .rules import ProductLine

# Unknown lines would match no technician's skills, so no request on such a model could be booked.
KNOWN_LINE = "product_line IN ({})".format(", ".join(f"'{line.value}'" for line in ProductLine))


class ProductModel(db.Model):
    __tablename__ = "product_model"
    __table_args__ = (
        CheckConstraint("unit_warranty_months BETWEEN 0 AND 120", name="unit_months_range"),
        CheckConstraint("accessory_warranty_months BETWEEN 0 AND 120", name="accessory_months_range"),
        CheckConstraint(KNOWN_LINE, name="known_product_line"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    product_line: Mapped[str] = mapped_column(String(40), index=True)
    unit_warranty_months: Mapped[int] = mapped_column(Integer, default=12)
    accessory_warranty_months: Mapped[int] = mapped_column(Integer, default=6)
    # A discontinued model changes what a free replacement means (another model, pay the difference).
    available: Mapped[bool] = mapped_column(Boolean, default=True)


class Part(db.Model):
    __tablename__ = "part"
    __table_args__ = (
        CheckConstraint("unit_price >= 0", name="price_not_negative"),
        CheckConstraint("low_stock_threshold >= 0", name="threshold_not_negative"),
        CheckConstraint(KNOWN_LINE, name="known_product_line"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    product_line: Mapped[str | None] = mapped_column(String(40))
    is_accessory: Mapped[bool] = mapped_column(Boolean, default=False)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=2)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LabourItem(db.Model):
    __tablename__ = "labour_item"
    __table_args__ = (CheckConstraint("price >= 0", name="price_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    minutes: Mapped[int] = mapped_column(Integer, default=30)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class FaultCode(db.Model):
    __tablename__ = "fault_code"
    __table_args__ = (CheckConstraint(KNOWN_LINE, name="known_product_line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    product_line: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name_for(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


class Partner(db.Model):
    """An outside service company that takes requests from outside every technician's area."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    phone: Mapped[str] = mapped_column(String(32))
    regions: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Setting(db.Model):
    """Runtime settings an admin may change (they override the configuration defaults)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
