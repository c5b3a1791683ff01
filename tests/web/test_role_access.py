"""Each role reaches the pages of its navigation and is refused the others."""
import pytest
from flask import url_for

from fieldservice.navigation import NAV
from tests import factories
from tests.conftest import login

ROLES = ["agent", "technician", "manager", "admin"]


@pytest.fixture()
def clients(app, db):
    result = {}
    for role in ROLES:
        user = factories.technician().user if role == "technician" else factories.user(role=role)
        result[role] = login(app.test_client(), user.username)
    return result


def test_every_role_reaches_every_page_of_its_navigation(app, clients):
    with app.test_request_context():
        pages = [(url_for(endpoint), roles) for endpoint, _label, roles in NAV if endpoint in app.view_functions]
    assert len(pages) == len(NAV)
    refused = [(url, role, status) for url, roles in pages for role in roles
               if (status := clients[role].get(url).status_code) != 200]
    assert not refused, refused


# Pages outside a role's work (some pages are deliberately shared: admins may also log requests,
# technicians may check a warranty, managers may open any visit).
REFUSED = {
    "agent": ["/dispatch", "/dispatch/plan", "/reports/overview", "/admin/users", "/admin/technicians"],
    "technician": ["/requests/new", "/customers", "/requests", "/dispatch", "/reports/overview", "/admin/users"],
    "manager": ["/admin/users", "/admin/technicians"],
    "admin": ["/dispatch", "/reports/overview"],
}


def test_each_role_is_refused_pages_outside_its_work_with_403(clients):
    wrong = [(role, url, status) for role, urls in REFUSED.items() for url in urls
             if (status := clients[role].get(url).status_code) != 403]
    assert not wrong, wrong


def test_each_role_lands_on_its_own_home_page(clients):
    homes = {"agent": "/requests/new", "technician": "/visits/", "manager": "/reports/overview",
             "admin": "/admin/users"}
    for role, path in homes.items():
        response = clients[role].get("/", follow_redirects=True)
        assert response.status_code == 200 and response.request.path == path, (role, response.request.path)
