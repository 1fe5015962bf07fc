"""Administration by association administrators within their subtree (issue 3): create
organisations, invite users by e-mail with a one-time link, assign and revoke roles,
deactivate users. Nobody can grant a role above their own."""

import datetime as dt
import html
import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from qcportal import roles, services
from qcportal.models import Invitation, Membership, Organisation, User
from qcportal.roles import Role
from qcportal.tenancy import no_tenant, tenant_scope

from .. import factories as f

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "Zhiliang-Xiaozu-2024!"
ACCEPT_LINK = re.compile(r"https?://[^/\s]+(/accounts/invitations/[^/\s\"<]+/)")


# --- helpers -------------------------------------------------------------------------------


def membership_of(user, code=None) -> Membership:
    """The (only, or the one at ``code``) membership of ``user``, read without a scope."""
    with no_tenant():
        qs = Membership.objects.select_related("organisation").filter(user=user)
        if code:
            qs = qs.filter(organisation__code=code)
        return qs.get()


def org_codes() -> set[str]:
    with no_tenant():
        return set(Organisation.objects.values_list("code", flat=True))


def invitation_count() -> int:
    with no_tenant():
        return Invitation.objects.count()


def flash(response) -> list[str]:
    """The messages framework's messages queued by the response."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def active_membership(response) -> str:
    """The text of the active membership shown in the navigation bar."""
    body = response.content.decode()
    match = re.search(r'data-testid="active-membership"[^>]*>(.*?)</a>', body, re.S)
    assert match, "no active membership shown on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(match.group(1))).split())


def invite(client, **data):
    """POST the invitation form; return the response."""
    return client.post(reverse("invitation-create"), data)


def accept_path_from_mail() -> str:
    assert len(mail.outbox) == 1
    match = ACCEPT_LINK.search(mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def form_errors(response, field) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def assert_refused_without_500(response, field=None):
    """A refusal: a form error (200, on ``field`` when given) or 403/404 — never a 500 or a redirect."""
    assert response.status_code in (200, 403, 404), response.status_code
    if response.status_code == 200:
        errors = response.context["form"].errors
        assert errors, "the form was accepted"
        if field is not None:
            assert field in errors, errors


# --- organisations -------------------------------------------------------------------------


def test_admin_creates_unit_and_enterprise_in_own_subtree(network, login):
    client = login(network.users.pa_admin)
    response = client.post(
        reverse("organisation-create"),
        {
            "code": "RU9",
            "name": "新设区推荐单位",
            "kind": "recommending_unit",
            "parent": "PA",
            "unit_kind": "district",
            "contact_person": "丙联系人",
        },
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert response["Location"] == reverse("organisation-detail", args=["RU9"])
    assert "已创建组织：新设区推荐单位" in flash(response)

    response = client.post(
        reverse("organisation-create"),
        {"code": "E9", "name": "新设戊制造有限公司", "kind": "enterprise", "parent": "RU9"},
    )
    assert response.status_code == 302
    with no_tenant():
        unit = Organisation.objects.get(code="RU9")
        enterprise = Organisation.objects.get(code="E9")
    assert (unit.parent, unit.kind, unit.path, unit.depth) == (
        network.pa,
        "recommending_unit",
        "/CAQ/PA/RU9/",
        2,
    )
    assert unit.unit_kind == "district" and unit.contact_person == "丙联系人"
    assert (enterprise.parent, enterprise.path, enterprise.depth) == (unit, "/CAQ/PA/RU9/E9/", 3)

    listing = client.get(reverse("organisation-list"))
    assert listing.status_code == 200
    codes = [o.code for o in listing.context["organisations"]]
    assert {"RU9", "E9"} <= set(codes)
    assert "PB" not in codes and "CAQ" not in codes
    body = listing.content.decode()
    assert "新设区推荐单位" in body and "新设戊制造有限公司" in body
    detail = client.get(reverse("organisation-detail", args=["RU9"]))
    assert detail.status_code == 200 and "新设戊制造有限公司" in detail.content.decode()

    # The other province does not see them.
    other = login(network.users.pb_admin).get(reverse("organisation-list"))
    assert not {"RU9", "E9"} & {o.code for o in other.context["organisations"]}


@pytest.mark.parametrize(
    ("parent", "kind"),
    [
        ("PB", "recommending_unit"),  # another province
        ("RU3", "enterprise"),  # a unit of another province
        ("CAQ", "regional_association"),  # an ancestor
        ("CAQ", "recommending_unit"),
    ],
)
def test_admin_cannot_create_outside_own_subtree(network, login, parent, kind):
    before = org_codes()
    client = login(network.users.pa_admin)
    response = client.post(
        reverse("organisation-create"),
        {"code": "X1", "name": "越权单位", "kind": kind, "parent": parent},
    )
    assert_refused_without_500(response, "parent")
    assert org_codes() == before


def test_service_refuses_a_parent_outside_the_subtree(network):
    membership = membership_of(network.users.pa_admin)
    with tenant_scope(network.pa):
        for parent in (network.pb, network.caq):
            with pytest.raises(PermissionDenied):
                services.organisation_create(
                    membership=membership, code="X2", kind="recommending_unit", parent=parent, name="越权"
                )
    assert "X2" not in org_codes()


@pytest.mark.parametrize("code", ["RU1", "ru1", "E4"])
def test_duplicate_code_is_a_chinese_form_error(network, login, code):
    before = org_codes()
    client = login(network.users.pa_admin)
    response = client.post(
        reverse("organisation-create"),
        {"code": code, "name": "重复代码单位", "kind": "recommending_unit", "parent": "PA"},
    )
    assert response.status_code == 409  # a conflict with an existing row (R-SC-32)
    assert form_errors(response, "code") == [f"代码“{code}”已被使用。"]
    assert f"代码“{code}”已被使用。" in response.content.decode()
    assert org_codes() == before


def test_wrong_parent_kind_is_a_form_error(network, login):
    client = login(network.users.pa_admin)
    response = client.post(
        reverse("organisation-create"),
        {"code": "E8", "name": "直属省协会的企业", "kind": "enterprise", "parent": "PA"},
    )
    assert response.status_code == 200
    assert form_errors(response, "parent") == ["“测试省质量协会”不能作为该类型组织的上级。"]
    assert "E8" not in org_codes()


def test_admin_edits_an_organisation_in_the_subtree_only(network, login):
    client = login(network.users.pa_admin)
    response = client.post(
        reverse("organisation-edit", args=["RU1"]), {"name": "测试区推荐单位（更名）", "postcode": "310001"}
    )
    assert response.status_code == 302
    with no_tenant():
        ru1 = Organisation.objects.get(code="RU1")
    assert (ru1.name, ru1.postcode) == ("测试区推荐单位（更名）", "310001")
    # Another province's unit is not found; the national ancestor is visible but not manageable.
    assert client.post(reverse("organisation-edit", args=["RU3"]), {"name": "越权"}).status_code == 404
    assert client.post(reverse("organisation-edit", args=["CAQ"]), {"name": "越权"}).status_code == 403
    with no_tenant():
        assert Organisation.objects.get(code="RU3").name == "另一区推荐单位"
        assert Organisation.objects.get(code="CAQ").name == "中国质量协会"


def test_staff_without_users_or_organisations_manage_get_403(network, login):
    client = login(network.users.pa_staff)
    for name in ("organisation-create", "invitation-create", "membership-list"):
        assert client.get(reverse(name)).status_code == 403, name


# --- invitations ---------------------------------------------------------------------------


def test_invitation_flow_new_account(network, login):
    admin = login(network.users.pa_admin)
    response = invite(
        admin, full_name="新同事甲", email="xin@ru1.example.cn", organisation="RU1", role="unit_coordinator"
    )
    assert response.status_code == 200, response.context["form"].errors
    path = accept_path_from_mail()
    message = mail.outbox[0]
    assert message.to == ["xin@ru1.example.cn"]
    assert (
        "新同事甲" in message.body and "推荐单位联络人" in message.body and "测试区推荐单位" in message.body
    )
    body = response.content.decode()
    assert 'data-testid="invitation-url"' in body
    assert body.count(path) == 1  # the link is shown once, to the inviter
    with no_tenant():
        invitation = Invitation.objects.get(email="xin@ru1.example.cn")
    assert invitation.role == "unit_coordinator" and invitation.organisation == network.ru1
    assert invitation.invited_by == network.users.pa_admin and invitation.accepted_at is None
    token = path.rstrip("/").rsplit("/", 1)[-1]
    assert token not in invitation.token_digest  # only the digest is stored
    # Shown once: the form page does not show it again.
    again = admin.get(reverse("invitation-create")).content.decode()
    assert path not in again

    guest = Client()
    page = guest.get(path)
    assert page.status_code == 200
    assert "新同事甲，您被邀请以“推荐单位联络人”身份加入测试区推荐单位。" in page.content.decode()

    weak = "1234"
    response = guest.post(path, {"username": "xin_tongshi", "password1": weak, "password2": weak})
    assert response.status_code == 200
    with translation.override("zh-hans"), pytest.raises(ValidationError) as expected:
        validate_password(
            weak, User(username="xin_tongshi", email="xin@ru1.example.cn", full_name="新同事甲")
        )
    expected_messages = expected.value.messages
    assert len(expected_messages) >= 2
    errors = form_errors(response, "password1")
    for text in expected_messages:
        assert text in errors
    with no_tenant():
        assert not User.objects.filter(username="xin_tongshi").exists()
        invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert "_auth_user_id" not in guest.session

    response = guest.post(
        path, {"username": "xin_tongshi", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    with no_tenant():
        user = User.objects.get(username="xin_tongshi")
        membership = Membership.objects.get(user=user)
        invitation.refresh_from_db()
    assert user.is_active and user.check_password(STRONG_PASSWORD)
    assert (user.email, user.full_name) == ("xin@ru1.example.cn", "新同事甲")
    assert (membership.organisation, membership.role, membership.is_active) == (
        network.ru1,
        "unit_coordinator",
        True,
    )
    assert invitation.accepted_at is not None and invitation.accepted_by == user
    assert guest.session["_auth_user_id"] == str(user.pk)

    home = guest.get(reverse("home"))
    assert home.status_code == 200
    assert "unit-enterprises" in home.content.decode()  # the recommending unit's home page
    assert active_membership(home) == "测试区推荐单位 · 推荐单位联络人"

    # One-time: the link is gone, for the new user and for anyone else.
    for client in (guest, Client()):
        used = client.get(path)
        assert used.status_code == 410
        assert "该邀请链接已经使用过。" in used.content.decode()
    reuse = Client().post(
        path, {"username": "another", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    )
    assert reuse.status_code == 410
    with no_tenant():
        assert not User.objects.filter(username="another").exists()
        assert Membership.objects.filter(organisation=network.ru1, role="unit_coordinator").count() == 2


def test_weak_password_messages_are_chinese(network, login):
    """The portal is Chinese first: the password rules' messages on the accept page too."""
    invite(
        login(network.users.pa_admin),
        full_name="新同事丙",
        email="bing@example.cn",
        organisation="PA",
        role="judge",
    )
    path = accept_path_from_mail()
    response = Client().post(path, {"username": "xin_bing", "password1": "1234", "password2": "1234"})
    assert response.status_code == 200
    errors = form_errors(response, "password1")
    assert len(errors) == 3  # too short, too common, entirely numeric
    english = [text for text in errors if not re.search(r"[\u4e00-\u9fff]", text)]
    assert english == []


