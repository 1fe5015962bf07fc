"""The one permission check, used by HTML views, API views, services and tasks.

A membership holds ``area:action`` permissions through its role (``qcportal.roles``); some
permissions also have an object rule (e.g. ``evaluation:score`` needs a non-recused
assignment to that submission). Rules are kept in one django-rules ``RuleSet``:
``rule(perm) = role grants perm & object rule``. A missing permission raises
``PermissionDenied`` (403); a foreign tenant's object is never found in the first place
(404) because queries run inside the tenant scope.
"""

from __future__ import annotations

import logging

import rules
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from rest_framework import permissions as drf_permissions

from .roles import ALL_PERMISSIONS, PERMISSION_LABELS

logger = logging.getLogger(__name__)

RULES = rules.RuleSet()


def _role_grants(permission: str) -> rules.Predicate:
    @rules.predicate(name=f"role grants {permission}")
    def grants(membership) -> bool:
        return membership is not None and membership.is_active and permission in membership.permissions

    return grants


for _perm in ALL_PERMISSIONS:
    RULES.add_rule(_perm, _role_grants(_perm))


def register_object_rule(permission: str, predicate: rules.Predicate) -> None:
    """Add an object rule to ``permission``: ``predicate(membership, obj)`` must also hold.

    The predicate is called with ``obj=None`` for checks without an object and should then
    answer ``True`` (the role check alone decides). Apps register their rules in
    ``AppConfig.ready()``.
    """
    RULES.set_rule(permission, _role_grants(permission) & predicate)


def has_permission(membership, permission: str, obj=None) -> bool:
    """True when ``membership`` (a Membership or None) may do ``permission`` (``area:action``),
    on ``obj`` when given. Unknown permissions are refused."""
    if not RULES.rule_exists(permission):
        return False
    return RULES.test_rule(permission, membership, obj)


def permission_denied_message(membership, permission: str) -> str:
    """The plain Chinese explanation shown to a user refused ``permission``.

    Inputs: the acting ``membership`` (or ``None``) and the ``area:action`` permission.
    Output: a translated sentence naming the role and what it cannot do here (from
    ``qcportal.roles.PERMISSION_LABELS``), never the internal code; when the role holds the
    permission but an object rule refused it, the sentence says the object lies outside what
    the role may do it to. Raises nothing.
    """
    if membership is None:
        return _("您的账户尚未分配任何组织身份，请联系协会管理员。")
    label = PERMISSION_LABELS.get(permission)
    role = membership.get_role_display()
    if label is None:
        return _("您当前的身份（%(role)s）不能执行此操作。") % {"role": role}
    if membership.is_active and permission in membership.permissions:
        return _("该内容不在您当前的身份（%(role)s）可以%(action)s的范围内。") % {
            "role": role,
            "action": label,
        }
    return _("您当前的身份（%(role)s）没有%(action)s的权限。如需此权限，请联系协会管理员。") % {
        "role": role,
        "action": label,
    }


def require_permission(membership, permission: str, obj=None) -> None:
    """Raise ``PermissionDenied`` unless :func:`has_permission` (same inputs).

    The exception's message is :func:`permission_denied_message` (plain Chinese, shown on the
    403 page and as the API's ``detail``); the ``area:action`` code only goes to the log
    (logger ``qcportal.permissions``, level INFO) for developers.
    """
    if not has_permission(membership, permission, obj):
        logger.info(
            "Permission %s refused: membership=%s role=%s object=%s pk=%s",
            permission,
            getattr(membership, "pk", None),
            getattr(membership, "role", None),
            type(obj).__name__ if obj is not None else None,
            getattr(obj, "pk", None),
        )
        raise PermissionDenied(permission_denied_message(membership, permission))


@rules.predicate
def within_own_subtree(membership, organisation) -> bool:
    """Object rule: the organisation lies in the acting organisation's subtree."""
    return organisation is None or organisation.path.startswith(membership.organisation.path)


register_object_rule("organisations:manage", within_own_subtree)
register_object_rule("users:manage", within_own_subtree)


class MembershipRequiredMixin(LoginRequiredMixin):
    """HTML view mixin: login required, an active membership, and ``permission_required``
    (a permission, or a tuple of which any one suffices; checked with :func:`require_permission`).

    Anonymous users are redirected to the login page; a user without the permission gets 403.
    """

    permission_required: str | tuple[str, ...] | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.membership is None:
            raise PermissionDenied(_("您的账户尚未分配任何组织身份，请联系协会管理员。"))
        perms = self.permission_required
        if isinstance(perms, tuple):
            if not any(has_permission(request.membership, p) for p in perms):
                require_permission(request.membership, perms[0])
        elif perms:
            require_permission(request.membership, perms)
        return super().dispatch(request, *args, **kwargs)


class HasAreaPermission(drf_permissions.BasePermission):
    """DRF permission: the acting membership must hold the view's ``permission_required``
    (a permission, or a tuple of which any one suffices). Views may map actions to
    permissions with ``permission_map``."""

    message = "您当前的身份没有执行此操作的权限。"

    def has_permission(self, request, view) -> bool:
        membership = getattr(request, "membership", None)
        if membership is None or not request.user.is_authenticated:
            return False
        permission_map = getattr(view, "permission_map", None) or {}
        action = getattr(view, "action", None)
        perm = permission_map.get(action) or getattr(view, "permission_required", None)
        if perm is None:
            return True
        perms = perm if isinstance(perm, tuple) else (perm,)
        return any(has_permission(membership, p) for p in perms)
