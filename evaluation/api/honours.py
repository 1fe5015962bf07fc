"""``/api/v1/honours/`` and ``/api/v1/certificates/`` (issue 11 items 4 and 5).

- ``GET /honours/`` the honours visible to the acting organisation (granted by its subtree,
  or approved for it or below it; ``?year=``, ``?kind=``, ``?status=``); ``GET
  /honours/{id}/`` one with its workflow history;
- ``POST /honours/`` nominates (``honours:nominate``): ``kind`` (``circle`` / ``enterprise``
  / ``leader`` / ``promoter``), ``year``, ``title``, optional ``campaign`` (code), ``grade``,
  ``circle`` (id, a circle's honour), ``recipient`` (organisation code: the enterprise
  honoured, or the person's unit; an enterprise's own honours default to itself),
  ``person_name``, ``person_position``, ``citation``, ``material_reward`` (万元),
  ``other_rewards``; ``PATCH /honours/{id}/`` changes a nomination not yet submitted;
  ``DELETE`` deletes it; ``POST /honours/{id}/transitions/`` ``submit`` / ``approve`` /
  ``return`` / ``revoke`` (the decision layer approves; a comment is required to return or
  revoke); ``POST /honours/from-grades/`` ``{"campaign"}`` nominates the graded circles of
  the association's published judging;
- ``GET /certificates/`` the certificates issued by the subtree or naming it (``?campaign=``
  code, ``?status=``); ``GET /certificates/{id}/`` one with its history and ``verify_url``;
  ``POST /certificates/issue/`` ``{"campaign"}`` or ``{"honour"}`` issues what is owed
  (``certificates:issue``); ``POST /certificates/{id}/transitions/`` ``{"transition":
  "revoke", "comment"}``; ``POST /certificates/{id}/reissue/`` ``{"reason"}``; ``GET
  /certificates/{id}/pdf/`` the A4 PDF and ``/qr/`` the QR code (PNG).

Refusals: 403 without the permission, 404 outside the scope, 400 ``{"detail", "errors"}`` in
Chinese, 409 for what was done already; a campaign or honour outside the scope is not found
(404).
"""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from circles.models import Circle
from promotion.models import Campaign
from qcportal.api import HistoryMixin, TenantViewSetMixin, TransitionMixin, year_param
from qcportal.audit_events import file_response
from qcportal.choices import ASSOCIATION_KINDS
from qcportal.models import Organisation
from qcportal.permissions import HasAreaPermission

from ..certificates import (
    certificate_filename,
    certificate_issue_for_honour,
    certificate_list,
    certificate_pdf,
    certificate_qr_png,
    certificate_reissue,
    certificates_issue,
    verify_url,
)
from ..choices import CertificateStatus, HonourKind, HonourStatus
from ..honours import HONOUR_FIELDS, honour_delete, honour_list, honour_save, honours_from_grades
from ..models import Certificate, Honour


