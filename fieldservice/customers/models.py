from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, enum_check, utcnow
from ..extensions import db
from .rules import has_proof_of_purchase


class CustomerType(StrEnum):
    CONSUMER = "consumer"
    CONTRACT = "contract"


class CoordSource(StrEnum):
    DISTRICT = "district"
    CITY = "city"
    GPS = "gps"
    MANUAL = "manual"
    GEOCODER = "geocoder"


class SaleType(StrEnum):
    NORMAL = "normal"
    CLEARANCE = "clearance"


class Customer(db.Model):
    __tablename__ = "customer"
    __table_args__ = (
        CheckConstraint(enum_check("customer_type", CustomerType), name="type_valid"),
        CheckConstraint(f"coord_source IS NULL OR {enum_check('coord_source', CoordSource)}", name="coord_source_valid"),
        CheckConstraint("contract_warranty_months IS NULL OR contract_warranty_months BETWEEN 0 AND 36",
                        name="contract_months_at_most_36"),
        CheckConstraint("contract_accessory_months IS NULL OR contract_accessory_months BETWEEN 0 AND 12",
                        name="contract_accessory_months_at_most_12"),
        # Name search is "starts with": PostgreSQL can use a btree for LIKE 'x%' in any collation only with
        # text_pattern_ops. SQLite searches the plain name index by range instead.
        Index("ix_customer_name_pattern", "name", postgresql_ops={"name": "text_pattern_ops"})
        .ddl_if(dialect="postgresql"),
        # The warranty-expiry list finds contract customers by their contract months.
        Index("ix_customer_contract_warranty", "contract_warranty_months", "customer_type",
              postgresql_include=["id"]),
        Index("ix_customer_contract_accessory", "contract_accessory_months", "customer_type",
              postgresql_include=["id"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    # Normalised national number (digits only, no country prefix), e.g. 13800138000.
    phone: Mapped[str] = mapped_column(String(20), index=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    province: Mapped[str | None] = mapped_column(String(40))
    city: Mapped[str | None] = mapped_column(String(40))
    district: Mapped[str | None] = mapped_column(String(40), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    coord_source: Mapped[str | None] = mapped_column(String(10))
    customer_type: Mapped[str] = mapped_column(String(10), default=CustomerType.CONSUMER)
    contract_warranty_months: Mapped[int | None] = mapped_column(Integer)
    contract_accessory_months: Mapped[int | None] = mapped_column(Integer)
    # The language confirmations and reports are written in for this customer.
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    units: Mapped[list["Unit"]] = relationship(back_populates="customer", order_by="Unit.id")


class Unit(db.Model):
    """An installed product at a customer."""

    __tablename__ = "unit"
    __table_args__ = (
        CheckConstraint(enum_check("sale_type", SaleType), name="sale_type_valid"),
        # A partly typed serial is searched by its start (see ix_customer_name_pattern).
        Index("ix_unit_serial_pattern", "serial", postgresql_ops={"serial": "text_pattern_ops"})
        .ddl_if(dialect="postgresql"),
        # The warranty-expiry list scans purchase-date ranges per model (index-only on PostgreSQL).
        Index("ix_unit_expiry", "purchase_date", "model_id", "customer_id", postgresql_include=["sale_type", "id"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Normalised (trimmed, upper-case, full-width to ASCII); the unique index holds the invariant.
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("product_model.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    purchase_date: Mapped[date | None] = mapped_column(Date)
    invoice_no: Mapped[str | None] = mapped_column(String(64))
    sale_type: Mapped[str] = mapped_column(String(10), default=SaleType.NORMAL)
    purchase_channel: Mapped[str | None] = mapped_column(String(60))
    install_address: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    model: Mapped["ProductModel"] = relationship()  # noqa: F821
    customer: Mapped[Customer] = relationship(back_populates="units")

    @property
    def has_proof(self) -> bool:
        return has_proof_of_purchase(self.invoice_no)
