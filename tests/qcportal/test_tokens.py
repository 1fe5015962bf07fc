"""API tokens per device or script (issue 9, item 2; rules R-SC-10 … R-SC-19).

Named tokens, many per user, shown once and stored hashed (django-rest-knox with
``qcportal.ApiToken``), expiring; revoked by their owner or by an administrator of the owner's
subtree; a session logout leaves them alone, a deactivation deletes them; creation and
revocation are audited; ``POST /api/v1/auth/token/`` keeps its contract.
"""

import datetime as dt
import hashlib
from importlib import import_module
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from qcportal import services
from qcportal.models import ApiToken, AuditEntry, Membership
from qcportal.tenancy import membership_scope, no_tenant
from qcportal.tokens import LAST_USED_RESOLUTION, token_create
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PROBE = "/api/v1/notifications/"  # any API list every user may read


def obtain(username="e1_coord", password=PASSWORD, **extra):
    """``POST /api/v1/auth/token/`` as a script would (JSON)."""
    return APIClient().post(
        reverse("api:token"), {"username": username, "password": password, **extra}, format="json"
    )


def with_token(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def tokens_of(user):
    with no_tenant():
        return list(ApiToken.objects.filter(user=user).order_by("id"))


def token_entries(**filters):
    with no_tenant():
        return list(AuditEntry._base_manager.filter(content_type__model="apitoken", **filters).order_by("id"))


def assert_error_shape(response, field):
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"} and field in body["errors"], body
    assert isinstance(body["detail"], str) and body["detail"]


# --- POST /api/v1/auth/token/: the scripts' contract (R-SC-19) -----------------------------


def test_password_exchange_contract_creates_a_new_token_each_time(network):
    first = obtain()
    assert first.status_code == 200, first.content
    body = first.json()
    assert set(body) == {"token", "name", "expires"}
    assert body["name"] == "API" and body["token"].startswith("qcp_")
    expires = dt.datetime.fromisoformat(body["expires"])
    assert abs(expires - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)
    second = obtain(name="报表脚本", expires_in_days=7).json()
    assert second["token"] != body["token"] and second["name"] == "报表脚本"
    assert abs(dt.datetime.fromisoformat(second["expires"]) - (timezone.now() + dt.timedelta(days=7))) < (
        dt.timedelta(minutes=1)
    )
    # Both work, side by side: a new token does not replace the earlier one.
    assert with_token(body["token"]).get(PROBE).status_code == 200
    assert with_token(second["token"]).get(PROBE).status_code == 200
    assert [t.name for t in tokens_of(network.users.e1_coord)] == ["API", "报表脚本"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"expires_in_days": -5}, "expires_in_days"),
        ({"expires_in_days": 366}, "expires_in_days"),
        ({"expires_in_days": "abc"}, "expires_in_days"),
        ({"expires_in_days": 1.5}, "expires_in_days"),
        ({"expires_in_days": True}, "expires_in_days"),
        ({"expires_in_days": [30]}, "expires_in_days"),
        ({"expires_in_days": "99999999999999999999999"}, "expires_in_days"),
        ({"name": "名" * 51}, "name"),
        ({"name": "bad\x00name"}, "name"),
        ({"name": "two\nlines"}, "name"),
        ({"name": ["报表"]}, "name"),
        ({"name": {"a": 1}}, "name"),
    ],
)
def test_password_exchange_refuses_impossible_values_with_400(network, extra, field):
    response = obtain(**extra)
    assert_error_shape(response, field)
    assert tokens_of(network.users.e1_coord) == []


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"username": "e1_coord"},
        {"username": "e1_coord", "password": "Wrong-pass-2020!"},
        {"username": ["e1_coord"], "password": PASSWORD},
        {"username": "e1_coord", "password": "x" * 5000},
    ],
)
def test_password_exchange_bad_credentials_answer_400_with_the_stable_shape(network, payload):
    response = APIClient().post(reverse("api:token"), payload, format="json")
    assert_error_shape(response, "non_field_errors")
    assert "token" not in response.json()


def test_password_exchange_refuses_a_nul_where_the_body_is_read(network):
    """A NUL byte in the username is refused where the body is parsed (R-SC-21), naming the
    field, before any credentials are checked."""
    response = APIClient().post(
        reverse("api:token"), {"username": "no\x00body", "password": PASSWORD}, format="json"
    )
    assert_error_shape(response, "username")
    assert "token" not in response.json()