class HonourSerializer(serializers.ModelSerializer):
    """An honour as the API gives it (see the module docstring); ``material_reward`` in 万元."""

    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    recipient = serializers.SlugRelatedField(slug_field="code", read_only=True)
    recipient_name = serializers.CharField(source="recipient.name", read_only=True)
    campaign = serializers.SlugRelatedField(slug_field="code", read_only=True)
    circle_name = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Honour
        fields = [
            "id",
            "organisation",
            "kind",
            "kind_display",
            "year",
            "campaign",
            "title",
            "grade",
            "recipient",
            "recipient_name",
            "circle",
            "circle_name",
            "result",
            "person_name",
            "person_position",
            "citation",
            "material_reward",
            "other_rewards",
            "status",
            "status_display",
            "approved_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_circle_name(self, obj) -> str | None:
        """The circle's name, for a circle's honour."""
        return obj.circle.name if obj.circle_id else None


class HonourDetailSerializer(HistoryMixin, HonourSerializer):
    """An honour with its workflow history."""

    workflow_entity = "evaluation.honour"

    class Meta(HonourSerializer.Meta):
        fields = [*HonourSerializer.Meta.fields, "history"]
        read_only_fields = fields


class HonourInputSerializer(serializers.Serializer):
    """What a nomination takes (see the module docstring)."""

    kind = serializers.ChoiceField(choices=HonourKind.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=100)
    campaign = serializers.CharField(max_length=40, required=False, allow_blank=True)
    grade = serializers.CharField(max_length=40, required=False, allow_blank=True)
    circle = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    recipient = serializers.CharField(max_length=40, required=False, allow_blank=True)
    person_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    person_position = serializers.CharField(max_length=50, required=False, allow_blank=True)
    citation = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    material_reward = serializers.DecimalField(
        max_digits=14, decimal_places=4, min_value=0, max_value=99999999, required=False
    )
    other_rewards = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CampaignInputSerializer(serializers.Serializer):
    """``{"campaign": code}``."""

    campaign = serializers.CharField(max_length=40)


class HonourViewSet(TransitionMixin, TenantViewSetMixin, viewsets.ModelViewSet):
    """Honours (see the module docstring)."""

    serializer_class = HonourSerializer
    detail_serializer_class = HonourDetailSerializer
    schema_model = Honour
    permission_classes = [HasAreaPermission]
    permission_required = "honours:view"
    permission_map = {
        "create": "honours:nominate",
        "update": "honours:nominate",
        "partial_update": "honours:nominate",
        "destroy": "honours:nominate",
        "from_grades": "honours:nominate",
    }

    def scoped_queryset(self):
        queryset = honour_list(membership=self.request.membership)
        if self.action == "list":
            params = self.request.query_params
            year = year_param(params)
            if year is not None:
                queryset = queryset.filter(year=year)
            for name, values in (("kind", HonourKind.values), ("status", HonourStatus.values)):
                value = params.get(name, "")
                if value and value not in values:
                    raise ApiValidationError({name: ["筛选条件不合法。"]})
                if value:
                    queryset = queryset.filter(**{name: value})
        return queryset

    def get_serializer_class(self):
        return HonourSerializer if self.action == "list" else HonourDetailSerializer

    def _data(self, request, partial: bool) -> dict:
        body = HonourInputSerializer(
            data=request.data if isinstance(request.data, dict) else {}, partial=partial
        )
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if "campaign" in data:
            code = data.pop("campaign")
            data["campaign"] = Campaign.objects.filter(code=code).first() if code else None
            if code and data["campaign"] is None:
                raise ApiValidationError({"campaign": ["找不到该年度活动。"]})
        if "circle" in data:
            pk = data.pop("circle")
            data["circle"] = Circle.objects.filter(pk=pk).first() if pk else None
            if pk and data["circle"] is None:
                raise ApiValidationError({"circle": ["本单位范围内没有该QC小组。"]})
        if "recipient" in data:
            code = data.pop("recipient")
            data["recipient"] = Organisation.objects.filter(code=code).first() if code else None
            if code and data["recipient"] is None:
                raise ApiValidationError({"recipient": ["本单位范围内没有该代码的单位。"]})
        organisation = request.membership.organisation
        if not partial and data.get("recipient") is None and organisation.kind not in ASSOCIATION_KINDS:
            data["recipient"] = organisation
        return {k: v for k, v in data.items() if k in HONOUR_FIELDS}

    def _respond(self, honour, code):
        honour = self.get_queryset().get(pk=honour.pk)
        return Response(
            HonourDetailSerializer(honour, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        """Nominate for the acting organisation."""
        honour = honour_save(membership=request.membership, data=self._data(request, partial=False))
        return self._respond(honour, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        """Change a nomination still 已提名 or 已退回 (``PATCH``: the fields sent)."""
        honour = self.get_object()
        honour_save(
            membership=request.membership,
            data=self._data(request, partial=kwargs.get("partial", False)),
            honour=honour,
        )
        return self._respond(honour, status.HTTP_200_OK)

    def destroy(self, request, *args, **kwargs):
        """Delete a nomination not yet submitted."""
        honour_delete(membership=request.membership, honour=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=CampaignInputSerializer, responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["post"], url_path="from-grades")
    def from_grades(self, request):
        """Nominate the graded circles of the association's published judging of a campaign:
        ``{"nominated": n}``."""
        body = CampaignInputSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        campaign = Campaign.objects.filter(code=body.validated_data["campaign"]).first()
        if campaign is None:  # outside the scope: not found
            raise NotFound("找不到该年度活动。")
        return Response({"nominated": honours_from_grades(membership=request.membership, campaign=campaign)})


class CertificateSerializer(serializers.ModelSerializer):
    """A certificate: issuer and recipient codes, what it states, its state."""

    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    recipient = serializers.SlugRelatedField(slug_field="code", read_only=True)
    campaign = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "organisation",
            "recipient",
            "campaign",
            "year",
            "honour",
            "result",
            "holder",
            "enterprise_name",
            "project_title",
            "honour_text",
            "campaign_title",
            "issuer_name",
            "issued_on",
            "status",
            "status_display",
            "revoked_at",
            "replaces",
        ]
        read_only_fields = fields


class CertificateDetailSerializer(HistoryMixin, CertificateSerializer):
    """A certificate with its history and its public verification address."""

    workflow_entity = "evaluation.certificate"
    verify_url = serializers.SerializerMethodField()

    class Meta(CertificateSerializer.Meta):
        fields = [*CertificateSerializer.Meta.fields, "verify_url", "history"]
        read_only_fields = fields

    def get_verify_url(self, obj) -> str:
        """The address in the certificate's QR code."""
        return verify_url(obj)


class IssueInputSerializer(serializers.Serializer):
    """``{"campaign": code}`` or ``{"honour": id}``."""

    campaign = serializers.CharField(max_length=40, required=False)
    honour = serializers.IntegerField(min_value=1, required=False)


class ReissueInputSerializer(serializers.Serializer):
    """``{"reason": …}`` (required)."""

    reason = serializers.CharField(max_length=300)


class CertificateViewSet(TransitionMixin, TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Certificates (see the module docstring)."""

    serializer_class = CertificateSerializer
    detail_serializer_class = CertificateDetailSerializer
    schema_model = Certificate
    permission_classes = [HasAreaPermission]
    permission_required = "honours:view"
    permission_map = {"issue": "certificates:issue", "reissue": "certificates:issue"}

    def scoped_queryset(self):
        queryset = certificate_list(membership=self.request.membership)
        if self.action == "list":
            params = self.request.query_params
            code = params.get("campaign", "")
            if code:
                queryset = queryset.filter(campaign__code=code[:40])
            value = params.get("status", "")
            if value and value not in CertificateStatus.values:
                raise ApiValidationError({"status": ["筛选条件不合法。"]})
            if value:
                queryset = queryset.filter(status=value)
        return queryset

    def get_serializer_class(self):
        return CertificateSerializer if self.action == "list" else CertificateDetailSerializer

    @extend_schema(request=IssueInputSerializer, responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["post"])
    def issue(self, request):
        """Issue a campaign's certificates owed (``{"issued": n}``) or one honour's (the
        certificate, 201)."""
        body = IssueInputSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if "honour" in data:
            honour = honour_list(membership=request.membership).filter(pk=data["honour"]).first()
            if honour is None:
                raise NotFound("找不到该表彰。")
            certificate = certificate_issue_for_honour(membership=request.membership, honour=honour)
            certificate = self.get_queryset().get(pk=certificate.pk)
            return Response(
                CertificateDetailSerializer(certificate, context=self.get_serializer_context()).data,
                status=status.HTTP_201_CREATED,
            )
        if not data.get("campaign"):
            raise ApiValidationError({"campaign": ["请填写年度活动编号或表彰编号。"]})
        campaign = Campaign.objects.filter(code=data["campaign"]).first()
        if campaign is None:  # outside the scope: not found
            raise NotFound("找不到该年度活动。")
        return Response({"issued": certificates_issue(membership=request.membership, campaign=campaign)})

    @extend_schema(request=ReissueInputSerializer, responses={201: CertificateDetailSerializer})
    @action(detail=True, methods=["post"])
    def reissue(self, request, pk=None):
        """Revoke the certificate and issue its successor (201 with the successor)."""
        body = ReissueInputSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        try:
            successor = certificate_reissue(
                membership=request.membership,
                certificate=self.get_object(),
                reason=body.validated_data["reason"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "comment" in exc.error_dict:
                raise ApiValidationError({"reason": exc.error_dict["comment"][0].messages}) from None
            raise
        successor = self.get_queryset().get(pk=successor.pk)
        return Response(
            CertificateDetailSerializer(successor, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def _file(self, request, certificate, content: bytes, filename: str, mime: str, kind: str):
        return file_response(
            request, certificate, io.BytesIO(content), filename=filename, kind=kind, content_type=mime
        )

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The certificate as an A4 PDF."""
        certificate = self.get_object()
        return self._file(
            request,
            certificate,
            certificate_pdf(certificate),
            certificate_filename(certificate),
            "application/pdf",
            "certificate_pdf",
        )

    @extend_schema(responses={(200, "image/png"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def qr(self, request, pk=None):
        """The certificate's QR code (PNG) holding its verification address."""
        certificate = self.get_object()
        return self._file(
            request,
            certificate,
            certificate_qr_png(certificate),
            f"{certificate.number}.png",
            "image/png",
            "certificate_qr",
        )
