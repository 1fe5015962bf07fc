"""Seed 002, Annexes 4 and 5 against hand computations on the small network (conftest).

PA recommends s1 (甲攻关QC小组, 问题解决型) and s2 (甲创新QC小组, 创新型).
s1: five submitted sheets 80, 85, 90, 70, 95 (≥ 5 judges): drop 95 and 70 → 255 / 3 = 85.00;
    a draft sheet of 88 does not count.
s2: three sheets 81, 82.5, 84 (< 5 judges): mean 247.5 / 3 = 82.50.
Judges listed: the five with submitted sheets on recommended results (吴评委 only scored s3,
which PA did not recommend).
"""

import io
from decimal import Decimal

import openpyxl
import pytest

from qcportal.tenancy import tenant_scope
from reports.exporters import exporter_for

from ..conftest import normalise, pdf_text, xlsx_text

pytestmark = pytest.mark.django_db


def exporter(network, form, code="pa"):
    return exporter_for(form)(campaign=network.campaign, organisation=getattr(network, code))


def test_annex5_rows_scores_and_assessments(network):
    with tenant_scope(network.caq):
        rows = exporter(network, "annex5").rows()
    assert [(n, name, score) for n, name, _assessment, score in rows] == [
        (1, "测试甲机械有限公司/甲攻关QC小组", Decimal("85.00")),
        (2, "测试甲机械有限公司/甲创新QC小组", Decimal("82.50")),
    ]
    assert rows[0][2] == "优势：选题理由充分。不足：图表标注不规范。"


def test_annex4_circles_and_judges(network):
    with tenant_scope(network.caq):
        circles, judges = exporter(network, "annex4").rows()
    assert circles == [
        (1, "测试甲机械有限公司", "甲攻关QC小组", "问题解决型"),
        (2, "测试甲机械有限公司", "甲创新QC小组", "创新型"),
    ]
    assert judges[0][1:4] == ("赵组长", "测试大学", "QCPS-A-001")  # panel chair first
    assert {j[1] for j in judges} == {"赵组长", "钱骨干", "孙评委", "李评委", "周评委"}
    assert [j[0] for j in judges] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("file_format", ["xlsx", "pdf"])
def test_annex5_file_shows_scores(network, file_format):
    with tenant_scope(network.caq):
        content = exporter(network, "annex5").render(file_format).content
    if file_format == "xlsx":
        ws = openpyxl.load_workbook(io.BytesIO(content)).active
        scores = [(c.value, c.number_format) for c in ws["D"] if isinstance(c.value, int | float | Decimal)]
        assert scores == [(85, "0.00"), (82.5, "0.00")]
        text = normalise(xlsx_text(content))
    else:
        text = normalise(pdf_text(content))
        assert "85.00" in text and "82.50" in text
    assert normalise("甲攻关QC小组") in text and normalise("优势：方案比选充分") in text


@pytest.mark.parametrize("file_format", ["xlsx", "pdf"])
def test_annex4_file_lists_certificates(network, file_format):
    with tenant_scope(network.caq):
        content = exporter(network, "annex4").render(file_format).content
    text = normalise(xlsx_text(content) if file_format == "xlsx" else pdf_text(content))
    for cert in ("QCPS-A-001", "QCPS-A-005"):
        assert cert in text
    assert "QCPS-A-006" not in text


def test_industry_association_sees_only_its_own_recommendations(network):
    with tenant_scope(network.caq):
        rows = exporter(network, "annex5", "ia").rows()
    assert [r[1] for r in rows] == [f"{network.e3.name}/{network.circles[5].name}"]


def test_annex5_shows_the_published_final_score(network):
    """Issue 8 item 7: publishing a judging carries each result's final score to Annex 5."""
    from evaluation.grading import judging_publish_effect
    from evaluation.judging import judging_get_or_create
    from evaluation.models import Result
    from qcportal.models import Membership
    from qcportal.tenancy import no_tenant
    from qcportal.workflow import TransitionContext

    s1 = network.submissions[0]
    with no_tenant():
        judging = judging_get_or_create(campaign=network.campaign, association=network.pa)
        Result.objects.create(
            organisation=s1.organisation, judging=judging, submission=s1, final_score="91.50"
        )
        judging_publish_effect(
            judging, TransitionContext(membership=Membership.objects.get(user=network.users.pa_staff))
        )
    with tenant_scope(network.caq):
        rows = exporter(network, "annex5").rows()
    assert rows[0][3] == Decimal("91.50")
