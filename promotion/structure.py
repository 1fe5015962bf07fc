"""The promotion structure of an organisation (推进组织, seed 001 §5): its quality
management committee and the three layers with their people and duties, and which
workflow transitions each layer's duties allow (generated from the declarations in the
apps' ``workflow.py``, through ``qcportal.workflow.WORKFLOWS``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qcportal.models import Membership, Organisation
from qcportal.permissions import require_permission
from qcportal.roles import LAYER_DUTIES, ROLE_LAYER, Layer, layer_permissions
from qcportal.text import clean_text
from qcportal.workflow import WORKFLOWS

from .models import QualityCommittee, StructureMember


def layer_transitions(layer: str) -> list[tuple[str, str]]:
    """``[(entity label, transition label)]`` that the duties of ``layer`` allow, in
    declaration order (seed 001 §5.2: the duties decide who takes which transition)."""
    perms = layer_permissions(layer)
    rows = []
    for workflow in WORKFLOWS.values():
        entity = str(workflow.model._meta.verbose_name)
        rows.extend((entity, str(t.label)) for t in workflow.transitions.values() if t.permission in perms)
    return rows


def structure_of(organisation: Organisation) -> dict:
    """The organisation's structure for display: ``committee`` (or ``None``) and
    ``layers`` — for each of 决策层/管理层/执行层 its duties (with their source), the people
    entered, the portal logins whose role sits in that layer, and its transitions."""
    committee = QualityCommittee.objects.filter(organisation=organisation).first()
    members = list(StructureMember.objects.filter(organisation=organisation).select_related("user"))
    logins = list(
        Membership.objects.filter(organisation=organisation, is_active=True)
        .select_related("user")
        .order_by("role", "id")
    )
    layers = []
    for value, label in Layer.choices:
        layers.append(
            {
                "value": value,
                "label": label,
                "duties": LAYER_DUTIES[value],
                "members": [m for m in members if m.layer == value],
                "logins": [m for m in logins if ROLE_LAYER.get(m.role) == value],
                "transitions": layer_transitions(value),
            }
        )
    return {
        "committee": committee,
        "layers": layers,
        "committee_members": [m for m in members if m.on_committee],
    }


@transaction.atomic
def committee_save(
    *, membership: Membership, name: str, chair: str = "", established_on=None, charter: str = ""
) -> QualityCommittee:
    """Create or update the acting organisation's quality management committee (seed 001
    §5.1.1; ``structure:manage``: its decision or management layer). Text is checked for
    length and control characters; the date may not be in the future. Raises
    ``PermissionDenied`` or ``ValidationError`` (Chinese)."""
    require_permission(membership, "structure:manage", membership.organisation)
    name = (
        clean_text(name, field="name", max_length=100, label=_("名称"), multiline=False) or "质量管理委员会"
    )
    chair = clean_text(chair, field="chair", max_length=50, label=_("主任"), multiline=False)
    charter = clean_text(charter, field="charter", max_length=2000, label=_("职责与制度"))
    if established_on and established_on > dt.date.today():
        raise ValidationError({"established_on": _("成立日期不能晚于今天。")})
    committee, _created = QualityCommittee.objects.update_or_create(
        organisation=membership.organisation,
        defaults={"name": name, "chair": chair, "established_on": established_on, "charter": charter},
    )
    return committee


@transaction.atomic
def structure_member_add(
    *, membership: Membership, layer: str, name: str, position: str = "", duties: str = "", on_committee=False
) -> StructureMember:
    """Add a person to one layer of the acting organisation's structure (seed 001 §5.1.2)."""
    require_permission(membership, "structure:manage", membership.organisation)
    if layer not in Layer.values:
        raise ValidationError({"layer": _("请选择层级：决策层、管理层或执行层。")})
    name = clean_text(name, field="name", max_length=50, label=_("姓名"), multiline=False)
    if not name:
        raise ValidationError({"name": _("请填写姓名。")})
    return StructureMember.objects.create(
        organisation=membership.organisation,
        layer=layer,
        name=name,
        position=clean_text(position, field="position", max_length=50, label=_("职务"), multiline=False),
        duties=clean_text(duties, field="duties", max_length=200, label=_("分工职责"), multiline=False),
        on_committee=bool(on_committee),
        position_order=StructureMember.objects.filter(
            organisation=membership.organisation, layer=layer
        ).count()
        + 1,
    )


@transaction.atomic
def structure_member_remove(*, membership: Membership, member: StructureMember) -> None:
    """Remove a person from the acting organisation's structure."""
    require_permission(membership, "structure:manage", member.organisation)
    if member.organisation_id != membership.organisation_id:
        raise ValidationError(_("只能维护本组织的推进组织。"))
    member.delete()
