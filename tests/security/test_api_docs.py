"""The OpenAPI schema and the Swagger UI need a login unless ``API_DOCS_PUBLIC`` (issue 9,
item 8; R-SC-59). The production settings are checked in
tests/qcportal/test_logs.py::test_production_logs_json_lines_and_keeps_api_docs_behind_login."""

import pytest
from django.urls import reverse

from .. import factories as f

pytestmark = pytest.mark.django_db


def test_anonymous_requests_for_the_api_description_are_refused(client, settings):
    settings.API_DOCS_PUBLIC = False
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json")
    assert schema.status_code == 401
    assert "detail" in schema.json()
    docs = client.get(reverse("api:docs"))
    assert docs.status_code == 302
    assert docs["Location"] == f"{reverse('login')}?next={reverse('api:docs')}"


def test_logged_in_users_and_token_clients_read_the_api_description(network, login, client, settings):
    settings.API_DOCS_PUBLIC = False
    key = f.api_token(network.users.e1_coord)
    schema = client.get(reverse("api:schema"), HTTP_AUTHORIZATION=f"Token {key}")
    assert schema.status_code == 200 and b"openapi" in schema.content
    docs = login(network.users.e1_coord).get(reverse("api:docs"))
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_api_docs_public_opens_them_to_everyone(client, settings):
    settings.API_DOCS_PUBLIC = True
    assert client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").status_code == 200
    assert client.get(reverse("api:docs")).status_code == 200
