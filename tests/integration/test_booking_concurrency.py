"""No technician holds two overlapping appointments, even when twenty agents book at the same moment."""
import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from sqlalchemy import func, select

from fieldservice.models import Appointment, AppointmentSlot, ServiceRequest
from tests.factories_dispatch import api_tokens, at, request_at, technician

BOOKERS = 20


def _post_all_at_once(server_url: str, calls: list[tuple[str, str, dict]]) -> list[tuple[int, dict]]:
    """POST every (token, path, body) from its own thread, released together by a barrier."""
    host = urlsplit(server_url)
    barrier = threading.Barrier(len(calls))

    def post(call):
        token, path, body = call
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        connection.connect()
        barrier.wait()
        connection.request("POST", path, json.dumps(body), {"Authorization": f"Bearer {token}",
                                                            "Content-Type": "application/json"})
        response = connection.getresponse()
        result = response.status, json.loads(response.read())
        connection.close()
        return result

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(post, calls))


def test_twenty_concurrent_bookings_of_one_window_let_exactly_one_through(live_server, db):
    tech = technician("王师傅")
    requests = [request_at(customer_name=f"客户{i}") for i in range(BOOKERS)]
    tokens = api_tokens(BOOKERS)
    window = at(1, 10).isoformat()
    results = _post_all_at_once(live_server.url, [
        (token, f"/api/v1/requests/{r.number}/appointments", {"technician_id": tech.id, "window_start": window})
        for token, r in zip(tokens, requests)])

    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (BOOKERS - 1), results
    refusals = [body["error"] for status, body in results if status == 409]
    assert {e["code"] for e in refusals} == {"slot_taken"}
    assert all("王师傅" in e["message"] for e in refusals)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 1
    assert db.session.scalar(select(func.count()).select_from(AppointmentSlot)) == 4
    statuses_after = db.session.scalars(select(ServiceRequest.status)).all()
    assert sorted(statuses_after) == ["new"] * (BOOKERS - 1) + ["scheduled"]


def test_concurrent_bookings_of_different_windows_of_one_technician_all_succeed(live_server, db):
    tech = technician()
    requests = [request_at(customer_name=f"客户{i}") for i in range(6)]
    [token] = api_tokens(1)
    results = _post_all_at_once(live_server.url, [
        (token, f"/api/v1/requests/{r.number}/appointments",
         {"technician_id": tech.id, "window_start": at(1, 8 + 2 * i).isoformat()})
        for i, r in enumerate(requests)])
    assert [status for status, _ in results] == [201] * 6, results
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AppointmentSlot)) == 24


def test_two_agents_booking_one_request_at_once_in_different_windows_book_it_once(live_server, db):
    tech = technician()
    request = request_at()
    tokens = api_tokens(2)
    results = _post_all_at_once(live_server.url, [
        (token, f"/api/v1/requests/{request.number}/appointments",
         {"technician_id": tech.id, "window_start": at(1, hour).isoformat()})
        for token, hour in zip(tokens, (10, 14))])
    assert sorted(status for status, _ in results) == [201, 409], results
    assert [body["error"]["code"] for status, body in results if status == 409] == ["already_booked"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 1
