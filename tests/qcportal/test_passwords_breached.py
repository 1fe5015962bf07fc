"""Breached passwords refused (issue 9 item 1; OWASP ASVS 2.1.7;
qcportal.validators.PwnedPasswordValidator on pwned-passwords-django). The suite never calls
the network: the Pwned Passwords range API is mocked here (and made unreachable for every
other test by tests/conftest.py)."""

import hashlib
from unittest import mock

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from pwned_passwords_django import api

from qcportal.validators import PwnedPasswordValidator

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db

BREACHED = "Huanying-Guanglin-2020!"  # strong by every other rule, "found" in a breach below
FRESH = "Zhiliang-Xiaozu-2024!"


def range_answer(*breached: str):
    """A fake ``_request(prefix)``: the API's answer listing the suffixes of ``breached``."""

    def request(prefix):
        lines = []
        for password in breached:
            digest = hashlib.sha1(password.encode()).hexdigest().upper()  # noqa: S324 (the API's scheme)
            if digest[:5] == prefix:
                lines.append(f"{digest[5:]}:42")
        lines.append("0000000000000000000000000000000000A:0")  # padding
        return mock.Mock(text="\r\n".join(lines))

    return request


@pytest.fixture
def pwned(settings, monkeypatch):
    settings.PWNED_PASSWORDS_ENABLED = True
    calls = []
    answer = range_answer(BREACHED)

    def request(prefix):
        calls.append(prefix)
        return answer(prefix)

    monkeypatch.setattr(api.default_client, "_request", request)
    return calls


def test_breached_password_refused_with_a_chinese_message(pwned):
    with pytest.raises(ValidationError) as exc:
        validate_password(BREACHED)
    assert "公开泄露的密码库" in " ".join(exc.value.messages)
    assert exc.value.error_list[0].code == "password_compromised"
    validate_password(FRESH)
    assert len(pwned) == 2 and all(len(prefix) == 5 for prefix in pwned)  # only a hash prefix leaves


def test_password_change_refuses_a_breached_password(pwned, client, network):
    user = network.users.e1_coord
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": BREACHED, "new_password2": BREACHED},
    )
    assert response.status_code == 200
    assert "公开泄露的密码库" in " ".join(response.context["form"].errors["new_password2"])
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_unreachable_api_falls_back_to_the_common_password_list(settings):
    settings.PWNED_PASSWORDS_ENABLED = True  # tests/conftest.py makes the API unreachable
    validate_password(FRESH)
    with pytest.raises(ValidationError):
        PwnedPasswordValidator().validate("password123")  # the fallback list still refuses it


def test_switched_off_never_asks(settings, monkeypatch):
    settings.PWNED_PASSWORDS_ENABLED = False
    monkeypatch.setattr(api.default_client, "_request", mock.Mock(side_effect=AssertionError("network")))
    validate_password(BREACHED)