def test_password_exchange_refuses_a_non_object_body(network):
    response = APIClient().post(reverse("api:token"), ["e1_coord", PASSWORD], format="json")
    assert_error_shape(response, "non_field_errors")


@override_settings(API_TOKEN_TTL_DAYS=30, API_TOKEN_MAX_TTL_DAYS=60)
def test_lifetimes_follow_the_settings(network):
    body = obtain().json()
    assert abs(dt.datetime.fromisoformat(body["expires"]) - (timezone.now() + dt.timedelta(days=30))) < (
        dt.timedelta(minutes=1)
    )
    assert obtain(expires_in_days=60).status_code == 200
    assert_error_shape(obtain(expires_in_days=61), "expires_in_days")


def test_deactivated_user_gets_no_token(network):
    with no_tenant():
        network.users.e1_coord.is_active = False
        network.users.e1_coord.save()
    assert_error_shape(obtain(), "non_field_errors")
    assert tokens_of(network.users.e1_coord) == []


# --- Named tokens, shown once, stored hashed (R-SC-10, R-SC-11) ---------------------------


def test_two_devices_get_two_named_tokens_and_the_key_is_shown_once(network, login):
    client = login(network.users.e1_coord)
    keys = []
    for name in ("办公室电脑", "报表脚本"):
        response = client.post(reverse("token-create"), {"name": name, "expires_in_days": "30"})
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        key = response.context["key"]
        body = response.content.decode()
        assert key in body and "只显示这一次" in body and 'data-copy-target="token-key"' in body
        keys.append(key)
    assert keys[0] != keys[1]
    listing = client.get(reverse("token-list")).content.decode()
    assert "办公室电脑" in listing and "报表脚本" in listing
    for key in keys:
        assert key not in listing  # never shown again
        assert key[:15] in listing  # the prefix tells them apart
        assert with_token(key).get(PROBE).status_code == 200
    assert not any(key in client.get(reverse("token-create")).content.decode() for key in keys)
    # Revoking one device's token leaves the other working.
    office = tokens_of(network.users.e1_coord)[0]
    assert client.post(reverse("token-revoke", args=[office.pk])).status_code == 302
    assert with_token(keys[0]).get(PROBE).status_code == 401
    assert with_token(keys[1]).get(PROBE).status_code == 200


def test_api_list_and_detail_never_contain_the_key_nor_the_digest(network):
    key = obtain(name="同步脚本").json()["token"]
    client = with_token(key)
    listing = client.get(reverse("api:apitoken-list"))
    assert listing.status_code == 200
    (row,) = listing.json()["results"]
    assert set(row) == {"id", "name", "prefix", "created", "last_used", "expires", "status", "status_display"}
    assert row["name"] == "同步脚本" and row["prefix"] == key[:15] and row["status"] == "active"
    detail = client.get(reverse("api:apitoken-detail", args=[row["id"]]))
    digest = hashlib.sha512(key.encode()).hexdigest()
    for response in (listing, detail):
        assert key not in response.content.decode() and digest not in response.content.decode()


