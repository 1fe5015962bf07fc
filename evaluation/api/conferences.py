"""``/api/v1/conferences/`` and ``/api/v1/conference-signups/``: result presentation
conferences (成果发表会; issue 11 item 2; seed 001 §7.5.2; seed 002 Annex 3).

- ``GET /conferences/`` the conferences visible to the acting organisation (its own and those
  of the associations above it; ``?year=``); ``GET /conferences/{id}/`` one, with the
  sign-ups the acting organisation may see;
- ``POST /conferences/`` (``campaign`` code and the fields below) announces the acting
  association's conference of its campaign, ``PUT``/``PATCH /conferences/{id}/`` records
  changes (``campaigns:manage``): ``title``, ``held``, ``held_on``, ``place``,
  ``signup_deadline``, ``attendance``; ``signed_up_circles`` and ``presented_circles`` are
  read-only (counted from the sign-ups);
- ``GET /conference-signups/`` the acting organisation's visible sign-ups (``?conference=``);
  ``POST /conference-signups/`` ``{"conference", "project", "presenter"}`` signs a project
  up (``campaigns:sign_up``); ``POST /conference-signups/{id}/transitions/`` ``select`` /
  ``unselect`` (host) or ``withdraw`` (enterprise).

Refusals: 403 without the permission, 404 outside the scope, 400 ``{"detail", "errors"}`` in
Chinese for bad input.
"""

from __future__ import annotations

from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from circles.models import Project
from promotion.conferences import CONFERENCE_FIELDS, conference_list, conference_save
from promotion.models import Campaign, PresentationConference
from qcportal.api import HistoryMixin, TenantViewSetMixin, TransitionMixin, year_param
from qcportal.permissions import HasAreaPermission

from ..conferences import signup_create, signup_list
from ..models import ConferenceSignUp


class SignUpSerializer(serializers.ModelSerializer):
    """A sign-up: conference id, enterprise code, circle and project (id and name), presenter,
    status with its label, order of presentation."""

    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    circle_name = serializers.CharField(source="circle.name", read_only=True)
    project_title = serializers.CharField(source="project.title", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ConferenceSignUp
        fields = [
            "id",
            "conference",
            "organisation",
            "circle",
            "circle_name",
            "project",
            "project_title",
            "presenter",
            "status",
            "status_display",
            "order",
            "created_at",
        ]
        read_only_fields = fields


class SignUpDetailSerializer(HistoryMixin, SignUpSerializer):
    """A sign-up with its workflow history."""

    workflow_entity = "evaluation.conferencesignup"

    class Meta(SignUpSerializer.Meta):
        fields = [*SignUpSerializer.Meta.fields, "history"]
        read_only_fields = fields


class ConferenceSerializer(serializers.ModelSerializer):
    """A conference with its host and campaign codes and the Annex 3 figures."""

    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    campaign = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = PresentationConference
        fields = [
            "id",
            "organisation",
            "campaign",
            *CONFERENCE_FIELDS,
            "signed_up_circles",
            "presented_circles",
        ]
        read_only_fields = ["signed_up_circles", "presented_circles"]


class ConferenceDetailSerializer(ConferenceSerializer):
    """A conference with the sign-ups visible to the acting organisation."""

    signups = serializers.SerializerMethodField()

    class Meta(ConferenceSerializer.Meta):
        fields = [*ConferenceSerializer.Meta.fields, "signups"]

    def get_signups(self, conference) -> list[dict]:
        """The visible sign-ups (:func:`evaluation.conferences.signup_list`)."""
        return SignUpSerializer(signup_list(conference=conference), many=True).data


class ConferenceViewSet(TenantViewSetMixin, viewsets.ModelViewSet):
    """Conferences (see the module docstring); no deletion."""

    serializer_class = ConferenceSerializer
    schema_model = PresentationConference
    permission_classes = [HasAreaPermission]
    permission_required = "campaigns:view"
    permission_map = {
        "create": "campaigns:manage",
        "update": "campaigns:manage",
        "partial_update": "campaigns:manage",
    }
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def scoped_queryset(self):
        queryset = conference_list()
        year = year_param(self.request.query_params) if self.action == "list" else None
        if year is not None:
            queryset = queryset.filter(campaign__year=year)
        return queryset

    def get_serializer_class(self):
        return ConferenceSerializer if self.action == "list" else ConferenceDetailSerializer

    def _respond(self, conference, code):
        conference = self.get_queryset().get(pk=conference.pk)
        return Response(
            ConferenceDetailSerializer(conference, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        """Announce the acting association's conference of ``campaign`` (its code)."""
        body = ConferenceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        code = request.data.get("campaign") if isinstance(request.data, dict) else None
        campaign = Campaign.objects.filter(code=str(code)[:40]).first() if code else None
        if campaign is None:
            raise ApiValidationError({"campaign": ["请填写本协会年度活动的编号。"]})
        conference = conference_save(
            membership=request.membership, campaign=campaign, data=dict(body.validated_data)
        )
        return self._respond(conference, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        """Change the conference (``PATCH``: the fields sent)."""
        conference = self.get_object()
        body = ConferenceSerializer(conference, data=request.data, partial=kwargs.get("partial", False))
        body.is_valid(raise_exception=True)
        conference_save(
            membership=request.membership,
            campaign=conference.campaign,
            conference=conference,
            data=dict(body.validated_data),
        )
        return self._respond(conference, status.HTTP_200_OK)


class SignUpInputSerializer(serializers.Serializer):
    """``POST /conference-signups/``: conference and project ids and the presenter."""

    conference = serializers.IntegerField(min_value=1)
    project = serializers.IntegerField(min_value=1)
    presenter = serializers.CharField(max_length=50)


class SignUpViewSet(
    TransitionMixin, TenantViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Conference sign-ups (see the module docstring)."""

    serializer_class = SignUpSerializer
    detail_serializer_class = SignUpDetailSerializer
    schema_model = ConferenceSignUp
    permission_classes = [HasAreaPermission]
    permission_required = "campaigns:view"
    permission_map = {"create": "campaigns:sign_up"}

    def scoped_queryset(self):
        queryset = ConferenceSignUp.objects.select_related("organisation", "circle", "project").order_by(
            "-id"
        )
        conference = self.request.query_params.get("conference", "")
        if self.action == "list" and conference:
            if not (conference.isascii() and conference.isdigit()) or len(conference) > 12:
                raise ApiValidationError({"conference": ["发表会编号须为数字。"]})
            queryset = queryset.filter(conference_id=int(conference))
        return queryset

    def get_serializer_class(self):
        return SignUpSerializer if self.action == "list" else SignUpDetailSerializer

    def create(self, request, *args, **kwargs):
        """Sign a project of the acting enterprise up for a visible conference."""
        body = SignUpInputSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        conference = conference_list().filter(pk=body.validated_data["conference"]).first()
        project = Project.objects.filter(pk=body.validated_data["project"]).first()
        if conference is None or project is None:
            raise ApiValidationError({"conference": ["找不到该发表会或课题。"]})
        signup = signup_create(
            membership=request.membership,
            conference=conference,
            project=project,
            presenter=body.validated_data["presenter"],
        )
        signup = self.get_queryset().get(pk=signup.pk)
        return Response(
            SignUpDetailSerializer(signup, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )
