"""Seed 002, Annex 3 figures against hand computations on the small network (conftest).

PA (测试省质量协会): E1 counts; E2 is 行业直属 to IA and is deducted (note 2).
  circles registered ≤ 2020-08-31: c1 c2 c3 c4 = 4 → 0.0004 万个 (c7 registered after the period)
  registered in the period: c1 c3 c4 = 3 → 0.0003 万个
  participation rate: members of c1 c3 c4 = 5+3+6 = 14 / 100 employees (2020) = 14.00%
  active (records in the period): c1 c3 = 2 → 0.0002 万个
  cumulative benefit (confirmed, accepted ≤ period end): 10.5 + 20 = 30.50 万元 (c4's 7.25 unconfirmed)
  this year's benefit: 10.50 万元
  results rate: c1 c4 accepted in the period / 3 = 66.67%
  spending 5.50 万元, rewards 2.25 万元 (2019 figures ignored)
IA (测试行业质量协会): E3 (its subtree) + E2 (directly affiliated)
  4 figures: 2 circles, 9 members / 250 employees = 3.60%, 2 active, 103.333 → 103.33 万元, 100.00%,
  spending 11.111 → 11.11, rewards 1.50
CAQ: every enterprise once: 7 / 6 circles, 30 / 430 = 6.98%, 5 active, 142.83 / 122.83 万元, 5/6 = 83.33%,
  spending 18.61, rewards 4.75
"""

from decimal import Decimal

import pytest

from qcportal.tenancy import tenant_scope
from reports.statistics import annex3_figures, percentage, reporting_enterprises, to_wan

pytestmark = pytest.mark.django_db


def figures(network, code, scope=None):
    with tenant_scope(scope or network.caq):
        return annex3_figures(campaign=network.campaign, association=getattr(network, code))


def test_provincial_association_deducts_directly_affiliated_enterprises(network):
    """Seed 002 Annex 3 note 2: PA's figures leave out E2 (行业直属 to IA)."""
    f = figures(network, "pa")
    assert f.circles_cumulative == Decimal("0.0004")
    assert f.circles_this_year == Decimal("0.0003")
    assert f.members_this_year == 14 and f.total_employees == 100
    assert f.participation_rate == Decimal("14.00")
    assert f.circles_active == Decimal("0.0002")
    assert f.benefit_cumulative == Decimal("30.50")
    assert f.benefit_this_year == Decimal("10.50")
    assert f.results_rate == Decimal("66.67")
    assert f.qc_activity_spending == Decimal("5.50")
    assert f.reward_spending == Decimal("2.25")
    assert f.deducted_count == 1
    assert "扣除1家" in f.deduction_statement


def test_industry_association_counts_its_directly_affiliated_enterprises(network):
    """An industry association's Annex 3 includes the enterprises directly affiliated to it."""
    f = figures(network, "ia")
    assert (f.circles_cumulative_count, f.circles_this_year_count) == (2, 2)
    assert f.participation_rate == Decimal("3.60")
    assert f.circles_active_count == 2
    assert f.benefit_cumulative == Decimal("103.33") and f.benefit_this_year == Decimal("103.33")
    assert f.results_rate == Decimal("100.00")
    assert f.qc_activity_spending == Decimal("11.11") and f.reward_spending == Decimal("1.50")
    assert f.added_affiliated_count == 1
    assert "含本行业直属企业1家" in f.deduction_statement


def test_national_association_counts_every_enterprise_once(network):
    """National totals = provinces + industries with no enterprise counted twice."""
    f = figures(network, "caq")
    assert (f.circles_cumulative_count, f.circles_this_year_count) == (7, 6)
    assert f.members_this_year == 30 and f.total_employees == 430
    assert f.participation_rate == Decimal("6.98")
    assert f.circles_active_count == 5
    assert f.benefit_cumulative == Decimal("142.83") and f.benefit_this_year == Decimal("122.83")
    assert f.results_rate == Decimal("83.33")
    assert f.qc_activity_spending == Decimal("18.61") and f.reward_spending == Decimal("4.75")
    pa, pb, ia = figures(network, "pa"), figures(network, "pb"), figures(network, "ia")
    assert (
        pa.circles_this_year_count + pb.circles_this_year_count + ia.circles_this_year_count
        == f.circles_this_year_count
    )


def test_provincial_scope_gives_the_same_figures(network):
    """Computed inside PA's own scope, PA's figures are the same as from CAQ's scope."""
    assert figures(network, "pa", scope=network.pa) == figures(network, "pa")


def test_annex3_uses_a_fixed_number_of_queries(network, django_assert_max_num_queries):
    """Statistics are SQL aggregates: the query count does not grow with the data."""
    with tenant_scope(network.caq), django_assert_max_num_queries(8):
        annex3_figures(campaign=network.campaign, association=network.caq)


def test_reporting_enterprises_refuses_non_associations(network):
    with pytest.raises(ValueError):
        reporting_enterprises(network.e1)


def test_units_and_rounding():
    """万个 = count / 10,000 with 4 places; rates half-up to 2 places; no employees → None."""
    assert to_wan(13_800_000) == Decimal("1380.0000")
    assert to_wan(5) == Decimal("0.0005")
    assert percentage(1, 8) == Decimal("12.50")
    assert percentage(2, 3) == Decimal("66.67")
    assert percentage(1, 200) == Decimal("0.50")
    assert percentage(5, 0) is None
