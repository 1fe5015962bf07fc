"""A refused permission is explained in plain Chinese (or English), never with the internal
``area:action`` code; the code goes to the log for developers."""

import logging
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from qcportal.api import exception_handler
from qcportal.models import Membership
from qcportal.permissions import permission_denied_message, require_permission
from qcportal.roles import ALL_PERMISSIONS, PERMISSION_LABELS
from tests.factories import api_token

pytestmark = pytest.mark.django_db

#: Looks like a permission code: ``reports:view``, ``circles:view_own`` …
CODE = re.compile(r"\b[a-z]+:[a-z_]+\b")


def visible_text(html: str) -> str:
    """The page's text without tags and attribute values (URLs such as ``https://`` and
    ``data-*`` attributes are not what the user reads)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(
    ("username", "route", "expected"),
    [
        ("e1_coord", "reports:run-list", "没有查看报表记录的权限"),
        ("pa_leader", "membership-list", "没有管理用户和角色的权限"),
        ("pa_staff", "membership-list", "没有管理用户和角色的权限"),
        ("e1_exec", "organisation-list", "没有查看组织信息的权限"),
        ("pa_judge", "audit-list", "没有查看审计日志的权限"),
    ],
)
def test_403_page_explains_in_chinese_without_permission_codes(network, login, username, route, expected):
    response = login(getattr(network.users, username)).get(reverse(route))
    assert response.status_code == 403
    text = visible_text(response.content.decode())
    assert expected in text
    role = Membership._base_manager.get(user__username=username).get_role_display()
    assert f"（{role}）" in text
    assert CODE.findall(text) == []
    assert not any(code in response.content.decode() for code in ALL_PERMISSIONS)


def test_403_page_in_english_has_no_codes_either(network, login):
    client = login(network.users.e1_coord)
    client.post(reverse("set_language"), {"language": "en"})
    response = client.get(reverse("reports:run-list"))
    assert response.status_code == 403
    text = visible_text(response.content.decode())
    assert "view report runs" in text
    assert CODE.findall(text) == []


def test_api_403_keeps_the_detail_shape_without_codes(network):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(network.users.e1_coord)}")
    response = client.get(reverse("api:reportrun-list"))
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}
    assert CODE.findall(response.json()["detail"]) == []


def test_service_refusal_reaches_the_api_as_plain_detail(network, caplog):
    """A service's ``require_permission`` (raised inside an API view) answers
    ``{"detail": plain Chinese}``; the code is only in the log."""
    membership = Membership._base_manager.get(user__username="pa_leader")
    with (
        caplog.at_level(logging.INFO, logger="qcportal.permissions"),
        pytest.raises(PermissionDenied) as refused,
    ):
        require_permission(membership, "reports:export")
    response = exception_handler(refused.value, {})
    assert response.status_code == 403
    assert response.data == {
        "detail": "您当前的身份（协会领导）没有生成和下载官方报表的权限。如需此权限，请联系协会管理员。"
    }
    assert "reports:export" in caplog.text


def test_object_rule_refusal_says_the_object_is_out_of_reach(network):
    membership = Membership._base_manager.get(user__username="pa_admin")
    with pytest.raises(PermissionDenied) as refused:
        require_permission(membership, "organisations:manage", network.pb)
    assert str(refused.value) == "该内容不在您当前的身份（协会管理员）可以管理组织的范围内。"


def test_every_permission_has_a_label():
    assert set(PERMISSION_LABELS) == set(ALL_PERMISSIONS)
    assert (
        permission_denied_message(None, "reports:view") == "您的账户尚未分配任何组织身份，请联系协会管理员。"
    )
