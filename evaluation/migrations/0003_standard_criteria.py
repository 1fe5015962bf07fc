"""Seed the score sheets of T/CAQ 10201-2020 附录B (standard.md §3)."""

from django.db import migrations

CRITERIA = {
    "problem_solving_result": [
        ("topic", "选题", "", 15),
        ("cause_analysis", "原因分析", "", 30),
        ("countermeasures", "对策与实施", "", 20),
        ("effect", "效果", "", 20),
        ("report", "成果报告", "", 5),
        ("features", "特点", "", 10),
    ],
    "innovation_result": [
        ("topic", "选题", "", 20),
        ("solutions", "提出方案并确定最佳方案", "", 30),
        ("countermeasures", "对策与实施", "", 20),
        ("effect", "效果", "", 15),
        ("report", "成果报告", "", 5),
        ("features", "特点", "", 10),
    ],
    "onsite": [
        ("organisation", "质量管理小组活动的组织", "查看记录", 10),
        ("activity_records", "活动情况与活动记录", "听取介绍、查看记录、现场验证", 30),
        ("authenticity", "活动真实性与有效性", "现场验证、查看记录、谈话询问", 30),
        ("consolidation", "成果的维持与巩固", "查看记录、现场验证", 20),
        ("education", "质量管理小组教育", "提问、考试", 10),
    ],
}


def seed(apps, schema_editor):
    Criterion = apps.get_model("evaluation", "ScoringCriterion")
    for kind, rows in CRITERIA.items():
        for position, (code, label, method, points) in enumerate(rows, start=1):
            Criterion.objects.update_or_create(
                sheet_kind=kind, code=code,
                defaults={"label": label, "method": method, "max_points": points, "position": position},
            )


def unseed(apps, schema_editor):
    apps.get_model("evaluation", "ScoringCriterion").objects.filter(sheet_kind__in=list(CRITERIA)).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0002_initial")]
    operations = [migrations.RunPython(seed, unseed)]
