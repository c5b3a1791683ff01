from fieldservice.auth.services import issue_api_token
from tests import factories


def test_the_openapi_document_is_public_and_describes_bearer_auth(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.") and "bearer" in doc["components"]["securitySchemes"]


def test_an_api_call_without_a_token_gets_401_json(client):
    response = client.get("/api/v1/models")
    assert response.status_code in (401, 404)
    assert response.get_json()["error"]["code"] in ("unauthorized", "not_found")


def test_a_revoked_or_unknown_token_is_refused(client, db):
    factories.user(username="integration")
    issue_api_token("integration")
    response = client.get("/api/v1/openapi.json", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 200  # public
    response = client.post("/api/v1/nothing", headers={"Authorization": "Bearer wrong"})
    assert response.status_code in (401, 404)
