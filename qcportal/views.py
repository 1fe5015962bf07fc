"""HTML views of the tenancy core: switching the acting membership, administration of
organisations, users, roles and invitations, and the audit trail."""

import json

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from . import services
from .actions import ObjectActionView, apply_errors, error_text
from .choices import AuditEvent, NotificationChannel, OrganisationKind
from .conflicts import AlreadyDone, Conflict, ConflictFormMixin
from .forms import InvitationAcceptForm, InvitationForm, NotificationPreferenceForm, OrganisationForm
from .models import AuditEntry, Invitation, Membership, Notification, Organisation
from .notifications import notification_preference_set
from .pagination import PaginatedListMixin
from .permissions import MembershipRequiredMixin, has_permission, require_permission
from .reauth import ReauthRequiredMixin
from .roles import Role
from .selectors import (
    audit_entry_list,
    invitation_list,
    membership_list,
    organisation_get,
    organisation_subtree,
)
from .tenancy import SESSION_KEY, is_visible, visible_organisations
from .workflow import notice_text


class SwitchMembershipView(LoginRequiredMixin, View):
    """POST: act for another of the user's own memberships (404 for anyone else's)."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        membership = next((m for m in request.memberships if m.pk == pk), None)
        if membership is None:
            raise Http404
        request.session[SESSION_KEY] = membership.pk
        messages.success(
            request,
            _("已切换为：%(org)s · %(role)s")
            % {"org": membership.organisation.name, "role": membership.get_role_display()},
        )
        target = request.POST.get("next") or reverse("home")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("home")
        return HttpResponseRedirect(target)


# --- Administration of organisations and users (association administrators) ---------------


def organisation_in_share(membership, code: str) -> Organisation:
    """The organisation ``code`` when it lies in the acting organisation's data share (its
    subtree), for the organisation's page and its edit form alike.

    The lineage scope lets a member resolve its ancestors (for names and breadcrumbs), so a
    lookup alone is not an access check: an ancestor answers 403 here, an unknown or foreign
    code 404. Raises ``Http404`` or ``PermissionDenied``.
    """
    try:
        organisation = organisation_get(code=code)
    except Organisation.DoesNotExist:
        raise Http404 from None
    if not is_visible(organisation, to=membership.organisation):
        raise PermissionDenied(_("只能查看本单位及下级单位的详细信息。"))
    return organisation


class OrganisationListView(MembershipRequiredMixin, PaginatedListMixin, ListView):
    """The organisations of the acting organisation's share, filterable by kind and name."""

    permission_required = "organisations:view"
    template_name = "qcportal/organisation_list.html"
    context_object_name = "organisations"
    paginate_by = 50

    def get_queryset(self):
        return organisation_subtree(
            organisation=self.request.membership.organisation,
            kind=self.request.GET.get("kind", ""),
            search=self.request.GET.get("q", "").strip(),
        )

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "kinds": OrganisationKind.choices,
            "can_manage": has_permission(self.request.membership, "organisations:manage"),
        }


class OrganisationDetailView(MembershipRequiredMixin, TemplateView):
    """An organisation: its details, children and, for administrators, members and invitations."""

    permission_required = "organisations:view"
    template_name = "qcportal/organisation_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        organisation = organisation_in_share(membership, kwargs["code"])
        can_manage_users = has_permission(membership, "users:manage", organisation)
        context.update(
            organisation=organisation,
            children=Organisation.objects.filter(parent=organisation).order_by("code"),
            can_manage=has_permission(membership, "organisations:manage", organisation),
            can_manage_users=can_manage_users,
            memberships=membership_list(organisation=organisation, active=None) if can_manage_users else [],
            invitations=invitation_list(organisation=organisation) if can_manage_users else [],
        )
        return context


