"""One open agreement offer per unit, even when several managers press the button at the same moment."""
import threading
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from http.cookiejar import CookieJar

from sqlalchemy import func, select

from fieldservice.models import FollowUp
from fieldservice.reports.models import SalesOffer
from tests import factories

MANAGERS = 6


def _manager_session(server_url: str, manager):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    opener.open(f"{server_url}/login",
                data=urllib.parse.urlencode({"username": manager.username, "password": "secret-pass"}).encode())
    return opener


def test_managers_starting_an_offer_for_one_unit_at_once_create_exactly_one_call(live_server, db):
    unit = factories.unit(purchase_date=date(2025, 12, 10))
    # Everything the test writes comes first: the server's writes would leave this session's snapshot stale.
    managers = [factories.user(role="manager") for _ in range(MANAGERS)]
    openers = [_manager_session(live_server.url, manager) for manager in managers]
    barrier = threading.Barrier(MANAGERS)
    body = urllib.parse.urlencode({"unit_id": unit.id, "next": "/reports/warranty-expiry"}).encode()

    def press(opener) -> str:
        barrier.wait()
        return opener.open(f"{live_server.url}/reports/warranty-expiry/offers", data=body).read().decode()

    with ThreadPoolExecutor(MANAGERS) as pool:
        pages = list(pool.map(press, openers))

    assert sum("flash-success" in page for page in pages) == 1
    assert sum("flash-error" in page for page in pages) == MANAGERS - 1
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 1
    assert db.session.scalar(select(func.count()).select_from(SalesOffer)) == 1
