"""API views of the tenancy core: organisations (read, and creation by administrators), the
audit trail (read-only), the user's notifications and notification preference."""

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .api import TenantViewSetMixin
from .choices import AuditEvent, NotificationChannel, OrganisationKind, UnitKind
from .models import AuditEntry, Notification, Organisation
from .notifications import (
    notification_list,
    notification_mark_read,
    notification_preference_set,
    notifications_mark_all_read,
)
from .permissions import HasAreaPermission
from .selectors import audit_entry_list
from .services import organisation_create
from .tenancy import visible_organisations
from .workflow import notice_text


class OrganisationSerializer(serializers.ModelSerializer):
    """An organisation of the hierarchy."""

    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    industry_association = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "code",
            "name",
            "short_name",
            "kind",
            "parent",
            "industry_association",
            "unit_kind",
            "region",
            "is_active",
        ]
        read_only_fields = fields


class OrganisationFilterSet(django_filters.FilterSet):
    """Filter organisations by kind (declared, so nothing queries at import)."""

    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)

    class Meta:
        model = Organisation
        fields = ["kind"]


class OrganisationCreateInputSerializer(serializers.Serializer):
    """``POST /organisations/``: the new organisation's ``code`` (letters, digits, ``-``/``_``,
    unique nationally), ``kind``, ``parent`` (the code of an organisation in the actor's
    subtree), ``name`` and optionally ``short_name``, ``unit_kind``, ``region``, ``industry``."""

    code = serializers.CharField(max_length=40)
    kind = serializers.ChoiceField(
        choices=[c for c in OrganisationKind.choices if c[0] != OrganisationKind.NATIONAL_ASSOCIATION]
    )
    parent = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=200)
    short_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    unit_kind = serializers.ChoiceField(
        choices=UnitKind.choices, required=False, allow_blank=True, default=""
    )
    region = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    industry = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class OrganisationViewSet(TenantViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The organisations of the acting organisation's share, by code; administrators
    (``organisations:manage``) create one under an organisation of their subtree: 201, 400
    for bad input, 409 ``{"detail", "errors": {"code": […]}}`` for a code already used —
    also when two requests create it at the same moment (rule R-SC-32)."""

    serializer_class = OrganisationSerializer
    schema_model = Organisation
    permission_classes = [HasAreaPermission]
    permission_required = "organisations:view"
    permission_map = {"create": "organisations:manage"}
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    filterset_class = OrganisationFilterSet

    def scoped_queryset(self):
        membership = self.request.membership
        return Organisation.objects.filter(
            pk__in=visible_organisations(membership.organisation)
        ).select_related("parent", "industry_association")

    @extend_schema(request=OrganisationCreateInputSerializer, responses={201: OrganisationSerializer})
    def create(self, request, *args, **kwargs):
        """Create an organisation (``qcportal.services.organisation_create``)."""
        data = OrganisationCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        parent = self.scoped_queryset().filter(code=fields.pop("parent")).first()
        if parent is None:
            raise ValidationError({"parent": _("上级组织不存在或不在您的管辖范围内。")})
        organisation = organisation_create(
            membership=request.membership,
            code=fields.pop("code"),
            kind=fields.pop("kind"),
            parent=parent,
            **fields,
        )
        return Response(OrganisationSerializer(organisation).data, status=status.HTTP_201_CREATED)


class AuditEntrySerializer(serializers.ModelSerializer):
    """An audit entry: who, acting for which organisation, when, what changed, from where."""

    actor = serializers.StringRelatedField()
    model = serializers.CharField(source="content_type.model")
    action_display = serializers.CharField(source="get_action_display")
    event_display = serializers.CharField(source="get_event_display")
    acting_organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "timestamp",
            "actor",
            "acting_organisation",
            "acting_role",
            "organisation",
            "remote_addr",
            "action",
            "action_display",
            "event",
            "event_display",
            "model",
            "object_pk",
            "object_repr",
            "changes",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "event",
                str,
                enum=AuditEvent.values,
                description="只列出该类事件（登录、登录失败、账户锁定、退出登录、下载文件、导出数据、授予角色、撤销角色）",
            )
        ]
    )
)
class AuditEntryViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The audit trail of the scope, newest first. Read-only: no method changes an entry."""

    serializer_class = AuditEntrySerializer
    schema_model = AuditEntry
    permission_classes = [HasAreaPermission]
    permission_required = "audit:view"
    keyset_pagination = True  # ``?after=<id>`` / ``?before=<id>``; ``next`` carries them

    def scoped_queryset(self):
        """The scope's entries; ``?event=`` filters by event kind (login, download, export …)."""
        return audit_entry_list(event=self.request.query_params.get("event", ""))


class NotificationSerializer(serializers.ModelSerializer):
    """One notification of the requesting user: the event, its text in the active language,
    the object's page (``url``), the object (``entity``, ``object_id``) and whether it was
    read."""

    text = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "event",
            "text",
            "url",
            "entity",
            "object_id",
            "organisation",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields

    def get_text(self, obj) -> str:
        """The notice text (``qcportal.workflow.notice_text``) in the request's language."""
        return notice_text(obj)

    def get_url(self, obj) -> str:
        """The site path of the object the notification is about ("" when unknown)."""
        url = (obj.params or {}).get("url") or ""
        return url if url.startswith("/") and not url.startswith("//") else ""


class NotificationPreferenceSerializer(serializers.Serializer):
    """How the user is notified: ``notify_by_email`` true = 「邮件和站内通知」, false =
    「仅站内通知」; ``channel`` and ``channel_display`` say the same as a choice."""

    notify_by_email = serializers.BooleanField()
    channel = serializers.SerializerMethodField()
    channel_display = serializers.SerializerMethodField()

    def get_channel(self, user) -> str:
        """``email`` or ``site`` (:class:`~qcportal.choices.NotificationChannel`)."""
        return _channel(user).value

    def get_channel_display(self, user) -> str:
        """The channel's Chinese label."""
        return str(_channel(user).label)


def _channel(user) -> NotificationChannel:
    return NotificationChannel.EMAIL_AND_SITE if user.notify_by_email else NotificationChannel.SITE_ONLY


class NotificationViewSet(viewsets.GenericViewSet):
    """``/api/v1/notifications/``: the requesting user's own notifications, newest first
    (capped page-number pagination); ``POST {id}/read/`` marks one read (404 for anyone
    else's), ``POST read-all/`` marks all read, ``GET``/``PATCH preferences/`` reads or sets
    「邮件和站内通知」/「仅站内通知」 (issue 7 items 9 and 11). Personal rows: filtered by the
    user, not by the tenant scope."""

    serializer_class = NotificationSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return notification_list(user=self.request.user)

    def list(self, request):
        """The user's notifications, newest first."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark the notification read; answers it."""
        notification = notification_mark_read(user=request.user, pk=int(pk))
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        request=None, responses=inline_serializer("ReadAll", {"marked": serializers.IntegerField()})
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark every unread notification read; answers ``{"marked": n}``."""
        return Response({"marked": notifications_mark_all_read(user=request.user)})

    @extend_schema(request=NotificationPreferenceSerializer, responses=NotificationPreferenceSerializer)
    @action(detail=False, methods=["get", "patch"], serializer_class=NotificationPreferenceSerializer)
    def preferences(self, request):
        """GET the user's notification preference; PATCH ``{"notify_by_email": bool}`` sets it
        (400 ``{"detail", "errors"}`` for anything but a boolean)."""
        if request.method == "PATCH":
            serializer = NotificationPreferenceSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            notification_preference_set(
                user=request.user, notify_by_email=serializer.validated_data["notify_by_email"]
            )
        return Response(NotificationPreferenceSerializer(request.user).data)
