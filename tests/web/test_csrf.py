import pytest

from fieldservice import create_app
from tests import factories


@pytest.fixture()
def csrf_client(app, db):
    strict = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": True,
                         "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    return strict.test_client()


def test_a_post_without_a_csrf_token_is_refused_with_400(csrf_client):
    factories.user(username="grace")
    response = csrf_client.post("/login", data={"username": "grace", "password": "secret-pass"})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)


def test_a_post_with_the_pages_token_is_accepted(csrf_client):
    import re

    factories.user(username="heidi")
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = csrf_client.post("/login", data={"username": "heidi", "password": "secret-pass", "csrf_token": token})
    assert response.status_code == 302
