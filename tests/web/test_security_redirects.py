"""After login and after a language switch the browser goes back only to a page of this site."""
import pytest

from tests import factories

# Each of these reaches another site once the browser has read it: a backslash counts as "/", and
# tabs and line breaks inside a URL are dropped.
OFFSITE = ["//evil.example/", "/\\evil.example", "/\\/evil.example", "/\t/evil.example", "/\n/evil.example",
           "/\r/evil.example", "https://evil.example/", "/ /evil.example", "/\x00/evil.example"]


@pytest.mark.parametrize("target", OFFSITE)
def test_a_next_link_that_would_leave_the_site_after_login_goes_home_instead(client, db, target):
    factories.user(username="frank")
    response = client.post("/login", query_string={"next": target},
                           data={"username": "frank", "password": "secret-pass"})
    assert response.status_code == 302 and response.headers["Location"] == "/home"


def test_a_next_link_to_a_page_of_the_site_is_followed_after_login(client, db):
    factories.user(username="gina")
    response = client.post("/login", query_string={"next": "/customers?q=138%200013"},
                           data={"username": "gina", "password": "secret-pass"})
    assert response.headers["Location"] == "/customers?q=138%200013"


def test_the_login_page_a_protected_page_sends_to_brings_the_user_back_there(client, db):
    factories.user(username="hugo")
    to_login = client.get("/requests?status=new")
    response = client.post(to_login.headers["Location"], data={"username": "hugo", "password": "secret-pass"})
    assert response.headers["Location"] == "/requests?status=new"


@pytest.mark.parametrize("target", OFFSITE)
def test_the_language_switch_never_sends_the_browser_to_another_site(client, db, target):
    response = client.post("/language", data={"locale": "en", "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/home"


def test_after_an_action_the_browser_goes_back_only_to_a_page_of_this_site(make_client, db):
    from tests import factories_aftercare

    agent = make_client("agent")
    agreement = factories_aftercare.agreement(status="active")
    action = f"/agreements/{agreement.id}/renewal-call"
    offsite = agent.post(action, headers={"Referer": "https://evil.example/agreements"})
    assert offsite.headers["Location"] == "/agreements/expiring"
    ours = agent.post(action, headers={"Referer": "http://localhost/agreements?status=active"})
    assert ours.headers["Location"] == "http://localhost/agreements?status=active"


def test_a_refused_action_goes_back_only_to_a_page_of_this_site(make_client, db):
    agent = make_client("agent")
    unknown = "/agreements/999999/renewal-call"  # refused by the service: the error handler redirects
    response = agent.post(unknown, headers={"Referer": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/home"
