"""Shared builders of the campaign tests (issue 7): a PA campaign with the stage calendar of
seed 003 二、活动安排 moved around today, the fallback unit 其他-市质协会员现场部 (seed 003
§二.3(2)) and an enterprise without a recommending unit of its own."""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from promotion.choices import STAGE_ORDER, CampaignStatus, StageKind
from promotion.models import Campaign, CampaignStage
from qcportal.choices import OrganisationKind as K
from qcportal.roles import Role
from qcportal.tenancy import no_tenant
from tests import factories as f


def calendar_around(today: dt.date, *, registration_open: bool = True) -> list[dict]:
    """The seven stages of seed 003 二、活动安排 as service input: 活动报名 holds ``today``
    (or ended yesterday), the others follow; 辅导培育 overlaps 活动报名 as in seed 003."""
    d = dt.timedelta
    reg_start, reg_end = (today - d(5), today + d(10)) if registration_open else (today - d(30), today - d(1))
    windows = {
        StageKind.REGISTRATION: (reg_start, reg_end),
        StageKind.COACHING: (reg_start - d(10), reg_end),
        StageKind.SUBMISSION: (reg_end + d(1), reg_end + d(20)),
        StageKind.RECOMMENDATION: (reg_end + d(21), reg_end + d(40)),
        StageKind.EVALUATION: (reg_end + d(41), reg_end + d(80)),
        StageKind.NATIONAL_RECOMMENDATION: (reg_end + d(81), reg_end + d(90)),
        StageKind.PROMOTION: (reg_end + d(120), reg_end + d(200)),
    }
    return [
        {"kind": k, "starts_on": windows[k][0], "ends_on": windows[k][1], "responsible": "上海市质协"}
        for k in STAGE_ORDER
    ]


def shanghai_setup(network, *, registration_open: bool = True, status=CampaignStatus.OPEN):
    """PA's open campaign ``PA-2022`` with the calendar around today, the fallback unit
    ``PA-OTHER`` (其他-市质协会员现场部) and enterprise ``E5`` directly under PA (no unit)
    with its coordinator ``e5_coord``."""
    today = timezone.localdate()
    with no_tenant():
        other = f.OrganisationFactory(
            code="PA-OTHER", name="其他-市质协会员现场部", kind=K.RECOMMENDING_UNIT, parent=network.pa
        )
        e5 = f.OrganisationFactory(
            code="E5", name="测试戊会员单位有限公司", kind=K.ENTERPRISE, parent=network.pa
        )
        e5_coord = f.MembershipFactory(
            user=f.UserFactory(username="e5_coord"), organisation=e5, role=Role.ENTERPRISE_COORDINATOR
        ).user
        other_coord = f.MembershipFactory(
            user=f.UserFactory(username="other_coord"), organisation=other, role=Role.UNIT_COORDINATOR
        ).user
        campaign = Campaign.objects.create(
            organisation=network.pa,
            code="PA-2022",
            year=2022,
            title="2022年测试省质量管理小组活动",
            document_number="沪质协[2022]8号",
            period_start=dt.date(2021, 6, 1),
            period_end=dt.date(2022, 5, 31),
            status=status,
            fallback_unit=other,
        )
        CampaignStage.objects.bulk_create(
            CampaignStage(campaign=campaign, **row)
            for row in calendar_around(today, registration_open=registration_open)
        )
    return SimpleNamespace(
        campaign=campaign, other=other, e5=e5, e5_coord=e5_coord, other_coord=other_coord, today=today
    )


ENTRY = {
    "seal_name": "测试甲机械有限公司",
    "contact_person": "张联系",
    "contact_mobile": "13800000002",
    "contact_email": "zhang@example.cn",
    "address": "测试省测试路2号",
    "postcode": "310001",
}
