"""Every page, form and API call each role can reach, sent missing, huge and malformed ids, parameters, fields
and bodies, answers with a page or a message, never a 500 — on SQLite and on PostgreSQL.

This is the quick crawl (each route once, with the values that once found faults); tools/crawl_robustness.py
runs the thorough one.
"""
from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import select

from fieldservice.auth.services import issue_api_token
from fieldservice.demo.load import load_demo
from fieldservice.extensions import db as _db
from fieldservice.models import (Appointment, Complaint, Customer, DayPlan, FaultCode, FollowUp, LabourItem, Part,
                                 PlannedVisit, Requisition, ServiceAgreement, ServiceReport, ServiceRequest,
                                 Technician, Unit, User, VisitPhoto)
from tests.conftest import login
from tests.web.crawler import Crawler

ID_MODELS = {"customer_id": Customer, "agreement_id": ServiceAgreement, "appointment_id": Appointment,
             "complaint_id": Complaint, "follow_up_id": FollowUp, "request_id": ServiceRequest, "plan_id": DayPlan,
             "requisition_id": Requisition, "report_id": ServiceReport, "photo_id": VisitPhoto,
             "technician_id": Technician, "user_id": User, "item_id": PlannedVisit}
# The manager reaches most pages, so a quick crawl attacks them with the manager's pages.
ROLES = ("manager", "admin", "agent", "technician")
THOROUGH = os.environ.get("CRAWL_THOROUGH") == "1"
# A 1×1 PNG.
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


@pytest.fixture()
def demo(app, db):
    load_demo(customers=30, units=40)
    return db


def _last_id(model) -> int:
    return _db.session.scalar(select(model.id).order_by(model.id.desc()).limit(1)) or 1


def _start_urls(app) -> list[str]:
    ids = {name: _last_id(model) for name, model in ID_MODELS.items()}
    number = _db.session.scalar(select(ServiceRequest.number).limit(1))
    urls = ["/", "/home"]
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        values = {arg: ids.get(arg, 1) for arg in rule.arguments}
        values.update({k: v for k, v in (("number", number), ("name", "parts")) if k in rule.arguments})
        urls.append(app.url_map.bind("localhost").build(rule.endpoint, values))
    return urls


def _username(role: str) -> str:
    if role != "technician":
        return role
    return _db.session.scalar(select(User.username).join(Technician, Technician.user_id == User.id)
                              .join(Appointment, Appointment.technician_id == Technician.id).limit(1))


def _api_calls() -> list[tuple[str, str, dict, dict]]:
    """(method, url, example body, extra headers) of each JSON endpoint, with real ids."""
    number = _db.session.scalar(select(ServiceRequest.number).limit(1))
    serial = _db.session.scalar(select(Unit.serial).limit(1))
    appointment = _last_id(Appointment)
    return [
        ("POST", "/api/v1/warranty/check", {"serial": serial, "component": "unit", "exclusions": [],
                                            "on": "2026-11-22"}, {}),
        ("POST", "/api/v1/requests", {"channel": "phone", "kind": "repair", "serial": serial,
                                      "fault_description": "不制冷", "customer": {"name": "张伟",
                                                                                 "phone": "138 0013 8000",
                                                                                 "address": "上海市"}},
         {"Idempotency-Key": "crawl-request"}),
        ("POST", f"/api/v1/requests/{number}/appointments",
         {"technician_id": _last_id(Technician), "window_start": "2026-11-23T09:00:00+08:00", "reason": "later"},
         {"Idempotency-Key": "crawl-appointment"}),
        ("POST", f"/api/v1/visits/{appointment}/complete",
         {"serial_found": serial, "model_found": "", "diagnosis": "d", "resolution": "r", "verdict": "satisfied",
          "signer_name": "张伟", "signature_png": PNG, "outcome": "fixed", "fault_code_id": _last_id(FaultCode),
          "labour": [{"labour_item_id": _last_id(LabourItem), "qty": 1}],
          "parts": [{"part_id": _last_id(Part), "qty": 1}], "exclusions": [], "photos": []},
         {"Idempotency-Key": "crawl-visit"}),
        ("POST", f"/api/v1/followups/{_last_id(FollowUp)}/outcome",
         {"reached": True, "satisfaction": 5, "attitude": 5, "on_time": True, "solved": True, "comment": "好"},
         {"Idempotency-Key": "crawl-outcome"}),
        ("POST", "/api/v1/complaints", {"channel": "phone", "category": "fees", "description": "贵",
                                        "customer_id": _last_id(Customer), "request_number": number},
         {"Idempotency-Key": "crawl-complaint"}),
    ]


def _api_get_urls() -> list[str]:
    number = _db.session.scalar(select(ServiceRequest.number).limit(1))
    return ["/api/v1/models", "/api/v1/me/visits?date=2026-11-22", "/api/v1/followups?due=2026-11-22&kind=survey",
            f"/api/v1/requests/{number}", f"/api/v1/requests/{number}/suggestions?limit=5",
            f"/api/v1/reports/{_last_id(ServiceReport)}/pdf", "/api/v1/openapi.json"]


def crawl(app, role: str, attacked: set[str], thorough: bool) -> Crawler:
    client = app.test_client()
    login(client, _username(role), "demo")
    crawler = Crawler(app, client, thorough=thorough, attacked=attacked)
    try:
        pages, forms = crawler.discover(_start_urls(app))
        crawler.attack_paths(pages)
        crawler.attack_query(pages)
        crawler.attack_forms(forms)
        crawler.attack_paths([f.action for f in forms if f.method == "post"], method="POST")
        crawler.headers = {"Authorization": f"Bearer {issue_api_token(_username(role))}"}
        get_urls = _api_get_urls()
        crawler.attack_paths(get_urls)
        crawler.attack_query(get_urls)
        for method, url, example, headers in _api_calls():
            crawler.attack_paths([url], method=method)
            if thorough or crawler._first_time("json", method, url):
                crawler.attack_json(method, url, example, headers)
        for key in ("\x00", "x" * 10_000, "😀"):
            crawler.send("POST", "/api/v1/complaints", json={"channel": "phone", "category": "fees",
                                                             "description": "x", "customer_id": 1},
                         headers={**crawler.headers, "Idempotency-Key": key})
    finally:
        crawler.close()
    return crawler


def test_no_page_form_or_api_call_answers_hostile_input_with_a_server_error(app, demo):
    attacked: set[str] = set()
    failures, report = [], []
    for role in ROLES:
        started = time.monotonic()
        crawler = crawl(app, role, attacked, THOROUGH)
        report.append(f"{role}: {crawler.requests} requests in {time.monotonic() - started:.1f}s")
        if crawler.failures:
            failures.append(f"--- {role}\n{crawler.summary()}")
    print("\n".join(report))
    assert not failures, "\n".join(failures)
