"""Factories and helpers for the call-centre tests (customers, warranty, requests)."""
from __future__ import annotations

import csv
import io
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_login import login_user

from fieldservice.auth.services import issue_api_token
from fieldservice.customers.rules import IMPORT_COLUMNS
from fieldservice.models import ServiceAgreement
from tests import factories
from tests.factories import _save


@contextmanager
def acting_as(user):
    """Run services as this user (request owner, audit actor), as a logged-in page would."""
    with current_app.test_request_context():
        login_user(user)
        yield


def agreement(unit, start: date, end: date, months: int = 0, status: str = "active") -> ServiceAgreement:
    n = factories.next_id()
    return _save(ServiceAgreement(number=f"AG-{n:05d}", customer_id=unit.customer_id, start_date=start, end_date=end,
                                  amount=Decimal("800.00"), contract_warranty_months=months, status=status,
                                  units=[unit]))


def api_headers(role: str = "agent", language: str = "en", **extra) -> dict:
    user = factories.user(role=role)
    return {"Authorization": f"Bearer {issue_api_token(user.username)}", "Accept-Language": language, **extra}


def units_csv(rows: list[dict], bom: bool = False, header=IMPORT_COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(header), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def unit_row(serial: str, model_code: str = "KFR-35GW", name: str = "张伟", phone: str = "13800138000", **kw) -> dict:
    return {"serial": serial, "model_code": model_code, "customer_name": name, "phone": phone,
            "address": kw.pop("address", "上海市浦东新区张江路100号"), "purchase_date": kw.pop("purchase_date", "2026-01-15"),
            "invoice_no": kw.pop("invoice_no", "FP-001"), "sale_type": kw.pop("sale_type", "normal"),
            "customer_type": kw.pop("customer_type", "consumer"),
            "contract_warranty_months": kw.pop("contract_warranty_months", ""), **kw}