def test_keys_are_stored_hashed_only(network):
    key = obtain().json()["token"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM qcportal_apitoken")
        stored = [str(value) for row in cursor.fetchall() for value in row]
    assert key not in stored
    (token,) = tokens_of(network.users.e1_coord)
    assert token.digest == hashlib.sha512(key.encode()).hexdigest()
    assert token.token_key == key[:15] and len(key) > 60


def test_api_creates_a_token_from_a_session_only(network):
    session = APIClient()
    session.force_login(network.users.e1_coord)
    created = session.post(reverse("api:apitoken-list"), {"name": "笔记本"}, format="json")
    assert created.status_code == 201, created.content
    key = created.json()["token"]
    assert created.json()["name"] == "笔记本" and with_token(key).get(PROBE).status_code == 200
    # A token cannot mint more tokens (a stolen token must not outlive its expiry).
    refused = with_token(key).post(reverse("api:apitoken-list"), {"name": "再来一个"}, format="json")
    assert refused.status_code == 403 and set(refused.json()) == {"detail"}
    assert len(tokens_of(network.users.e1_coord)) == 1
    assert_error_shape(
        session.post(reverse("api:apitoken-list"), {"expires_in_days": 0}, format="json"), "expires_in_days"
    )


def test_page_refuses_impossible_values_inline(network, login):
    client = login(network.users.e1_coord)
    for data in ({"name": "x", "expires_in_days": "0"}, {"name": "x", "expires_in_days": "abc"}):
        response = client.post(reverse("token-create"), data)
        assert response.status_code == 200 and response.context["form"].errors.get("expires_in_days")
    response = client.post(reverse("token-create"), {"name": "a\x01b", "expires_in_days": "5"})
    assert response.context["form"].errors.get("name")
    assert tokens_of(network.users.e1_coord) == []


# --- Expiry, revocation, bad headers: 401 with {"detail"} (R-SC-13, R-SC-14) ---------------


def assert_401(response, detail):
    assert response.status_code == 401, response.content
    assert response.json() == {"detail": detail}
    assert response["WWW-Authenticate"] == "Token"


def test_expired_token_answers_401_and_is_listed_as_expired(network, login):
    key = obtain(name="旧脚本").json()["token"]
    with no_tenant():
        ApiToken.objects.filter(user=network.users.e1_coord).update(
            expiry=timezone.now() - dt.timedelta(seconds=1)
        )
    assert_401(with_token(key).get(PROBE), "API令牌已过期，请重新获取。")
    page = login(network.users.e1_coord).get(reverse("token-list")).content.decode()
    assert "旧脚本" in page and "已过期" in page


def test_revoked_token_answers_401(network):
    key = obtain().json()["token"]
    client = with_token(key)
    (row,) = client.get(reverse("api:apitoken-list")).json()["results"]
    assert client.delete(reverse("api:apitoken-detail", args=[row["id"]])).status_code == 204
    assert_401(client.get(PROBE), "API令牌无效或已被撤销。")
    assert tokens_of(network.users.e1_coord) == []


@pytest.mark.parametrize(
    "header",
    [
        "Token",
        "Token a b",
        "Token qcp_short",
        "Token qcp_" + "0" * 64,
        "Token qcp_\x00" + "0" * 63,
        "Token qcp_中文令牌" + "0" * 60,
        "Token " + "a" * 5000,
    ],
)
def test_unknown_or_malformed_tokens_answer_401(network, header):
    response = APIClient().get(PROBE, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


def test_owner_cannot_see_or_revoke_another_users_token(network):
    other = obtain("e4_coord").json()["token"]
    (theirs,) = tokens_of(network.users.e4_coord)
    mine = with_token(obtain().json()["token"])
    assert mine.get(reverse("api:apitoken-detail", args=[theirs.pk])).status_code == 404
    assert mine.delete(reverse("api:apitoken-detail", args=[theirs.pk])).status_code == 404
    assert [r["id"] for r in mine.get(reverse("api:apitoken-list")).json()["results"]] != [theirs.pk]
    assert with_token(other).get(PROBE).status_code == 200


def test_owner_page_cannot_revoke_another_users_token(network, login):
    obtain("e4_coord")
    (theirs,) = tokens_of(network.users.e4_coord)
    response = login(network.users.e1_coord).post(reverse("token-revoke", args=[theirs.pk]))
    assert response.status_code == 404
    assert tokens_of(network.users.e4_coord) == [theirs]


# --- Sessions and deactivation (R-SC-15, R-SC-17) -----------------------------------------


def test_logging_out_of_the_session_keeps_the_tokens(network, client):
    assert client.post(reverse("login"), {"username": "e1_coord", "password": PASSWORD}).status_code == 302
    key = client.post(reverse("token-create"), {"name": "脚本", "expires_in_days": "10"}).context["key"]
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("token-list")).status_code == 302  # the session is gone …
    assert with_token(key).get(PROBE).status_code == 200  # … the token is not


def test_deactivation_deletes_every_token_of_the_user(network, login):
    keys = [obtain(name=n).json()["token"] for n in ("甲", "乙")]
    target = network.users.e1_coord
    response = login(network.users.pa_admin).post(reverse("user-deactivate", args=[target.pk]))
    assert response.status_code == 302
    assert tokens_of(target) == []
    for key in keys:
        assert_401(with_token(key).get(PROBE), "API令牌无效或已被撤销。")
    revoked = token_entries(action=AuditEntry.Action.DELETE)
    assert len(revoked) == 2
    assert {e.additional_data["event"] for e in revoked} == {"qcportal.apitoken.revoked_on_deactivation"}
    assert {e.organisation_id for e in revoked} == {network.e1.pk}
    assert {e.actor_id for e in revoked} == {network.users.pa_admin.pk}


def test_deactivation_and_token_deletion_share_one_transaction(network):
    obtain()
    target = network.users.e1_coord
    with no_tenant():
        admin = Membership.objects.get(user=network.users.pa_admin)
    with (
        mock.patch.object(services, "tokens_revoke_all", side_effect=RuntimeError("boom")),
        membership_scope(admin),
        pytest.raises(RuntimeError),
    ):
        services.user_deactivate(membership=admin, user=target)
    target.refresh_from_db()
    assert target.is_active and len(tokens_of(target)) == 1


def test_a_token_of_a_user_deactivated_elsewhere_stops_working(network):
    """Even a deactivation that bypassed the service (e.g. a shell) refuses the token."""
    key = obtain().json()["token"]
    with no_tenant():
        type(network.users.e1_coord).objects.filter(pk=network.users.e1_coord.pk).update(is_active=False)
    assert_401(with_token(key).get(PROBE), "账户已停用。")


# --- Administrators (R-SC-16) --------------------------------------------------------------


def test_admin_revokes_a_subtree_users_token_but_not_a_foreign_one(network, login):
    own_key = obtain("e1_coord", name="E1脚本").json()["token"]
    foreign_key = obtain("e4_coord", name="E4脚本").json()["token"]
    (own,) = tokens_of(network.users.e1_coord)
    (foreign,) = tokens_of(network.users.e4_coord)
    admin = login(network.users.pa_admin)
    page = admin.get(reverse("managed-token-list")).content.decode()
    assert "E1脚本" in page and "e1_coord" in page
    assert "E4脚本" not in page and "e4_coord" not in page
    assert own_key not in page
    assert admin.post(reverse("managed-token-revoke", args=[foreign.pk])).status_code == 404
    assert tokens_of(network.users.e4_coord) == [foreign]
    assert with_token(foreign_key).get(PROBE).status_code == 200
    response = admin.post(reverse("managed-token-revoke", args=[own.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("managed-token-list")
    assert tokens_of(network.users.e1_coord) == []
    assert with_token(own_key).get(PROBE).status_code == 401
    (entry,) = token_entries(action=AuditEntry.Action.DELETE)
    assert entry.additional_data["event"] == "qcportal.apitoken.revoked"
    assert entry.actor_id == network.users.pa_admin.pk and entry.organisation_id == network.e1.pk
    # The other province's administrator manages E4's token.
    pb_page = login(network.users.pb_admin).get(reverse("managed-token-list")).content.decode()
    assert "E4脚本" in pb_page


def test_administrators_list_needs_users_manage(network, login):
    obtain("e1_coord")
    (token,) = tokens_of(network.users.e1_coord)
    staff = login(network.users.pa_staff)
    assert staff.get(reverse("managed-token-list")).status_code == 403
    assert staff.post(reverse("managed-token-revoke", args=[token.pk])).status_code == 403
    assert tokens_of(network.users.e1_coord) == [token]


def test_administrators_list_search_by_user(network, login):
    obtain("e1_coord", name="E1脚本")
    obtain("ru1_coord", name="RU1脚本")
    client = login(network.users.pa_admin)
    page = client.get(reverse("managed-token-list"), {"q": "ru1"}).content.decode()
    assert "RU1脚本" in page and "E1脚本" not in page
    # Control characters are dropped from query strings (R-SC-21): "ru1\x00" searches "ru1".
    nul = client.get(reverse("managed-token-list"), {"q": "ru1\x00"})
    assert nul.status_code == 200
    assert "RU1脚本" in nul.content.decode() and "E1脚本" not in nul.content.decode()


def test_administrators_list_query_budget(network, login, django_assert_max_num_queries):
    with no_tenant():
        for user in (network.users.e1_coord, network.users.e1_exec, network.users.ru1_coord):
            for n in range(3):
                token_create(user=user, name=f"脚本{n}")
    client = login(network.users.pa_admin)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("managed-token-list"))
    assert response.status_code == 200 and len(response.context["rows"]) == 9


# --- last use, audit, migration (R-SC-18, R-SC-10) ----------------------------------------


def test_last_used_is_written_at_most_once_a_minute(network):
    key = obtain().json()["token"]
    (token,) = tokens_of(network.users.e1_coord)
    assert token.last_used is None
    client = with_token(key)
    client.get(PROBE)
    token.refresh_from_db()
    first = token.last_used
    assert first is not None
    client.get(PROBE)
    token.refresh_from_db()
    assert token.last_used == first  # within the minute: not written again
    with no_tenant():
        ApiToken.objects.filter(pk=token.pk).update(last_used=first - LAST_USED_RESOLUTION)
    client.get(PROBE)
    token.refresh_from_db()
    assert token.last_used > first - LAST_USED_RESOLUTION
    assert len(token_entries()) == 1  # the creation only: using a token is not an audited change


def test_creation_and_revocation_are_audited_without_the_digest(network, login):
    client = login(network.users.e1_coord)
    key = client.post(reverse("token-create"), {"name": "审计脚本", "expires_in_days": "5"}).context["key"]
    (token,) = tokens_of(network.users.e1_coord)
    client.post(reverse("token-revoke", args=[token.pk]))
    created, revoked = token_entries()
    assert created.action == AuditEntry.Action.CREATE and revoked.action == AuditEntry.Action.DELETE
    for entry in (created, revoked):
        assert entry.organisation_id == network.e1.pk
        assert entry.actor_id == network.users.e1_coord.pk
        text = f"{entry.changes} {entry.object_repr} {entry.additional_data}"
        assert key not in text and token.digest not in text and "digest" not in (entry.changes or {})
    assert created.changes["name"] == [None, "审计脚本"] or created.changes["name"][1] == "审计脚本"
    assert revoked.additional_data["event"] == "qcportal.apitoken.revoked"


def test_password_exchange_is_audited_for_the_user(network):
    obtain()
    (entry,) = token_entries(action=AuditEntry.Action.CREATE)
    assert entry.actor_id == network.users.e1_coord.pk and entry.organisation_id == network.e1.pk


def test_former_plain_tokens_are_carried_over_hashed(network):
    migration = import_module("qcportal.migrations.0005_api_tokens")
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz, user_id bigint)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, now(), %s)", [old_key, network.users.e1_coord.pk]
        )
    with connection.schema_editor() as editor:
        migration.carry_over_plain_tokens(django_apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    (token,) = tokens_of(network.users.e1_coord)
    assert token.name == "迁移的令牌" and token.expiry > timezone.now() + dt.timedelta(days=89)
    assert with_token(old_key).get(PROBE).status_code == 200


def test_user_menu_links_the_token_page(network, login):
    page = login(network.users.e1_coord).get(reverse("token-list")).content.decode()
    assert 'data-testid="token-list-link"' in page and "您还没有API令牌。" in page
    users = login(network.users.pa_admin).get(reverse("membership-list")).content.decode()
    assert 'data-testid="managed-token-list-link"' in users


# --- the second factor on the password exchange (issue 9 item 1; R-SC-02) -----------------------
def test_password_exchange_asks_staff_for_the_authenticators_code(network):
    from tests.accounts import otp_code, otp_device

    staff = network.users.pa_staff
    not_set_up = obtain(staff.username)
    assert_error_shape(not_set_up, "otp")
    assert "两步验证" in not_set_up.json()["detail"]
    device = otp_device(staff)
    missing = obtain(staff.username)
    assert_error_shape(missing, "otp")
    wrong = obtain(staff.username, otp="000000" if otp_code(device) != "000000" else "111111")
    assert_error_shape(wrong, "otp")
    assert not tokens_of(staff)
    ok = obtain(staff.username, otp=otp_code(device))
    assert ok.status_code == 200 and ok.json()["token"]
    assert len(tokens_of(staff)) == 1


def test_password_exchange_asks_an_enrolled_coordinator_too(network):
    from tests.accounts import otp_code, otp_device

    coordinator = network.users.e1_coord
    assert obtain(coordinator.username).status_code == 200  # not enrolled, not required
    device = otp_device(coordinator)
    assert_error_shape(obtain(coordinator.username), "otp")
    assert obtain(coordinator.username, otp=otp_code(device)).status_code == 200