class OrganisationCreateView(MembershipRequiredMixin, ConflictFormMixin, FormView):
    """Create an organisation under one in the administrator's subtree. A code already used
    (also by a simultaneous creation) shows the form again with the error inline, 409
    (rule R-SC-32)."""

    permission_required = "organisations:manage"
    template_name = "qcportal/organisation_form.html"
    form_class = OrganisationForm

    def get_form_kwargs(self):
        parents = Organisation.objects.filter(
            pk__in=visible_organisations(self.request.membership.organisation),
            kind__in=[
                OrganisationKind.NATIONAL_ASSOCIATION,
                OrganisationKind.REGIONAL_ASSOCIATION,
                OrganisationKind.INDUSTRY_ASSOCIATION,
                OrganisationKind.RECOMMENDING_UNIT,
            ],
        ).order_by("path")
        initial = {"parent": self.request.GET.get("parent")}
        if initial["parent"]:
            initial["parent"] = parents.filter(code=initial["parent"]).first()
        return {**super().get_form_kwargs(), "parents": parents, "initial": initial}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        try:
            organisation = services.organisation_create(
                membership=self.request.membership,
                code=data.pop("code"),
                kind=data.pop("kind"),
                parent=data.pop("parent"),
                **data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已创建组织：%(name)s") % {"name": organisation.name})
        return redirect("organisation-detail", code=organisation.code)


class OrganisationUpdateView(MembershipRequiredMixin, ConflictFormMixin, FormView):
    """Edit an organisation's name and contact fields."""

    permission_required = "organisations:manage"
    template_name = "qcportal/organisation_form.html"
    form_class = OrganisationForm

    def get_organisation(self) -> Organisation:
        """The organisation to edit: in the share (as its page) and manageable by the actor,
        else 403, before any of its fields is rendered (GET) or changed (POST)."""
        membership = self.request.membership
        organisation = organisation_in_share(membership, self.kwargs["code"])
        require_permission(membership, "organisations:manage", organisation)
        return organisation

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_organisation()}

    def form_valid(self, form):
        organisation = Organisation.objects.get(pk=form.instance.pk)
        try:
            services.organisation_update(
                membership=self.request.membership, organisation=organisation, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。"))
        return redirect("organisation-detail", code=organisation.code)


class MembershipListView(MembershipRequiredMixin, PaginatedListMixin, ListView):
    """Users and their roles in the administrator's subtree."""

    permission_required = "users:manage"
    template_name = "qcportal/membership_list.html"
    context_object_name = "memberships"
    paginate_by = 50

    def get_queryset(self):
        active = {"1": True, "0": False}.get(self.request.GET.get("active", "1"))
        return membership_list(
            role=self.request.GET.get("role", ""), active=active, search=self.request.GET.get("q", "").strip()
        )

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "roles": Role.choices}


