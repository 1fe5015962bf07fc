"""The score sheets of T/CAQ 10201-2020 附录B as data (standard.md §3), each out of 100, and
a presentation sheet after industry practice (standard.md §3: 逻辑性, 专业性, 发布形式, 表达,
回答问题, 成员/时间; associations derive their own variant). Seeded by migrations 0003/0006
and by :func:`seed_standard_templates` (tests, fresh databases without migrations)."""

from __future__ import annotations

#: The version name of the standard's sheets.
STANDARD_VERSION = "T/CAQ 10201-2020"

#: kind → (sheet name, [(code, label, method, max points)]).
STANDARD_SHEETS: dict[str, tuple[str, list[tuple[str, str, str, int]]]] = {
    "problem_solving_result": (
        "问题解决型课题成果评价表",
        [
            ("topic", "选题", "", 15),
            ("cause_analysis", "原因分析", "", 30),
            ("countermeasures", "对策与实施", "", 20),
            ("effect", "效果", "", 20),
            ("report", "成果报告", "", 5),
            ("features", "特点", "", 10),
        ],
    ),
    "innovation_result": (
        "创新型课题成果评价表",
        [
            ("topic", "选题", "", 20),
            ("solutions", "提出方案并确定最佳方案", "", 30),
            ("countermeasures", "对策与实施", "", 20),
            ("effect", "效果", "", 15),
            ("report", "成果报告", "", 5),
            ("features", "特点", "", 10),
        ],
    ),
    "onsite": (
        "质量管理小组活动现场评价表",
        [
            ("organisation", "质量管理小组活动的组织", "查看记录", 10),
            ("activity_records", "活动情况与活动记录", "听取介绍、查看记录、现场验证", 30),
            ("authenticity", "活动真实性与有效性", "现场验证、查看记录、谈话询问", 30),
            ("consolidation", "成果的维持与巩固", "查看记录、现场验证", 20),
            ("education", "质量管理小组教育", "提问、考试", 10),
        ],
    ),
    "presentation": (
        "发表评审表",
        [
            ("logic", "逻辑性", "", 20),
            ("expertise", "专业性", "", 20),
            ("form", "发布形式", "", 15),
            ("expression", "表达", "", 15),
            ("answers", "回答问题", "", 15),
            ("team_time", "成员与时间", "", 15),
        ],
    ),
}


def seed_standard_templates(template_model=None, criterion_model=None) -> dict:
    """Create (idempotently) the standard's templates and their items. Inputs: the
    ``SheetTemplate`` and ``ScoringCriterion`` models (historical ones in a migration;
    default the current models). Output: ``{kind: template}``."""
    if template_model is None:
        from .models import ScoringCriterion as criterion_model
        from .models import SheetTemplate as template_model
    templates = {}
    for kind, (name, rows) in STANDARD_SHEETS.items():
        template, _ = template_model._base_manager.get_or_create(
            organisation=None, kind=kind, version=STANDARD_VERSION, defaults={"name": name}
        )
        templates[kind] = template
        for position, (code, label, method, points) in enumerate(rows, start=1):
            criterion_model._base_manager.update_or_create(
                template=template,
                code=code,
                defaults={"label": label, "method": method, "max_points": points, "position": position},
            )
    return templates
