"""Excel exports of the circles app's working lists, registered in the one exporter
registry (``qcportal.exporters``). Each takes the page's scoped, filtered queryset."""

from django.utils.translation import gettext_lazy as _

from qcportal.exporters import Column, ListExporter, register


def _date(value):
    return value.isoformat() if value else ""


CIRCLES = register(
    ListExporter(
        identifier="circles.circles",
        label=_("QC小组名单"),
        permissions=("circles:view", "circles:view_own"),
        personal_data=True,  # the leaders' names (issue 9 item 1: re-authentication to export)
        columns=(
            Column(_("企业"), lambda c: c.organisation.name, 30),
            Column(_("QC小组名称"), lambda c: c.name, 26),
            Column(_("部门"), lambda c: c.department),
            Column(_("注册号"), lambda c: c.registration_number or "", 20),
            Column(_("注册年度"), lambda c: c.registration_year, 10),
            Column(_("注册日期"), lambda c: _date(c.registered_on), 12),
            Column(_("状态"), lambda c: str(c.get_status_display()), 12),
            Column(_("组长"), lambda c: c.leader_name or "", 12),
            Column(_("成员数"), lambda c: c.member_count, 8),
        ),
    )
)

PROJECTS = register(
    ListExporter(
        identifier="circles.projects",
        label=_("课题清单"),
        permissions=("circles:view", "circles:view_own"),
        columns=(
            Column(_("企业"), lambda p: p.organisation.name, 30),
            Column(_("QC小组"), lambda p: p.circle.name, 24),
            Column(_("课题名称"), lambda p: p.title, 36),
            Column(_("课题注册号"), lambda p: p.registration_number or "", 20),
            Column(_("课题类型"), lambda p: str(p.get_project_type_display()), 12),
            Column(_("目标类型"), lambda p: str(p.get_target_kind_display() or ""), 12),
            Column(_("状态"), lambda p: str(p.get_status_display()), 12),
            Column(_("立项申请日期"), lambda p: _date(p.applied_on), 12),
            Column(_("计划完成日期"), lambda p: _date(p.planned_end), 12),
            Column(_("验收日期"), lambda p: _date(p.accepted_on), 12),
            Column(_("可计算的经济效益（万元）"), lambda p: p.economic_benefit, 14),
            Column(_("经济效益已确认"), lambda p: str(_("是") if p.benefit_confirmed else _("否")), 10),
            Column(_("活动记录数"), lambda p: p.record_count, 10),
        ),
    )
)

RECORDS = register(
    ListExporter(
        identifier="circles.records",
        label=_("活动记录"),
        permissions=("circles:view", "circles:view_own"),
        columns=(
            Column(_("QC小组"), lambda r: r.circle.name, 24),
            Column(_("课题"), lambda r: r.project.title, 36),
            Column(_("活动步骤"), lambda r: str(r.get_step_display()), 18),
            Column(_("活动日期"), lambda r: _date(r.held_on), 12),
            Column(_("参加人数"), lambda r: r.participant_count, 8),
            Column(_("活动内容"), lambda r: r.content, 60),
            Column(_("使用的统计方法"), lambda r: r.tools, 24),
            Column(_("改进前数据"), lambda r: r.data_before, 16),
            Column(_("改进后数据"), lambda r: r.data_after, 16),
            Column(_("待处理的检查意见"), lambda r: r.open_comments, 10),
        ),
    )
)