class InvitationCreateView(MembershipRequiredMixin, ReauthRequiredMixin, ConflictFormMixin, FormView):
    """Invite a person by e-mail; the one-time link is mailed and shown once. Granting a role
    needs a recent re-authentication (issue 9 item 1): asked before the form is shown and
    again on submit when it has lapsed. An open invitation of the same person and role (a
    double click, two administrators at once) is not sent again: the form answers 409 with
    the existing invitation's date inline (rule R-SC-33)."""

    permission_required = "users:manage"
    reauth_methods = ("get", "post")
    template_name = "qcportal/invitation_form.html"
    form_class = InvitationForm

    def get_form_kwargs(self):
        organisations = Organisation.objects.filter(
            pk__in=visible_organisations(self.request.membership.organisation)
        ).order_by("path")
        initial = {"organisation": self.request.GET.get("organisation")}
        return {**super().get_form_kwargs(), "organisations": organisations, "initial": initial}

    def form_valid(self, form):
        try:
            invitation, url = services.invitation_create(
                membership=self.request.membership,
                organisation=form.cleaned_data["organisation"],
                role=form.cleaned_data["role"],
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                accept_url_base=self.request.build_absolute_uri("/")[:-1],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        return self.render_to_response(
            self.get_context_data(form=form, invitation=invitation, invitation_url=url)
        )


class MembershipRevokeView(ObjectActionView):
    """POST: revoke a role in the subtree."""

    permission_required = "users:manage"
    model = Membership
    select_related = ("organisation", "user")

    def perform(self, target):
        services.membership_revoke(membership=self.request.membership, target=target)
        return _("已撤销：%(m)s") % {"m": target}

    def redirect_to(self, target):
        return redirect("organisation-detail", code=target.organisation.code)


class UserDeactivateView(ObjectActionView):
    """POST: deactivate a login whose roles all lie in the subtree (``pk`` is the user's)."""

    permission_required = "users:manage"

    def get_object(self):
        target = Membership.objects.select_related("user").filter(user_id=self.kwargs["pk"]).first()
        if target is None:
            raise Http404
        return target.user

    def perform(self, user):
        services.user_deactivate(membership=self.request.membership, user=user)
        return _("已停用账户：%(u)s") % {"u": user}

    def redirect_to(self, user):
        return redirect("membership-list")


class InvitationRevokeView(ObjectActionView):
    """POST: withdraw an unused invitation."""

    permission_required = "users:manage"
    model = Invitation
    select_related = ("organisation",)

    def perform(self, invitation):
        services.invitation_revoke(membership=self.request.membership, invitation=invitation)
        return _("已撤销邀请。")

    def redirect_to(self, invitation):
        return redirect("organisation-detail", code=invitation.organisation.code)


class InvitationAcceptView(FormView):
    """Public: open a one-time invitation link, set up the account (or, when logged in, add
    the role to the current account) and sign in.

    A link that is unknown, revoked or expired answers 410 with the reason. A second
    acceptance (a double click) changes nothing: the user who accepted it is sent on as the
    first time with a notice; anyone else gets 409 「该邀请链接已经使用过」 (rule R-SC-31)."""

    template_name = "qcportal/invitation_accept.html"
    form_class = InvitationAcceptForm

    def dispatch(self, request, *args, **kwargs):
        try:
            self.invitation = services.invitation_for_token(kwargs["token"])
        except ValidationError as exc:
            if request.method == "POST" and request.user.is_authenticated:
                # The service tells this user's own repeated acceptance from a spent link.
                return self._attach(kwargs["token"])
            return self._invalid(exc, status=410)
        return super().dispatch(request, *args, **kwargs)

    def _invalid(self, exc: ValidationError, *, status: int):
        return self.response_class(
            request=self.request,
            template=["qcportal/invitation_invalid.html"],
            context={"message": error_text(exc)},
            status=status,
        )

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "invitation": self.invitation}

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.POST.get("attach"):
            return self._attach(kwargs["token"])
        return super().post(request, *args, **kwargs)

    def _attach(self, token: str):
        try:
            membership = services.invitation_accept(token=token, user=self.request.user)
        except AlreadyDone as exc:
            if exc.obj is None:
                return self._invalid(exc, status=409)
            messages.info(self.request, error_text(exc))
            return self._done(exc.obj, welcome=False)
        except ValidationError as exc:
            return self._invalid(exc, status=409 if isinstance(exc, Conflict) else 410)
        return self._done(membership)

    def form_valid(self, form):
        try:
            membership = services.invitation_accept(
                token=self.kwargs["token"],
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            )
        except Conflict as exc:
            if "username" in getattr(exc, "error_dict", {}):
                apply_errors(form, exc)
                return self.form_invalid(form)
            return self._invalid(exc, status=409)
        except ValidationError as exc:
            apply_errors(form, exc)
            if "password" in getattr(exc, "error_dict", {}):
                for error in exc.message_dict["password"]:
                    form.add_error("password1", error)
            return self.form_invalid(form)
        login(self.request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        return self._done(membership)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "conflict", False):
            response.status_code = 409
        return response

    def _done(self, membership, *, welcome: bool = True):
        self.request.session[SESSION_KEY] = membership.pk
        if welcome:
            messages.success(
                self.request,
                _("欢迎！您已加入%(org)s（%(role)s）。")
                % {"org": membership.organisation.name, "role": membership.get_role_display()},
            )
        return redirect("home")


class AuditListView(MembershipRequiredMixin, PaginatedListMixin, ListView):
    """The audit trail of the administrator's or staff's subtree, read-only, filterable."""

    permission_required = "audit:view"
    template_name = "qcportal/audit_list.html"
    context_object_name = "entries"
    paginate_by = 50
    keyset_pagination = True  # the trail grows with history: page N costs what page 1 costs

    def get_queryset(self):
        g = self.request.GET
        return audit_entry_list(
            model=g.get("model", ""),
            action=g.get("action", ""),
            actor=g.get("actor", "").strip(),
            event=g.get("event", ""),
            since=parse_date(g.get("since", "") or "") if g.get("since") else None,
            until=parse_date(g.get("until", "") or "") if g.get("until") else None,
        )

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "actions": AuditEntry.Action.choices,
            "events": AuditEvent.choices,
        }


class AuditDetailView(MembershipRequiredMixin, TemplateView):
    """One audit entry with its changes (field: [before, after])."""

    permission_required = "audit:view"
    template_name = "qcportal/audit_detail.html"

    def get_context_data(self, **kwargs):
        entry = audit_entry_list().filter(pk=kwargs["pk"]).first()
        if entry is None:
            raise Http404
        return {
            **super().get_context_data(**kwargs),
            "entry": entry,
            "changes": sorted((entry.changes or {}).items()) if isinstance(entry.changes, dict) else [],
            "details": audit_details(entry),
        }


#: Labels of the details an access or role event records (``AuditEntry.additional_data``).
AUDIT_DETAIL_LABELS = {
    "username": gettext_lazy("尝试的用户名"),
    "filename": gettext_lazy("文件名"),
    "kind": gettext_lazy("文件类别"),
    "exporter": gettext_lazy("导出类型"),
    "format": gettext_lazy("格式"),
    "filters": gettext_lazy("筛选条件"),
    "rows": gettext_lazy("行数"),
    "role": gettext_lazy("角色"),
    "event": gettext_lazy("流程事件"),
}


def audit_details(entry) -> list[tuple[str, str]]:
    """The entry's recorded details as (label, text) pairs for its page: what an access
    event recorded (file name, exporter, format, filters, row count, username tried) and the
    role of a role grant (issue 9 item 5)."""
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    rows = []
    for key, value in data.items():
        if key not in AUDIT_DETAIL_LABELS or value in (None, "", {}, []):
            continue
        if key == "role":
            value = str(Role(value).label) if value in Role.values else value
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
        rows.append((str(AUDIT_DETAIL_LABELS[key]), str(text)))
    return rows


def ratelimited(request, exception):
    """Response for requests over a rate limit (django-ratelimit): 429 with a Chinese message,
    JSON for the API."""
    message = _("操作过于频繁，请稍后再试。")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "429.html", {"message": message}, status=429)


# --- Notifications ------------------------------------------------------------------------


class NotificationListView(LoginRequiredMixin, PaginatedListMixin, ListView):
    """The user's notifications, newest first (their own only, whatever membership acts)."""

    template_name = "qcportal/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 30

    def get_queryset(self):
        return Notification.objects.filter(recipient=self.request.user).select_related("organisation")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["items"] = [(n, notice_text(n)) for n in context["notifications"]]
        return context

    def post(self, request, *args, **kwargs):
        """Mark every notification read."""
        Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        messages.success(request, _("已全部标为已读。"))
        return redirect("notification-list")


class NotificationPreferenceView(LoginRequiredMixin, FormView):
    """The user's notification preference (通知设置): 「邮件和站内通知」 or 「仅站内通知」
    (``User.notify_by_email``; issue 7 item 9). Reached from the notifications page and the
    user menu."""

    template_name = "qcportal/notification_preferences.html"
    form_class = NotificationPreferenceForm

    def get_initial(self):
        channel = (
            NotificationChannel.EMAIL_AND_SITE
            if self.request.user.notify_by_email
            else NotificationChannel.SITE_ONLY
        )
        return {"channel": channel}

    def form_valid(self, form):
        notification_preference_set(
            user=self.request.user,
            notify_by_email=form.cleaned_data["channel"] == NotificationChannel.EMAIL_AND_SITE,
        )
        messages.success(self.request, _("通知设置已保存。"))
        return redirect("notification-preferences")


class NotificationOpenView(LoginRequiredMixin, View):
    """GET: mark a notification read and go to its object's page (404 for someone else's)."""

    def get(self, request, pk: int):
        # get(): one indexed query by primary key, without the model's ordering.
        notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
        if notification.read_at is None:
            Notification.objects.filter(pk=pk).update(read_at=timezone.now())
        url = (notification.params or {}).get("url") or ""
        if not url.startswith("/") or url.startswith("//"):
            return redirect("notification-list")
        return HttpResponseRedirect(url)
