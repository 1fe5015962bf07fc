"""Writes of the tenancy core: organisations, invitations, memberships, user deactivation.

Every service takes the acting membership, checks the one permission rule set
(``qcportal.permissions``) including the subtree rule, validates with Chinese messages and
runs in a transaction; audit entries are written by django-auditlog on every save.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .conflicts import AlreadyDone, Conflict
from .models import Invitation, Membership, Organisation, User
from .permissions import require_permission
from .roles import ROLE_ORGANISATION_KINDS, ROLE_RANK, Role
from .tokens import tokens_revoke_all
from .user_sessions import user_sessions_end

INVITATION_VALID_FOR = dt.timedelta(days=7)
ORGANISATION_FIELDS = (
    "name",
    "short_name",
    "unit_kind",
    "industry_association",
    "region",
    "industry",
    "address",
    "postcode",
    "qc_department",
    "qc_department_head",
    "contact_person",
    "contact_phone",
    "contact_mobile",
    "contact_email",
)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_grantable(*, membership: Membership, organisation: Organisation, role: str) -> None:
    """Refuse a grant the acting membership may not make (issue 3: nobody grants a role above
    their own). Rules: ``users:manage`` on an organisation in the actor's subtree; the role
    must exist at that kind of organisation; its rank must not exceed the actor's.
    Raises ``PermissionDenied`` or ``ValidationError``."""
    require_permission(membership, "users:manage", organisation)
    if role not in Role.values:
        raise ValidationError({"role": _("未知的角色。")})
    if organisation.kind not in ROLE_ORGANISATION_KINDS[role]:
        raise ValidationError(
            {
                "role": _("角色“%(role)s”不能在“%(org)s”担任。")
                % {"role": Role(role).label, "org": organisation.get_kind_display()}
            }
        )
    if ROLE_RANK[role] > ROLE_RANK[membership.role]:
        raise ValidationError({"role": _("不能授予高于您自身的角色。")})


@transaction.atomic
def organisation_create(
    *, membership: Membership, code: str, kind: str, parent: Organisation, **fields
) -> Organisation:
    """Create an organisation under ``parent`` (which must be in the actor's subtree).

    Inputs: code (letters, digits, ``-``/``_``; unique nationally), kind, parent and the
    optional fields of :data:`ORGANISATION_FIELDS`. Output: the organisation. Raises
    ``PermissionDenied`` outside the subtree, ``ValidationError`` for a parent of the wrong
    kind (domain.md §3), :class:`~qcportal.conflicts.Conflict` (409) for a code already
    used, in any letter case — also when two administrators create the same code at the
    same moment: the unique constraints decide and the loser gets the same message (rule
    R-SC-32).
    """
    require_permission(membership, "organisations:manage", parent)
    taken = Conflict({"code": _("代码“%(code)s”已被使用。") % {"code": code}})
    if Organisation._base_manager.filter(code__iexact=code).exists():
        raise taken
    organisation = Organisation(
        code=code, kind=kind, parent=parent, **{k: v for k, v in fields.items() if k in ORGANISATION_FIELDS}
    )
    organisation.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        if Organisation._base_manager.filter(code__iexact=code).exists():
            raise taken from None
        raise
    return organisation


@transaction.atomic
def organisation_update(*, membership: Membership, organisation: Organisation, **fields) -> Organisation:
    """Change the descriptive fields of an organisation in the actor's subtree (code, kind
    and parent are fixed once created)."""
    require_permission(membership, "organisations:manage", organisation)
    for key, value in fields.items():
        if key in ORGANISATION_FIELDS:
            setattr(organisation, key, value)
    organisation.full_clean(validate_unique=False, validate_constraints=False)
    organisation.save()
    return organisation


@transaction.atomic
def invitation_create(
    *,
    membership: Membership,
    organisation: Organisation,
    role: str,
    email: str,
    full_name: str,
    accept_url_base: str = "",
) -> tuple[Invitation, str]:
    """Invite someone by e-mail to hold ``role`` at ``organisation`` with a one-time link.

    Output: the invitation and the accept URL (containing the raw token, shown once to the
    inviter and mailed to the invitee; only the token's SHA-256 is stored). Valid 7 days.
    Raises as :func:`check_grantable`, and :class:`~qcportal.conflicts.Conflict` (409,
    ``obj`` = the open invitation) when the same organisation already has an open invitation
    for the same e-mail address (any letter case) and role: identical invitations — a double
    click, two administrators at once — leave one row and one e-mail; the partial unique
    constraint ``qcportal_invitation_open_uniq`` decides between simultaneous ones (rule
    R-SC-33). An expired open invitation of the same person and role is closed
    (``revoked_at``) when a new one is sent.
    """
    check_grantable(membership=membership, organisation=organisation, role=role)
    if not full_name.strip():
        raise ValidationError({"full_name": _("请填写姓名。")})
    email = email.strip()
    now = timezone.now()
    open_ones = Invitation._base_manager.filter(
        organisation=organisation, role=role, accepted_at__isnull=True, revoked_at__isnull=True
    ).filter(email__iexact=email)
    for stale in open_ones.filter(expires_at__lt=now).select_for_update():
        stale.revoked_at = now
        stale.save(update_fields=["revoked_at"])
    existing = open_ones.first()
    if existing is not None:
        raise _duplicate_invitation(existing)
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organisation=organisation,
                role=role,
                email=email,
                full_name=full_name.strip(),
                token_digest=_digest(token),
                invited_by=membership.user,
                expires_at=now + INVITATION_VALID_FOR,
            )
    except IntegrityError:
        existing = open_ones.first()
        if existing is None:
            raise
        raise _duplicate_invitation(existing) from None
    url = accept_url_base + reverse("invitation-accept", args=[token])
    send_mail(
        subject=_("邀请您加入质量管理小组活动管理平台"),
        message=_(
            "%(name)s您好：\n\n%(inviter)s邀请您以“%(role)s”身份加入%(org)s。请在7天内打开以下链接设置账户：\n%(url)s\n"
        )
        % {
            "name": invitation.full_name,
            "inviter": membership.user,
            "role": invitation.get_role_display(),
            "org": organisation.name,
            "url": url,
        },
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )
    return invitation, url


def _duplicate_invitation(existing: Invitation) -> Conflict:
    return Conflict(
        {
            "email": _(
                "已于%(date)s向%(email)s发出“%(role)s”邀请（有效期至%(until)s），未重复发送；"
                "如需重新发送，请先撤销原邀请。"
            )
            % {
                "date": timezone.localtime(existing.created_at).strftime("%Y-%m-%d %H:%M"),
                "email": existing.email,
                "role": existing.get_role_display(),
                "until": timezone.localtime(existing.expires_at).strftime("%Y-%m-%d"),
            }
        },
        obj=existing,
    )


def invitation_for_token(token: str) -> Invitation:
    """The open invitation of a raw token; raises ``ValidationError`` when it is unknown,
    used, revoked or expired (no scope needed: the token is the credential)."""
    invitation = (
        Invitation._base_manager.select_related("organisation").filter(token_digest=_digest(token)).first()
    )
    if invitation is None or invitation.revoked_at is not None:
        raise ValidationError(_("邀请链接无效或已被撤销。"))
    if invitation.accepted_at is not None:
        raise ValidationError(_("该邀请链接已经使用过。"))
    if invitation.expires_at < timezone.now():
        raise ValidationError(_("该邀请链接已过期，请联系协会管理员重新邀请。"))
    return invitation


@transaction.atomic
def invitation_accept(
    *, token: str, user: User | None = None, username: str = "", password: str = ""
) -> Membership:
    """Accept an invitation: add the membership to ``user`` (already logged in) or create a
    new account with ``username``/``password`` (strong password rules). One-time: the
    invitation is marked accepted. Output: the new membership.

    Simultaneous acceptances of one link (a double click) take turns on the locked
    invitation: one account and one membership; the others get
    :class:`~qcportal.conflicts.AlreadyDone` (the same logged-in user: nothing to do, ``obj``
    is the membership) or :class:`~qcportal.conflicts.Conflict` 「该邀请链接已经使用过」
    (rule R-SC-31). Raises ``ValidationError`` for an unknown, revoked or expired link, a
    taken username or a weak password.
    """
    invitation = Invitation._base_manager.select_for_update().filter(token_digest=_digest(token)).first()
    if invitation is not None and invitation.accepted_at is not None:
        if user is not None and invitation.accepted_by_id == user.pk:
            membership = (
                Membership._base_manager.select_related("organisation")
                .filter(user=user, organisation_id=invitation.organisation_id, role=invitation.role)
                .first()
            )
            raise AlreadyDone(_("您已接受该邀请，无需重复操作。"), obj=membership)
        raise Conflict(_("该邀请链接已经使用过；如果是您刚刚接受的，请直接登录。"))
    invitation = invitation_for_token(token)
    if user is None:
        username = username.strip()
        if not username:
            raise ValidationError({"username": _("请填写用户名。")})
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("用户名“%(u)s”已被使用。") % {"u": username}})
        user = User(username=username, email=invitation.email, full_name=invitation.full_name)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
        user.set_password(password)
        user.save()
    membership, _created = Membership._base_manager.get_or_create(
        user=user, organisation=invitation.organisation, role=invitation.role, defaults={"is_active": True}
    )
    if not membership.is_active:
        membership.is_active = True
        membership.save()
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save()
    return membership


@transaction.atomic
def invitation_revoke(*, membership: Membership, invitation: Invitation) -> Invitation:
    """Withdraw an unused invitation."""
    check_grantable(membership=membership, organisation=invitation.organisation, role=invitation.role)
    if invitation.accepted_at is not None:
        raise ValidationError(_("邀请已被接受，请改为撤销其身份。"))
    invitation.revoked_at = timezone.now()
    invitation.save()
    return invitation


@transaction.atomic
def membership_grant(
    *, membership: Membership, user: User, organisation: Organisation, role: str
) -> Membership:
    """Give an existing user another role (e.g. a judge who is also a company coordinator)."""
    check_grantable(membership=membership, organisation=organisation, role=role)
    granted, created = Membership._base_manager.get_or_create(user=user, organisation=organisation, role=role)
    if not created and granted.is_active:
        raise ValidationError(_("该用户已经拥有此身份。"))
    granted.is_active = True
    granted.save()
    return granted


@transaction.atomic
def membership_revoke(*, membership: Membership, target: Membership) -> Membership:
    """Revoke a role (the membership stays, inactive, for the audit trail). Nobody revokes
    their own membership or one ranked above their own."""
    check_grantable(membership=membership, organisation=target.organisation, role=target.role)
    if target.pk == membership.pk:
        raise ValidationError(_("不能撤销您当前使用的身份。"))
    target.is_active = False
    target.save()
    return target


@transaction.atomic
def user_deactivate(*, membership: Membership, user: User) -> User:
    """Deactivate a login. Only when every active membership of the user lies in the actor's
    subtree with a rank not above the actor's; never oneself. The user's API tokens are
    deleted in the same transaction (issue 9, item 2; R-SC-17) and every session of the user
    ends at once (issue 9 item 1: :func:`qcportal.user_sessions.user_sessions_end`)."""
    require_permission(membership, "users:manage")
    if user.pk == membership.user_id:
        raise ValidationError(_("不能停用自己的账户。"))
    for other in Membership._base_manager.filter(user=user, is_active=True).select_related("organisation"):
        if (
            not other.organisation.path.startswith(membership.organisation.path)
            or ROLE_RANK[other.role] > ROLE_RANK[membership.role]
        ):
            raise ValidationError(_("该用户在您管辖范围以外还有其他身份，只能撤销本单位的身份。"))
    user.is_active = False
    user.save()
    tokens_revoke_all(user=user)
    user_sessions_end(user=user)
    return user


def allowed_child_kinds(parent: Organisation) -> list[str]:
    """Organisation kinds that may be created directly under ``parent`` (domain.md §3)."""
    from .choices import ALLOWED_PARENT_KINDS

    return [kind for kind, parents in ALLOWED_PARENT_KINDS.items() if parent.kind in parents]