def test_mismatched_passwords_and_taken_username_are_refused(network, login):
    invite(
        login(network.users.pa_admin),
        full_name="新同事乙",
        email="yi@example.cn",
        organisation="PA",
        role="judge",
    )
    path = accept_path_from_mail()
    guest = Client()
    response = guest.post(
        path, {"username": "xin_yi", "password1": STRONG_PASSWORD, "password2": "Other-pass-2024!"}
    )
    assert response.status_code == 200 and "两次输入的密码不一致。" in response.content.decode()
    response = guest.post(
        path, {"username": "PA_ADMIN", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    )
    assert response.status_code == 200
    assert "用户名“PA_ADMIN”已被使用。" in response.content.decode()
    with no_tenant():
        assert Invitation.objects.get(email="yi@example.cn").accepted_at is None


def test_expired_invitation_answers_410(network, login):
    invite(
        login(network.users.pa_admin),
        full_name="过期者",
        email="late@example.cn",
        organisation="E1",
        role="circle_member",
    )
    path = accept_path_from_mail()
    with no_tenant():
        Invitation.objects.filter(email="late@example.cn").update(
            expires_at=timezone.now() - dt.timedelta(minutes=1)
        )
    guest = Client()
    response = guest.get(path)
    assert response.status_code == 410
    assert "该邀请链接已过期，请联系协会管理员重新邀请。" in response.content.decode()
    response = guest.post(
        path, {"username": "late", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    )
    assert response.status_code == 410
    with no_tenant():
        assert not User.objects.filter(username="late").exists()


def test_revoked_invitation_answers_410(network, login):
    admin = login(network.users.pa_admin)
    invite(admin, full_name="撤销者", email="gone@example.cn", organisation="E1", role="circle_leader")
    path = accept_path_from_mail()
    with no_tenant():
        invitation = Invitation.objects.get(email="gone@example.cn")
    response = admin.post(reverse("invitation-revoke", args=[invitation.pk]))
    assert response.status_code == 302
    assert "已撤销邀请。" in flash(response)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    guest = Client()
    response = guest.get(path)
    assert response.status_code == 410
    assert "邀请链接无效或已被撤销。" in response.content.decode()
    response = guest.post(
        path, {"username": "gone", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    )
    assert response.status_code == 410
    with no_tenant():
        assert not User.objects.filter(username="gone").exists()


def test_unknown_token_answers_410(client):
    response = client.get(reverse("invitation-accept", args=["nonsense-token"]))
    assert response.status_code == 410
    assert "邀请链接无效或已被撤销。" in response.content.decode()


def test_another_province_cannot_revoke_an_invitation(network, login):
    response = login(network.users.pb_admin).post(
        reverse("invitation-revoke", args=[network.invitations.pa.pk])
    )
    assert response.status_code == 404
    with no_tenant():
        assert Invitation.objects.get(pk=network.invitations.pa.pk).revoked_at is None


def test_logged_in_user_attaches_invitation_and_switches_membership(network, login):
    invite(
        login(network.users.pa_admin),
        full_name="测试区联络人",
        email="ru1@example.cn",
        organisation="E1",
        role="enterprise_coordinator",
    )
    path = accept_path_from_mail()
    user = network.users.ru1_coord
    old = membership_of(user)
    client = login(user)
    page = client.get(path)
    assert page.status_code == 200
    assert "加入到当前账户（ru1_coord）" in page.content.decode()

    response = client.post(path, {"attach": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert "欢迎！您已加入测试甲机械有限公司（企业推进负责人）。" in flash(response)
    with no_tenant():
        memberships = list(Membership.objects.filter(user=user, is_active=True).order_by("id"))
        assert Invitation.objects.get(email="ru1@example.cn").accepted_by == user
    assert [(m.organisation.code, m.role) for m in memberships] == [
        ("RU1", "unit_coordinator"),
        ("E1", "enterprise_coordinator"),
    ]
    new = memberships[1]
    with no_tenant():
        assert not User.objects.exclude(pk=user.pk).filter(email="ru1@example.cn").exists()

    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert active_membership(home) == "测试甲机械有限公司 · 企业推进负责人"
    assert "stat-members" in home.content.decode()  # the enterprise home page

    response = client.post(reverse("switch-membership", args=[old.pk]))
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert active_membership(home) == "测试区推荐单位 · 推荐单位联络人"
    assert "unit-enterprises" in home.content.decode()

    client.post(reverse("switch-membership", args=[new.pk]))
    assert active_membership(client.get(reverse("home"))) == "测试甲机械有限公司 · 企业推进负责人"
    assert client.get(path).status_code == 410


# --- grant rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("organisation", "role"),
    [("CAQ", "association_staff"), ("PB", "association_staff"), ("E4", "circle_member")],
)
def test_admin_cannot_invite_outside_own_subtree(network, login, organisation, role):
    before = invitation_count()
    response = invite(
        login(network.users.pa_admin),
        full_name="越权",
        email="x@example.cn",
        organisation=organisation,
        role=role,
    )
    assert_refused_without_500(response, "organisation")
    assert invitation_count() == before
    assert mail.outbox == []


def test_services_refuse_grants_outside_the_subtree(network):
    membership = membership_of(network.users.pa_admin)
    with tenant_scope(network.pa):
        for organisation, role in (
            (network.caq, "judge"),
            (network.pb, "judge"),
            (network.e4, "circle_member"),
        ):
            with pytest.raises(PermissionDenied):
                services.check_grantable(membership=membership, organisation=organisation, role=role)
        with pytest.raises(PermissionDenied):
            services.membership_grant(
                membership=membership,
                user=network.users.pa_staff,
                organisation=network.pb,
                role="association_staff",
            )
        with pytest.raises(PermissionDenied):
            services.invitation_create(
                membership=membership,
                organisation=network.caq,
                role="judge",
                email="x@example.cn",
                full_name="越权",
            )
    with no_tenant():
        assert not Membership.objects.filter(user=network.users.pa_staff, organisation=network.pb).exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("organisation", "role", "message"),
    [
        ("PA", "enterprise_coordinator", "角色“企业推进负责人”不能在“省市质量协会”担任。"),
        ("RU1", "judge", "角色“评委”不能在“推荐单位”担任。"),
        ("E1", "association_staff", "角色“协会工作人员”不能在“企业”担任。"),
    ],
)
def test_role_must_exist_at_the_organisation_kind(network, login, organisation, role, message):
    before = invitation_count()
    response = invite(
        login(network.users.pa_admin),
        full_name="错角色",
        email="role@example.cn",
        organisation=organisation,
        role=role,
    )
    assert response.status_code == 200
    assert form_errors(response, "role") == [message]
    assert message in response.content.decode()
    assert invitation_count() == before
    assert mail.outbox == []


@pytest.fixture
def staff_may_manage_users(monkeypatch):
    """Give association staff (rank 80) ``users:manage``, so that only the rank rule stops them."""
    monkeypatch.setitem(
        roles.ROLE_PERMISSIONS,
        Role.ASSOCIATION_STAFF,
        roles.ROLE_PERMISSIONS[Role.ASSOCIATION_STAFF] | {"users:manage"},
    )


def test_nobody_grants_a_role_above_their_own(network, staff_may_manage_users):
    acting = Membership(user=network.users.pa_staff, organisation=network.pa, role=Role.ASSOCIATION_STAFF)
    assert "users:manage" in acting.permissions
    with tenant_scope(network.pa):
        with pytest.raises(ValidationError) as refused:
            services.check_grantable(membership=acting, organisation=network.pa, role=Role.ASSOCIATION_ADMIN)
        assert refused.value.message_dict == {"role": ["不能授予高于您自身的角色。"]}
        with pytest.raises(ValidationError) as refused:
            services.check_grantable(membership=acting, organisation=network.ru1, role=Role.ASSOCIATION_ADMIN)
        assert "不能授予高于您自身的角色。" not in refused.value.messages  # wrong kind is reported first
        # Equal or lower ranks are fine.
        for organisation, role in (
            (network.pa, Role.ASSOCIATION_STAFF),
            (network.pa, Role.ASSOCIATION_LEADERSHIP),
            (network.pa, Role.JUDGE),
            (network.ru1, Role.UNIT_COORDINATOR),
            (network.e1, Role.CIRCLE_MEMBER),
        ):
            services.check_grantable(membership=acting, organisation=organisation, role=role)


def test_unit_coordinator_with_users_manage_stays_within_unit_and_rank(network, monkeypatch):
    monkeypatch.setitem(
        roles.ROLE_PERMISSIONS,
        Role.UNIT_COORDINATOR,
        roles.ROLE_PERMISSIONS[Role.UNIT_COORDINATOR] | {"users:manage"},
    )
    acting = Membership(user=network.users.ru1_coord, organisation=network.ru1, role=Role.UNIT_COORDINATOR)
    with tenant_scope(network.ru1):
        services.check_grantable(membership=acting, organisation=network.e1, role=Role.ENTERPRISE_COORDINATOR)
        services.check_grantable(membership=acting, organisation=network.ru1, role=Role.UNIT_COORDINATOR)
        with pytest.raises(PermissionDenied):  # PA lies above the unit
            services.check_grantable(membership=acting, organisation=network.pa, role=Role.JUDGE)
        with pytest.raises(ValidationError) as refused:
            services.check_grantable(membership=acting, organisation=network.e1, role="nonsense")
        assert refused.value.message_dict == {"role": ["未知的角色。"]}


def test_staff_cannot_invite_above_own_rank_through_the_page(network, login, staff_may_manage_users):
    client = login(network.users.pa_staff)
    before = invitation_count()
    response = invite(
        client, full_name="越级", email="up@example.cn", organisation="PA", role="association_admin"
    )
    assert response.status_code == 200
    assert form_errors(response, "role") == ["不能授予高于您自身的角色。"]
    assert "不能授予高于您自身的角色。" in response.content.decode()
    assert invitation_count() == before and mail.outbox == []
    # Their own rank still works.
    response = invite(
        client, full_name="同级", email="same@example.cn", organisation="PA", role="association_leadership"
    )
    assert response.status_code == 200 and response.context.get("invitation_url")
    assert len(mail.outbox) == 1


def test_staff_cannot_revoke_an_admin(network, login, staff_may_manage_users):
    target = membership_of(network.users.pa_admin)
    response = login(network.users.pa_staff).post(reverse("membership-revoke", args=[target.pk]))
    assert response.status_code == 302
    assert flash(response) == ["不能授予高于您自身的角色。"]
    target.refresh_from_db()
    assert target.is_active


# --- revoking roles ------------------------------------------------------------------------


def test_admin_revokes_a_membership_in_the_subtree(network, login):
    target = membership_of(network.users.ru1_coord)
    client = login(network.users.pa_admin)
    response = client.post(reverse("membership-revoke", args=[target.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("organisation-detail", args=["RU1"])
    assert flash(response) == ["已撤销：测试区推荐单位 · 推荐单位联络人"]
    target.refresh_from_db()
    assert target.is_active is False
    # The user keeps the account but can no longer act for RU1.
    with no_tenant():
        assert User.objects.get(pk=network.users.ru1_coord.pk).is_active
    assert login(network.users.ru1_coord).get(reverse("home")).status_code == 403
    # Listed as revoked for the administrator.
    listing = login(network.users.pa_admin).get(reverse("membership-list"), {"active": "0"})
    assert [m.pk for m in listing.context["memberships"]] == [target.pk]


def test_admin_cannot_revoke_own_active_membership(network, login):
    own = membership_of(network.users.pa_admin)
    response = login(network.users.pa_admin).post(reverse("membership-revoke", args=[own.pk]))
    assert response.status_code == 302
    assert flash(response) == ["不能撤销您当前使用的身份。"]
    own.refresh_from_db()
    assert own.is_active


def test_other_province_admin_gets_404_when_revoking(network, login):
    target = membership_of(network.users.pa_staff)
    response = login(network.users.pb_admin).post(reverse("membership-revoke", args=[target.pk]))
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.is_active


def test_revoke_needs_post(network, login):
    target = membership_of(network.users.ru1_coord)
    assert (
        login(network.users.pa_admin).get(reverse("membership-revoke", args=[target.pk])).status_code == 405
    )
    target.refresh_from_db()
    assert target.is_active


# --- deactivating users --------------------------------------------------------------------


def can_log_in(username, password=f.PASSWORD) -> bool:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_admin_deactivates_a_user_of_the_subtree(network, login):
    target = network.users.e1_coord
    assert can_log_in("e1_coord")
    session = Client()
    session.force_login(target)
    assert session.get(reverse("home")).status_code == 200

    response = login(network.users.pa_admin).post(reverse("user-deactivate", args=[target.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("membership-list")
    assert flash(response) == [f"已停用账户：{target}"]
    target.refresh_from_db()
    assert target.is_active is False
    assert not can_log_in("e1_coord")
    home = session.get(reverse("home"))  # an open session is no longer valid either
    assert home.status_code == 302 and reverse("login") in home["Location"]


def test_user_with_a_membership_outside_the_subtree_cannot_be_deactivated(network, login):
    target = network.users.e1_exec
    with no_tenant():
        f.MembershipFactory(user=target, organisation=network.e4, role=Role.ENTERPRISE_EXECUTIVE)
    response = login(network.users.pa_admin).post(reverse("user-deactivate", args=[target.pk]))
    assert response.status_code == 302
    assert flash(response) == ["该用户在您管辖范围以外还有其他身份，只能撤销本单位的身份。"]
    target.refresh_from_db()
    assert target.is_active
    assert can_log_in("e1_exec")


def test_admin_cannot_deactivate_themselves(network, login):
    admin = network.users.pa_admin
    response = login(admin).post(reverse("user-deactivate", args=[admin.pk]))
    assert response.status_code == 302
    assert flash(response) == ["不能停用自己的账户。"]
    admin.refresh_from_db()
    assert admin.is_active


def test_other_province_admin_cannot_deactivate(network, login):
    target = network.users.e1_coord
    response = login(network.users.pb_admin).post(reverse("user-deactivate", args=[target.pk]))
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.is_active


# --- query budget --------------------------------------------------------------------------


@pytest.fixture
def thirty_more(network):
    """30 more enterprises under RU1, each with one member."""
    with no_tenant():
        for i in range(30):
            enterprise = f.OrganisationFactory(
                code=f"EX{i:02d}", name=f"批量企业{i:02d}", kind="enterprise", parent=network.ru1
            )
            f.MembershipFactory(
                user=f.UserFactory(username=f"bulk{i:02d}"),
                organisation=enterprise,
                role=Role.ENTERPRISE_COORDINATOR,
            )


def test_organisation_list_query_budget(network, login, thirty_more, django_assert_max_num_queries):
    client = login(network.users.pa_admin)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("organisation-list"))
    assert response.status_code == 200
    organisations = list(response.context["organisations"])
    assert len(organisations) == 34  # PA, RU1, E1, E2 and the 30 new ones
    assert next(o for o in organisations if o.code == "EX07").member_count == 1
    assert "批量企业29" in response.content.decode()


def test_membership_list_query_budget(network, login, thirty_more, django_assert_max_num_queries):
    client = login(network.users.pa_admin)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("membership-list"))
    assert response.status_code == 200
    memberships = list(response.context["memberships"])
    assert len(memberships) == 39  # 9 of the network in PA's subtree and the 30 new ones
    assert {m.organisation.code for m in memberships} <= {"PA", "RU1", "E1", "E2"} | {
        f"EX{i:02d}" for i in range(30)
    }
    assert "bulk29" in response.content.decode()
