"""The one permission check, used by HTML views, API views, services and tasks.

A membership holds ``area:action`` permissions through its role (``qcportal.roles``). A
missing permission raises ``PermissionDenied`` (403); a foreign tenant's object is never
found in the first place (404) because queries run inside the tenant scope.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from rest_framework import permissions as drf_permissions


def has_permission(membership, permission: str) -> bool:
    """True when ``membership`` (a Membership or None) grants ``permission`` (``area:action``)."""
    return membership is not None and permission in membership.permissions


def require_permission(membership, permission: str) -> None:
    """Raise ``PermissionDenied`` with a Chinese message unless ``membership`` grants ``permission``."""
    if not has_permission(membership, permission):
        raise PermissionDenied(_("您当前的身份没有执行此操作的权限（%(perm)s）。") % {"perm": permission})


class MembershipRequiredMixin(LoginRequiredMixin):
    """HTML view mixin: login required, an active membership, and ``permission_required``.

    Anonymous users are redirected to the login page; a user without the permission gets 403.
    """

    permission_required: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.membership is None:
            raise PermissionDenied(_("您的账户尚未分配任何组织身份，请联系协会管理员。"))
        if self.permission_required:
            require_permission(request.membership, self.permission_required)
        return super().dispatch(request, *args, **kwargs)


class HasAreaPermission(drf_permissions.BasePermission):
    """DRF permission: the acting membership must hold the view's ``permission_required``.

    Views may map HTTP methods to permissions with ``permission_map``.
    """

    message = "您当前的身份没有执行此操作的权限。"

    def has_permission(self, request, view) -> bool:
        membership = getattr(request, "membership", None)
        if membership is None or not request.user.is_authenticated:
            return False
        permission_map = getattr(view, "permission_map", None) or {}
        action = getattr(view, "action", None)
        perm = permission_map.get(action) or getattr(view, "permission_required", None)
        return perm is None or has_permission(membership, perm)
